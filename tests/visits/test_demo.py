"""The visits step of `manage.py demo` (`visits/demo.py`; `manage.py demo_visits` runs
this month's part alone): an approved plan per rep with the days before today worked,
next month's plans in review."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from accounts.demo import STEPS
from accounts.models import AuditEvent
from accounts.workdays import month_end, working_days
from kehu.models import Retailer
from kehu.selectors import add_months
from visits.models import MissedVisit, PlanStop, Problem, Visit, VisitPlan


@pytest.fixture(autouse=True)
def few_retailers(monkeypatch):
    monkeypatch.setattr("kehu.demo.RETAILERS_PER_REP", 3)


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def counts() -> dict:
    return {model.__name__: model.objects.count()
            for model in (VisitPlan, PlanStop, Visit, MissedVisit, Problem, AuditEvent)}


def test_the_visits_step_is_registered_once_after_the_retailers():
    autodiscover_modules("demo")
    autodiscover_modules("demo")
    names = [step.__name__ for step in STEPS]
    assert names.count("build_visit_plans") == 1
    assert names.index("build_retailers") < names.index("build_visit_plans")


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
    assert plans.count() == 40 and "visit plans: 42 created" in output
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
    assert "visit plans: 0 created, 42 already there" in output
    out = StringIO()
    call_command("demo_visits", stdout=out)
    assert counts() == first
    assert "visit plans: 0 created, 40 already there" in out.getvalue()


@pytest.mark.django_db
def test_next_month_has_one_plan_waiting_for_om1_and_one_returned_with_a_reason():
    run_demo()
    month = add_months(timezone.localdate().replace(day=1), 1)
    plans = {p.rep.username: p for p in VisitPlan.objects.filter(month=month)
             .select_related("rep", "decided_by")}
    assert set(plans) == {"rep02", "rep03"}
    assert plans["rep02"].status == VisitPlan.Status.SUBMITTED
    # Every active shop of the rep is planned, graded ones as often as their grade asks
    # (the demo grades retailers before it drafts the plans).
    active = set(plans["rep02"].rep.retailers.filter(status=Retailer.Status.ACTIVE)
                 .values_list("pk", flat=True))
    planned = list(plans["rep02"].stops.values_list("retailer_id", flat=True))
    assert set(planned) == active and len(planned) > len(active)
    returned = plans["rep03"]
    assert returned.status == VisitPlan.Status.RETURNED
    assert returned.decided_by.username == "om1" and returned.decision_note
    actions = list(AuditEvent.objects.filter(object_type="visits.visitplan",
                                             object_id=str(returned.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["draft", "submit", "return"]


@pytest.mark.django_db
def test_this_months_stops_are_spread_over_the_working_days():
    run_demo()
    month = timezone.localdate().replace(day=1)
    days = working_days(month, month_end(month), strict=False)
    per_day = Counter(PlanStop.objects.filter(plan__month=month).values_list("date",
                                                                           flat=True))
    # Were every shop overdue on the 1st, all would crowd the first working day.
    assert set(per_day) <= set(days)
    assert len(per_day) >= len(days) // 2
    assert max(per_day.values()) < 0.3 * sum(per_day.values())


@pytest.mark.django_db
def test_a_demo_card_with_visit_history_is_protected():
    run_demo()
    planned = PlanStop.objects.select_related("retailer").first().retailer
    with pytest.raises(ProtectedError):
        planned.delete()
