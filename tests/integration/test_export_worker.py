"""Export jobs on real Celery workers (Redis, the PostgreSQL test database): a job is
written by the worker with its progress; a worker killed mid-export leaves a job that
the next read shows failed (its heartbeat stopped), and a retry on a live worker writes
the file."""

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.files.storage import default_storage

from accounts.models import JobRun
from reports.exports import services
from reports.models import ExportJob
from reports.tasks import export_job_run
from tests.factories import make_retailer

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]
ROOT = Path(settings.BASE_DIR)
URL = "/api/reports/exports/"

# A worker whose retailer export stops for ever after its third row (once that row's
# progress and heartbeat are recorded): the test kills it there.
HANGING_WORKER = """
import sys, time
import django
django.setup()
from reports.exports import retailers
real = retailers.write
def write(book, *, user, filters, tick):
    def slow(done):
        tick(done)
        if done == 3:
            tick.flush(done)
            print("HANGING", flush=True)
            time.sleep(600)
    return real(book, user=user, filters=filters, tick=slow)
retailers.write = write
from config.celery import app
app.worker_main(["worker", "-P", "solo", "-Q", sys.argv[1], "-n", sys.argv[1] + "@%h",
                 "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"])
"""


@pytest.fixture
def shops(personas):
    return [make_retailer(personas.org.area, personas.rep, code=f"R{n}") for n in range(8)]


@pytest.fixture
def stored_files():
    """The workers store in the default MEDIA_ROOT: remove what the tests wrote there."""
    yield
    for job in ExportJob.objects.exclude(file=""):
        if default_storage.exists(job.file.name):
            default_storage.delete(job.file.name)


def wait_for(job: ExportJob, condition, timeout: float = 60) -> ExportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ExportJob.objects.select_related("job_run").get(pk=job.pk)
        if condition(job):
            return job
        time.sleep(0.2)
    pytest.fail(f"export {job.pk} still {job.status} after {timeout} s")


def finished(job: ExportJob) -> bool:
    return job.status not in ExportJob.ACTIVE


def codes(data: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_an_export_is_written_by_the_worker_with_its_progress(celery_queue, personas, shops,
                                                             settings, stored_files):
    settings.REPORTS_EXPORT_QUEUE = celery_queue
    job = services.export_job_submit(actor=personas.manager, kind="retailers", filters={})
    job = wait_for(job, finished)
    assert job.status == ExportJob.Status.SUCCEEDED, job.error
    assert (job.job_run.progress_done, job.job_run.progress_total) == (8, 8)
    assert job.job_run.status == JobRun.Status.SUCCEEDED and job.row_count == 8
    with default_storage.open(job.file.name, "rb") as handle:
        assert codes(handle.read()) == [f"R{n}" for n in range(8)]


@pytest.fixture
def hanging_worker(tmp_path):
    """A second worker (on its own queue) that hangs in the middle of an export."""
    db = settings.DATABASES["default"]
    queue = f"test-hang-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "DATABASE_CONN_MAX_AGE": "0", "REDIS_URL": settings.REDIS_URL}
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        worker = subprocess.Popen([sys.executable, "-c", HANGING_WORKER, queue], cwd=ROOT,
                                  env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield queue, worker, log
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait(10)


def test_a_worker_killed_mid_export_leaves_a_failed_job_and_a_retry_writes_it(
        celery_queue, hanging_worker, personas, shops, settings, client_for, stored_files):
    queue, worker, log = hanging_worker
    settings.REPORTS_EXPORT_STALE_AFTER = timedelta(seconds=2)
    job = services.export_job_submit(actor=personas.manager, kind="retailers", filters={},
                                     queue=queue)
    job = wait_for(job, lambda j: j.job_run is not None and j.job_run.progress_done == 3
                   or finished(j) or worker.poll() is not None, timeout=90)
    assert job.status == ExportJob.Status.RUNNING, log.read_text()
    assert "HANGING" in log.read_text()
    client = client_for(personas.manager)
    shown = client.get(f"{URL}{job.pk}/").data
    assert (shown["status"], shown["progress_done"], shown["progress_total"],
            shown["percent"]) == ("running", 3, 8, 37)

    os.kill(worker.pid, signal.SIGKILL)  # the worker dies mid-export
    worker.wait(10)
    time.sleep(2.5)  # its heartbeat goes stale
    shown = client.get(f"{URL}{job.pk}/").data
    assert shown["status"] == "failed" and shown["can_retry"] and shown["error"]
    assert JobRun.objects.get(pk=job.job_run_id).status == JobRun.Status.FAILED
    assert not ExportJob.objects.get(pk=job.pk).file

    settings.REPORTS_EXPORT_QUEUE = celery_queue
    retried = client.post(f"{URL}{job.pk}/retry/")
    assert retried.status_code == 202 and retried.data["attempt"] == 2
    job = wait_for(job, finished)
    assert job.status == ExportJob.Status.SUCCEEDED, job.error
    assert (job.job_run.progress_done, job.row_count) == (8, 8)
    download = client.get(f"{URL}{job.pk}/download/")
    assert download.status_code == 200
    assert codes(b"".join(download.streaming_content)) == [f"R{n}" for n in range(8)]
    # The dead worker's task, were it redelivered, finds its attempt superseded.
    assert export_job_run.apply_async(args=[job.pk, 1], queue=celery_queue).get(
        timeout=30) is None
    assert ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.SUCCEEDED
