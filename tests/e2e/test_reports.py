"""Reports in a browser: an office manager reads last months' team report at a desk,
opens a rep's report, is refused a ten-year range with the field named, and reads the
早夕会 view on a phone. Screenshots of each."""

from django.db.models import Sum
from playwright.sync_api import expect

from reports.models import RepDay
from tests.e2e.conftest import login, screenshot, watch
from tests.reports.reports_support import build_month


def test_manager_reads_the_team_report_and_a_reps(live_server, personas, desktop_page):
    month = build_month(personas)
    office = personas.org.office
    visits = RepDay.objects.filter(node_path__startswith=office.path,
                                   day__range=(month.first, month.last)).aggregate(
        n=Sum("visits"))["n"]
    page = desktop_page
    problems = watch(page)
    login(page, live_server, personas.manager.username)
    page.goto(f"{live_server.url}/reports/monthly/?month={month.first:%Y-%m}")
    expect(page.get_by_test_id("report-row")).to_have_count(2)
    expect(page.get_by_test_id("total-visits")).to_have_text(str(visits))
    expect(page.get_by_test_id("total-adherence")).to_have_text("40%")
    expect(page.get_by_test_id("total-coverage")).to_have_text("100%")
    screenshot(page, "reports-monthly-team")

    page.get_by_test_id("report-row").filter(has_text=personas.rep.name).locator("a").click()
    expect(page.get_by_test_id("rep-report")).to_be_visible()
    expect(page.get_by_test_id("report-visit")).to_have_count(3)
    expect(page.get_by_test_id("report-day")).to_have_count(2)
    screenshot(page, "reports-monthly-rep")
    assert problems.all() == []

    page.goto(f"{live_server.url}/reports/range/?first=2016-01-01&last=2025-12-31")
    expect(page.get_by_test_id("error-last")).to_contain_text("366")
    expect(page.get_by_test_id("report-row")).to_have_count(0)
    screenshot(page, "reports-range-refused")
    # The refusal is the API's 400, which the browser logs; nothing else went wrong.
    assert [p for p in problems.all() if "status of 400" not in p] == []


def test_manager_reads_the_meeting_view_on_a_phone(live_server, personas, phone_page):
    month = build_month(personas)
    page = phone_page
    problems = watch(page)
    login(page, live_server, personas.manager.username)
    page.goto(f"{live_server.url}/reports/meeting/?date={month.d1}")
    expect(page.get_by_test_id("meeting-rep")).to_have_count(2)
    expect(page.get_by_test_id("meeting-visits")).to_have_text("2")
    expect(page.get_by_test_id("meeting-info-lines").first).to_contain_text("对手降价两元")
    expect(page.get_by_test_id("meeting-problem")).to_contain_text("送货晚了两天")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]
    screenshot(page, "reports-meeting")
    assert problems.all() == []
