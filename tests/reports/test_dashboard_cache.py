"""The cached dashboards (reports.cache): a hit is the same body without recomputing it,
every write source the dashboards read changes the next answer, answers of other
periods, nodes, dates and languages never collide, and scoping is decided first."""
# ruff: noqa: F811 (test_dashboards' `month` fixture, imported, is a test argument)

from datetime import date

import pytest
from django.utils import timezone

from expenses.models import MonthlyStatement
from reports import cache as dashboard_cache
from reports.aggregates import rep_days_fill
from reports.selectors import dashboards
from tests.factories import make_retailer
from tests.reports.test_dashboards import (
    OFFICE_URL,
    REGIONAL_URL,
    TODAY,
    month,  # noqa: F401 (the fixture)
)
from tests.visits.factories import make_problem, make_visit
from visits.models import Visit

DAY = {"today": TODAY}


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    """TODAY (or DAY["today"] when a test moves it) is today."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return real(value, timezone) if value is not None else DAY["today"]

    DAY["today"] = TODAY
    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


@pytest.fixture(autouse=True)
def eager(monkeypatch):
    """Refresh tasks run in-process (the real worker: tests/integration)."""
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


@pytest.fixture
def computed(monkeypatch):
    """Counts the answers computed (misses)."""
    calls = []
    real = dashboards.dashboard

    def counting(*args, **kwargs):
        calls.append(args[1].pk)
        return real(*args, **kwargs)

    monkeypatch.setattr(dashboards, "dashboard", counting)
    return calls


def get(client, url, period="today"):
    response = client.get(url, {"period": period})
    assert response.status_code == 200, response.content
    return response


def office(personas, client, period="today"):
    return get(client, OFFICE_URL.format(personas.org.office.pk), period).json()


def test_a_hit_is_the_same_body_without_computing(personas, month, client_for, computed):
    client = client_for(personas.manager)
    first = get(client, OFFICE_URL.format(personas.org.office.pk), "month")
    second = get(client, OFFICE_URL.format(personas.org.office.pk), "month")
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"] == "application/json"
    assert len(computed) == 1
    page = client.get(OFFICE_URL.format(personas.org.office.pk),
                      {"period": "month", "format": "api"})  # the browsable API, from it
    assert page.status_code == 200 and b"statements_waiting" in page.content
    # another manager who may open the node gets the same answer from the cache
    third = get(client_for(personas.regional_manager), OFFICE_URL.format(
        personas.org.office.pk), "month")
    assert third.content == first.content
    assert len(computed) == 1
    # "month" and the month's YYYY-MM are the same answer
    assert get(client, OFFICE_URL.format(personas.org.office.pk),
               "2026-10").content == first.content
    assert len(computed) == 1


def test_a_saved_visit_changes_today(personas, month, client_for,
                                     django_capture_on_commit_callbacks):
    client = client_for(personas.manager)
    before = office(personas, client)["figures"]
    shop = make_retailer(personas.org.area, personas.rep, name="新", grade="B")
    with django_capture_on_commit_callbacks(execute=True):  # RepDay refresh task
        make_visit(personas.rep, shop, TODAY, kind=Visit.Kind.PHONE)
    after = office(personas, client)["figures"]
    assert (after["visits"], after["phone"]) == (before["visits"] + 1, before["phone"] + 1)


def test_a_problem_changes_the_open_problems(personas, month, client_for,
                                             django_capture_on_commit_callbacks):
    client = client_for(personas.manager)
    before = office(personas, client, "month")["figures"]
    a = month[0]
    with django_capture_on_commit_callbacks(execute=True):  # AreaProblemDay recount
        make_problem(a, personas.rep, due=date(2026, 10, 2))
    after = office(personas, client, "month")["figures"]
    assert after["problems_open"] == before["problems_open"] + 1
    assert after["problems_overdue"] == before["problems_overdue"] + 1


def test_a_statement_transition_changes_statements_waiting(personas, month, client_for):
    client = client_for(personas.manager)
    assert office(personas, client)["figures"]["statements_waiting"] == 1
    statement = MonthlyStatement.objects.get(rep=personas.rep)
    statement.status = MonthlyStatement.Status.MANAGER_APPROVED
    statement.manager_approved_by = personas.manager
    statement.save()
    assert office(personas, client)["figures"]["statements_waiting"] == 0
    statement.delete()
    assert office(personas, client)["figures"]["statements_waiting"] == 0
    MonthlyStatement.objects.filter(rep=personas.rep2).update(
        status=MonthlyStatement.Status.CLERK_CHECKED)  # a bulk write: no signal
    assert office(personas, client)["figures"]["statements_waiting"] == 0  # cached
    dashboard_cache.bump_paths([personas.org.office.path])
    assert office(personas, client)["figures"]["statements_waiting"] == 1


def test_the_nightly_voiding_of_statements_bumps(personas, month, client_for):
    from expenses.tasks import void_overdue_statements

    client = client_for(personas.manager)
    assert office(personas, client)["figures"]["statements_waiting"] == 1
    # September's statements are past their review deadline by today (the real clock)
    assert void_overdue_statements.apply().get() >= 1
    assert not MonthlyStatement.objects.filter(
        status=MonthlyStatement.Status.CLERK_CHECKED).exists()
    assert office(personas, client)["figures"]["statements_waiting"] == 0


def test_the_nightly_fill_changes_the_answer(personas, month, client_for):
    client = client_for(personas.manager)
    before = office(personas, client)["figures"]
    shop = make_retailer(personas.org.area, personas.rep, name="新", grade="B")
    make_visit(personas.rep, shop, TODAY)  # its refresh never runs (no commit in a test)
    assert office(personas, client)["figures"] == before
    rep_days_fill(node=personas.org.company, first=TODAY, last=TODAY)
    assert office(personas, client)["figures"]["visits"] == before["visits"] + 1


def test_the_nightly_step_changes_the_answer(personas, month, client_for):
    from reports.aggregates import nightly_run_part

    client = client_for(personas.manager)
    before = office(personas, client)["figures"]
    shop = make_retailer(personas.org.area, personas.rep, name="新", grade="B")
    make_visit(personas.rep, shop, TODAY)
    nightly_run_part(business_date=TODAY, node_id=personas.org.office.pk,
                     first=TODAY.isoformat(), last=TODAY.isoformat())
    assert office(personas, client)["figures"]["visits"] == before["visits"] + 1


def test_the_scorecards_step_changes_the_month(personas, month, client_for):
    from grading.scorecards import rep_run_part

    client = client_for(personas.manager)
    before = office(personas, client, "month")["figures"]
    shop = make_retailer(personas.org.area, personas.rep, name="新", grade="B")
    make_visit(personas.rep, shop, date(2026, 10, 20))  # no RepDay refresh (no commit)
    rep_run_part(business_date=TODAY, node_id=personas.org.office.pk)
    after = office(personas, client, "month")["figures"]
    assert after["visits"] == before["visits"] + 1


def test_a_renamed_rep_is_shown(personas, month, client_for):
    client = client_for(personas.manager)
    office(personas, client)
    personas.rep.name = "改名"
    personas.rep.save()
    assert "改名" in {r["name"] for r in office(personas, client)["reps"]}


def test_periods_nodes_dates_and_languages_do_not_collide(personas, month, client_for,
                                                          computed):
    personas.admin.language = "en"  # the user's language is the page's
    personas.admin.save()
    clients = {"zh-hans": client_for(personas.regional_manager),
               "en": client_for(personas.admin)}
    org = personas.org
    urls = [OFFICE_URL.format(org.office.pk), OFFICE_URL.format(org.area.pk),
            OFFICE_URL.format(org.sibling_office.pk), REGIONAL_URL.format(org.office.pk)]
    bodies = {}
    for url in urls:
        for period in ("today", "month", "2026-09"):
            for language in ("zh-hans", "en"):
                body = get(clients[language], url, period).json()
                bodies[url, period, language] = body
                assert body["node"]["id"] in (org.office.pk, org.area.pk,
                                              org.sibling_office.pk)
    assert len(computed) == len(bodies)
    for (url, period, language), body in bodies.items():
        again = get(clients[language], url, period).json()
        assert again == body
        assert "offices" in body if url.startswith("/api/reports/dashboards/regional") \
            else "offices" not in body
        assert body["period"]["kind"] == ("today" if period == "today" else "month")
        assert body["period"]["month"] == ("2026-09" if period == "2026-09" else "2026-10")
    assert len(computed) == len(bodies)  # all hits
    assert (bodies[urls[0], "today", "en"]["node"]["kind_label"]
            != bodies[urls[0], "today", "zh-hans"]["node"]["kind_label"])
    # the next day is another answer
    DAY["today"] = date(2026, 10, 22)
    body = get(clients["en"], urls[0], "today").json()
    assert body["period"]["today"] == "2026-10-22"
    assert len(computed) == len(bodies) + 1


def test_out_of_scope_is_404_with_a_warm_cache(personas, month, client_for):
    url = OFFICE_URL.format(personas.org.office.pk)
    get(client_for(personas.manager), url)
    get(client_for(personas.manager), url, "month")
    for user in (personas.sibling_manager, personas.rep, personas.clerk, personas.finance):
        for period in ("today", "month"):
            assert client_for(user).get(url, {"period": period}).status_code == 404
    assert client_for(personas.sibling_manager).get(
        REGIONAL_URL.format(personas.org.office.pk), {"period": "today"}).status_code == 404


def test_a_lost_version_starts_past_the_old_answers(personas, month, client_for):
    from django.core.cache import cache

    client = client_for(personas.manager)
    office(personas, client)
    key = dashboard_cache._version_key(personas.org.company.path)
    old = cache.get(key)
    cache.delete(key)
    assert dashboard_cache.version(personas.org.company.path) > old


def test_a_cache_that_is_down_fails_neither_writes_nor_answers(personas, month, client_for,
                                                              monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    for name in ("get", "get_many", "set", "add", "incr"):
        monkeypatch.setattr(cache, name, down)
    client = client_for(personas.manager)
    statement = MonthlyStatement.objects.get(rep=personas.rep)
    statement.status = MonthlyStatement.Status.MANAGER_APPROVED
    statement.save()  # the bump fails quietly
    assert office(personas, client)["figures"]["statements_waiting"] == 0
