"""Every write of an import: submit a file, run a batch. Plain keyword-only functions.

A batch of at most KEHU_IMPORT_INLINE_ROWS rows (2,000 by default; judged from the
sheet's <dimension>, or from the file size when the sheet does not say) is imported
inside the request; a larger one is queued for a Celery worker (enqueued on commit),
which reports progress on the batch's JobRun.
"""

import contextlib
import logging
import os
import tempfile
import time
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Membership, OrgNode, Role, User
from accounts.services import job_run_finish, job_run_progress, job_run_start
from kehu.imports import reader
from kehu.imports.base import ImportConflict, Importer, RowError, run
from kehu.imports.facts import FactImporter
from kehu.imports.report import error_report
from kehu.imports.retailers import RetailerImporter
from kehu.models import ImportBatch

logger = logging.getLogger(__name__)

IMPORT_ROLES = (Role.CLERK, Role.OFFICE_MANAGER, Role.ADMIN)
IMPORTERS: dict[str, type[Importer]] = {
    ImportBatch.Kind.FACTS: FactImporter,
    ImportBatch.Kind.RETAILERS: RetailerImporter,
}
INLINE_ROWS = 2000
INLINE_BYTES = 256 * 1024  # when the sheet gives no dimension: ~2,000 rows of 14 columns
ERRORS_KEPT = 1000  # on the batch; the error report has them all
PROGRESS_EVERY = 2000
PROGRESS_SECONDS = 1.0  # and not more often than this (each is a committed UPDATE)


def inline_rows() -> int:
    return getattr(settings, "KEHU_IMPORT_INLINE_ROWS", INLINE_ROWS)


def importer_place(user: User) -> tuple[OrgNode, OrgNode]:
    """(company, node) where `user` imports: their highest node with an import role."""
    memberships = sorted(
        (m for m in Membership.objects.filter(user=user, role__in=IMPORT_ROLES)
         .select_related("node")),
        key=lambda m: m.node.depth)
    if memberships:
        node = memberships[0].node
    elif user.is_superuser and OrgNode.get_first_root_node():
        node = OrgNode.get_first_root_node()
    else:
        raise PermissionDenied(_("Only clerks, office managers and administrators import "
                                 "files."))
    return OrgNode.objects.get(path=node.path[: OrgNode.steplen]), node


def import_batch_submit(*, actor: User, kind: str, upload, queue: str | None = None
                        ) -> ImportBatch:
    """Store the upload as a batch; import it now when small, else queue it. Refuses a
    file over the size limit or one that is not an .xlsx (ValidationError on "file")."""
    if kind not in IMPORTERS:
        raise ValidationError({"kind": _("Unknown import kind.")})
    company, node = importer_place(actor)
    reader.check_upload(upload)
    rows = reader.estimate_rows(upload)
    batch = ImportBatch(kind=kind, company=company, scope=node, created_by=actor,
                        original_name=os.path.basename(upload.name or "")[:255],
                        size=upload.size, row_count=rows or 0)
    batch.file.save(f"{uuid.uuid4().hex}.xlsx", File(upload), save=False)
    batch.save()
    small = rows <= inline_rows() if rows is not None else upload.size <= INLINE_BYTES
    if small:
        return import_batch_process(batch=batch)
    _enqueue(batch, queue)
    return batch


def _enqueue(batch: ImportBatch, queue: str | None) -> None:
    from kehu.tasks import import_batch_process as task

    options = {"queue": queue} if queue else {}
    transaction.on_commit(lambda: task.apply_async(args=[batch.pk], **options))


@contextlib.contextmanager
def _local_path(field_file):
    """A filesystem path of a stored file (a temporary copy when storage is remote)."""
    try:
        path = field_file.path
    except NotImplementedError:
        path = None
    if path is not None:
        yield path
        return
    with field_file.open("rb") as source, tempfile.NamedTemporaryFile(suffix=".xlsx") as copy:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            copy.write(chunk)
        copy.flush()
        yield copy.name


def import_batch_process(*, batch: ImportBatch) -> ImportBatch:
    """Check the batch's file and import it whole, or record every error and write
    nothing. Runs once: a batch that is not queued any more is returned as it is."""
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.QUEUED) \
        .update(status=ImportBatch.Status.RUNNING)
    batch = ImportBatch.objects.select_related("created_by", "company").get(pk=batch.pk)
    if not claimed:
        return batch
    run_row = job_run_start(name=f"kehu.import.{batch.kind}", scope=batch.scope,
                            started_by=batch.created_by, total=batch.row_count)
    ImportBatch.objects.filter(pk=batch.pk).update(job_run=run_row)
    batch.job_run = run_row
    importer = IMPORTERS[batch.kind](actor=batch.created_by, company=batch.company,
                                     batch_id=batch.pk)
    last = {"done": -PROGRESS_EVERY, "at": -PROGRESS_SECONDS}

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or (done - last["done"] >= PROGRESS_EVERY
                             and now - last["at"] >= PROGRESS_SECONDS):
            last.update(done=done, at=now)
            job_run_progress(run=run_row, done=done, total=total)

    language = batch.created_by.language or settings.LANGUAGE_CODE
    try:
        with translation.override(language), _local_path(batch.file) as path:
            outcome = run(importer, path, progress=progress)
            if outcome.errors:
                _refuse(batch, outcome)
            else:
                batch.status = ImportBatch.Status.SUCCEEDED
                batch.counts = outcome.counts
            batch.row_count = outcome.rows
    except reader.NotExcel:
        with translation.override(language):
            _fail(batch, reader.not_excel().message_dict["file"][0], ImportBatch.Status.INVALID)
    except ImportConflict as exc:
        _fail(batch, str(exc), ImportBatch.Status.FAILED)
    except Exception:
        logger.exception("import batch %s failed", batch.pk)
        with translation.override(language):
            _fail(batch, _("The import stopped on an unexpected error; nothing was written. "
                           "Try again; if it happens again, tell the administrators."),
                  ImportBatch.Status.FAILED)
    batch.finished_at = timezone.now()
    batch.save()
    job_run_finish(run=run_row, counts={**batch.counts, "errors": batch.error_count,
                                        "rows": batch.row_count, "status": batch.status})
    run_row.refresh_from_db(fields=["progress_done", "progress_total"])
    return batch


def _refuse(batch: ImportBatch, outcome) -> None:
    batch.status = ImportBatch.Status.INVALID
    batch.error_count = len(outcome.errors)
    batch.errors = [e.as_dict() for e in outcome.errors[:ERRORS_KEPT]]
    batch.counts = {"rows": outcome.rows}
    if outcome.sheet is not None:
        with error_report(outcome.sheet, outcome.errors) as report:
            batch.error_report.save(f"{uuid.uuid4().hex}.xlsx", File(report), save=False)


def _fail(batch: ImportBatch, message: str, status: str) -> None:
    batch.status = status
    batch.error_count = 1
    batch.errors = [RowError(None, "", message).as_dict()]


def import_batches_fail_lost(*, run_ids: list[int], now) -> int:
    """Batches whose worker was lost mid-import (their JobRun was just marked failed by
    housekeeping): failed, with a message in the uploader's language. Nothing of theirs
    was written: the import's transaction died with the worker."""
    lost = ImportBatch.objects.filter(job_run_id__in=run_ids,
                                      status=ImportBatch.Status.RUNNING).select_related("created_by")
    for batch in lost:
        with translation.override(batch.created_by.language or settings.LANGUAGE_CODE):
            _fail(batch, _("The import stopped because its worker was lost; nothing was "
                           "written. Upload the file again."), ImportBatch.Status.FAILED)
        batch.finished_at = now
        batch.save(update_fields=["status", "error_count", "errors", "finished_at"])
    return len(lost)


def import_report_open(*, batch: ImportBatch):
    """The stored error report, open for reading (None when there is none)."""
    if not batch.error_report:
        return None
    return default_storage.open(batch.error_report.name, "rb")
