"""The plan pages (/visits/plans/, /visits/plans/<id>/) and the manager's team pages
(/visits/plans/team/…): who gets them, scoping (another node's plan is a 404), what they
carry for their scripts, and that they stay inside the strict CSP."""

import json
import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.workdays import is_working_day, month_end
from kehu.selectors import add_months
from tests.visits.factories import make_plan, make_problem
from visits.models import VisitPlan

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
TEAM_PAGES = ["visits:team", "visits:team-overdue", "visits:team-problems"]


def browser_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def json_block(response, element_id: str) -> dict:
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>',
        response.content.decode(), re.DOTALL)
    assert match, f"no json_script block #{element_id}"
    return json.loads(match.group(1))


def next_month() -> date:
    return add_months(timezone.localdate().replace(day=1), 1)


@pytest.fixture
def plan(personas, shops):
    month = next_month()
    return make_plan(personas.rep, personas.org.area, month,
                     stops=[(month.replace(day=2), shops.a), (month.replace(day=3), shops.b)],
                     status=VisitPlan.Status.SUBMITTED)


@pytest.fixture
def sibling_plan(personas):
    return make_plan(personas.sibling_rep, personas.org.sibling_area, next_month())


def detail_url(plan) -> str:
    return reverse("visits:plan-detail", args=[plan.pk])


# --- the plan list -----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["rep", "manager", "regional_manager", "admin"])
def test_reps_managers_and_admins_get_the_plan_list(personas, persona):
    response = browser_for(getattr(personas, persona)).get(reverse("visits:plans"))

    assert response.status_code == 200
    assert b'x-data="planList"' in response.content
    config = json_block(response, "plans-config")
    assert config["urls"]["plans"] == "/api/visits/plans/"
    assert config["next_month"] == next_month().isoformat()


@pytest.mark.parametrize("persona", ["clerk", "finance"])
def test_clerks_and_finance_are_refused_the_plan_pages(personas, plan, persona):
    user = getattr(personas, persona)

    assert browser_for(user).get(reverse("visits:plans")).status_code == 403
    assert browser_for(user).get(detail_url(plan)).status_code == 403


def test_a_rep_is_offered_proposing_and_a_manager_reviewing(personas):
    rep = json_block(browser_for(personas.rep).get(reverse("visits:plans")), "plans-config")
    manager = json_block(browser_for(personas.manager).get(reverse("visits:plans")),
                         "plans-config")

    assert (rep["is_rep"], rep["can_review"]) == (True, False)
    assert (manager["is_rep"], manager["can_review"]) == (False, True)


def test_the_manager_list_has_the_approval_queue_and_the_rep_list_has_not(personas):
    rep_html = browser_for(personas.rep).get(reverse("visits:plans")).content.decode()
    manager_html = browser_for(personas.manager).get(reverse("visits:plans")).content.decode()

    assert 'data-testid="my-plans"' in rep_html
    assert 'data-testid="waiting-plans"' not in rep_html
    assert 'data-testid="waiting-plans"' in manager_html
    assert 'data-testid="my-plans"' not in manager_html


# --- one plan ----------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["rep", "manager", "regional_manager", "admin"])
def test_the_rep_and_the_managers_above_open_the_plan(personas, plan, persona):
    response = browser_for(getattr(personas, persona)).get(detail_url(plan))

    assert response.status_code == 200
    config = json_block(response, "plan-config")
    assert config["plan_id"] == plan.pk
    assert config["urls"]["plan"] == f"/api/visits/plans/{plan.pk}/"
    assert config["urls"]["stops"] == "/api/visits/plan-stops/"
    assert str(personas.rep) in response.content.decode()


@pytest.mark.parametrize("persona", ["rep2", "sibling_rep", "sibling_manager"])
def test_a_plan_outside_the_readers_scope_is_404(personas, plan, persona):
    assert browser_for(getattr(personas, persona)).get(detail_url(plan)).status_code == 404


def test_a_managers_sibling_office_plan_is_404_and_an_unknown_one_too(personas, sibling_plan):
    client = browser_for(personas.manager)

    assert client.get(detail_url(sibling_plan)).status_code == 404
    assert client.get(reverse("visits:plan-detail", args=[987654])).status_code == 404


def test_the_plan_page_carries_the_months_days_with_the_statutory_calendar(personas, plan):
    config = json_block(browser_for(personas.rep).get(detail_url(plan)), "plan-config")

    days = config["days"]
    assert len(days) == month_end(plan.month).day
    assert days[0]["date"] == plan.month.isoformat()
    for day in days:
        value = date.fromisoformat(day["date"])
        assert day["working"] == is_working_day(value, strict=False)
        assert day["weekday"] == value.weekday()
    assert len(config["weekdays"]) == 7
    assert set(config["warning_labels"]) == {"frequency_not_met", "not_rep_retailer",
                                             "non_working_day", "too_many_stops"}
    assert config["today"] == timezone.localdate().isoformat()


def test_a_plan_of_a_chinese_holiday_month_marks_the_make_up_working_day(personas):
    # 2026-02-14 (Saturday) is a make-up working day, 2026-02-17 (Tuesday) Spring Festival.
    february = make_plan(personas.rep, personas.org.area, date(2026, 2, 1))

    config = json_block(browser_for(personas.rep).get(detail_url(february)), "plan-config")

    working = {day["date"]: day["working"] for day in config["days"]}
    assert working["2026-02-14"] is True
    assert working["2026-02-17"] is False


def test_the_plan_page_carries_the_scripts_strings(personas, plan):
    strings = json_block(browser_for(personas.rep).get(detail_url(plan)), "i18n")

    assert {"network_error", "fix_fields", "version_n", "stops_n", "submitted",
            "approved", "returned", "revised"} <= set(strings)


# --- the team pages ----------------------------------------------------------------


@pytest.mark.parametrize("name", TEAM_PAGES)
@pytest.mark.parametrize("persona", ["manager", "regional_manager", "admin"])
def test_managers_get_the_team_pages(personas, name, persona):
    response = browser_for(getattr(personas, persona)).get(reverse(name))

    assert response.status_code == 200
    config = json_block(response, "team-config")
    assert config["urls"]["summary"] == "/api/visits/team/summary/"
    assert config["urls"]["overdue"] == "/api/visits/team/overdue/"
    assert config["urls"]["problems"] == "/api/visits/problems/"


@pytest.mark.parametrize("name", TEAM_PAGES)
@pytest.mark.parametrize("persona", ["rep", "rep2", "clerk", "finance"])
def test_the_team_pages_refuse_reps_and_the_back_office(personas, name, persona):
    assert browser_for(getattr(personas, persona)).get(reverse(name)).status_code == 403


def test_the_team_pages_list_only_the_readers_reps(personas):
    office = json_block(browser_for(personas.manager).get(reverse("visits:team")),
                        "team-config")
    sibling = json_block(browser_for(personas.sibling_manager).get(reverse("visits:team")),
                         "team-config")

    assert {rep["id"] for rep in office["reps"]} == {personas.rep.pk, personas.rep2.pk}
    assert {rep["id"] for rep in sibling["reps"]} == {personas.sibling_rep.pk}


def test_the_team_page_names_every_missed_visit_reason(personas):
    config = json_block(browser_for(personas.manager).get(reverse("visits:team")),
                        "team-config")

    assert set(config["reasons"]) == {"closed", "owner_absent", "weather", "replanned",
                                      "other", "none"}


@pytest.mark.parametrize("name", ["visits:plans", "visits:team"])
def test_anonymous_visitors_are_sent_to_login(db, name):
    response = Client().get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["visits:plans", "detail", *TEAM_PAGES])
def test_pages_have_no_inline_script_or_style(personas, plan, name):
    url = detail_url(plan) if name == "detail" else reverse(name)

    html = browser_for(personas.manager).get(url).content.decode()

    for attributes in SCRIPT_TAG.findall(html):
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert not re.search(r"\sstyle=", html), "style attribute"


# --- menu and home -----------------------------------------------------------------


def test_the_menu_offers_plans_to_reps_and_the_team_to_managers_only(personas):
    rep = browser_for(personas.rep).get(reverse("home")).content.decode()
    manager = browser_for(personas.manager).get(reverse("home")).content.decode()
    clerk = browser_for(personas.clerk).get(reverse("home")).content.decode()

    assert 'data-testid="nav-plans"' in rep and 'data-testid="nav-team"' not in rep
    assert 'data-testid="nav-plans"' in manager and 'data-testid="nav-team"' in manager
    assert 'data-testid="nav-plans"' not in clerk


def test_the_office_managers_home_links_the_queue_adherence_and_overdue(personas):
    html = browser_for(personas.manager).get(reverse("home")).content.decode()

    assert f'href="{reverse("visits:plans")}" data-testid="home-plans-to-approve"' in html
    assert f'href="{reverse("visits:team")}?period=today"' in html
    assert f'href="{reverse("visits:team-overdue")}"' in html


# --- the problems list's due-date filter (used by the problems page) ------------------


def test_problems_filter_by_due_date_range(personas, shops, client_for):
    today = timezone.localdate()
    due_today = make_problem(shops.a, personas.rep, due=today)
    later = make_problem(shops.b, personas.rep, due=add_months(today.replace(day=1), 2))
    url = "/api/visits/problems/"

    response = client_for(personas.manager).get(
        url, {"due_from": today.isoformat(), "due_to": today.isoformat()})

    assert response.status_code == 200
    assert [row["id"] for row in response.data["results"]] == [due_today.pk]
    response = client_for(personas.manager).get(url, {"due_from": today.isoformat()})
    assert {row["id"] for row in response.data["results"]} == {due_today.pk, later.pk}
