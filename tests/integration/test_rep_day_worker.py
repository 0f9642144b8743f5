"""RepDay on a real Celery worker (Redis, PostgreSQL): a visit saved in a request's
transaction refreshes its (rep, day) row through the task enqueued on commit; the nightly
chain runs the rep_days step per office and records its JobRun."""

import time

import pytest
from django.utils import timezone

from accounts.models import JobRun
from grading.tasks import nightly_dispatch
from reports.aggregates import JOB
from reports.models import RepDay
from tests.factories import make_retailer
from tests.visits.factories import make_plan, make_visit

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def wait_for(check, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    pytest.fail(f"not done after {timeout} s")


def test_a_visit_refreshes_todays_row_on_the_worker(celery_queue, personas, monkeypatch):
    from reports import tasks

    # The worker listens on a private queue (a route set in the conf would not reach a
    # router Celery built earlier in the session).
    for task in (tasks.rep_day_refresh, tasks.area_problems_refresh):
        monkeypatch.setattr(task, "delay", lambda *args, task=task: task.apply_async(
            args, queue=celery_queue))
    today = timezone.localdate()
    shop = make_retailer(personas.org.area, personas.rep, grade="A")
    make_plan(personas.rep, personas.org.area, today.replace(day=1), stops=[(today, shop)])
    make_visit(personas.rep, shop, today)  # its own transaction: committed, then enqueued
    row = wait_for(lambda: RepDay.objects.filter(rep=personas.rep, day=today,
                                                 visits=1).first())
    assert (row.planned, row.done, row.on_site, row.area_id) == (1, 1, 1, personas.org.area.pk)
    make_visit(personas.rep, shop, today, far_from_store=True)
    wait_for(lambda: RepDay.objects.filter(rep=personas.rep, day=today, visits=2,
                                           far=1).exists())


def test_the_nightly_chain_fills_the_days_per_office(celery_queue, personas):
    today = timezone.localdate()
    shop = make_retailer(personas.org.area, personas.rep)
    RepDay.objects.all().delete()
    make_visit(personas.rep, shop, today)
    RepDay.objects.all().delete()  # as if written in bulk, without signals
    result = nightly_dispatch.apply_async(kwargs={"business_date": today.isoformat(),
                                                  "queue": celery_queue}, queue=celery_queue)
    assert result.get(timeout=60) == 1
    runs = wait_for(lambda: [r for r in JobRun.objects.filter(name=JOB)
                             if r.status != JobRun.Status.RUNNING] if JobRun.objects.filter(
        name=JOB).count() == 3 else None, timeout=120)
    assert {r.status for r in runs} == {JobRun.Status.SUCCEEDED}
    assert RepDay.objects.get(rep=personas.rep, day=today).visits == 1
