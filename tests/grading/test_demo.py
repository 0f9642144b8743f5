"""The demo loader sets the company's default policy and runs the night once: every demo
retailer with purchases has a grade with its basis; a second load changes nothing."""

import pytest

from accounts import demo
from accounts.models import JobRun
from grading.models import GRADING_JOB, GradeHistory, GradingPolicy, RetailerGrade
from kehu.models import Retailer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def few_retailers(monkeypatch):
    monkeypatch.setattr("kehu.demo.RETAILERS_PER_REP", 3)


def test_retailers_are_graded_before_the_visit_plans_are_drafted():
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("demo")
    names = [step.__name__ for step in demo.STEPS]
    assert names.index("grade_retailers") < names.index("build_visit_plans") \
        < names.index("build_grading")
    assert names.count("grade_retailers") == 1


def test_the_demo_grades_its_retailers_once(business_day):
    from django.utils import timezone

    business_day(timezone.localdate())
    demo.run()
    policy = GradingPolicy.objects.get()
    assert policy.scope.code == demo.COMPANY[0] and policy.versions.get().method == "pareto"
    # Graded once before the visit plans are drafted; the full night after it moves nothing.
    first, rest = JobRun.objects.filter(name=GRADING_JOB).order_by("pk")
    assert rest.counts["moves"] == 0
    run = first
    assert run.status == JobRun.Status.SUCCEEDED and run.counts["graded"] > 0
    graded = Retailer.objects.exclude(grade="")
    assert graded.count() == run.counts["graded"] == RetailerGrade.objects.count()
    assert set(graded.values_list("grade", flat=True)) == {"A", "B", "C"}
    history = GradeHistory.objects.count()
    demo.run()
    assert GradingPolicy.objects.count() == 1 and GradeHistory.objects.count() == history
    assert JobRun.objects.filter(name=GRADING_JOB).latest("pk").counts["moves"] == 0
