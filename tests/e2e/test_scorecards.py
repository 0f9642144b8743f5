"""Scorecard pages: an office manager reads the team's month (with the A→B warning) at a
desktop; the rep opens a retailer's scorecard on a phone and sees the three indicators
with every part's points, the monthly trend and the grade history."""

from datetime import date

from playwright.sync_api import expect

from grading.models import GradeHistory
from grading.scorecards import rep_scorecards_compute, retailer_scorecards_compute
from kehu.models import KeyPerson
from tests.e2e.conftest import login, screenshot, watch
from tests.factories import make_retailer
from tests.visits.factories import make_visit
from visits.models import Visit


def test_manager_reads_the_team_and_rep_reads_a_retailer(live_server, personas, desktop_page,
                                                        phone_page):
    area, rep = personas.org.area, personas.rep
    shop = make_retailer(area, rep, name="苏果便利", grade="B")
    KeyPerson.objects.create(retailer=shop, role="owner", name="老板", phone="13800138000",
                             family="一个女儿")
    make_visit(rep, shop, date(2026, 10, 12), competitor_info="对手降价")
    make_visit(rep, shop, date(2026, 10, 13), kind=Visit.Kind.CARE_CALL)
    GradeHistory.objects.create(retailer=shop, old_grade="A", new_grade="B",
                                computed_grade="B", source="nightly",
                                business_date=date(2026, 10, 14))
    retailer_scorecards_compute(node=personas.org.office, as_of=date(2026, 9, 30))
    retailer_scorecards_compute(node=personas.org.office, as_of=date(2026, 10, 20))
    rep_scorecards_compute(node=personas.org.office, month=date(2026, 10, 1),
                           today=date(2026, 10, 21))

    page = desktop_page
    problems = watch(page)
    login(page, live_server, personas.manager.username)
    page.goto(f"{live_server.url}/grading/scorecards/?month=2026-10-01")
    cards = page.get_by_test_id("rep-scorecard")
    expect(cards).to_have_count(2)
    mine = cards.filter(has_text=rep.name)
    expect(mine.get_by_test_id("a-to-b-warning")).to_be_visible()
    expect(mine.get_by_test_id("metric-visits")).to_have_text("2")
    screenshot(page, "manager-rep-scorecards")
    assert problems.all() == []

    page = phone_page
    problems = watch(page)
    login(page, live_server, rep.username)
    page.goto(f"{live_server.url}/grading/scorecards/retailers/{shop.pk}/")
    scores = page.get_by_test_id("indicator-score")
    expect(scores).to_have_count(3)
    # closeness: owner 15 + phone 10 + family 20 + one care call 10 = 55
    expect(scores.first).to_have_text("55")
    expect(page.get_by_test_id("scorecard-trend").locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("grade-change")).to_contain_text("A → B")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]
    screenshot(page, "rep-retailer-scorecard")
    assert problems.all() == []
