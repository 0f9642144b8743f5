"""The managers' dashboards: figures against a hand-computed month and against the
scorecards, drill-down lists whose counts equal the figures, scoping, one request."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from expenses.models import MonthlyStatement
from grading.models import GradeHistory, RepScorecard
from grading.scorecards import rep_scorecards_compute
from reports.aggregates import rep_days_fill
from tests.expenses import factories as expense_factories
from tests.factories import make_retailer
from tests.visits.factories import make_missed, make_plan, make_problem, make_visit
from visits.models import Problem, StockLine, Visit

OCTOBER = date(2026, 10, 1)
TODAY = date(2026, 10, 21)
OFFICE_URL = "/api/reports/dashboards/office/{}/"
REGIONAL_URL = "/api/reports/dashboards/regional/{}/"


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    """The 21st of October is today for the dashboards and the team lists."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return real(value, timezone) if value is not None else TODAY

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


@pytest.fixture
def month(personas):
    """rep: A shop a, B shop b, C shop c; rep2: A shop d; sibling_rep: shop s."""
    area, rep = personas.org.area, personas.rep
    a = make_retailer(area, rep, name="甲", grade="A")
    b = make_retailer(area, rep, name="乙", grade="B")
    c = make_retailer(area, rep, name="丙", grade="C")
    d = make_retailer(personas.org.area2, personas.rep2, name="丁", grade="A")
    s = make_retailer(personas.org.sibling_area, personas.sibling_rep, name="戊", grade="A")
    make_plan(rep, area, OCTOBER, stops=[(date(2026, 10, 5), a), (date(2026, 10, 6), b),
                                         (date(2026, 10, 12), c), (TODAY, a), (TODAY, b),
                                         (date(2026, 10, 25), a)])
    on_a = make_visit(rep, a, date(2026, 10, 5), competitor_info="对手降价")  # done
    StockLine.objects.create(visit=on_a, product_name="中华", on_hand=5)
    make_visit(rep, b, date(2026, 10, 7), consumer_feedback="嫌贵", far_from_store=True)
    make_visit(rep, c, date(2026, 10, 12), kind=Visit.Kind.CARE_CALL)
    make_missed(rep, c, date(2026, 10, 12))
    make_visit(rep, a, TODAY, far_from_store=True)  # today: done, flagged
    make_visit(rep, b, TODAY, gps_missing=True)  # today: done, flagged
    make_visit(personas.rep2, d, TODAY, kind=Visit.Kind.PHONE)
    make_visit(personas.sibling_rep, s, TODAY)
    make_problem(a, rep, due=date(2026, 10, 30))  # open
    make_problem(b, rep, due=date(2026, 10, 10))  # open, overdue
    make_problem(d, personas.rep2, due=date(2026, 10, 1), status=Problem.Status.IN_PROGRESS)
    solved = make_problem(c, rep, due=date(2026, 10, 10), status=Problem.Status.SOLVED)
    zone = timezone.get_current_timezone()
    Problem.objects.filter(pk=solved.pk).update(solved_at=datetime(2026, 10, 9, 9, tzinfo=zone),
                                                solved_by=rep)
    make_problem(s, personas.sibling_rep, due=date(2026, 10, 1))  # the sibling office's
    GradeHistory.objects.create(retailer=a, old_grade="A", new_grade="B", computed_grade="B",
                                source="nightly", business_date=date(2026, 10, 10))
    GradeHistory.objects.create(retailer=a, old_grade="B", new_grade="A", computed_grade="A",
                                source="nightly", business_date=date(2026, 10, 11))
    line = expense_factories.make_product_line(a.company)
    expense_factories.make_line(rep, a, "100.00", date(2026, 10, 2), product_line=line)
    expense_factories.make_line(personas.rep2, d, "50.00", date(2026, 10, 9),
                                product_line=line)
    expense_factories.make_fact(a, OCTOBER, purchase="1000.00")
    expense_factories.make_fact(d, OCTOBER, purchase="4000.00")
    checked = MonthlyStatement.Status.CLERK_CHECKED
    expense_factories.make_statement(rep, area, date(2026, 9, 1), status=checked,
                                     clerk=personas.clerk)
    expense_factories.make_statement(personas.rep2, personas.org.area2, date(2026, 9, 1))
    expense_factories.make_statement(personas.sibling_rep, personas.org.sibling_area,
                                     date(2026, 9, 1), status=checked)
    for office in (personas.org.office, personas.org.sibling_office):
        rep_scorecards_compute(node=office, month=OCTOBER, today=TODAY)
    rep_days_fill(node=personas.org.company, first=OCTOBER, last=TODAY)
    return a, b, c, d


@pytest.fixture
def double_flagged(personas, month):
    """Today rep checks in at shop c too far from it and without GPS: one flagged
    check-in (in far and in no_gps both); the scorecards and the days recomputed."""
    make_visit(personas.rep, month[2], TODAY, far_from_store=True, gps_missing=True)
    for office in (personas.org.office, personas.org.sibling_office):
        rep_scorecards_compute(node=office, month=OCTOBER, today=TODAY)
    rep_days_fill(node=personas.org.company, first=OCTOBER, last=TODAY)
    return month


def get(client, url, **query):
    response = client.get(url, query)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_month_by_hand(personas, month, client_for):
    data = get(client_for(personas.manager), OFFICE_URL.format(personas.org.office.pk),
               period="2026-10")
    f = data["figures"]
    # rep: 5 stops by the 21st (a 5th done, b 6th missed, c 12th missed, a and b today
    # done), the 25th pending; rep2 nothing planned.
    assert (f["planned"], f["done"], f["missed"], f["pending"]) == (6, 3, 2, 1)
    assert f["adherence_pct"] == 60.0
    assert (f["visits"], f["on_site"]) == (6, 4)
    assert (f["a_total"], f["a_visited"], f["a_coverage_pct"]) == (2, 1, 50.0)
    assert (f["grade_ups"], f["grade_downs"], f["a_to_b"]) == (1, 1, 1)
    assert (f["far"], f["no_gps"], f["flagged"]) == (2, 1, 3)
    assert (Decimal(f["expense_amount"]), Decimal(f["sales_amount"])) == (
        Decimal("150.00"), Decimal("5000.00"))
    assert f["expense_pct"] == 3.0
    assert (f["problems_open"], f["problems_overdue"], f["statements_waiting"]) == (3, 2, 1)
    assert [r["name"] for r in data["reps"]] == sorted([personas.rep.name, personas.rep2.name])
    assert {d["day"] for d in data["daily"]} >= {"2026-10-05", "2026-10-21"}


def test_the_month_equals_the_scorecards(personas, month, client_for):
    data = get(client_for(personas.manager), OFFICE_URL.format(personas.org.office.pk),
               period="month")
    cards = {c.rep_id: c for c in RepScorecard.objects.filter(month=OCTOBER,
                                                              area__path__startswith=
                                                              personas.org.office.path)}
    assert {r["rep"] for r in data["reps"]} == set(cards)
    for row in data["reps"]:
        card = cards[row["rep"]]
        for field in ("planned", "done", "missed", "pending", "visits", "on_site", "a_total",
                      "a_visited", "overdue", "problems_solved", "info_items", "a_to_b"):
            assert row[field] == getattr(card, field), field
        assert row["adherence_pct"] == (None if card.adherence_pct is None
                                        else float(card.adherence_pct))
    for field in ("planned", "done", "overdue", "visits", "a_to_b"):
        assert data["figures"][field] == sum(getattr(c, field) for c in cards.values())


def test_today_by_hand(personas, month, client_for):
    data = get(client_for(personas.manager), OFFICE_URL.format(personas.org.office.pk),
               period="today")
    f = data["figures"]
    assert (f["planned"], f["done"], f["missed"], f["adherence_pct"]) == (2, 2, 0, 100.0)
    assert (f["visits"], f["on_site"], f["phone"], f["far"], f["no_gps"]) == (3, 2, 1, 1, 1)
    assert f["overdue"] == sum(RepScorecard.objects.filter(
        month=OCTOBER, area__path__startswith=personas.org.office.path)
        .values_list("overdue", flat=True))
    rows = {r["rep"]: r for r in data["reps"]}
    assert (rows[personas.rep.pk]["visits"], rows[personas.rep2.pk]["phone"]) == (2, 1)


def test_drill_down_lists_count_what_the_figures_say(personas, double_flagged, client_for):
    client = client_for(personas.manager)
    data = get(client, OFFICE_URL.format(personas.org.office.pk), period="month")
    f, drill = data["figures"], data["drill"]
    assert f["overdue"] > 0
    for figure, api in (("overdue", "overdue_api"), ("problems_open", "problems_open_api"),
                        ("problems_overdue", "problems_overdue_api"),
                        ("statements_waiting", "statements_waiting_api")):
        listed = get(client, drill[api])
        count = listed["count"] if isinstance(listed, dict) else len(listed)
        assert count == f[figure], figure
    assert len(_all_rows(client, drill["flagged_api"])) == f["flagged"] == 4
    # The rep's row and the day's bar count the visit with both flags once too.
    assert {r["rep"]: r["flagged"] for r in data["reps"]} == {personas.rep.pk: 4,
                                                               personas.rep2.pk: 0}
    assert next(d for d in data["daily"] if d["day"] == "2026-10-21")["flagged"] == 3
    node = personas.org.office.pk
    assert drill["overdue"] == f"/visits/plans/team/overdue/?node={node}"
    assert drill["problems_overdue"] == f"/visits/plans/team/problems/?scope=overdue&node={node}"
    rep_row = next(r for r in data["reps"] if r["rep"] == personas.rep.pk)
    listed = get(client, f"/api/visits/team/overdue/?rep={personas.rep.pk}")
    assert listed["count"] == rep_row["overdue"]
    assert rep_row["overdue_url"] == (
        f"/visits/plans/team/overdue/?rep={personas.rep.pk}&node={node}")


def _all_rows(client, url: str) -> list[dict]:
    """Every row of a cursor-paged list, following `next`."""
    rows = []
    while url:
        page = get(client, url)
        rows += page["results"]
        url = page["next"]
    return rows


def _drilled_counts(client, data: dict) -> dict:
    """What the lists behind a dashboard's figures count, read through the drill-downs."""
    drill = data["drill"]
    counts = {key: get(client, drill[f"{key}_api"])["count"]
              for key in ("overdue", "problems_open", "problems_overdue",
                          "statements_waiting")}
    if data["period"]["kind"] == "month":
        counts["scorecards"] = len(_all_rows(client, drill["scorecards_api"]))
    counts["flagged"] = len(_all_rows(client, drill["flagged_api"]))
    counts["far"] = len(_all_rows(client, drill["far_api"]))
    counts["no_gps"] = len(_all_rows(client, drill["no_gps_api"]))
    summary = get(client, drill["adherence"].replace("/visits/plans/team/",
                                                     "/api/visits/team/summary/"))["totals"]
    counts.update({k: summary[k] for k in ("planned", "done", "missed", "visits")})
    return counts


def _figures(data: dict) -> dict:
    f = data["figures"]
    return {**{k: f[k] for k in ("overdue", "problems_open", "problems_overdue", "far",
                                 "no_gps", "planned", "done", "missed", "visits",
                                 "statements_waiting")},
            "flagged": f["flagged"],
            # A month's rep rows are the scorecards of the reps under the node.
            **({"scorecards": len(data["reps"])} if data["period"]["kind"] == "month" else {})}


@pytest.mark.parametrize("period", ["month", "2026-10", "today"])
def test_a_regional_managers_drill_down_at_an_office_counts_the_office(
        personas, double_flagged, client_for, period):
    """At one office the lists behind the figures hold that office's rows, not the whole
    region's: each count equals its figure (flagged: too far or no GPS, in the period; a
    visit with both flags once)."""
    client = client_for(personas.regional_manager)
    office = personas.org.office
    data = get(client, REGIONAL_URL.format(office.pk), period=period)
    drilled = _drilled_counts(client, data)
    assert drilled == _figures(data)
    # far + no_gps: today 2 + 2, the month 3 + 2; the visit with both counts once.
    assert drilled["flagged"] == (3 if period == "today" else 4)
    assert (data["figures"]["far"], data["figures"]["no_gps"]) == (
        (2, 2) if period == "today" else (3, 2))
    assert f"node={office.pk}" in data["drill"]["flagged"]
    # Statements to approve: the office's one, not the sibling office's too; a month's
    # scorecards: the office's two reps, not the sibling rep.
    assert drilled["statements_waiting"] == 1
    assert drilled.get("scorecards", 2) == 2
    assert data["drill"]["statements_waiting"] == f"/expenses/review/?node={office.pk}"
    assert data["drill"]["scorecards"] == f"/grading/scorecards/?month=2026-10&node={office.pk}"
    # The region as a whole holds more (the sibling office's visit and problem).
    whole = get(client, "/api/visits/team/summary/", period="today")["totals"]
    assert (whole["visits"], len(get(client, "/api/visits/team/summary/")["reps"])) == (5, 3)
    assert get(client, "/api/visits/problems/", status=["open", "in_progress"])["count"] == (
        drilled["problems_open"] + 1)
    assert get(client, "/api/expenses/statements/", status="clerk_checked")["count"] == 2
    assert len(_all_rows(client, "/api/grading/scorecards/reps/?month=2026-10-01")) == 3


def test_an_office_managers_drill_down_at_an_area_counts_the_area(personas, double_flagged,
                                                                  client_for):
    """Both reps sit in `area`; shop d and its problem in `area2`: at area2 the overdue
    list (per assigned rep) is empty and the problems list holds d's problem only."""
    client = client_for(personas.manager)
    for area, problems, flagged, waiting, reps in ((personas.org.area2, 1, 0, 0, 0),
                                                   (personas.org.area, 2, 4, 1, 2)):
        data = get(client, OFFICE_URL.format(area.pk), period="month")
        drilled = _drilled_counts(client, data)
        assert drilled == _figures(data), area.code
        assert (drilled["problems_open"], drilled["flagged"], drilled["statements_waiting"],
                drilled["scorecards"]) == (problems, flagged, waiting, reps)
    office = _figures(get(client, OFFICE_URL.format(personas.org.office.pk), period="month"))
    assert office["overdue"] > 0 and office["problems_open"] == 3


def test_the_team_pages_take_the_node_and_refuse_one_outside_the_scope(
        personas, month, client_for):
    client = client_for(personas.manager)
    area2, sibling = personas.org.area2, personas.org.sibling_office
    for page in ("", "overdue/", "problems/", "flagged/"):
        response = client.get(f"/visits/plans/team/{page}", {"node": area2.pk})
        assert response.status_code == 200, page
        assert b'data-testid="team-node"' in response.content
        assert response.context["config"]["node"] == {"id": area2.pk, "name": area2.name}
        assert response.context["config"]["reps"] == []  # no rep sits in area2
        for bad in (sibling.pk, "x"):
            assert client.get(f"/visits/plans/team/{page}", {"node": bad}).status_code == 404
    for api in ("/api/visits/team/summary/", "/api/visits/team/overdue/"):
        assert client.get(api, {"node": sibling.pk}).status_code == 404
    # The lists answer an out-of-scope node with nothing (not the sibling's rows).
    assert get(client, "/api/visits/problems/", node=sibling.pk)["count"] == 0
    assert get(client, "/api/visits/visits/", node=sibling.pk)["results"] == []
    sibling_view = client_for(personas.sibling_manager)
    assert get(sibling_view, "/api/visits/problems/", node=sibling.pk)["count"] == 1
    assert len(get(sibling_view, "/api/visits/visits/", node=sibling.pk)["results"]) == 1


def test_the_checkin_flag_filter(personas, month, client_for):
    """far, no_gps, or both (either), over a range of days, for a rep's visits."""
    client = client_for(personas.manager)
    url = "/api/visits/visits/"
    rows = _all_rows(client, url + "?checkin_flag=far&date_from=2026-10-01")
    assert len(rows) == 2 and all(r["flags"]["far_from_store"] for r in rows)
    rows = _all_rows(client, url + "?checkin_flag=no_gps")
    assert len(rows) == 1 and rows[0]["flags"]["gps_missing"]
    both = url + "?checkin_flag=far&checkin_flag=no_gps"
    assert len(_all_rows(client, both)) == 3
    assert len(_all_rows(client, both + "&date_from=2026-10-21&date_to=2026-10-21")) == 2
    assert len(_all_rows(client, both + f"&rep={personas.rep2.pk}")) == 0
    assert client.get(url, {"checkin_flag": "late"}).status_code == 400


def test_an_area_dashboard_keeps_to_the_area(personas, month, client_for):
    """Reps count under their own area, problems under their retailer's area (both reps
    sit in `area`; shop d and its problem in `area2`)."""
    manager = client_for(personas.manager)
    data = get(manager, OFFICE_URL.format(personas.org.area2.pk), period="today")
    assert data["reps"] == [] and data["node"]["id"] == personas.org.area2.pk
    assert (data["figures"]["visits"], data["figures"]["problems_open"]) == (0, 1)
    data = get(manager, OFFICE_URL.format(personas.org.area.pk), period="today")
    assert {r["rep"] for r in data["reps"]} == {personas.rep.pk, personas.rep2.pk}
    assert (data["figures"]["visits"], data["figures"]["problems_open"]) == (3, 2)


def test_the_regional_dashboard_puts_offices_side_by_side(personas, month, client_for):
    from reports.aggregates import area_grades_compute

    area_grades_compute(node=personas.org.region, as_of=TODAY)
    data = get(client_for(personas.regional_manager),
               REGIONAL_URL.format(personas.org.region.pk), period="today")
    offices = {o["node"]: o for o in data["offices"]}
    assert set(offices) == {personas.org.office.pk, personas.org.sibling_office.pk}
    assert (offices[personas.org.office.pk]["visits"],
            offices[personas.org.sibling_office.pk]["visits"]) == (3, 1)
    assert data["figures"]["visits"] == 4
    assert (data["figures"]["problems_open"], data["figures"]["statements_waiting"]) == (4, 2)
    grades = {g["node"]: g for g in data["grades"]}
    mine = grades[personas.org.office.pk]
    # a went A→B→A in October: A now 2 (a, d), at the start 2; B unchanged at 1.
    assert (mine["A"], mine["B"], mine["C"]) == ({"now": 2, "start": 2}, {"now": 1, "start": 1},
                                                 {"now": 1, "start": 1})
    assert grades[personas.org.sibling_office.pk]["A"]["now"] == 1


def test_other_offices_and_other_roles_get_404(personas, month, client_for):
    office = OFFICE_URL.format(personas.org.office.pk)
    assert client_for(personas.sibling_manager).get(office).status_code == 404
    for user in (personas.rep, personas.clerk, personas.finance):
        assert client_for(user).get(office).status_code == 404
        assert client_for(user).get("/api/reports/dashboards/office/").json() == []
    assert client_for(personas.manager).get(
        REGIONAL_URL.format(personas.org.region.pk)).status_code == 404
    listed = get(client_for(personas.manager), "/api/reports/dashboards/office/")
    assert [n["id"] for n in listed] == [personas.org.office.pk, personas.org.area.pk,
                                         personas.org.area2.pk]


def test_anonymous_is_refused_and_a_bad_period_is_explained(personas, client_for, client):
    office = OFFICE_URL.format(personas.org.office.pk)
    assert client.get(office).status_code in (401, 403)
    manager = client_for(personas.manager)
    for bad in ("2026-13", "2036-01", "last year"):
        response = manager.get(office, {"period": bad})
        assert response.status_code == 400 and "period" in response.json()


def test_one_dashboard_is_a_handful_of_queries(personas, month, client_for,
                                               django_assert_max_num_queries):
    client = client_for(personas.manager)
    for period in ("today", "month"):
        with django_assert_max_num_queries(11):
            response = client.get(REGIONAL_URL.format(personas.org.office.pk),
                                  {"period": period})
        assert response.status_code == 200
