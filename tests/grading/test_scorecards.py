"""Rep scorecards against a hand-computed month and against the live team view; the
nightly steps that write the scorecards and reminders."""

from datetime import date, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import JobRun
from grading.models import GradeHistory, RepScorecard, RetailerScorecard
from grading.scorecards import (
    REP_JOB,
    RETAILER_JOB,
    SUMMARY_FIELDS,
    months_to_compute,
    rep_scorecards_compute,
)
from tests.expenses import factories as expense_factories
from tests.factories import make_retailer
from tests.visits.factories import make_plan, make_problem, make_visit
from visits.models import Problem, Reminder, StockLine, Visit
from visits.selectors.common import policy_for
from visits.selectors.team import Period, team_summary

OCTOBER = date(2026, 10, 1)
TODAY = date(2026, 10, 21)  # the night's business date: the scorecard is as of the 20th


def solved(retailer, rep, when: datetime):
    problem = make_problem(retailer, rep, due=when.date(), status=Problem.Status.SOLVED)
    Problem.objects.filter(pk=problem.pk).update(solved_at=when, solved_by=rep)


def move(retailer, old, new, day):
    GradeHistory.objects.create(retailer=retailer, old_grade=old, new_grade=new,
                                computed_grade=new, source="nightly", business_date=day)


@pytest.fixture
def month(personas):
    """rep: A shop a, B shop b, C shop c; rep2: A shop d. Hand-computed below."""
    area, rep = personas.org.area, personas.rep
    a = make_retailer(area, rep, name="甲", grade="A")
    b = make_retailer(area, rep, name="乙", grade="B")
    c = make_retailer(area, rep, name="丙", grade="C")
    d = make_retailer(area, personas.rep2, name="丁", grade="A")
    make_plan(rep, area, OCTOBER, stops=[(date(2026, 10, 5), a), (date(2026, 10, 6), b),
                                         (date(2026, 10, 12), c), (date(2026, 10, 25), a)])
    on_a = make_visit(rep, a, date(2026, 10, 5), competitor_info="对手降价")  # done
    StockLine.objects.create(visit=on_a, product_name="中华", on_hand=5)
    make_visit(rep, b, date(2026, 10, 7), consumer_feedback="嫌贵")  # wrong day: missed
    make_visit(rep, c, date(2026, 10, 12), kind=Visit.Kind.CARE_CALL)  # not on site: missed
    make_visit(rep, a, date(2026, 9, 28))  # another month
    zone = timezone.get_current_timezone()
    solved(a, rep, datetime(2026, 10, 3, 9, tzinfo=zone))
    solved(b, rep, datetime(2026, 10, 20, 23, 30, tzinfo=zone))
    solved(c, rep, datetime(2026, 9, 30, 23, 30, tzinfo=zone))  # September
    move(a, "A", "B", date(2026, 10, 10))  # the warning
    move(c, "C", "B", date(2026, 10, 11))
    move(b, "B", "C", date(2026, 9, 30))  # September
    line = expense_factories.make_product_line(a.company)
    expense_factories.make_line(rep, a, "100.00", date(2026, 10, 2), product_line=line)
    expense_factories.make_line(rep, b, "50.00", date(2026, 10, 9), product_line=line)
    expense_factories.make_line(rep, b, "70.00", date(2026, 9, 9), product_line=line)
    expense_factories.make_fact(a, OCTOBER, purchase="1000.00")
    expense_factories.make_fact(b, OCTOBER, purchase="2000.00")
    return a, b, c, d


def test_a_reps_month_by_hand(personas, month):
    assert rep_scorecards_compute(node=personas.org.office, month=OCTOBER,
                                  today=TODAY) == 2  # rep, rep2 (the office's reps)
    card = RepScorecard.objects.get(rep=personas.rep, month=OCTOBER)
    assert (card.planned, card.done, card.missed, card.pending) == (4, 1, 2, 1)
    assert card.adherence_pct == Decimal("33.3") and card.has_approved_plan
    assert (card.visits, card.on_site) == (3, 2)
    assert (card.a_total, card.a_visited, card.a_coverage_pct) == (1, 1, Decimal("100.0"))
    # Overdue on the 21st: a (A, last on site 10-05 > 7 days) and c (never on site).
    assert card.overdue == 2
    assert card.problems_solved == 2
    assert card.info_items == 3  # competitor + stock on a's visit, consumer on b's
    assert (card.grade_ups, card.grade_downs, card.a_to_b) == (1, 1, 1)
    assert (card.expense_amount, card.sales_amount, card.expense_pct) == (
        Decimal("150.00"), Decimal("3000.00"), Decimal("5.00"))
    assert (card.area_id, card.as_of) == (personas.org.area.pk, date(2026, 10, 20))
    other = RepScorecard.objects.get(rep=personas.rep2, month=OCTOBER)
    assert (other.planned, other.a_total, other.a_visited, other.overdue) == (0, 1, 0, 1)
    assert other.adherence_pct is None and other.expense_pct is None


def test_the_scorecards_equal_the_live_team_view(personas, month):
    rep_scorecards_compute(node=personas.org.office, month=OCTOBER, today=TODAY)
    live = team_summary(personas.manager, policy_for(personas.org.company),
                        Period(OCTOBER, date(2026, 10, 31), TODAY))
    assert len(live["reps"]) == 2
    for row in live["reps"]:
        card = RepScorecard.objects.get(rep_id=row["rep"], month=OCTOBER)
        stored = {field: getattr(card, field) for field in SUMMARY_FIELDS}
        expected = {field: row[field] for field in SUMMARY_FIELDS}
        for pct in ("adherence_pct", "a_coverage_pct"):
            stored[pct] = None if stored[pct] is None else float(stored[pct])
        assert stored == expected


def test_a_rerun_replaces_the_month(personas, month):
    rep_scorecards_compute(node=personas.org.office, month=OCTOBER, today=TODAY)
    a = month[0]
    make_visit(personas.rep, a, date(2026, 10, 25))
    rep_scorecards_compute(node=personas.org.office, month=OCTOBER,
                           today=date(2026, 10, 26))
    card = RepScorecard.objects.get(rep=personas.rep, month=OCTOBER)
    assert RepScorecard.objects.filter(rep=personas.rep).count() == 1
    assert (card.done, card.pending, card.adherence_pct) == (2, 0, Decimal("50.0"))


def test_the_first_week_of_a_month_refreshes_the_month_before():
    assert months_to_compute(date(2026, 11, 3)) == [OCTOBER, date(2026, 11, 1)]
    assert months_to_compute(date(2026, 11, 8)) == [date(2026, 11, 1)]


def test_the_night_writes_scorecards_and_reminders_with_a_job_run_each(personas, month):
    out = StringIO()
    for _night in range(2):  # rerun: the same rows, no duplicates
        call_command("run_nightly", "--date", TODAY.isoformat(), "--step",
                     "retailer_scorecards", "--step", "rep_scorecards", "--step", "reminders",
                     stdout=out)
    runs = JobRun.objects.filter(business_date=TODAY)
    assert {r.status for r in runs} == {JobRun.Status.SUCCEEDED}
    assert runs.filter(name=RETAILER_JOB).count() == 2 * 3  # three offices, two nights
    assert runs.filter(name=REP_JOB).count() == 2 * 3
    assert runs.filter(name="visits.reminders").count() == 2 * 3
    assert RetailerScorecard.objects.filter(month=OCTOBER).count() == 4
    assert RepScorecard.objects.filter(month=OCTOBER).count() == 3  # with the sibling rep
    reminders = Reminder.objects.count()
    call_command("run_nightly", "--date", TODAY.isoformat(), "--step", "reminders",
                 stdout=out)
    assert Reminder.objects.count() == reminders
    latest = runs.filter(name="visits.reminders").first()
    assert set(latest.counts) >= {"care_call", "birthday", "holiday", "follow_up",
                                  "rewards_due"}
