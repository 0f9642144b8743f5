"""日报 / 周报 / 月报: figures against a hand-computed month, totals equal to the RepDay rows
and to the rep scorecards, scoping of reps and nodes, periods refused by field."""

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from grading.models import RepScorecard
from reports import aggregates
from reports.models import RepDay
from reports.selectors.reports import report_period, team_report
from tests.reports.reports_support import build_month
from tests.visits.factories import make_visit

URL = "/api/reports/report/"


@pytest.fixture
def month(personas):
    return build_month(personas)


def _get(client, **params):
    return client.get(URL, params)


def _by_rep(data):
    return {row["rep"]: row for row in data["reps"]}


def test_the_monthly_team_report_by_hand(personas, month, client_for):
    data = _get(client_for(personas.manager), period="month", date=month.d2,
                node=personas.org.office.pk).json()
    rows = _by_rep(data)
    assert set(rows) == {personas.rep.pk, personas.rep2.pk}
    mine = rows[personas.rep.pk]
    assert {k: mine[k] for k in ("planned", "done", "missed", "missed_with_reason", "pending",
                                 "visits", "on_site", "phone", "care", "far", "no_gps",
                                 "problems_raised", "problems_solved", "info_items",
                                 "days_worked")} == {
        "planned": 3, "done": 1, "missed": 2, "missed_with_reason": 1, "pending": 0,
        "visits": 3, "on_site": 1, "phone": 1, "care": 1, "far": 0, "no_gps": 1,
        "problems_raised": 1, "problems_solved": 1, "info_items": 3, "days_worked": 2}
    assert mine["adherence_pct"] == 33.3 and mine["area_name"] == "鼓楼片区"
    theirs = rows[personas.rep2.pk]
    assert (theirs["planned"], theirs["done"], theirs["missed"], theirs["far"],
            theirs["adherence_pct"]) == (2, 1, 1, 1, 50.0)
    total = data["total"]
    assert (total["planned"], total["done"], total["missed"], total["visits"],
            total["adherence_pct"], total["reps"]) == (5, 2, 3, 4, 40.0, 2)
    assert data["period"]["first"] == month.first.isoformat()
    assert data["period"]["last"] == month.last.isoformat()


def test_team_totals_are_the_sum_of_the_rep_days(personas, month, client_for):
    data = _get(client_for(personas.manager), period="month", date=month.d1,
                node=personas.org.office.pk).json()
    sums = (RepDay.objects.filter(node_path__startswith=personas.org.office.path,
                                  day__range=(month.first, month.last))
            .aggregate(**{f: Sum(f) for f in ("planned", "done", "visits", "on_site",
                                              "problems_raised", "problems_solved",
                                              "info_items", "far", "no_gps", "flagged")}))
    assert {f: data["total"][f] for f in sums} == sums
    for field in sums:
        assert data["total"][field] == sum(row[field] for row in data["reps"])


def test_a_visit_too_far_and_without_gps_is_one_flagged_check_in(personas, month,
                                                                 client_for):
    """In far and in no_gps, but once in the report's flagged check-ins: as many as the
    flagged check-ins list (too far or no GPS) holds for the period."""
    make_visit(personas.rep2, month.shops["d"], month.d2, far_from_store=True,
               gps_missing=True)
    aggregates.rep_days_compute(areas=aggregates.rep_areas(node=personas.org.office),
                                first=month.first, last=month.last)
    client = client_for(personas.manager)
    total = _get(client, period="month", date=month.d1, node=personas.org.office.pk).json()[
        "total"]
    assert (total["far"], total["no_gps"], total["flagged"]) == (2, 2, 3)
    listed = client.get("/api/visits/visits/", {
        "checkin_flag": ["far", "no_gps"], "node": personas.org.office.pk,
        "date_from": month.first, "date_to": month.last, "page_size": 100}).json()
    assert len(listed["results"]) == 3 and listed["next"] is None
    day = _get(client, period="day", date=month.d2, rep=personas.rep2.pk).json()
    assert (day["total"]["far"], day["total"]["no_gps"], day["total"]["flagged"]) == (1, 1, 1)


def test_the_monthly_report_agrees_with_the_rep_scorecards(personas, month, client_for):
    data = _get(client_for(personas.manager), period="month", date=month.d1,
                node=personas.org.office.pk).json()
    for row in data["reps"]:
        card = RepScorecard.objects.get(rep_id=row["rep"], month=month.first)
        for field in ("planned", "done", "missed", "pending", "visits", "on_site",
                      "problems_solved", "info_items"):
            assert row[field] == getattr(card, field), (row["name"], field)
        assert row["state"]["a_total"] == card.a_total
        assert row["state"]["a_visited"] == card.a_visited
        assert row["state"]["overdue"] == card.overdue
        assert row["adherence_pct"] == (float(card.adherence_pct)
                                        if card.adherence_pct is not None else None)
    mine = _by_rep(data)[personas.rep.pk]["state"]
    assert (mine["a_total"], mine["a_visited"], mine["a_coverage_pct"]) == (1, 1, 100.0)
    total = data["total"]["state"]
    assert (total["a_total"], total["a_visited"], total["a_coverage_pct"]) == (2, 2, 100.0)


def test_weekly_and_daily_reports_cut_the_same_rows(personas, month, client_for):
    client = client_for(personas.manager)
    day = _by_rep(_get(client, period="day", date=month.d1,
                       node=personas.org.office.pk).json())[personas.rep.pk]
    assert (day["planned"], day["done"], day["missed"], day["visits"], day["info_items"]) \
        == (2, 1, 1, 1, 2)
    week = _get(client, period="week", date=month.d2, node=personas.org.area.pk).json()
    first = month.d2 - timedelta(days=month.d2.weekday())
    assert week["period"]["first"] == first.isoformat()
    expected = RepDay.objects.filter(rep=personas.rep, day__range=(
        first, first + timedelta(days=6))).aggregate(v=Sum("visits"))["v"]
    assert _by_rep(week)[personas.rep.pk]["visits"] == expected
    assert week["total"]["state"] is None  # state figures belong to monthly reports


def test_a_reps_daily_report_lists_the_days_visits(personas, month, client_for):
    data = _get(client_for(personas.manager), period="day", date=month.d1,
                rep=personas.rep.pk).json()
    assert data["scope"] == "rep" and data["rep"]["name"] == "张伟"
    assert (data["total"]["planned"], data["total"]["done"]) == (2, 1)
    [visit] = data["visits"]
    assert (visit["retailer_name"], visit["kind"], visit["items"], visit["problems"],
            visit["stock"]) == ("甲店", "on_site", 2, 1, True)
    assert visit["competitor_info"] == "对手降价两元"


def test_a_reps_monthly_report_has_one_row_per_day_and_the_scorecard(personas, month,
                                                                     client_for):
    data = _get(client_for(personas.rep), period="month", date=month.d1).json()
    assert data["scope"] == "rep" and data["rep"]["id"] == personas.rep.pk
    assert [row["day"] for row in data["days"]] == [month.d1.isoformat(), month.d2.isoformat()]
    assert sum(row["visits"] for row in data["days"]) == data["total"]["visits"] == 3
    assert data["total"]["state"]["scorecard"]["done"] == 1
    assert len(data["visits"]) == 3


def test_a_rep_reads_only_their_own_report(personas, month, client_for):
    client = client_for(personas.rep)
    assert _get(client, period="month", date=month.d1, rep=personas.rep2.pk).status_code == 404
    team = _get(client, period="month", date=month.d1, node=personas.org.area.pk).json()
    assert [row["rep"] for row in team["reps"]] == [personas.rep.pk]
    assert _get(client, period="month", date=month.d1,
                node=personas.org.sibling_area.pk).status_code == 404


def test_other_offices_reps_and_nodes_are_not_found(personas, month, client_for):
    client = client_for(personas.sibling_manager)
    assert _get(client, period="month", date=month.d1,
                node=personas.org.office.pk).status_code == 404
    assert _get(client, period="month", date=month.d1, rep=personas.rep.pk).status_code == 404
    own = _get(client, period="month", date=month.d1).json()
    assert [row["rep"] for row in own["reps"]] == [personas.sibling_rep.pk]
    regional = _get(client_for(personas.regional_manager), period="month", date=month.d1,
                    node=personas.org.office.pk)
    assert regional.status_code == 200 and regional.json()["total"]["visits"] == 4


def test_anonymous_users_are_refused(client, month):
    assert client.get(URL, {"period": "month"}).status_code in (401, 403)


def test_a_ten_year_range_is_refused_naming_the_field(personas, client_for):
    response = _get(client_for(personas.manager), period="range", first="2016-01-01",
                    last="2025-12-31")
    assert response.status_code == 400
    assert set(response.json()) == {"last"}
    assert "366" in response.json()["last"][0] and "3653" in response.json()["last"][0]


def test_a_future_period_is_refused_naming_the_field(personas, client_for):
    today = timezone.localdate()
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    response = _get(client_for(personas.manager), period="month", date=next_month)
    assert response.status_code == 400 and set(response.json()) == {"date"}
    response = _get(client_for(personas.manager), period="range",
                    first=today + timedelta(days=1), last=today + timedelta(days=3))
    assert response.status_code == 400 and set(response.json()) == {"first"}
    response = _get(client_for(personas.manager), period="range", first=today,
                    last=today - timedelta(days=1))
    assert response.status_code == 400 and set(response.json()) == {"last"}


def test_a_running_period_counts_up_to_today(personas, month):
    period = report_period(kind="month", today=month.d2, day=month.d1)
    assert period.until == month.d2 and period.last > month.d2
    report = team_report(personas.manager, personas.org.office, period)
    mine = _by_rep(report)[personas.rep.pk]
    # D2 is "today" here: c's stop is pending, not missed.
    assert (mine["planned"], mine["done"], mine["missed"], mine["pending"]) == (3, 1, 1, 1)


def test_the_report_reads_in_a_fixed_number_of_queries(personas, month, client_for,
                                                       django_assert_max_num_queries):
    client = client_for(personas.manager)
    with django_assert_max_num_queries(9):
        _get(client, period="month", date=month.d1, node=personas.org.office.pk)
    with django_assert_max_num_queries(10):
        _get(client, period="month", date=month.d1, rep=personas.rep.pk)
