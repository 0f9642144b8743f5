from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import JobRun
from accounts.tasks import housekeeping

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_housekeeping_runs_on_a_real_worker_and_records_its_run(celery_queue, org, settings):
    stale = JobRun.objects.create(name="killed", scope=org.company)
    JobRun.objects.filter(pk=stale.pk).update(
        started_at=timezone.now() - settings.JOB_RUN_STALE_AFTER - timedelta(minutes=5))

    result = housekeeping.apply_async(queue=celery_queue)
    run_id = result.get(timeout=60)

    run = JobRun.objects.get(pk=run_id)
    assert run.name == "housekeeping" and run.status == JobRun.Status.SUCCEEDED
    assert run.scope == org.company and run.finished_at is not None
    assert run.counts["stale_runs_failed"] == 1
    assert JobRun.objects.get(pk=stale.pk).status == JobRun.Status.FAILED


def test_a_failing_task_on_the_worker_is_recorded_as_failed(celery_queue, db):
    # No company exists: the job cannot find its scope and must fail loudly.
    result = housekeeping.apply_async(queue=celery_queue)
    with pytest.raises(Exception, match="company|公司"):
        result.get(timeout=60)
    assert not JobRun.objects.filter(status=JobRun.Status.SUCCEEDED).exists()
