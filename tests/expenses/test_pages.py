"""The 客情费 pages (/expenses/…): who opens which, what they carry for the scripts (the
API's role sets, URLs, the working days ahead), scoping of the statement page, and that
they stay inside the strict CSP (no inline code, every script a static module)."""

import json
import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import CalendarYear
from expenses import views
from expenses.models import MonthlyStatement
from tests.expenses import factories as f

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
PAGES = {
    "claims": ["rep"],
    "statement": ["rep"],
    "pre-approvals": ["rep", "manager", "regional_manager", "admin"],
    "review": ["clerk", "manager", "regional_manager", "finance", "admin"],
    "advances": ["finance", "admin"],
    "spot-checks": ["manager", "regional_manager", "finance", "admin"],
}
PERSONAS = ["rep", "manager", "regional_manager", "clerk", "finance", "admin"]


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


def assert_no_inline_script(response) -> None:
    for attributes in SCRIPT_TAG.findall(response.content.decode()):
        assert "application/json" in attributes or "src=" in attributes, attributes
    assert " style=" not in response.content.decode()


@pytest.mark.parametrize(("page", "persona"),
                         [(page, persona) for page, allowed in PAGES.items()
                          for persona in allowed])
def test_each_role_opens_its_expenses_pages(personas, page, persona, clock):
    clock(date(2026, 11, 3))
    response = browser_for(getattr(personas, persona)).get(reverse(f"expenses:{page}"))

    assert response.status_code == 200
    config = json_block(response, "expenses-config")
    assert config["urls"]["statements"] == "/api/expenses/statements/"
    assert config["urls"]["detail_page"] == "/expenses/statements/{id}/"
    assert_no_inline_script(response)
    assert f'src="/static/js/expenses/{page}.js"' in response.content.decode()


@pytest.mark.parametrize(("page", "persona"),
                         [(page, persona) for page, allowed in PAGES.items()
                          for persona in PERSONAS if persona not in allowed])
def test_a_page_for_other_roles_is_forbidden(personas, page, persona):
    response = browser_for(getattr(personas, persona)).get(reverse(f"expenses:{page}"))

    assert response.status_code == 403


def test_anonymous_users_are_sent_to_the_login(db):
    response = Client().get(reverse("expenses:claims"))

    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize(("persona", "target"), [
    ("rep", "expenses:claims"), ("clerk", "expenses:review"), ("finance", "expenses:review"),
    ("manager", "expenses:review")])
def test_the_expenses_entry_sends_each_role_to_its_page(personas, persona, target):
    response = browser_for(getattr(personas, persona)).get(reverse("expenses:home"))

    assert response.status_code == 302 and response["Location"] == reverse(target)


@pytest.mark.parametrize(("persona", "steps", "can_pay", "can_spot_check"), [
    ("rep", [], False, False),
    ("clerk", ["clerk_check"], False, False),
    ("manager", ["manager_approve"], False, True),
    ("regional_manager", ["manager_approve"], False, True),
    ("finance", ["finance_approve"], True, False),
    ("admin", [], False, False),
])
def test_the_pages_offer_each_role_the_steps_the_api_lets_it_sign(
        personas, persona, steps, can_pay, can_spot_check):
    abilities = views.abilities(getattr(personas, persona))

    assert [step["name"] for step in abilities["steps"]] == steps
    assert abilities["can_pay"] is can_pay
    assert abilities["can_spot_check"] is can_spot_check
    sources = {"clerk_check": "submitted", "manager_approve": "clerk_checked",
               "finance_approve": "manager_approved"}
    assert [step["source"] for step in abilities["steps"]] == [sources[s] for s in steps]


def test_the_statement_page_of_a_rep_in_scope_opens_with_its_export_link(personas, clock):
    clock(date(2026, 10, 9))
    statement = f.make_statement(personas.rep, personas.org.area)

    for persona in ("rep", "clerk", "manager", "finance", "admin"):
        response = browser_for(getattr(personas, persona)).get(
            reverse("expenses:statement-detail", args=[statement.pk]))
        assert response.status_code == 200, persona
        config = json_block(response, "expenses-config")
        assert config["statement_id"] == statement.pk
        assert config["export_url"] == f"/api/expenses/statements/{statement.pk}/export/"
        assert_no_inline_script(response)


@pytest.mark.parametrize("persona", ["rep2", "sibling_rep", "sibling_manager"])
def test_another_reps_or_offices_statement_page_is_404(personas, persona):
    statement = f.make_statement(personas.rep, personas.org.area)

    response = browser_for(getattr(personas, persona)).get(
        reverse("expenses:statement-detail", args=[statement.pk]))

    assert response.status_code == 404


def test_the_pages_carry_the_statutory_working_days_around_today(personas, clock):
    clock(date(2026, 10, 9))
    config = json_block(browser_for(personas.clerk).get(reverse("expenses:review")),
                        "expenses-config")

    days = config["workdays"]["days"]
    assert config["workdays"]["today"] == "2026-10-09"
    # National Day 2026: 1–7 Oct off, the make-up Saturday 10 Oct is a working day.
    assert "2026-10-05" not in days and "2026-10-10" in days and "2026-10-11" not in days
    assert days[0] == "2026-09-01" and config["workdays"]["until"] == "2026-12-31"


def test_past_the_calendar_the_pages_stop_counting_instead_of_guessing(personas, clock):
    assert not CalendarYear.objects.filter(year=2027).exists()
    clock(date(2026, 12, 3))
    config = json_block(browser_for(personas.clerk).get(reverse("expenses:review")),
                        "expenses-config")

    assert config["workdays"]["until"] == "2026-12-31"
    assert not any(day.startswith("2027") for day in config["workdays"]["days"])


def test_the_rep_pages_default_to_this_month_for_lines_and_last_month_for_the_statement(
        personas, clock):
    clock(date(2026, 11, 3))
    client = browser_for(personas.rep)

    claims = json_block(client.get(reverse("expenses:claims")), "expenses-config")
    statement = json_block(client.get(reverse("expenses:statement")), "expenses-config")

    assert claims["month"] == "2026-11" and claims["today"] == "2026-11-03"
    assert statement["month"] == "2026-10"
    assert claims["months"][:2] == ["2026-11", "2026-10"]
    assert {c["value"] for c in claims["categories"]} == {
        "gift", "meal", "event", "new_customer", "other"}


def test_the_review_page_lists_every_statement_status_for_its_filter(personas):
    response = browser_for(personas.finance).get(reverse("expenses:review"))

    config = json_block(response, "expenses-config")
    assert [c["value"] for c in config["statuses"]] == list(MonthlyStatement.Status.values)
    assert 'x-data="reviewQueue"' in response.content.decode()


def test_the_home_pages_link_to_the_expenses_pages(personas):
    for persona, link in [("rep", reverse("expenses:claims")),
                          ("clerk", reverse("expenses:review")),
                          ("manager", reverse("expenses:spot-checks")),
                          ("finance", reverse("expenses:advances"))]:
        response = browser_for(getattr(personas, persona)).get(reverse("home"))
        assert f'href="{link}"' in response.content.decode(), persona


@pytest.mark.parametrize(("query", "expected"), [("?month=2026-09", "2026-09"),
                                                 ("?month=2026-13", "2026-10"),
                                                 ("?month=<x>", "2026-10")])
def test_the_statement_page_takes_a_month_from_the_address_or_falls_back(
        personas, clock, query, expected):
    clock(date(2026, 11, 3))
    response = browser_for(personas.rep).get(reverse("expenses:statement") + query)

    assert json_block(response, "expenses-config")["month"] == expected


def test_the_review_page_takes_the_node_and_refuses_one_outside_the_scope(personas):
    """As the team pages: the dashboards' drill-downs open the review queue at a node the
    reader may see (the script sends it with both lists); any other node, or a malformed
    one, is a 404."""
    manager = browser_for(personas.manager)
    area2 = personas.org.area2
    response = manager.get(reverse("expenses:review"), {"node": area2.pk})
    assert response.status_code == 200
    assert json_block(response, "expenses-config")["node"] == {"id": area2.pk,
                                                               "name": area2.name}
    assert 'data-testid="review-node"' in response.content.decode()
    assert json_block(manager.get(reverse("expenses:review")), "expenses-config")["node"] is None
    for bad in (personas.org.sibling_office.pk, personas.org.region.pk, "x"):
        assert manager.get(reverse("expenses:review"), {"node": bad}).status_code == 404
