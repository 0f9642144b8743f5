"""A clerk imports the order system's monthly facts in a real Chromium: a file with one
bad row is refused with that row listed, the corrected file is imported, and the
retailer's card shows the new 12-month purchase total."""

import re
from datetime import date

from playwright.sync_api import Page, expect

from kehu.models import MonthlyFact
from kehu.selectors import add_months, month_start
from tests.e2e.conftest import login, screenshot, watch
from tests.factories import make_retailer
from tests.kehu.xlsx_files import FACT_HEADERS, xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def facts_upload(rows: list[list], name: str) -> dict:
    return {"name": name, "mimeType": XLSX, "buffer": xlsx_bytes(FACT_HEADERS, rows)}


def test_clerk_fixes_a_bad_row_and_sees_the_trend_change(desktop_page: Page, live_server,
                                                         personas, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    shop = make_retailer(personas.org.area, personas.rep, code="E2E001", name="华联超市")
    this_month = month_start(date.today())
    months = [add_months(this_month, -n).strftime("%Y-%m") for n in (2, 1, 0)]
    good = [["E2E001", months[0], 1000.5, 10, 900, 95, 80],
            ["E2E001", months[1], 2000.25, 20, 1800, 96, 81],
            ["E2E001", months[2], 3000, 30, 2700, 97, 82]]
    bad = [*good[:2], ["E2E001", months[2], "三千", 30, 2700, 97, 82]]
    page = desktop_page
    problems = watch(page)

    login(page, live_server, personas.clerk.username)
    page.click("[data-testid=nav-import]")
    expect(page.locator("[data-testid=import-page]")).to_be_visible()
    expect(page.locator("[data-testid=import-kind-facts]")).to_be_checked()

    page.set_input_files("[data-testid=import-file]", facts_upload(bad, "10月数据.xlsx"))
    page.click("[data-testid=import-submit]")

    errors = page.locator("[data-testid=import-errors] tbody tr")
    expect(errors).to_have_count(1)
    cells = errors.first.locator("td")
    expect(cells.nth(0)).to_have_text("4")
    expect(cells.nth(1)).to_have_text("采购金额")
    expect(cells.nth(2)).to_contain_text("三千")
    expect(page.locator("[data-testid=import-error-summary]")).to_be_visible()
    expect(page.locator("[data-testid=import-error-report]")).to_have_attribute(
        "href", re.compile(r"/api/kehu/imports/\d+/error-report/"))
    screenshot(page, "clerk-import-refused")
    assert MonthlyFact.objects.count() == 0

    page.set_input_files("[data-testid=import-file]", facts_upload(good, "10月数据-改.xlsx"))
    page.click("[data-testid=import-submit]")

    expect(page.locator("[data-testid=import-success]")).to_be_visible()
    expect(page.locator("[data-testid=import-success]")).to_contain_text("3")
    expect(page.locator("[data-testid=import-errors]")).to_be_hidden()
    screenshot(page, "clerk-import-succeeded")
    assert MonthlyFact.objects.filter(retailer=shop).count() == 3

    page.goto(f"{live_server.url}/kehu/{shop.pk}/")
    expect(page.locator("[data-testid=trend-chart]")).to_have_attribute(
        "data-total-purchase", "6000.75")
    screenshot(page, "clerk-import-card-trend")
    assert problems.all() == []
