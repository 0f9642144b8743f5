"""Every write of an export job: submit, run (on a Celery worker), retry, fail the dead,
expire the old. Plain keyword-only functions.

Life of a job: `queued` (the task is enqueued on commit) → `running` (a worker claimed
this attempt; it writes the workbook to a temporary file in xlsxwriter's constant_memory
mode, reporting progress on the job's JobRun and a heartbeat on the job every 2,000 rows
or 2 seconds) → `succeeded` (the file is in Django's default storage, downloadable by the
requester until `expires_at`, 24 hours) → `expired` (the hourly cleanup deleted the file;
the row stays as the export log). Any error → `failed`, with a message in the
requester's language; a failed or expired job can be retried: it is queued again as the
next attempt, and a task of an older attempt (a redelivered message) does nothing.

A dead worker: a running job whose heartbeat is older than REPORTS_EXPORT_STALE_AFTER
(2 minutes) is failed by the next read of it (the job API calls `export_jobs_fail_stale`
for the reader's jobs), by the hourly cleanup, or by housekeeping's `job_runs_lost`. A
worker that was only slow finds its job failed at its next heartbeat and stops; it never
overwrites the failure.
"""

import glob
import logging
import os
import tempfile
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import JobRun, Membership, OrgNode, User
from accounts.services import job_run_fail, job_run_finish, job_run_start
from reports.exports import LAYOUTS, base
from reports.models.exports import ExportJob

logger = logging.getLogger(__name__)

TEMP_PREFIX = "keqing-export-"
PROGRESS_EVERY = 2000
HEARTBEAT_SECONDS = 2.0


class NotReady(Exception):
    """The file is not written yet, or the job failed."""


class Gone(Exception):
    """The file was downloadable for its 24 hours and is not any more."""


def keep_for() -> timedelta:
    return getattr(settings, "REPORTS_EXPORT_KEEP", timedelta(hours=24))


def stale_after() -> timedelta:
    return getattr(settings, "REPORTS_EXPORT_STALE_AFTER", timedelta(minutes=2))


def _language(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


def requester_scope(user: User) -> OrgNode:
    """The user's highest node (the scope their job run is recorded under)."""
    memberships = sorted(Membership.objects.filter(user=user).select_related("node"),
                         key=lambda m: m.node.depth)
    if memberships:
        return memberships[0].node
    root = OrgNode.get_first_root_node()
    if user.is_superuser and root is not None:
        return root
    raise PermissionDenied(_("Only people with a role in the organisation export data."))


def layout_of(kind: str):
    if kind not in LAYOUTS:
        raise ValidationError({"kind": [_("Unknown export: choose one from the list.")]})
    return LAYOUTS[kind]


def export_job_submit(*, actor: User, kind: str, filters: dict,
                      queue: str | None = None) -> ExportJob:
    """Check the filters against the layout and the actor's scope, record the job and
    queue it (on commit). Raises ValidationError naming the bad filter."""
    layout = layout_of(kind)
    if not isinstance(filters, dict):
        raise ValidationError({"filters": [_("Filters are an object of names and values.")]})
    cleaned = layout.clean_filters(user=actor, data=filters)
    with transaction.atomic():
        job = ExportJob(kind=kind, filters=cleaned, requested_by=actor,
                        scope=requester_scope(actor))
        job.full_clean()
        job.save()
        _enqueue(job, queue)
    logger.info("export #%s requested by %s (user %s): %s %s", job.pk, actor.username,
                actor.pk, kind, cleaned)
    return job


def _enqueue(job: ExportJob, queue: str | None) -> None:
    from reports.tasks import export_job_run as task

    queue = queue or getattr(settings, "REPORTS_EXPORT_QUEUE", None)
    options = {"queue": queue} if queue else {}
    job_id, attempt = job.pk, job.attempt
    transaction.on_commit(lambda: task.apply_async(args=[job_id, attempt], **options))


def export_job_retry(*, job: ExportJob, actor: User, queue: str | None = None) -> ExportJob:
    """Queue a failed or expired job again, as its next attempt (its filters checked
    again against the actor's scope of today)."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job.pk)
        if job.status not in ExportJob.RETRYABLE:
            raise ValidationError({"status": [_(
                "Only a failed or expired export can be run again.")]})
        cleaned = layout_of(job.kind).clean_filters(user=actor, data=job.filters)
        old_file = job.file.name
        job.filters, job.status, job.attempt = cleaned, ExportJob.Status.QUEUED, job.attempt + 1
        job.job_run = None
        job.file, job.file_name, job.size, job.row_count, job.error = "", "", 0, 0, ""
        job.heartbeat_at = job.started_at = job.finished_at = job.expires_at = None
        job.save()
        _enqueue(job, queue)
    if old_file:
        default_storage.delete(old_file)
    logger.info("export #%s retried by %s (attempt %s)", job.pk, actor.username, job.attempt)
    return job


def _claim(job_id: int, attempt: int) -> bool:
    now = timezone.now()
    return bool(ExportJob.objects.filter(
        pk=job_id, attempt=attempt, status=ExportJob.Status.QUEUED,
    ).update(status=ExportJob.Status.RUNNING, started_at=now, heartbeat_at=now))


def _still_mine(job: ExportJob, **fields) -> bool:
    """Compare-and-set on (attempt, running): False when the job was failed as dead or
    retried meanwhile."""
    return bool(ExportJob.objects.filter(pk=job.pk, attempt=job.attempt,
                                         status=ExportJob.Status.RUNNING).update(**fields))


def export_job_run(*, job_id: int, attempt: int) -> ExportJob | None:
    """Write the job's file (the worker's side). Runs once per attempt: returns None when
    the job is gone or this attempt is not queued any more."""
    if not _claim(job_id, attempt):
        return None
    job = ExportJob.objects.select_related("requested_by", "scope").get(pk=job_id)
    with translation.override(_language(job.requested_by)):
        return _run(job)


def _run(job: ExportJob) -> ExportJob:
    layout, user = LAYOUTS[job.kind], job.requested_by
    run = job_run_start(name=f"reports.export.{job.kind}", scope=job.scope, started_by=user)
    ExportJob.objects.filter(pk=job.pk).update(job_run=run)
    job.job_run = run
    try:
        total = layout.count(user=user, filters=job.filters)
        JobRun.objects.filter(pk=run.pk).update(progress_total=total)
        _beat(job, run, 0)
        with tempfile.NamedTemporaryFile(prefix=TEMP_PREFIX, suffix=".xlsx") as handle:
            book = base.new_workbook(handle.name)
            ticker = base.Ticker(lambda done: _beat(job, run, done), every=PROGRESS_EVERY,
                                 seconds=HEARTBEAT_SECONDS)
            rows = layout.write(book, user=user, filters=job.filters, tick=ticker)
            book.close()
            ticker.flush(rows)
            size = os.path.getsize(handle.name)
            with open(handle.name, "rb") as written:
                name = default_storage.save(job.file.field.generate_filename(
                    job, f"{layout.STEM}-{job.pk}.xlsx"), File(written))
    except base.Abandoned:
        job_run_fail(run=run, error="abandoned: the job was failed or retried meanwhile")
        return ExportJob.objects.get(pk=job.pk)
    except Exception as exc:
        logger.exception("export #%s failed", job.pk)
        _fail(job, _("The export stopped on an unexpected error. Run it again; if it "
                     "happens again, tell the administrators."))
        job_run_fail(run=run, error=f"{type(exc).__name__}: {exc}")
        return ExportJob.objects.get(pk=job.pk)
    return _finish(job, run, name=name, rows=rows, size=size)


def _beat(job: ExportJob, run: JobRun, done: int) -> None:
    """Progress on the run, a heartbeat on the job; stop when the job is not ours."""
    JobRun.objects.filter(pk=run.pk).update(progress_done=done)
    if not _still_mine(job, heartbeat_at=timezone.now()):
        raise base.Abandoned


def _finish(job: ExportJob, run: JobRun, *, name: str, rows: int, size: int) -> ExportJob:
    now = timezone.now()
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    if not _still_mine(job, status=ExportJob.Status.SUCCEEDED, file=name, size=size,
                       row_count=rows, file_name=f"{LAYOUTS[job.kind].STEM}-{stamp}.xlsx",
                       finished_at=now, heartbeat_at=now, expires_at=now + keep_for()):
        default_storage.delete(name)
        job_run_fail(run=run, error="abandoned: the job was failed or retried meanwhile")
        return ExportJob.objects.get(pk=job.pk)
    job_run_finish(run=run, counts={"rows": rows, "bytes": size, "kind": job.kind})
    logger.info("export #%s written for user %s: %s rows, %s bytes", job.pk,
                job.requested_by_id, rows, size)
    return ExportJob.objects.get(pk=job.pk)


def _fail(job: ExportJob, message: str) -> bool:
    return _still_mine(job, status=ExportJob.Status.FAILED, error=message,
                       finished_at=timezone.now())


def export_jobs_fail_stale(*, jobs=None, now=None) -> int:
    """Running jobs without a heartbeat for `stale_after()` (their worker died): failed,
    with their JobRun. `jobs` narrows the search (a reader's own jobs)."""
    now = now or timezone.now()
    candidates = (jobs if jobs is not None else ExportJob.objects.all()).filter(
        status=ExportJob.Status.RUNNING, heartbeat_at__lt=now - stale_after())
    if not candidates.exists():
        return 0
    return _fail_running(candidates, now=now, message=lambda: _(
        "The export stopped: the worker writing it was lost. Run it again."))


def _fail_running(candidates, *, now, message) -> int:
    failed = 0
    with transaction.atomic():
        for job in (candidates.select_for_update(skip_locked=True, of=("self",))
                    .select_related("requested_by", "job_run")):
            with translation.override(_language(job.requested_by)):
                job.status, job.error, job.finished_at = (ExportJob.Status.FAILED,
                                                          message(), now)
            job.save(update_fields=["status", "error", "finished_at"])
            if job.job_run and job.job_run.status == JobRun.Status.RUNNING:
                job_run_fail(run=job.job_run, error="worker lost: no heartbeat")
            failed += 1
    return failed


def export_jobs_fail_lost(*, run_ids: list[int], now) -> int:
    """Housekeeping marked these runs failed (their worker was lost): so are their jobs."""
    return _fail_running(ExportJob.objects.filter(job_run_id__in=run_ids), now=now,
                         message=lambda: _("The export stopped: the worker writing it was "
                                           "lost. Run it again."))


def export_files_cleanup(*, now=None) -> dict:
    """The hourly cleanup: files past their 24 hours deleted (the jobs expired, their rows
    kept as the log), dead workers' jobs failed, jobs no worker took within a day failed,
    temporary files of killed workers (older than a day) removed."""
    now = now or timezone.now()
    expired = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.SUCCEEDED, expires_at__lte=now):
        if ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.SUCCEEDED,
                                    attempt=job.attempt).update(status=ExportJob.Status.EXPIRED,
                                                                file=""):
            default_storage.delete(job.file.name)
            expired += 1
    stale = export_jobs_fail_stale(now=now)
    never_started = ExportJob.objects.filter(status=ExportJob.Status.QUEUED,
                                             created_at__lt=now - timedelta(days=1))
    unclaimed = _fail_queued(never_started, now=now)
    return {"expired": expired, "stale_failed": stale, "never_started": unclaimed,
            "temp_files_removed": _remove_old_temp_files()}


def _fail_queued(jobs, *, now) -> int:
    failed = 0
    for job in jobs.select_related("requested_by"):
        with translation.override(_language(job.requested_by)):
            message = _("No worker took this export within a day. Run it again.")
        failed += ExportJob.objects.filter(pk=job.pk, attempt=job.attempt,
                                           status=ExportJob.Status.QUEUED).update(
            status=ExportJob.Status.FAILED, error=message, finished_at=now)
    return failed


def _remove_old_temp_files(max_age_s: float = 86400) -> int:
    removed = 0
    for path in glob.glob(os.path.join(tempfile.gettempdir(), f"{TEMP_PREFIX}*.xlsx")):
        try:
            if time.time() - os.path.getmtime(path) > max_age_s:
                os.remove(path)
                removed += 1
        except OSError:
            continue
    return removed


def export_file_open(*, job: ExportJob):
    """The finished file, open for reading. Raises Gone after its 24 hours, NotReady
    before it is written (or when the job failed)."""
    now = timezone.now()
    if job.status == ExportJob.Status.EXPIRED or (
            job.status == ExportJob.Status.SUCCEEDED and job.expires_at <= now):
        raise Gone
    if job.status != ExportJob.Status.SUCCEEDED:
        raise NotReady
    return default_storage.open(job.file.name, "rb")
