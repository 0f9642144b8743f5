"""Adherence, A-coverage and overdue against a month worked out by hand.

November 2026, "today" is Friday the 20th. The rep's approved plan:

    16th  甲 (A)  visited that day                      → done
    16th  乙 (B)  visited on the 17th instead           → missed, no reason
    17th  丙 (C)  only phoned; reason "shop closed"     → missed, closed
    18th  甲 (A)  not visited; reason "weather"         → missed, weather
    20th  乙 (B)  not yet                               → pending (today)
    20th  甲 (A)  visited today                         → done
    25th  丙 (C)  future                                → pending

planned 7, done 2, missed 3, pending 2: adherence 2 / (2 + 3) = 40 %.
rep2's plan: 戊 (A) on the 16th, visited → 1 of 1. A superseded version of the rep's
plan lists three more stops that must not count.
"""

from datetime import date

import pytest

from kehu.models import Retailer
from tests.factories import make_retailer
from tests.visits.factories import make_missed, make_plan, make_visit
from visits.models import MissedVisit, Visit, VisitPlan, VisitPolicy
from visits.selectors.team import Period, overdue_retailers, team_summary

NOV, TODAY = date(2026, 11, 1), date(2026, 11, 20)
MONTH = Period(NOV, date(2026, 11, 30), TODAY)
DAY = Period(TODAY, TODAY, TODAY)
POLICY = VisitPolicy()


def d(day: int) -> date:
    return date(2026, 11, day)


@pytest.fixture
def month(personas, shops):
    rep, area = personas.rep, personas.org.area
    a2 = make_retailer(area, rep, name="己便利店", grade="A")
    b2 = make_retailer(area, rep, name="庚超市", grade="B")
    make_retailer(area, rep, name="辛停业店", grade="A", status=Retailer.Status.SUSPENDED)
    make_plan(rep, area, NOV, status=VisitPlan.Status.SUPERSEDED, stops=[
        (d(2), shops.a), (d(3), shops.b), (d(4), shops.c)])
    make_plan(rep, area, NOV, version=2, stops=[
        (d(16), shops.a), (d(16), shops.b), (d(17), shops.c), (d(18), shops.a),
        (d(20), shops.b), (d(20), shops.a), (d(25), shops.c)])
    make_plan(personas.rep2, area, NOV, stops=[(d(16), shops.other_reps)])
    make_visit(rep, shops.a, d(16))
    make_visit(rep, shops.b, d(17))
    make_visit(rep, shops.c, d(17), kind=Visit.Kind.PHONE)
    make_visit(rep, shops.a, d(20))
    make_visit(rep, a2, d(12))
    make_visit(rep, b2, d(6))
    make_visit(rep, shops.ungraded, date(2026, 10, 20))
    make_visit(personas.rep2, shops.other_reps, d(16))
    make_missed(rep, shops.c, d(17), MissedVisit.Reason.CLOSED)
    make_missed(rep, shops.a, d(18), MissedVisit.Reason.WEATHER)
    return {"a2": a2, "b2": b2}


def row(summary, user):
    return next(r for r in summary["reps"] if r["rep"] == user.pk)


def test_month_adherence_per_rep_matches_the_hand_count(personas, month):
    summary = team_summary(personas.manager, POLICY, MONTH)
    rep = row(summary, personas.rep)
    assert {k: rep[k] for k in ("planned", "done", "missed", "pending", "adherence_pct")} == {
        "planned": 7, "done": 2, "missed": 3, "pending": 2, "adherence_pct": 40.0}
    assert rep["missed_by_reason"] == {"closed": 1, "owner_absent": 0, "weather": 1,
                                       "replanned": 0, "other": 0, "none": 1}
    assert rep["has_approved_plan"]
    rep2 = row(summary, personas.rep2)
    assert (rep2["planned"], rep2["done"], rep2["adherence_pct"]) == (1, 1, 100.0)
    totals = summary["totals"]
    assert (totals["planned"], totals["done"], totals["missed"], totals["adherence_pct"]) == (
        8, 3, 3, 50.0)


def test_todays_adherence_counts_the_days_stops_only(personas, month):
    rep = row(team_summary(personas.manager, POLICY, DAY), personas.rep)
    assert (rep["planned"], rep["done"], rep["missed"], rep["pending"]) == (2, 1, 0, 1)
    assert rep["adherence_pct"] == 100.0


def test_visits_and_a_coverage_per_rep(personas, month):
    rep = row(team_summary(personas.manager, POLICY, MONTH), personas.rep)
    assert (rep["visits"], rep["on_site"]) == (6, 5)
    assert (rep["a_total"], rep["a_visited"], rep["a_coverage_pct"]) == (2, 2, 100.0)
    today = row(team_summary(personas.manager, POLICY, DAY), personas.rep)
    assert (today["a_total"], today["a_visited"], today["a_coverage_pct"]) == (2, 1, 50.0)


def test_overdue_retailers_by_grade_interval(personas, shops, month):
    # 甲 A seen today, 乙 B on the 17th, 庚 B exactly 14 days ago (not yet overdue), 戊 A
    # on the 16th; 丙 C never on site (a phone call does not count), 丁 ungraded = C last
    # on the 20th of October (31 days), 己 A on the 12th (8 days): overdue.
    overdue = list(overdue_retailers(personas.manager, POLICY, TODAY))
    assert [r.name for r in overdue] == ["丙烟酒店", "丁药店", "己便利店"]
    assert overdue[0].last_on_site is None
    assert row(team_summary(personas.manager, POLICY, MONTH), personas.rep)["overdue"] == 3


def test_a_longer_interval_in_the_policy_clears_an_overdue_retailer(personas, month):
    policy = VisitPolicy(interval_days_a=10, interval_days_c=31)
    names = [r.name for r in overdue_retailers(personas.manager, policy, TODAY)]
    assert names == ["丙烟酒店"]


def test_a_rep_sees_only_their_own_row_and_a_sibling_manager_nothing(personas, month):
    mine = team_summary(personas.rep, POLICY, MONTH)
    assert [r["rep"] for r in mine["reps"]] == [personas.rep.pk]
    assert mine["reps"][0]["planned"] == 7
    sibling = team_summary(personas.sibling_manager, POLICY, MONTH)
    assert personas.rep.pk not in [r["rep"] for r in sibling["reps"]]
    assert sibling["totals"]["planned"] == 0
    assert list(overdue_retailers(personas.sibling_manager, POLICY, TODAY)) == []


def test_a_rep_without_an_approved_plan_is_listed_with_nothing_planned(personas, month):
    VisitPlan.objects.filter(rep=personas.rep2).update(status=VisitPlan.Status.SUBMITTED)
    rep2 = row(team_summary(personas.manager, POLICY, MONTH), personas.rep2)
    assert (rep2["has_approved_plan"], rep2["planned"], rep2["adherence_pct"]) == (
        False, 0, None)
