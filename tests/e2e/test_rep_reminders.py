"""Care reminders on a phone: the rep sees today's count on the home page, opens the list,
marks one done (a care call is logged) and skips another with a reason."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import login, screenshot, watch
from tests.factories import make_retailer
from visits.models import Reminder, Visit


def test_rep_closes_todays_reminders_on_a_phone(live_server, personas, phone_page):
    today = timezone.localdate()
    area, rep = personas.org.area, personas.rep
    call = Reminder.objects.create(kind="care_call", rep=rep, due_date=today,
                                   retailer=make_retailer(area, rep, name="苏果便利", grade="A"),
                                   occasion="e2e-1")
    festival = Reminder.objects.create(kind="holiday", rep=rep, detail="mid_autumn",
                                       due_date=today - timedelta(days=1),
                                       event_date=today + timedelta(days=2),
                                       retailer=make_retailer(area, rep, name="华联超市"),
                                       occasion="e2e-2")
    Reminder.objects.create(kind="care_call", rep=rep, due_date=today + timedelta(days=3),
                            retailer=make_retailer(area, rep, name="later"), occasion="e2e-3")

    page = phone_page
    problems = watch(page)
    login(page, live_server, rep.username)
    page.goto(f"{live_server.url}/home/")
    card = page.get_by_test_id("home-reminders")
    expect(card.get_by_test_id("home-reminders-count")).to_contain_text("2")
    card.get_by_test_id("home-reminders-open").click()

    rows = page.get_by_test_id("reminder-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("华联超市")  # overdue first
    screenshot(page, "rep-reminders-today")
    rows.filter(has_text="苏果便利").get_by_test_id("reminder-done").click()
    expect(page.get_by_test_id("reminder-notice")).to_contain_text("苏果便利")
    expect(rows).to_have_count(1)

    rows.first.get_by_test_id("reminder-skip").click()
    rows.first.get_by_test_id("skip-confirm").click()  # no reason yet: refused, named
    expect(rows.first.locator(".field-error").first).to_be_visible()
    rows.first.get_by_test_id("skip-reason").select_option("unreachable")
    rows.first.get_by_test_id("skip-confirm").click()
    expect(page.get_by_test_id("reminders-empty")).to_be_visible()

    page.get_by_test_id("tab-upcoming").click()
    expect(rows).to_have_count(1)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]

    call.refresh_from_db()
    festival.refresh_from_db()
    assert call.status == "done" and call.done_visit.kind == Visit.Kind.CARE_CALL
    assert (festival.status, festival.skip_reason) == ("skipped", "unreachable")
    assert [p for p in problems.all() if "status of 400" not in p] == []
