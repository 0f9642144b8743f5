"""Export jobs: 202 with the job URL, Idempotency-Key, progress, the requester alone
reaches a job and its file, expiry and cleanup, a dead worker's job failed and retried."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import JobRun
from accounts.services import housekeeping_run
from reports import tasks
from reports.exports import base, retailers, services
from reports.models import ExportJob
from tests.factories import make_retailer
from tests.reports.exports_support import (  # noqa: F401 - fixtures
    english,
    export_fixture,
    media_fixture,
    queued_fixture,
)

pytestmark = pytest.mark.django_db
URL = "/api/reports/exports/"


@pytest.fixture
def shops(personas):
    return [make_retailer(personas.org.area, personas.rep, code=f"R{n}") for n in range(5)]


@pytest.fixture
def submit(queued, django_capture_on_commit_callbacks):
    """submit(user, kind, **filters): the job, its task enqueued (not run)."""

    def make(user, kind, **filters) -> ExportJob:
        with django_capture_on_commit_callbacks(execute=True):
            return services.export_job_submit(actor=user, kind=kind, filters=filters)

    return make


def run_queued(queued) -> list:
    """Run every enqueued task in-process, in order; returns their results."""
    results = [tasks.export_job_run(job_id, attempt) for job_id, attempt in queued]
    queued.clear()
    return results


# The API: 202, idempotency, bad filters ------------------------------------------------------

def test_a_request_is_answered_202_with_the_jobs_url_and_runs_in_the_background(
        client_for, personas, shops, queued, django_capture_on_commit_callbacks):
    client = client_for(personas.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"kind": "retailers", "filters": {"grade": []}},
                               format="json")
    assert response.status_code == 202, response.data
    job = ExportJob.objects.get()
    assert response["Location"] == response.data["url"] == f"{URL}{job.pk}/"
    assert (response.data["status"], response.data["percent"]) == ("queued", 0)
    assert queued == [(job.pk, 1)]
    assert job.requested_by == personas.manager and job.kind == "retailers"

    run_queued(queued)
    data = client.get(f"{URL}{job.pk}/").data
    assert (data["status"], data["percent"], data["row_count"]) == ("succeeded", 100, 5)
    assert (data["progress_done"], data["progress_total"]) == (5, 5)
    assert data["download_url"] == f"{URL}{job.pk}/download/"
    download = client.get(data["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="retailers-')
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert [row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)] == [
        "R0", "R1", "R2", "R3", "R4"]


def test_an_idempotency_key_replayed_creates_one_job(client_for, personas, queued,
                                                     django_capture_on_commit_callbacks):
    client = client_for(personas.manager)
    body = {"kind": "monthly_plan", "filters": {"month": "2026-10"}}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        again = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 202
    assert again["Idempotent-Replayed"] == "true" and again.data["id"] == first.data["id"]
    assert ExportJob.objects.count() == 1 and len(queued) == 1
    other = client.post(URL, {**body, "filters": {"month": "2026-11"}}, format="json",
                        HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422 and ExportJob.objects.count() == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "everything"}, "kind"),
    ({"kind": "visits", "filters": "all"}, "filters"),
    ({"kind": "visits", "filters": {"date_from": "2016-01-01", "date_to": "2025-12-31"}},
     "date_to"),
    ({"kind": "monthly_plan", "filters": {}}, "month"),
    ({"kind": "monthly_plan", "filters": {"month": "2026-10", "rep": "x"}}, "rep"),
    ({"kind": "statements", "filters": {"month_from": "2026-10", "month_to": "2026-09"}},
     "month_to"),
    ({"kind": "retailers", "filters": {"colour": "red"}}, "filters"),
])
def test_bad_filters_are_refused_with_the_field_named(client_for, personas, queued, body,
                                                      field):
    response = client_for(personas.manager).post(URL, body, format="json")
    assert response.status_code == 400 and field in response.data, response.data
    assert ExportJob.objects.count() == 0 and queued == []


def test_ten_years_are_refused_with_a_translated_message(client_for, personas, queued):
    english(personas.manager)
    response = client_for(personas.manager).post(URL, {"kind": "visits", "filters": {
        "date_from": "2016-01-01", "date_to": "2025-12-31"}}, format="json")
    assert response.data["date_to"] == [
        "To date: the period is longer than a year. Choose at most 366 days from From date "
        "on."]


# Scope: the requester alone -----------------------------------------------------------------

def test_anyone_but_the_requester_gets_404_for_the_job_and_its_file(
        client_for, personas, shops, export):
    job = export(personas.rep, "retailers")
    for user in (personas.rep2, personas.manager, personas.admin, personas.sibling_manager):
        client = client_for(user)
        assert client.get(f"{URL}{job.pk}/").status_code == 404
        assert client.get(f"{URL}{job.pk}/download/").status_code == 404
        assert client.post(f"{URL}{job.pk}/retry/").status_code == 404
        assert client.get(URL).data["results"] == []
    assert client_for(personas.rep).get(f"{URL}{job.pk}/download/").status_code == 200


def test_the_file_is_not_ready_while_the_job_runs(client_for, personas, submit):
    job = submit(personas.manager, "retailers")
    response = client_for(personas.manager).get(f"{URL}{job.pk}/download/")
    assert response.status_code == 409 and "status" in response.data


# Progress -----------------------------------------------------------------------------------

def test_progress_moves_as_rows_are_written_and_is_recorded_on_the_job_run(
        personas, shops, queued, submit, monkeypatch):
    seen = []
    real_beat = services._beat

    def beat(job, run, done):
        real_beat(job, run, done)
        run.refresh_from_db()
        seen.append((run.progress_done, run.progress_total))

    monkeypatch.setattr(services, "_beat", beat)
    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(base.Ticker, "__init__", _every_row(base.Ticker.__init__))
    job = submit(personas.manager, "retailers")
    assert run_queued(queued) == ["succeeded"]
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]
    job.refresh_from_db()
    run = job.job_run
    assert (run.name, run.status, run.started_by) == ("reports.export.retailers",
                                                      JobRun.Status.SUCCEEDED, personas.manager)
    assert run.counts["rows"] == 5 and job.row_count == 5 and job.size > 0


def _every_row(init):
    def patched(self, report, **kwargs):
        init(self, report, **{**kwargs, "check": 1})
    return patched


def test_the_ticker_reports_every_n_rows_or_after_some_seconds(monkeypatch):
    reported = []
    clock = iter([0.0, 0.5, 3.0, 3.1, 3.2])
    monkeypatch.setattr(base.time, "monotonic", lambda: next(clock))
    tick = base.Ticker(reported.append, every=1000, seconds=2.0, check=10)
    for done in range(1, 41):
        tick(done)
    assert reported == [20]  # at 10: 0.5 s; at 20: 3.0 s; at 30 and 40: too soon


# Expiry and cleanup -------------------------------------------------------------------------

def test_a_file_is_downloadable_for_24_hours_then_cleanup_removes_it(
        client_for, personas, shops, export, org):
    job = export(personas.manager, "retailers")
    assert job.expires_at - job.finished_at == timedelta(hours=24)
    name = job.file.name
    assert default_storage.exists(name)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client = client_for(personas.manager)
    assert client.get(f"{URL}{job.pk}/download/").status_code == 410

    counts = tasks.exports_cleanup()
    assert counts["expired"] == 1 and not default_storage.exists(name)
    job.refresh_from_db()
    assert (job.status, job.file.name, job.row_count) == ("expired", "", 5)  # the log stays
    assert client.get(f"{URL}{job.pk}/download/").status_code == 410
    assert JobRun.objects.get(name="reports.exports_cleanup").counts["expired"] == 1
    assert tasks.exports_cleanup()["expired"] == 0  # a rerun finds nothing more


def test_a_job_no_worker_took_within_a_day_is_failed_by_cleanup(personas, submit):
    job = submit(personas.manager, "retailers")
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert services.export_files_cleanup()["never_started"] == 1
    job.refresh_from_db()
    assert job.status == "failed" and job.error


# A dead worker: failed on the next read, and a retry works ----------------------------------

def start_and_die(queued, job) -> ExportJob:
    """A worker claimed the job and wrote some rows, then died (no heartbeat since)."""
    (job_id, attempt), = queued
    queued.clear()
    assert services._claim(job_id, attempt)
    run = JobRun.objects.create(name="reports.export.retailers", scope=job.scope,
                                started_by=job.requested_by, progress_done=2,
                                progress_total=5)
    ExportJob.objects.filter(pk=job.pk).update(job_run=run)
    return ExportJob.objects.get(pk=job.pk)


def test_a_job_whose_worker_died_shows_failed_and_a_retry_writes_it(
        client_for, personas, shops, queued, submit, django_capture_on_commit_callbacks):
    english(personas.manager)
    job = submit(personas.manager, "retailers")
    job = start_and_die(queued, job)
    client = client_for(personas.manager)
    data = client.get(f"{URL}{job.pk}/").data
    assert (data["status"], data["percent"]) == ("running", 40)  # its heartbeat is fresh

    ExportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - services.stale_after() - timedelta(seconds=1))
    data = client.get(f"{URL}{job.pk}/").data
    assert data["status"] == "failed" and data["can_retry"]
    assert data["error"] == "The export stopped: the worker writing it was lost. Run it again."
    assert JobRun.objects.get(pk=job.job_run_id).status == JobRun.Status.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(f"{URL}{job.pk}/retry/", HTTP_IDEMPOTENCY_KEY="retry-1")
    assert retried.status_code == 202 and retried.data["status"] == "queued"
    assert retried.data["attempt"] == 2 and queued == [(job.pk, 2)]
    # The dead worker's message, redelivered, finds nothing to do; the retry runs.
    assert tasks.export_job_run(job.pk, 1) is None
    assert run_queued(queued) == ["succeeded"]
    data = client.get(f"{URL}{job.pk}/").data
    assert (data["status"], data["row_count"], data["attempt"]) == ("succeeded", 5, 2)
    assert client.get(data["download_url"]).status_code == 200
    assert client.post(f"{URL}{job.pk}/retry/").status_code == 400  # nothing to retry


def test_a_slow_worker_whose_job_was_failed_stops_and_keeps_no_file(personas, shops, queued,
                                                                    submit, monkeypatch, media):
    job = submit(personas.manager, "retailers")
    real_write = retailers.write

    def write(book, **kwargs):
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED)
        return real_write(book, **kwargs)

    monkeypatch.setattr(retailers, "write", write)
    monkeypatch.setattr(base.Ticker, "__init__", _every_row(base.Ticker.__init__))
    monkeypatch.setattr(services, "PROGRESS_EVERY", 1)
    assert run_queued(queued) == ["failed"]
    job.refresh_from_db()
    assert job.file.name == "" and job.job_run.status == JobRun.Status.FAILED
    assert list(media.rglob("*.xlsx")) == []


def test_housekeepings_lost_runs_fail_their_export_jobs(personas, queued, submit, settings):
    job = submit(personas.manager, "retailers")
    job = start_and_die(queued, job)
    JobRun.objects.filter(pk=job.job_run_id).update(
        started_at=timezone.now() - settings.JOB_RUN_STALE_AFTER - timedelta(minutes=1))
    housekeeping_run()
    job.refresh_from_db()
    assert job.status == "failed" and job.error


# The page -----------------------------------------------------------------------------------

def test_the_exports_page_offers_every_kind_and_the_users_reps(client, personas):
    client.force_login(personas.manager)
    response = client.get("/reports/exports/?kind=monthly_plan")
    assert response.status_code == 200
    config = response.context["config"]
    assert [k["value"] for k in config["kinds"]] == list(ExportJob.Kind.values)
    assert config["kind"] == "monthly_plan" and config["api_url"] == URL
    assert {r["label"] for r in config["reps"]} == {"张伟", "王芳"}
    assert b"js/reports/exports.js" in response.content


def test_the_job_list_reads_a_constant_number_of_queries(client_for, personas, shops, export,
                                                         django_assert_max_num_queries):
    client = client_for(personas.manager)
    export(personas.manager, "retailers")
    with django_assert_max_num_queries(8) as few:
        assert len(client.get(URL).data["results"]) == 1
    for _n in range(4):
        export(personas.manager, "retailers")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(URL).data["results"]) == 5
