"""The rep's and finance's home data: one request each, figures by hand, consistent with
the rep scorecard, scoped."""

from datetime import timedelta

import pytest
from django.utils import timezone

from grading.models import RepScorecard
from grading.scorecards import rep_scorecards_compute
from reports import aggregates
from reports.selectors.homes import month_so_far
from tests.factories import make_retailer
from tests.reports.reports_support import build_finance, build_month
from tests.visits.factories import make_plan, make_problem, make_visit
from visits.models import PlanStop, Problem, Reminder, Visit, VisitPlan

REP_URL = "/api/reports/home/rep/"
FINANCE_URL = "/api/reports/home/finance/"


@pytest.fixture
def month(personas):
    return build_month(personas)


def _fill(personas, first, last):
    aggregates.rep_days_compute(areas=aggregates.rep_areas(node=personas.org.office),
                                first=first, last=last)


def test_the_month_so_far_counts_days_gone_today_and_the_stops_to_come(personas, month):
    """With D2 as today: D1 gone (a done, b missed), c today pending, a planned on D3."""
    rep = personas.rep
    PlanStop.objects.create(plan=VisitPlan.objects.get(rep=rep, month=month.first),
                            date=month.d3, retailer=month.shops["a"], position=9)
    _fill(personas, month.first, month.d2)
    figures = month_so_far(rep, month.d2)
    assert {k: figures[k] for k in ("planned", "done", "missed", "pending", "visits",
                                    "on_site", "adherence_pct", "a_total", "a_visited")} == {
        "planned": 4, "done": 1, "missed": 1, "pending": 2, "visits": 3, "on_site": 1,
        "adherence_pct": 50.0, "a_total": 1, "a_visited": 1}
    rep_scorecards_compute(node=personas.org.office, month=month.first, today=month.d2)
    card = RepScorecard.objects.get(rep=rep, month=month.first)
    assert (card.planned, card.done, card.missed, card.pending, card.visits, card.a_visited) \
        == (figures["planned"], figures["done"], figures["missed"], figures["pending"],
            figures["visits"], figures["a_visited"])


def test_todays_live_visit_moves_the_month(personas, month):
    """A visit made on D2 (today) to c refreshes the day and the month shows it at once."""
    _fill(personas, month.first, month.d2)
    before = month_so_far(personas.rep, month.d2)
    make_visit(personas.rep, month.shops["c"], month.d2, hour=17)
    aggregates.rep_day_refresh(rep_id=personas.rep.pk, day=month.d2)
    after = month_so_far(personas.rep, month.d2)
    assert (after["done"], after["pending"], after["on_site"]) == (
        before["done"] + 1, before["pending"] - 1, before["on_site"] + 1)


@pytest.fixture
def today_data(personas):
    """rep's approved plan of this month: two stops today (one visited on site), an open
    problem past due, a problem due later, a reminder due today and one overdue."""
    today = timezone.localdate()
    area, rep = personas.org.area, personas.rep
    x = make_retailer(area, rep, name="东方烟酒", grade="A")
    y = make_retailer(area, rep, name="西城便利", grade="B")
    make_plan(rep, area, today.replace(day=1), stops=[(today, x), (today, y)])
    make_visit(rep, x, today)
    make_problem(x, rep, due=today - timedelta(days=2))
    make_problem(y, rep, due=today + timedelta(days=5))
    make_problem(y, rep, due=today - timedelta(days=9), status=Problem.Status.SOLVED)
    Reminder.objects.create(kind="care_call", rep=rep, retailer=x, due_date=today,
                            occasion="t1")
    Reminder.objects.create(kind="care_call", rep=rep, retailer=y,
                            due_date=today - timedelta(days=1), occasion="t2")
    Reminder.objects.create(kind="care_call", rep=rep, retailer=y,
                            due_date=today + timedelta(days=3), occasion="t3")
    _fill(personas, today.replace(day=1), today)
    return today, x, y


def test_the_rep_home_in_one_request(personas, today_data, client_for):
    today, x, y = today_data
    data = client_for(personas.rep).get(REP_URL).json()
    route = data["route"]
    assert (route["stops"], route["visited"], route["done_on_site"], route["left"]) == (
        2, 1, 1, 1)
    assert [stop["name"] for stop in route["next"]] == ["西城便利"]
    assert (data["reminders"]["count"], data["reminders"]["overdue"]) == (2, 1)
    assert (data["problems"]["open"], data["problems"]["overdue"]) == (2, 1)
    assert [p["overdue"] for p in data["problems"]["rows"]] == [True, False]
    month = data["month"]
    assert (month["planned"], month["done"], month["visits"]) == (2, 1, 1)
    assert month["month"] == today.replace(day=1).isoformat()


def test_the_rep_home_reads_in_a_fixed_number_of_queries(personas, today_data, client_for,
                                                         django_assert_max_num_queries):
    client = client_for(personas.rep)
    with django_assert_max_num_queries(20):
        client.get(REP_URL)


def test_the_rep_home_is_only_for_reps(personas, client_for, client):
    assert client_for(personas.manager).get(REP_URL).status_code == 404
    assert client.get(REP_URL).status_code in (401, 403)


def test_a_rep_home_never_shows_another_reps_work(personas, today_data, client_for):
    data = client_for(personas.rep2).get(REP_URL).json()
    assert data["route"]["stops"] == 0 and data["problems"]["open"] == 0
    assert data["reminders"]["count"] == 0 and data["month"]["visits"] == 0


# Finance ---------------------------------------------------------------------------------

@pytest.fixture
def finance_data(personas):
    return build_finance(personas)


def test_the_finance_home_in_one_request(personas, finance_data, client_for):
    data = client_for(personas.finance).get(FINANCE_URL).json()
    by_status = {row["status"]: row["count"] for row in data["cycle"]["by_status"]}
    assert (by_status["manager_approved"], by_status["clerk_checked"], by_status["approved"],
            data["cycle"]["total"]) == (1, 1, 1, 3)
    assert data["by_deadline"]["overdue"] == 1 and data["by_deadline"]["later"] == 1
    waiting, to_pay = data["waiting"]
    assert (waiting["id"], waiting["status"], waiting["overdue"], waiting["payable_total"]) \
        == (finance_data.pk, "manager_approved", True, "850.00")
    assert (to_pay["status"], to_pay["payable_now"], to_pay["overdue"]) == (
        "approved", True, False)
    assert data["to_pay"] == {"count": 1, "ready": 1, "amount": "300.00"}
    advances = data["advances"]
    assert (advances["cap"], advances["reps"], advances["outstanding"], advances["at_cap"]) \
        == ("3000.00", 2, "4200.00", 1)
    assert [(row["rep_name"], row["used_pct"], row["at_cap"]) for row in advances["rows"]] == [
        ("张伟", 100.0, True), ("李强", 40.0, False)]
    spot = data["spot_checks"]
    assert (spot["failed"], spot["pending"]) == (1, 1)
    assert spot["rows"][0]["note"] == "店主称未收到礼品"


def test_the_deadlines_come_from_the_working_day_calendar(personas, client_for):
    from expenses import workdays

    data = client_for(personas.finance).get(FINANCE_URL).json()
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    deadlines = workdays.statement_deadlines(last_month)
    assert data["cycle"]["review_due"] == deadlines.review_due.isoformat()
    assert data["cycle"]["submit_due"] == deadlines.submit_due.isoformat()


def test_an_office_manager_reads_only_their_office(personas, finance_data, client_for):
    data = client_for(personas.sibling_manager).get(FINANCE_URL).json()
    assert data["cycle"]["total"] == 1
    assert [row["rep_name"] for row in data["waiting"]] == ["李强"]
    assert [row["rep_name"] for row in data["advances"]["rows"]] == ["李强"]
    assert data["spot_checks"]["failed"] == 0


def test_a_rep_never_sees_spot_checks(personas, finance_data, client_for):
    data = client_for(personas.rep).get(FINANCE_URL).json()
    assert data["spot_checks"] == {"failed": 0, "pending": 0, "rows": []}
    assert data["cycle"]["total"] == 1


def test_the_finance_home_reads_in_a_fixed_number_of_queries(personas, finance_data,
                                                             client_for,
                                                             django_assert_max_num_queries):
    client = client_for(personas.finance)
    with django_assert_max_num_queries(22):
        client.get(FINANCE_URL)


def test_every_visit_kind_counts_in_the_month(personas, month):
    _fill(personas, month.first, month.last)
    figures = month_so_far(personas.rep, month.last)
    assert figures["visits"] == Visit.objects.filter(rep=personas.rep).count() == 3
    assert (figures["on_site"], figures["planned"], figures["missed"]) == (1, 3, 2)
