"""The managers' dashboards in Chromium.

An office manager opens the dashboard on a phone and at a desk: the figures are the API's
(the overdue retailers are the scorecards' sum), the charts are drawn, and the overdue
figure drills into the team's overdue list, which counts the same retailers. A regional
manager sees the offices side by side. A screenshot of each dashboard is saved."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from expenses.models import MonthlyStatement
from grading.models import GradeHistory, RepScorecard
from grading.scorecards import rep_scorecards_compute
from reports.aggregates import area_grades_compute, rep_days_fill
from tests.e2e.conftest import login, screenshot, watch
from tests.expenses import factories as expense_factories
from tests.factories import make_retailer
from tests.visits.factories import make_plan, make_problem, make_visit
from visits.models import Visit


@pytest.fixture
def team_day(personas):
    """Today: rep has four stops (two done, one far and without GPS: one flagged check-in,
    not two), rep2 a phone visit; shops never visited are overdue; one problem is
    overdue; a shop moved A → B this month."""
    today = timezone.localdate()
    month = today.replace(day=1)
    area, rep = personas.org.area, personas.rep
    shops = [make_retailer(area, rep, name=f"{name}店", grade=grade)
             for name, grade in (("甲", "A"), ("乙", "A"), ("丙", "B"), ("丁", "C"))]
    other = [make_retailer(area, personas.rep2, name=f"{name}超市", grade="B")
             for name in ("戊", "己", "庚")]
    sibling = make_retailer(personas.org.sibling_area, personas.sibling_rep, grade="A")
    make_plan(rep, area, month, stops=[(today, shop) for shop in shops])
    make_visit(rep, shops[0], today, far_from_store=True, gps_missing=True)
    make_visit(rep, shops[1], today)
    make_visit(personas.rep2, other[0], today, kind=Visit.Kind.PHONE)
    make_visit(personas.sibling_rep, sibling, today)
    make_problem(shops[2], rep, due=today - timedelta(days=3))
    GradeHistory.objects.create(retailer=shops[1], old_grade="A", new_grade="B",
                                computed_grade="B", source="nightly", business_date=today)
    for office in (personas.org.office, personas.org.sibling_office):
        rep_scorecards_compute(node=office, month=month, today=today)
    rep_days_fill(node=personas.org.company, first=month, last=today)
    area_grades_compute(node=personas.org.company, as_of=today)
    return today


def open_dashboard(page: Page, live_server, username: str, period: str = "month") -> Page:
    login(page, live_server, username)
    page.goto(f"{live_server.url}/reports/dashboard/?period={period}")
    expect(page.get_by_test_id("dashboard-page")).to_have_attribute("data-state", "ready")
    return page


def overdue_expected(personas) -> int:
    return sum(RepScorecard.objects.filter(area__path__startswith=personas.org.office.path,
                                           month=timezone.localdate().replace(day=1))
               .values_list("overdue", flat=True))


def test_office_manager_on_a_phone(personas, team_day, live_server, phone_page):
    problems = watch(phone_page)
    open_dashboard(phone_page, live_server, "manager", period="today")
    expect(phone_page.get_by_test_id("figure-visits")).to_have_text("3")
    expect(phone_page.get_by_test_id("figure-adherence")).to_have_text("50%")
    expect(phone_page.get_by_test_id("figure-flagged")).to_have_text("1")
    expect(phone_page.get_by_test_id("figure-overdue")).to_have_text(
        str(overdue_expected(personas)))
    expect(phone_page.get_by_test_id("rep-card")).to_have_count(2)
    expect(phone_page.locator("[data-testid=chart-reps] canvas")).to_have_count(1)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the dashboard scrolls sideways: {width}px"
    screenshot(phone_page, "dashboard-office-phone")
    assert problems.all() == []


def test_office_manager_at_a_desk_drills_into_overdue_retailers(personas, team_day,
                                                                live_server, desktop_page):
    problems = watch(desktop_page)
    open_dashboard(desktop_page, live_server, "manager")
    expected = overdue_expected(personas)
    assert expected > 0
    overdue = desktop_page.get_by_test_id("figure-overdue")
    expect(overdue).to_have_text(str(expected))
    expect(desktop_page.get_by_test_id("figure-a-to-b")).to_have_text("1")
    expect(desktop_page.get_by_test_id("rep-row")).to_have_count(2)
    expect(desktop_page.locator("[data-testid=chart-daily] canvas")).to_have_count(1)
    screenshot(desktop_page, "dashboard-office-desktop")
    with desktop_page.expect_navigation():
        desktop_page.get_by_test_id("figure-overdue-link").click()
    expect(desktop_page.get_by_test_id("team-overdue-page")).to_be_visible()
    expect(desktop_page.get_by_test_id("overdue-count")).to_have_text(str(expected))
    expect(desktop_page.get_by_test_id("overdue-row")).to_have_count(expected)
    assert problems.all() == []


def test_regional_manager_sees_offices_side_by_side(personas, team_day, live_server,
                                                    desktop_page):
    problems = watch(desktop_page)
    open_dashboard(desktop_page, live_server, "regional", period="today")
    expect(desktop_page.get_by_test_id("office-row")).to_have_count(2)
    expect(desktop_page.get_by_test_id("figure-visits")).to_have_text("4")
    expect(desktop_page.locator("[data-testid=chart-offices] canvas")).to_have_count(1)
    expect(desktop_page.locator("[data-testid=chart-grades] canvas")).to_have_count(1)
    screenshot(desktop_page, "dashboard-regional")
    assert problems.all() == []


def test_regional_manager_drills_into_one_offices_flagged_check_ins(personas, team_day,
                                                                    live_server, desktop_page):
    """At one office (node picker) the flagged figure opens that office's flagged
    check-ins, as many as the figure says, and the list says which node it keeps to."""
    problems = watch(desktop_page)
    open_dashboard(desktop_page, live_server, "regional", period="today")
    office = personas.org.office
    desktop_page.get_by_test_id("node-picker").select_option(str(office.pk))
    expect(desktop_page.get_by_test_id("figure-visits")).to_have_text("3")
    expect(desktop_page.get_by_test_id("figure-flagged")).to_have_text("1")
    with desktop_page.expect_navigation():
        desktop_page.get_by_test_id("figure-flagged-link").click()
    expect(desktop_page.get_by_test_id("team-flagged-page")).to_be_visible()
    expect(desktop_page.get_by_test_id("team-node")).to_contain_text(office.name)
    expect(desktop_page.get_by_test_id("flagged-row")).to_have_count(1)
    expect(desktop_page.get_by_test_id("flagged-count")).to_have_text("1")
    row = desktop_page.get_by_test_id("flagged-row")
    expect(row.locator("[data-flag=far]")).to_be_visible()
    expect(row.locator("[data-flag=no_gps]")).to_be_visible()
    with desktop_page.expect_navigation():
        desktop_page.get_by_test_id("tab-adherence").click()
    expect(desktop_page.get_by_test_id("adherence-row")).to_have_count(2)  # not the sibling's
    assert problems.all() == []


def test_regional_manager_drills_from_one_office_into_scorecards_and_statements(
        personas, team_day, live_server, desktop_page):
    """At one office the statements figure opens the review queue of that office (as many
    statements waiting as the figure, not the sibling office's too) and the grade moves
    open the scorecards of that office's reps only."""
    checked = MonthlyStatement.Status.CLERK_CHECKED
    month = (team_day.replace(day=1) - timedelta(days=1)).replace(day=1)
    expense_factories.make_statement(personas.rep, personas.org.area, month, status=checked,
                                     clerk=personas.clerk)
    expense_factories.make_statement(personas.sibling_rep, personas.org.sibling_area, month,
                                     status=checked, clerk=personas.clerk)
    problems = watch(desktop_page)
    page = open_dashboard(desktop_page, live_server, "regional")
    expect(page.get_by_test_id("figure-statements")).to_have_text("2")
    office = personas.org.office
    page.get_by_test_id("node-picker").select_option(str(office.pk))
    expect(page.get_by_test_id("figure-statements")).to_have_text("1")
    with page.expect_navigation():
        page.locator("[data-figure=statements]").click()
    expect(page.get_by_test_id("review-node")).to_contain_text(office.name)
    expect(page.get_by_test_id("queue-count")).to_have_text("1")
    expect(page.get_by_test_id("queue-row")).to_have_count(1)
    expect(page.get_by_test_id("queue-row")).to_contain_text(personas.rep.name)
    page.go_back()
    expect(page.get_by_test_id("dashboard-page")).to_have_attribute("data-state", "ready")
    expect(page.get_by_test_id("figure-statements")).to_have_text("1")
    with page.expect_navigation():
        page.locator("[data-figure=grade-moves]").click()
    expect(page.get_by_test_id("scorecards-node")).to_contain_text(office.name)
    expect(page.get_by_test_id("rep-scorecard")).to_have_count(2)  # not the sibling rep's
    expect(page.get_by_test_id("rep-scorecard").filter(
        has_text=personas.sibling_rep.name)).to_have_count(0)
    assert problems.all() == []
