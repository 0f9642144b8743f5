"""The nightly jobs: `manage.py run_nightly` in-process, and the Celery fan-out (eager)."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import JobRun
from grading import nightly
from grading.models import GRADING_JOB, GradeHistory
from tests.grading.factories import DAY, grades, policy, shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_policies(personas):
    org = personas.org
    here = [shop(org.area, amounts=[v]) for v in (900, 90, 10)]
    there = [shop(org.other_area, amounts=[v]) for v in (5, 500)]
    policy(org.company)
    policy(org.office, method="rank", share_a=20, share_b=40, share_c=40)
    return here, there


def test_run_nightly_grades_every_policy_in_process(two_policies):
    here, there = two_policies
    out = StringIO()
    call_command("run_nightly", "--date", DAY.isoformat(), stdout=out)
    assert grades(*here) == ["A", "B", "C"] and grades(*there) == ["C", "A"]
    runs = JobRun.objects.filter(name=GRADING_JOB, business_date=DAY)
    assert runs.count() == 2 and {r.status for r in runs} == {JobRun.Status.SUCCEEDED}
    every_run = JobRun.objects.filter(business_date=DAY).count()  # later steps run too
    assert f"{every_run} run(s) finished" in out.getvalue()
    call_command("run_nightly", "--date", DAY.isoformat(), "--step", "grading", stdout=out)
    assert GradeHistory.objects.count() == 5
    assert [r.counts["moves"] for r in JobRun.objects.filter(name=GRADING_JOB)[:2]] == [0, 0]


def test_a_failing_part_does_not_stop_the_others_and_the_command_says_so(two_policies,
                                                                        monkeypatch):
    from django.core.management.base import CommandError

    from grading import services

    real = services.grading_run_policy

    def flaky(*, policy, **kwargs):
        if policy.scope.kind == "office":
            raise RuntimeError("boom")
        return real(policy=policy, **kwargs)

    monkeypatch.setattr(services, "grading_run_policy", flaky)
    with pytest.raises(CommandError, match="1 part"):
        call_command("run_nightly", "--date", DAY.isoformat(), stdout=StringIO())
    here, there = two_policies
    assert grades(*there) == ["C", "A"]


def test_the_celery_night_fans_out_per_policy(two_policies, monkeypatch):
    from config.celery import app
    from grading.tasks import nightly_dispatch

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    assert nightly_dispatch.apply(kwargs={"business_date": DAY.isoformat()}).get() == 1
    here, there = two_policies
    assert grades(*here) == ["A", "B", "C"] and grades(*there) == ["C", "A"]
    assert JobRun.objects.filter(name=GRADING_JOB, status=JobRun.Status.SUCCEEDED).count() == 2


def test_grading_is_the_first_nightly_step():
    assert nightly.STEPS[0].name == "grading"
    assert nightly.step_named("grading").parts == "grading.services.nightly_parts"
