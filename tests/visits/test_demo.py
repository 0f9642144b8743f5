"""`manage.py demo_visits` after `manage.py demo`: an approved plan per rep, the days
before today worked."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import AuditEvent
from kehu.models import Retailer
from visits.models import MissedVisit, PlanStop, Problem, Visit, VisitPlan


@pytest.fixture(autouse=True)
def few_retailers(monkeypatch):
    monkeypatch.setattr("kehu.demo.RETAILERS_PER_REP", 3)


def run_demo() -> str:
    call_command("demo", stdout=StringIO())
    out = StringIO()
    call_command("demo_visits", stdout=out)
    return out.getvalue()


def counts() -> dict:
    return {model.__name__: model.objects.count()
            for model in (VisitPlan, PlanStop, Visit, MissedVisit, Problem, AuditEvent)}


@pytest.mark.django_db
def test_without_the_demo_company_there_is_nothing_to_do():
    out = StringIO()
    call_command("demo_visits", stdout=out)
    assert "no demo reps" in out.getvalue() and not VisitPlan.objects.exists()


@pytest.mark.django_db
def test_every_demo_rep_has_this_months_plan_approved_by_their_office_manager():
    output = run_demo()
    month = timezone.localdate().replace(day=1)
    plans = VisitPlan.objects.filter(month=month).select_related("rep", "decided_by")
    assert plans.count() == 40 and "visit plans: 40 created" in output
    assert {p.status for p in plans} == {VisitPlan.Status.APPROVED}
    assert all(p.decided_by.username.startswith("om") for p in plans)
    for plan in plans[:5]:  # every active retailer of the rep is planned (ungraded: once)
        planned = set(plan.stops.values_list("retailer_id", flat=True))
        assert planned == set(plan.rep.retailers.filter(status=Retailer.Status.ACTIVE)
                              .values_list("pk", flat=True))


@pytest.mark.django_db
def test_demo_visits_happen_only_on_planned_days_before_today():
    run_demo()
    today = timezone.localdate()
    assert not Visit.objects.filter(visit_date__gte=today).exists()
    for visit in Visit.objects.all()[:50]:
        assert PlanStop.objects.filter(plan__rep=visit.rep, retailer=visit.retailer,
                                       date=visit.visit_date).exists()
    assert not MissedVisit.objects.filter(date__gte=today).exists()


@pytest.mark.django_db
def test_running_the_demo_again_adds_no_visit_data():
    run_demo()
    first = counts()
    output = run_demo()
    assert counts() == first
    assert "visit plans: 0 created, 40 already there" in output
