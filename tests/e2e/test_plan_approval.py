"""Monthly plan approval in the browser.

A rep on a phone has next month's draft proposed, opens a day in the calendar, gives a
stop its objective and submits the plan. The office manager at a desktop (a separate
browser context) finds it in the approval queue and approves it. The rep's plan is then
locked; changing it opens version 2 (a draft) and the history lists both versions. A
visit done on a planned day (made through the visit service, dated on that day) moves
the manager's adherence figures: the page and the selector agree before and after, and
the approved version 1 is what counts.

A second test: a manager who drafted a rep's plan himself may not approve it; the page
shows the back end's refusal and the plan stays submitted.
"""

import uuid
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.workdays import month_end
from kehu.models import Retailer
from kehu.selectors import add_months
from tests.e2e.conftest import login, screenshot, watch
from tests.factories import make_retailer
from visits import services
from visits.models import PlanStop, Visit, VisitPlan
from visits.selectors.common import policy_for_node
from visits.selectors.team import Period, team_summary


def next_month():
    return add_months(timezone.localdate().replace(day=1), 1)


@pytest.fixture
def rep_shops(personas):
    area, rep = personas.org.area, personas.rep
    shops = [
        make_retailer(area, rep, name="甲便利店", grade="A", latitude="32.058000",
                      longitude="118.796000"),
        make_retailer(area, rep, name="乙超市", grade="B", latitude="32.060000",
                      longitude="118.800000"),
        make_retailer(area, rep, name="丙烟酒店", grade="C", latitude="32.050000",
                      longitude="118.790000"),
    ]
    # Established customers, not new ones (those are planned weekly at first: 前密后疏).
    Retailer.objects.filter(pk__in=[s.pk for s in shops]).update(
        created_at=timezone.now() - timedelta(days=400))
    return shops


def assert_no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page scrolls sideways: {width}px"


def summary_row(manager, rep, month) -> dict:
    period = Period(month, month_end(month), timezone.localdate())
    policy = policy_for_node(VisitPlan.objects.filter(rep=rep).first().area)
    return next(row for row in team_summary(manager, policy, period)["reps"]
                if row["rep"] == rep.pk)


def open_adherence(page: Page, live_server, month) -> None:
    page.goto(f"{live_server.url}/visits/plans/team/?month={month:%Y-%m}")
    expect(page.get_by_test_id("period-range")).to_contain_text(month.isoformat())


def test_rep_submits_next_months_plan_manager_approves_and_adherence_moves(
        live_server, personas, rep_shops, phone_page, desktop_page):
    month = next_month()
    rep, manager = personas.rep, personas.manager

    # --- the rep, on a phone: propose, adjust a day, submit ---
    phone = phone_page
    phone_problems = watch(phone)
    login(phone, live_server, rep.username)
    phone.goto(f"{live_server.url}/visits/plans/")
    card = phone.locator(f"[data-testid=month-card][data-month='{month.isoformat()}']")
    expect(card.get_by_test_id("propose-plan")).to_be_visible()
    card.get_by_test_id("propose-plan").click()
    phone.wait_for_url("**/visits/plans/*/")
    expect(phone.get_by_test_id("plan-status")).to_have_attribute("data-status", "draft")

    plan = VisitPlan.objects.get(rep=rep, month=month)
    assert plan.status == VisitPlan.Status.DRAFT and plan.version == 1
    # A weekly, B fortnightly, C monthly: 4 (or 5) + 2 + 1 visits proposed.
    counts = {shop.pk: plan.stops.filter(retailer=shop).count() for shop in rep_shops}
    assert counts[rep_shops[0].pk] >= 4 and counts[rep_shops[1].pk] >= 2
    assert counts[rep_shops[2].pk] == 1
    expect(phone.get_by_test_id("plan-stop-count")).to_contain_text(str(plan.stops.count()))

    first = plan.stops.order_by("date", "position").first()
    phone.locator(f"[data-testid=cal-day][data-date='{first.date.isoformat()}']").click()
    day_stops = phone.get_by_test_id("day-panel").get_by_test_id("plan-stop")
    expect(day_stops).to_have_count(plan.stops.filter(date=first.date).count())
    objective = day_stops.first.get_by_test_id("stop-objective")
    objective.fill("推新品，检查陈列")
    with phone.expect_response(lambda r: "/api/visits/plan-stops/" in r.url
                               and r.request.method == "PATCH") as patched:
        objective.blur()
    assert patched.value.status == 200
    expect(phone.get_by_test_id("plan-stop").first.get_by_test_id("stop-objective")) \
        .to_have_value("推新品，检查陈列")
    assert PlanStop.objects.filter(plan=plan, objective="推新品，检查陈列").count() == 1
    assert_no_sideways_scroll(phone)
    screenshot(phone, "plans-rep-draft-phone")

    phone.get_by_test_id("submit-plan").click()
    expect(phone.get_by_test_id("plan-status")).to_have_attribute("data-status", "submitted")
    expect(phone.get_by_test_id("submitted-box")).to_be_visible()
    expect(phone.get_by_test_id("stop-objective")).to_have_count(0)  # the rep's hands off
    plan.refresh_from_db()
    assert plan.status == VisitPlan.Status.SUBMITTED and plan.submitted_at

    # --- the office manager, at a desk: the queue, review, approve ---
    desk = desktop_page
    desk_problems = watch(desk)
    login(desk, live_server, manager.username)
    desk.goto(f"{live_server.url}/visits/plans/")
    waiting = desk.locator(f"[data-testid=waiting-plan][data-plan='{plan.pk}']")
    expect(waiting).to_be_visible()
    expect(desk.get_by_test_id("waiting-count")).to_have_text("1")
    waiting.locator("a").click()
    desk.wait_for_url(f"**/visits/plans/{plan.pk}/")
    expect(desk.get_by_test_id("review-box")).to_be_visible()
    expect(desk.locator("[data-testid=cal-day]:not(.blank)")).to_have_count(month_end(month).day)
    desk.get_by_test_id("decision-note").fill("同意，甲便利店每周一次")
    desk.get_by_test_id("approve-plan").click()
    expect(desk.get_by_test_id("plan-status")).to_have_attribute("data-status", "approved")
    expect(desk.get_by_test_id("approved-box")).to_contain_text("同意，甲便利店每周一次")
    plan.refresh_from_db()
    assert (plan.status, plan.decided_by_id) == (VisitPlan.Status.APPROVED, manager.pk)
    screenshot(desk, "plans-manager-approved-desk")

    # --- the rep: locked; a change opens version 2, the history keeps both ---
    phone.reload()
    expect(phone.get_by_test_id("plan-status")).to_have_attribute("data-status", "approved")
    expect(phone.get_by_test_id("approved-box")).to_contain_text("同意，甲便利店每周一次")
    expect(phone.get_by_test_id("submit-plan")).to_have_count(0)
    expect(phone.get_by_test_id("stop-objective")).to_have_count(0)
    phone.get_by_test_id("revise-plan").click()
    phone.wait_for_url(lambda url: f"/visits/plans/{plan.pk}/" not in url)
    expect(phone.get_by_test_id("plan-status")).to_have_attribute("data-status", "draft")
    versions = phone.get_by_test_id("version")
    expect(versions).to_have_count(2)
    expect(versions.nth(0)).to_have_attribute("data-status", "approved")
    expect(versions.nth(1)).to_have_attribute("data-status", "draft")
    revision = VisitPlan.objects.get(rep=rep, month=month, version=2)
    assert revision.previous_id == plan.pk and revision.stops.count() == plan.stops.count()
    screenshot(phone, "plans-rep-version-2-phone")

    # --- adherence: a visit on a planned day moves the manager's figures ---
    open_adherence(desk, live_server, month)
    row = desk.locator(f"[data-testid=adherence-row][data-rep='{rep.pk}']")
    before = summary_row(manager, rep, month)
    assert (before["planned"], before["done"]) == (plan.stops.count(), 0)
    assert before["adherence_pct"] is None
    expect(row.get_by_test_id("planned")).to_have_text(str(before["planned"]))
    expect(row.get_by_test_id("done")).to_have_text("0")
    expect(row.get_by_test_id("adherence")).to_have_text("—")

    shop = first.retailer
    on_the_day = timezone.make_aware(datetime.combine(first.date, time(10, 0)))
    visit, created = services.visit_check_in(
        actor=rep, retailer=shop, client_id=uuid.uuid4(), latitude=shop.latitude,
        longitude=shop.longitude, accuracy_m=10, now=on_the_day)
    assert created and visit.visit_date == first.date and visit.kind == Visit.Kind.ON_SITE

    after = summary_row(manager, rep, month)
    assert (after["planned"], after["done"]) == (before["planned"], 1)
    assert after["adherence_pct"] == 100.0
    assert after["pending"] == before["pending"] - 1
    open_adherence(desk, live_server, month)
    expect(row.get_by_test_id("done")).to_have_text("1")
    expect(row.get_by_test_id("adherence")).to_have_text("100%")
    expect(row.get_by_test_id("pending")).to_have_text(str(after["pending"]))
    expect(desk.get_by_test_id("total-done")).to_contain_text("1")
    screenshot(desk, "plans-team-adherence-desk")

    assert phone_problems.all() == [], phone_problems.all()
    assert desk_problems.all() == [], desk_problems.all()


def test_a_manager_cannot_approve_a_plan_he_drafted_and_the_page_says_why(
        live_server, personas, rep_shops, desktop_page):
    month = next_month()
    plan = services.plan_propose(rep=personas.rep, month=month, actor=personas.manager)
    services.plan_submit(plan=plan, actor=personas.rep)

    desk = desktop_page
    login(desk, live_server, personas.manager.username)
    desk.goto(f"{live_server.url}/visits/plans/{plan.pk}/")
    expect(desk.get_by_test_id("plan-status")).to_have_attribute("data-status", "submitted")
    with desk.expect_response(lambda r: r.url.endswith(f"/plans/{plan.pk}/approve/")) as answer:
        desk.get_by_test_id("approve-plan").click()
    assert answer.value.status == 400
    assert "plan" in answer.value.json()

    error = desk.get_by_test_id("decision-error")
    expect(error).to_be_visible()
    expect(error).to_have_text(answer.value.json()["plan"][0])
    expect(desk.get_by_test_id("plan-status")).to_have_attribute("data-status", "submitted")
    plan.refresh_from_db()
    assert plan.status == VisitPlan.Status.SUBMITTED and plan.decided_by_id is None
