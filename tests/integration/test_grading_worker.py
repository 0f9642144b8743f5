"""The nightly grading through a real Celery worker on Redis and PostgreSQL: beat's task
fans out one part per policy (a chord per step), each part records its JobRun row; "run
now" runs on the worker too."""

import time

import pytest

from accounts.models import JobRun
from grading import services
from grading.models import GRADING_JOB, GradeHistory, RetailerGrade
from grading.tasks import nightly_dispatch, run_policy
from tests.grading.factories import DAY, grades, policy, shop

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def wait_for_runs(count: int, timeout: float = 90) -> list[JobRun]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = list(JobRun.objects.filter(name=GRADING_JOB).order_by("pk"))
        if len(runs) >= count and all(r.status != JobRun.Status.RUNNING for r in runs):
            return runs
        time.sleep(0.3)
    pytest.fail(f"grading runs not finished after {timeout} s: "
                f"{list(JobRun.objects.values_list('name', 'status'))}")


def test_the_nightly_grading_runs_on_a_real_worker_and_records_each_part(celery_queue,
                                                                         personas):
    org = personas.org
    here = [shop(org.area, amounts=[v]) for v in (500, 300, 150, 50)]
    there = [shop(org.other_area, amounts=[v]) for v in (900, 100)]
    company = policy(org.company)
    office = policy(org.office, method="rank")

    result = nightly_dispatch.apply_async(kwargs={"business_date": DAY.isoformat(),
                                                  "queue": celery_queue}, queue=celery_queue)
    assert result.get(timeout=60) == 1
    runs = wait_for_runs(2)
    by_policy = {run.counts["policy"]: run for run in runs}
    assert set(by_policy) == {company.pk, office.pk}
    for run in runs:
        assert run.status == JobRun.Status.SUCCEEDED, run.error
        assert run.business_date == DAY and run.finished_at is not None
        assert run.duration.total_seconds() >= 0
    # Office, rank 20/40/40 on four (ahead 0, 25, 50, 75 %): A, B, B, C.
    assert by_policy[office.pk].counts["grades"] == {"A": 1, "B": 2, "C": 1}
    assert by_policy[office.pk].counts["moves"] == 4
    assert by_policy[office.pk].scope == org.office
    # Company, Pareto on what is left (the other region's two shops): A, B.
    assert by_policy[company.pk].counts["grades"] == {"A": 1, "B": 1, "C": 0}
    assert grades(*here) == ["A", "B", "B", "C"] and grades(*there) == ["A", "B"]
    assert GradeHistory.objects.filter(run__in=runs).count() == 6
    assert RetailerGrade.objects.count() == 6


def test_run_now_runs_on_the_worker_and_a_rerun_changes_nothing(celery_queue, personas):
    shops = [shop(personas.org.area, amounts=[v]) for v in (500, 300, 150, 50)]
    p = policy(personas.org.region)
    for expected_moves in (4, 0):
        run = services.grading_run_prepare(policy=p, started_by=personas.regional_manager,
                                           business_date=DAY)
        assert run_policy.apply_async(args=[run.pk], queue=celery_queue).get(timeout=60) \
            == run.pk
        run.refresh_from_db()
        assert run.status == JobRun.Status.SUCCEEDED, run.error
        assert run.started_by == personas.regional_manager
        assert run.counts["moves"] == expected_moves
    assert grades(*shops) == ["A", "A", "B", "C"] and GradeHistory.objects.count() == 4
