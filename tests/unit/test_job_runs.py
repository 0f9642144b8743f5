from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts import services
from accounts.models import JobRun


def test_a_recorded_job_ends_succeeded_with_its_counts(org):
    with services.job_run_recorded(name="demo", scope=org.company) as run:
        run.counts = {"graded": 3}
    run = JobRun.objects.get(pk=run.pk)
    assert run.status == JobRun.Status.SUCCEEDED
    assert run.counts == {"graded": 3} and run.finished_at >= run.started_at


def test_a_failing_job_ends_failed_with_the_error_and_reraises(org):
    with pytest.raises(RuntimeError), services.job_run_recorded(name="demo", scope=org.company):
        raise RuntimeError("boom")
    run = JobRun.objects.get(name="demo")
    assert run.status == JobRun.Status.FAILED and "boom" in run.error


def test_housekeeping_fails_stale_runs_prunes_old_ones_and_clears_sessions(org, settings):
    now = timezone.now()
    stale = services.job_run_start(name="killed", scope=org.company)
    fresh = services.job_run_start(name="running", scope=org.company)
    old = services.job_run_start(name="old", scope=org.company)
    JobRun.objects.filter(pk=stale.pk).update(started_at=now - settings.JOB_RUN_STALE_AFTER
                                              - timedelta(minutes=1))
    JobRun.objects.filter(pk=old.pk).update(
        status=JobRun.Status.SUCCEEDED,
        started_at=now - timedelta(days=settings.JOB_RUN_KEEP_DAYS + 1))
    expired = SessionStore()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=now - timedelta(days=1))

    counts = services.housekeeping_run(now=now)

    assert counts == {"stale_runs_failed": 1, "job_runs_pruned": 1, "sessions_cleared": 1}
    assert JobRun.objects.get(pk=stale.pk).status == JobRun.Status.FAILED
    assert JobRun.objects.get(pk=fresh.pk).status == JobRun.Status.RUNNING
    assert not JobRun.objects.filter(pk=old.pk).exists()
    assert services.housekeeping_run(now=now) == {
        "stale_runs_failed": 0, "job_runs_pruned": 0, "sessions_cleared": 0}
