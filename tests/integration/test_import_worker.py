"""Large imports go through a real Celery worker (on a private queue) and report their
progress on the batch's JobRun."""

import time

import pytest
from django.core.files.storage import default_storage

from accounts.models import JobRun
from kehu.imports import services
from kehu.models import ImportBatch, MonthlyFact
from tests.factories import make_retailer
from tests.kehu.xlsx_files import fact_row, facts_file

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shops(personas):
    return [make_retailer(personas.org.area, personas.rep, code=f"R{n}") for n in range(10)]


@pytest.fixture
def stored_files():
    """The worker is another process with the default MEDIA_ROOT: remove what we store."""
    yield
    for batch in ImportBatch.objects.all():
        for field in (batch.file, batch.error_report):
            if field and default_storage.exists(field.name):
                default_storage.delete(field.name)


def wait_until_finished(batch: ImportBatch, timeout: float = 60) -> ImportBatch:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        if batch.status not in (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING):
            return batch
        time.sleep(0.2)
    pytest.fail(f"batch {batch.pk} still {batch.status} after {timeout} s")


def facts_for(shops, months=("2026-08", "2026-09", "2026-10"), bad_row=None):
    rows = [fact_row(shop.code, month=month, amount=100 + n)
            for n, (shop, month) in enumerate((s, m) for s in shops for m in months)]
    if bad_row is not None:
        rows[bad_row][2] = "一百"
    return facts_file(rows)


def test_a_large_file_is_imported_by_the_worker(celery_queue, personas, shops, settings,
                                                stored_files):
    settings.KEHU_IMPORT_INLINE_ROWS = 10

    batch = services.import_batch_submit(actor=personas.clerk, kind="facts",
                                         upload=facts_for(shops), queue=celery_queue)
    assert batch.status == ImportBatch.Status.QUEUED

    batch = wait_until_finished(batch)
    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.counts == {"facts": 30, "added": 30, "replaced": 0}
    assert MonthlyFact.objects.count() == 30
    run = JobRun.objects.get(pk=batch.job_run_id)
    assert run.status == JobRun.Status.SUCCEEDED and run.name == "kehu.import.facts"
    assert (run.progress_done, run.progress_total) == (30, 30)


def test_a_large_bad_file_is_refused_by_the_worker_and_nothing_is_written(
        celery_queue, personas, shops, settings, stored_files):
    settings.KEHU_IMPORT_INLINE_ROWS = 10

    batch = services.import_batch_submit(actor=personas.clerk, kind="facts",
                                         upload=facts_for(shops, bad_row=17),
                                         queue=celery_queue)

    batch = wait_until_finished(batch)
    assert batch.status == ImportBatch.Status.INVALID
    assert [(e["row"], e["column"]) for e in batch.errors] == [(19, "采购金额")]
    assert batch.error_report and default_storage.exists(batch.error_report.name)
    assert MonthlyFact.objects.count() == 0
