"""The homes: a rep opens the home on a phone and sees today's route and the month so far
(checked against the database); finance opens theirs at a desk. Screenshots of both."""

from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone
from playwright.sync_api import expect

from reports import aggregates
from reports.models import RepDay
from tests.e2e.conftest import login, screenshot, watch
from tests.factories import make_retailer
from tests.reports.reports_support import build_finance
from tests.visits.factories import make_missed, make_plan, make_problem, make_visit
from visits.models import PlanStop, Reminder, VisitPlan


def _rep_month(personas):
    """rep's approved plan: three stops today (one visited on site), and on the 1st of the
    month (when it has passed) a stop visited and one missed with a reason."""
    today = timezone.localdate()
    first = today.replace(day=1)
    area, rep = personas.org.area, personas.rep
    shops = [make_retailer(area, rep, name=name, grade=grade) for name, grade in (
        ("苏果便利", "A"), ("华联超市", "B"), ("红梅烟酒", "C"), ("金陵商店", "A"),
        ("秦淮副食", "B"))]
    stops = [(today, shops[0]), (today, shops[1]), (today, shops[2])]
    if today > first:
        stops += [(first, shops[3]), (first, shops[4])]
    make_plan(rep, area, first, stops=stops)
    make_visit(rep, shops[0], today)
    if today > first:
        make_visit(rep, shops[3], first, competitor_info="对手搞买赠")
        make_missed(rep, shops[4], first)
    make_problem(shops[1], rep, due=today - timedelta(days=1))
    Reminder.objects.create(kind="care_call", rep=rep, retailer=shops[3], due_date=today,
                            occasion="e2e-home")
    aggregates.rep_days_compute(areas=aggregates.rep_areas(node=personas.org.office),
                                first=first, last=today)
    return today, first


def test_rep_sees_todays_route_and_the_month_on_a_phone(live_server, personas, phone_page):
    today, first = _rep_month(personas)
    rep = personas.rep
    todays_stops = PlanStop.objects.filter(plan__rep=rep, date=today).count()
    planned = PlanStop.objects.filter(plan__rep=rep, plan__status=VisitPlan.Status.APPROVED,
                                      plan__month=first).count()
    done = RepDay.objects.filter(rep=rep, day__range=(first, today)).aggregate(
        n=Sum("done"))["n"]
    visits = RepDay.objects.filter(rep=rep, day__range=(first, today)).aggregate(
        n=Sum("visits"))["n"]

    page = phone_page
    problems = watch(page)
    login(page, live_server, rep.username)
    page.goto(f"{live_server.url}/home/")
    expect(page.get_by_test_id("home-route-count")).to_have_text(str(todays_stops))
    expect(page.get_by_test_id("home-route-visited")).to_have_text("1")
    expect(page.get_by_test_id("home-route-left")).to_have_text(str(todays_stops - 1))
    expect(page.get_by_test_id("home-next-stop")).to_have_count(2)
    expect(page.get_by_test_id("home-month-planned")).to_have_text(str(planned))
    expect(page.get_by_test_id("home-month-done")).to_have_text(str(done))
    expect(page.get_by_test_id("home-month-visits")).to_have_text(str(visits))
    expect(page.get_by_test_id("home-problems-open")).to_have_text("1")
    expect(page.get_by_test_id("home-problems-overdue")).to_contain_text("1")
    expect(page.get_by_test_id("home-reminders-count")).to_contain_text("1")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]
    screenshot(page, "rep-home")
    assert problems.all() == []

    page.get_by_test_id("home-reports").click()
    expect(page.get_by_test_id("report-page")).to_be_visible()
    expect(page.get_by_test_id("total-visits")).to_have_text(str(visits))
    assert problems.all() == []


def test_finance_sees_statements_advances_and_failed_checks(live_server, personas,
                                                            desktop_page):
    build_finance(personas)
    page = desktop_page
    problems = watch(page)
    login(page, live_server, personas.finance.username)
    page.goto(f"{live_server.url}/home/")
    expect(page.get_by_test_id("home-deadline-overdue")).to_have_text("1")
    expect(page.get_by_test_id("home-waiting")).to_have_count(2)
    expect(page.get_by_test_id("home-advance")).to_have_count(2)
    expect(page.get_by_test_id("home-at-cap")).to_have_text("1")
    expect(page.get_by_test_id("home-spot-row")).to_contain_text("店主称未收到礼品")
    expect(page.get_by_test_id("home-status")).to_have_count(3)
    screenshot(page, "finance-home")
    assert problems.all() == []
