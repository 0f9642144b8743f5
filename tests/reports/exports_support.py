"""Helpers of the export tests: run an export job in-process, open its workbook.

A test module imports the `*_fixture` functions to use the fixtures `media` (autouse: a
temporary media folder), `queued` and `export`."""

import openpyxl
import pytest
from django.core.files.storage import default_storage

from reports import tasks
from reports.exports import services
from reports.models import ExportJob


@pytest.fixture(name="media", autouse=True)
def media_fixture(settings, tmp_path):
    """Export files go to a temporary media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(name="queued")
def queued_fixture(monkeypatch):
    """The (job id, attempt) of every task enqueued (nothing runs)."""
    calls = []
    monkeypatch.setattr(tasks.export_job_run, "apply_async",
                        lambda args, **options: calls.append(tuple(args)))
    return calls


@pytest.fixture(name="export")
def export_fixture(queued, django_capture_on_commit_callbacks):
    """export(user, kind, **filters): submit, run the task in-process, return the job
    (succeeded, reloaded)."""

    def run(user, kind, **filters) -> ExportJob:
        with django_capture_on_commit_callbacks(execute=True):
            job = services.export_job_submit(actor=user, kind=kind, filters=filters)
        job_id, attempt = queued.pop()
        assert job_id == job.pk
        tasks.export_job_run(job_id, attempt)
        job.refresh_from_db()
        assert job.status == ExportJob.Status.SUCCEEDED, job.error
        return job

    return run


def workbook(job: ExportJob) -> openpyxl.Workbook:
    with default_storage.open(job.file.name, "rb") as handle:
        return openpyxl.load_workbook(handle)


def cells(sheet) -> list[list]:
    """The sheet's values, row by row, trailing empty cells dropped."""
    rows = []
    for row in sheet.iter_rows(values_only=True):
        values = list(row)
        while values and values[-1] is None:
            values.pop()
        rows.append(values)
    return rows


def english(*users) -> None:
    for user in users:
        user.language = "en"
        user.save(update_fields=["language"])
