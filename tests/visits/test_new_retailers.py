"""前密后疏 (dense first, sparse later): a newly won retailer is visited at the
new-retailer frequency (weekly by default) for the policy's window, then by its grade."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from kehu.models import MonthlyFact, Retailer
from tests.factories import make_retailer
from visits import services
from visits.models import VisitPolicy
from visits.planning import Candidate, propose
from visits.selectors.newcomers import new_retailer_ids
from visits.selectors.plans import plan_warnings

DEC_1, DEC_31 = date(2026, 12, 1), date(2026, 12, 31)
TODAY = date(2026, 11, 20)
# December 2026 has no holiday: its working days are Monday–Friday (the planner is pure).
WEEKDAYS = [DEC_1 + timedelta(days=n) for n in range(31)
            if (DEC_1 + timedelta(days=n)).weekday() < 5]


def test_a_new_c_retailer_is_planned_weekly_and_an_established_one_monthly():
    candidates = [Candidate(1, "C", None, new=True), Candidate(2, "C", None)]
    stops = propose(candidates, VisitPolicy(), WEEKDAYS, DEC_1, DEC_31)
    days = {r: sorted(s.date for s in stops if s.retailer_id == r) for r in (1, 2)}
    assert len(days[1]) == 4 and len(days[2]) == 1
    # Weekly: a week apart (snapped to working days), never two in a row.
    gaps = [(b - a).days for a, b in zip(days[1], days[1][1:], strict=False)]
    assert all(5 <= gap <= 9 for gap in gaps), gaps


def test_the_new_interval_never_makes_a_retailer_rarer():
    policy = VisitPolicy(interval_days_new=10)
    assert policy.interval_days("A", new=True) == 7  # A's own weekly interval is shorter
    assert policy.interval_days("C", new=True) == 10
    assert VisitPolicy(new_retailer_days=0).interval_days("C", new=True) == 30


def _fact(retailer: Retailer, month: date, amount: str) -> MonthlyFact:
    return MonthlyFact.objects.create(
        retailer=retailer, month=month, purchase_amount=Decimal(amount),
        purchase_quantity=Decimal(1), collected_amount=Decimal(amount),
        order_success_rate=Decimal(100), e_settlement_rate=Decimal(100))


def _aged(retailer: Retailer, days: int) -> Retailer:
    Retailer.objects.filter(pk=retailer.pk).update(
        created_at=timezone.now() - timedelta(days=days))
    return retailer


def test_new_means_a_young_card_without_purchases_before_the_window(personas):
    area, rep = personas.org.area, personas.rep
    won = make_retailer(area, rep)
    won_and_buying = make_retailer(area, rep)
    _fact(won_and_buying, date(2026, 11, 1), "500.00")
    imported_customer = make_retailer(area, rep)  # roll-out import: an old customer
    _fact(imported_customer, date(2026, 3, 1), "800.00")
    old_card = _aged(make_retailer(area, rep), 400)
    retailers = Retailer.objects.filter(assigned_rep=rep)
    assert new_retailer_ids(retailers, VisitPolicy(), DEC_1) == {won.pk, won_and_buying.pk}
    assert new_retailer_ids(retailers, VisitPolicy(new_retailer_days=0), DEC_1) == set()
    assert old_card.pk not in new_retailer_ids(retailers, VisitPolicy(), DEC_1)


def test_the_proposal_and_the_warnings_follow_the_new_frequency(personas):
    area, rep = personas.org.area, personas.rep
    new = make_retailer(area, rep, grade="C", name="新开便利店")
    old = _aged(make_retailer(area, rep, grade="C", name="老客户商店"), 400)
    plan = services.plan_propose(rep=rep, month=DEC_1, actor=rep, today=TODAY)
    assert plan.stops.filter(retailer=new).count() == 4
    assert plan.stops.filter(retailer=old).count() == 1
    assert plan_warnings(plan) == []
    plan.stops.filter(retailer=new).order_by("-date")[0].delete()
    [warning] = plan_warnings(plan)
    assert warning["code"] == "frequency_not_met" and warning["retailer"] == new.pk
    assert "新开便利店" in warning["message"] and "3" in warning["message"]


def test_a_regional_manager_sets_the_new_retailer_window(personas, client_for):
    client = client_for(personas.regional_manager)
    answer = client.patch("/api/visits/policy/",
                          {"new_retailer_days": 60, "interval_days_new": 10}, format="json")
    assert answer.status_code == 200, answer.data
    assert (answer.data["new_retailer_days"], answer.data["interval_days_new"]) == (60, 10)
    bad = client.patch("/api/visits/policy/", {"interval_days_new": 0}, format="json")
    assert bad.status_code == 400 and "interval_days_new" in bad.data
