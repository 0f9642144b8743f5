"""A rep on a phone finds a retailer by pinyin initials, opens its card (trend chart, map,
checklist) and ticks a criterion; the office manager confirms it on a desktop and the
relationship level rises. A new shop next to an existing one with the same name shows
the side-by-side duplicate view and is created only with a reason.

Map tiles: the card uses the default OpenStreetMap tile URL; these tests answer every
tile request with a small grey PNG (page.route), so they never touch the network and a
missing tile can't show up as a console error. watch() asserts no console errors.
"""

import base64
import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from kehu.criteria import CRITERIA
from kehu.models import (
    KeyPerson,
    MonthlyFact,
    PersonalDataRead,
    RelationshipCriterion,
    RelationshipTick,
    Retailer,
)
from kehu.selectors import add_months, month_start
from tests.e2e.conftest import login, screenshot, watch
from tests.factories import make_retailer

# A 1x1 grey PNG stands in for every map tile.
TILE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGPo6OgAAAMEAYFL09IQAAAAAElFTkSuQmCC")
OSM_TILES = re.compile(r"^https://([a-z]\.)?tile\.openstreetmap\.org/")
HUALIAN = {"latitude": Decimal("32.060255"), "longitude": Decimal("118.796877")}


def serve_blank_tiles(page: Page) -> None:
    page.route(OSM_TILES, lambda route: route.fulfill(status=200, content_type="image/png",
                                                      body=TILE_PNG))


@pytest.fixture
def criteria(db):
    """The checklist rows (a transactional test database loses migration-seeded rows)."""
    for position, (level, code, label) in enumerate(CRITERIA):
        RelationshipCriterion.objects.update_or_create(
            code=code, defaults={"level": level, "text": str(label), "position": position})
    return {c.code: c for c in RelationshipCriterion.objects.all()}


def seed_facts(retailer: Retailer) -> str:
    """Twelve months of facts up to this month; returns the purchase sum as "0.00"."""
    first = add_months(month_start(date.today()), -11)
    total = Decimal("0")
    for offset in range(12):
        amount = Decimal("8000.25") + Decimal("1234.50") * offset
        total += amount
        MonthlyFact.objects.create(
            retailer=retailer, month=add_months(first, offset), purchase_amount=amount,
            purchase_quantity=Decimal(40 + offset), collected_amount=amount * Decimal("0.9"),
            order_success_rate=Decimal("95.00"), e_settlement_rate=Decimal("80.00"))
    return f"{total:.2f}"


@pytest.fixture
def shops(personas, criteria):
    """The rep's retailers (华联超市 with location, facts and three confirmed level-1 ticks),
    a look-alike of another rep (not visible to ours) and one without a location."""
    area, rep = personas.org.area, personas.rep
    hualian = make_retailer(area, rep, name="华联超市", code="NJ0001",
                            address="南京市鼓楼区中山路 128 号", grade="A", **HUALIAN)
    make_retailer(area, rep, name="华联商厦", code="NJ0002", address="南京市鼓楼区湖南路 9 号",
                  business_type=Retailer.BusinessType.SUPERMARKET, grade="B")
    make_retailer(area, rep, name="苏果便利", code="NJ0003", address="南京市鼓楼区广州路 30 号",
                  grade="C")
    make_retailer(area, rep, name="红旗烟酒", code="NJ0004",
                  business_type=Retailer.BusinessType.TOBACCO_LIQUOR)
    make_retailer(area, personas.rep2, name="华联超市", code="NJ0005")
    KeyPerson.objects.create(
        retailer=hualian, role=KeyPerson.PersonRole.OWNER, name="王建国", phone="13812345678",
        birthday_is_lunar=True, lunar_month=8, lunar_day=15, family="妻子在银行工作，儿子读初三",
        interests="钓鱼、喝茶")
    total = seed_facts(hualian)
    for code in ("l1_materials", "l1_contacts", "l1_visits"):
        RelationshipTick.objects.create(
            retailer=hualian, criterion=criteria[code], evidence="已拜访并留资料",
            ticked_by=rep, reviewed_by=personas.manager, status=RelationshipTick.Status.CONFIRMED)
    return {"hualian": hualian, "total_purchase": total}


def visit(page: Page, url: str) -> None:
    """Go to `url` once the current page has finished loading (an in-flight favicon
    request cut off by the navigation would count as a failed static request)."""
    page.wait_for_load_state("networkidle")
    page.goto(url)


def open_my_retailers(page: Page) -> None:
    """Through the collapsed phone menu, as a rep would."""
    page.locator("[data-nav-toggle]").click()
    page.get_by_test_id("nav-retailers").click()
    page.wait_for_url("**/kehu/")


def without_expected_conflict(problems: list[str]) -> list[str]:
    """Chromium logs every fetch answered >= 400 as a console error; the 409 that carries
    the duplicate candidates is the API's designed answer, not a fault of the page."""
    return [p for p in problems
            if not ("status of 409" in p and "/api/kehu/retailers/" in p)]


def assert_no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page scrolls sideways: {width}px"


def test_rep_finds_by_pinyin_ticks_and_manager_confirms(live_server, personas, shops, phone_page,
                                                        desktop_page):
    hualian = shops["hualian"]
    page = phone_page
    serve_blank_tiles(page)
    problems = watch(page)

    login(page, live_server, personas.rep.username)
    open_my_retailers(page)
    rows = page.get_by_test_id("retailer-row")
    expect(rows).to_have_count(4)  # the rep's own four; rep2's 华联超市 is not in scope
    screenshot(page, "kehu-list-rep-phone")

    page.get_by_test_id("retailer-search").fill("hlcs")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("华联超市")
    expect(rows.first).to_contain_text("NJ0001")
    assert "q=hlcs" in page.url  # the search survives going back from the card
    assert_no_sideways_scroll(page)
    screenshot(page, "kehu-list-search-hlcs-phone")

    page.get_by_test_id("filter-toggle").click()
    page.get_by_test_id("filter-grade").select_option("B")
    expect(page.get_by_test_id("retailer-empty")).to_be_visible()
    expect(rows).to_have_count(0)
    assert "grade=B" in page.url
    assert_no_sideways_scroll(page)
    screenshot(page, "kehu-list-filter-empty-phone")
    page.get_by_test_id("filter-grade").select_option("A")
    expect(rows).to_have_count(1)
    page.get_by_test_id("filter-toggle").click()

    rows.first.locator("a").click()
    page.wait_for_url(f"**/kehu/{hualian.pk}/")
    expect(page.get_by_test_id("retailer-name")).to_have_text("华联超市")
    chart = page.get_by_test_id("trend-chart")
    expect(chart).to_have_attribute("data-total-purchase", shops["total_purchase"])
    expect(chart.locator("canvas")).to_have_count(1)
    expect(page.get_by_test_id("retailer-map").locator(".leaflet-marker-icon")).to_be_visible()
    expect(page.get_by_test_id("no-location")).to_be_hidden()
    owner = page.get_by_test_id("key-person")
    expect(owner).to_contain_text("王建国")
    expect(owner.locator("a[href='tel:13812345678']")).to_be_visible()  # the own rep: unmasked
    expect(owner).to_contain_text("妻子在银行工作")
    expect(page.get_by_test_id("masked-note")).to_be_hidden()
    checklist = page.get_by_test_id("checklist")
    expect(checklist.get_by_test_id("criterion")).to_have_count(len(CRITERIA))
    expect(page.get_by_test_id("level-value")).to_have_attribute("data-level", "0")

    remembers = checklist.locator("[data-code=l1_remembers]")
    expect(remembers).to_have_attribute("data-state", "none")
    remembers.get_by_test_id("tick-button").click()
    remembers.get_by_test_id("tick-evidence").fill("老板能叫出我的名字，主动打招呼")
    remembers.get_by_test_id("tick-submit").click()
    expect(remembers).to_have_attribute("data-state", "pending")
    expect(page.get_by_test_id("checklist-notice")).to_be_visible()
    expect(checklist.locator("[data-code=l1_materials]")).to_have_attribute("data-state",
                                                                           "confirmed")
    page.wait_for_load_state("networkidle")
    assert_no_sideways_scroll(page)
    screenshot(page, "kehu-card-rep-phone")
    tick = RelationshipTick.objects.get(retailer=hualian, criterion__code="l1_remembers")
    assert tick.status == RelationshipTick.Status.PENDING
    assert tick.ticked_by == personas.rep

    # A card without a location says so instead of showing a map.
    visit(page, f"{live_server.url}/kehu/{Retailer.objects.get(code='NJ0002').pk}/")
    expect(page.get_by_test_id("no-location")).to_be_visible()
    expect(page.get_by_test_id("trend-chart")).to_have_attribute("data-total-purchase", "0.00")
    expect(page.get_by_test_id("trend-empty")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert problems.all() == [], problems.all()

    # The office manager, at a desktop, confirms the fourth level-1 criterion.
    desk = desktop_page
    serve_blank_tiles(desk)
    desk_problems = watch(desk)
    login(desk, live_server, personas.manager.username)
    visit(desk, f"{live_server.url}/kehu/{hualian.pk}/")
    checklist = desk.get_by_test_id("checklist")
    expect(desk.get_by_test_id("pending-note")).to_be_visible()
    remembers = checklist.locator("[data-code=l1_remembers]")
    expect(remembers).to_contain_text("老板能叫出我的名字")
    expect(checklist.locator("[data-testid=confirm-tick]:visible")).to_have_count(1)
    screenshot(desk, "kehu-card-manager-pending-desktop")
    remembers.get_by_test_id("confirm-tick").click()

    expect(remembers).to_have_attribute("data-state", "confirmed")
    expect(desk.get_by_test_id("level-value")).to_have_attribute("data-level", "1")
    expect(desk.get_by_test_id("relationship-level")).to_have_text(
        desk.get_by_test_id("level-value").inner_text())
    expect(checklist.locator("[data-testid=level-group][data-level='1']")).to_have_class(re.compile(r"\breached\b"))
    desk.wait_for_load_state("networkidle")
    screenshot(desk, "kehu-card-manager-confirmed-desktop")
    hualian.refresh_from_db()
    assert hualian.relationship_level == 1
    assert desk_problems.all() == [], desk_problems.all()


def test_manager_rejects_a_tick_with_a_note(live_server, personas, shops, desktop_page,
                                            criteria):
    hualian = shops["hualian"]
    RelationshipTick.objects.create(retailer=hualian, criterion=criteria["l1_remembers"],
                                    evidence="见过两次", ticked_by=personas.rep)
    page = desktop_page
    serve_blank_tiles(page)
    problems = watch(page)
    login(page, live_server, personas.manager.username)
    visit(page, f"{live_server.url}/kehu/{hualian.pk}/")

    remembers = page.get_by_test_id("checklist").locator("[data-code=l1_remembers]")
    remembers.get_by_test_id("reject-tick").click()
    remembers.get_by_test_id("reject-submit").click()  # no note yet: refused in the page
    expect(remembers.locator(".inline-form .field-error:visible")).to_have_count(1)
    remembers.get_by_test_id("reject-note").fill("还需要再拜访几次")
    remembers.get_by_test_id("reject-submit").click()

    expect(remembers).to_have_attribute("data-state", "rejected")
    expect(remembers).to_contain_text("还需要再拜访几次")
    tick = RelationshipTick.objects.get(pk=hualian.relationship_ticks.get(
        criterion__code="l1_remembers").pk)
    assert tick.status == RelationshipTick.Status.REJECTED
    assert tick.review_note == "还需要再拜访几次"
    assert problems.all() == [], problems.all()


def test_new_shop_next_to_a_look_alike_needs_a_reason(live_server, personas, shops, phone_page):
    page = phone_page
    serve_blank_tiles(page)
    problems = watch(page)
    # The rep stands ~50 m north of the existing 华联超市.
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": float(HUALIAN["latitude"]) + 0.00045,
                                  "longitude": float(HUALIAN["longitude"])})

    login(page, live_server, personas.rep.username)
    visit(page, f"{live_server.url}/kehu/")
    page.get_by_test_id("new-retailer").click()
    form = page.get_by_test_id("retailer-form")
    expect(form).to_be_visible()
    form.get_by_test_id("field-name").fill("华联超市")
    form.get_by_test_id("field-code").fill("NJ0100")
    form.get_by_test_id("field-business-type").select_option("supermarket")
    form.get_by_test_id("field-address").fill("南京市鼓楼区中山路 132 号")
    expect(form.get_by_test_id("field-area")).to_have_value(str(personas.org.area.pk))
    form.get_by_test_id("use-location").click()
    expect(form.get_by_test_id("field-latitude")).to_have_value(
        f"{float(HUALIAN['latitude']) + 0.00045:.6f}")
    screenshot(page, "kehu-new-retailer-phone")
    form.get_by_test_id("form-save").click()

    duplicates = page.get_by_test_id("duplicate-view")
    expect(duplicates).to_be_visible()
    candidate = duplicates.get_by_test_id("duplicate-candidate")
    expect(candidate).to_have_count(1)
    expect(candidate.get_by_test_id("compare-mine-name")).to_have_text("华联超市")
    expect(candidate.get_by_test_id("compare-their-name")).to_have_text("华联超市")
    expect(candidate).to_contain_text("NJ0001")
    expect(candidate).to_contain_text(re.compile(r"\b50 (m|米)"))  # metres apart
    assert_no_sideways_scroll(page)
    screenshot(page, "kehu-duplicate-side-by-side-phone")
    assert Retailer.objects.filter(code="NJ0100").count() == 0

    duplicates.get_by_test_id("confirm-not-duplicate").click()  # no reason yet: refused
    expect(duplicates.locator(".field-error")).to_be_visible()
    duplicates.get_by_test_id("duplicate-reason").fill("同名的另一家加盟店，老板不同")
    page.wait_for_load_state("networkidle")
    duplicates.get_by_test_id("confirm-not-duplicate").click()

    page.wait_for_url(re.compile(r"/kehu/\d+/$"))
    created = Retailer.objects.get(code="NJ0100")
    assert page.url.endswith(f"/kehu/{created.pk}/")
    assert created.duplicate_reason == "同名的另一家加盟店，老板不同"
    assert created.assigned_rep == personas.rep
    expect(page.get_by_test_id("duplicate-reason-note")).to_contain_text("老板不同")
    expect(page.get_by_test_id("retailer-map").locator(".leaflet-marker-icon")).to_be_visible()
    page.wait_for_load_state("networkidle")
    screenshot(page, "kehu-created-card-phone")

    # Editing only the address sends only the address: no second duplicate question.
    page.get_by_test_id("edit-card").click()
    expect(form.get_by_test_id("field-name")).to_have_value("华联超市")
    form.get_by_test_id("field-address").fill("南京市鼓楼区中山路 132-1 号")
    form.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("card-notice")).to_be_visible()
    expect(page.get_by_test_id("retailer-address")).to_have_text("南京市鼓楼区中山路 132-1 号")
    expect(page.get_by_test_id("duplicate-view")).to_be_hidden()
    created.refresh_from_db()
    assert created.address == "南京市鼓楼区中山路 132-1 号"
    assert without_expected_conflict(problems.all()) == [], problems.all()


def test_manager_reassigns_two_retailers(live_server, personas, shops, desktop_page):
    page = desktop_page
    problems = watch(page)
    login(page, live_server, personas.manager.username)
    visit(page, f"{live_server.url}/kehu/")
    rows = page.get_by_test_id("retailer-row")
    expect(rows).to_have_count(5)

    page.get_by_test_id("retailer-search").fill("hl")  # 华联超市 ×2, 华联商厦
    expect(rows).to_have_count(3)
    page.get_by_test_id("select-all").check()
    page.get_by_test_id("reassign-rep").select_option(str(personas.rep2.pk))
    page.get_by_test_id("reassign-reason").fill("片区调整")
    screenshot(page, "kehu-list-reassign-desktop")
    page.get_by_test_id("reassign-submit").click()

    expect(page.get_by_test_id("list-notice")).to_be_visible()
    expect(page.get_by_test_id("reassign-bar")).to_be_hidden()
    rep2 = User.objects.get(pk=personas.rep2.pk)
    names = sorted(Retailer.objects.filter(assigned_rep=rep2).values_list("code", flat=True))
    assert names == ["NJ0001", "NJ0002", "NJ0005"]
    expect(rows.first).to_contain_text(rep2.name)
    assert problems.all() == [], problems.all()


def test_regional_manager_sees_key_persons_masked(live_server, personas, shops, desktop_page):
    page = desktop_page
    serve_blank_tiles(page)
    problems = watch(page)
    login(page, live_server, personas.regional_manager.username)
    visit(page, f"{live_server.url}/kehu/{shops['hualian'].pk}/")

    owner = page.get_by_test_id("key-person")
    expect(owner).to_contain_text("王建国")
    expect(owner.get_by_test_id("person-phone")).to_have_text("138****5678")
    expect(owner).not_to_contain_text("妻子在银行工作")
    expect(page.get_by_test_id("masked-note")).to_be_visible()
    expect(page.get_by_test_id("edit-card")).to_have_count(0)  # regional managers only read
    page.wait_for_load_state("networkidle")
    screenshot(page, "kehu-card-masked-regional-desktop")
    assert not PersonalDataRead.objects.exists()  # masked reads are not personal-data reads
    assert problems.all() == [], problems.all()


def test_long_list_loads_the_next_page_on_scroll(live_server, personas, phone_page):
    for number in range(57):
        make_retailer(personas.org.area, personas.rep, name=f"便利店{number:02d}号",
                      code=f"BL{number:04d}")
    page = phone_page
    problems = watch(page)
    login(page, live_server, personas.rep.username)
    next_pages = []
    page.on("request", lambda request: next_pages.append(request.url)
            if "/api/kehu/retailers/" in request.url and "cursor=" in request.url else None)
    visit(page, f"{live_server.url}/kehu/")

    rows = page.get_by_test_id("retailer-row")
    # The first cursor page is 50 rows; the next may already be loading when the
    # sentinel is on screen, so only its arrival after scrolling is asserted.
    expect(rows.nth(49)).to_be_attached()
    rows.nth(49).scroll_into_view_if_needed()
    expect(rows).to_have_count(57)
    assert len(next_pages) == 1  # the last 7 came as the second cursor page
    expect(page.get_by_test_id("retailer-more")).to_be_hidden()
    assert problems.all() == [], problems.all()
