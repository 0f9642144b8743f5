"""The 客情费 monthly cycle in a real Chromium, each person in their own browser context:
a rep on a phone files a claim line with a receipt photo, reads its payable calculation and
submits October's statement; the clerk, the office manager and finance approve it in turn
at their desks; finance tries a payout over the rep's cap (refused, with the reason beside
the amount), then pays out within it; the manager records the spot check and finance sees
the failed check. The server state is asserted after every step.

The business date is fixed (workdays.today is patched; the live server runs in this
process): 3 Nov 2026 is within October's submit window (due Wed 4 Nov, the 3rd working
day), reviews are due by Wed 11 Nov, payouts start Thu 12 Nov.
"""

import io
from datetime import date
from decimal import Decimal

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from accounts.models import AuditEvent
from accounts.workdays import sync_from_library
from expenses import workdays
from expenses.models import (
    AdvanceAccount,
    AdvanceEntry,
    AdvanceLimit,
    ClaimLine,
    ExpenseStandard,
    MonthlyStatement,
    ProductLine,
    SpotCheckItem,
)
from kehu.models import KeyPerson, MonthlyFact
from tests.e2e.conftest import DESKTOP, PHONE, TIMEOUT_MS, login, screenshot, watch
from tests.factories import make_retailer

OCT = date(2026, 10, 1)
Status = MonthlyStatement.Status


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 40, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def new_page(new_context, viewport: dict, **extra) -> Page:
    context = new_context(viewport=viewport, locale="zh-CN", **extra)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context.new_page()


def refused(problems: list[str]) -> list[str]:
    """The API's designed 400 (the payout over the cap) is logged by Chromium; not a fault."""
    return [p for p in problems if "status of 400" not in p]


def assert_no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page scrolls sideways: {width}px"


@pytest.fixture
def business_day(monkeypatch):
    def set_today(day: date) -> None:
        monkeypatch.setattr(workdays, "today", lambda: day)
    return set_today


@pytest.fixture
def october(personas, settings, tmp_path):
    """The calendar (a flushed database lost it), 卷烟 at 2.00 元 per unit paid by the
    collection rate, a rep's shop with its owner and October's business, a cap of 50 元."""
    settings.MEDIA_ROOT = tmp_path / "media"
    sync_from_library()
    company = personas.org.company
    line = ProductLine.objects.create(company=company, code="YC", name="卷烟")
    ExpenseStandard.objects.create(node=company, product_line=line, basis="per_unit",
                                   rate=Decimal("2.0000"), collection_rule="collection_rate",
                                   valid_from=date(2026, 1, 1), created_by=personas.finance)
    shop = make_retailer(personas.org.area, personas.rep, name="鼓楼华联便利店", code="GL0001")
    KeyPerson.objects.create(retailer=shop, role=KeyPerson.PersonRole.OWNER, name="李国强")
    # 50 units × 2.00 = 100.00 allowance; 8,000 of 10,000 collected: 80 % payable.
    MonthlyFact.objects.create(retailer=shop, month=OCT, purchase_amount=Decimal("10000.00"),
                               purchase_quantity=Decimal("50.00"),
                               collected_amount=Decimal("8000.00"), order_success_rate=90,
                               e_settlement_rate=50)
    AdvanceLimit.objects.create(company=company, cap=Decimal("50.00"))
    return shop


def approve_as(new_context, live_server, user, expected: str, statement) -> Page:
    """Log in at a desk, find the statement in the queue, approve it."""
    page = new_page(new_context, DESKTOP)
    problems = watch(page)
    login(page, live_server, user.username)
    page.goto(f"{live_server.url}/expenses/review/")
    row = page.get_by_test_id("queue-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("due-text")).not_to_be_empty()
    row.locator("a").click()
    expect(page.get_by_test_id("detail-line")).to_have_count(1)
    expect(page.get_by_test_id("detail-receipt")).to_have_attribute(
        "href", f"/api/expenses/claim-lines/{statement.lines.get().pk}/receipt/")
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", expected)
    expect(page.get_by_test_id("review-actions")).to_be_hidden()
    statement.refresh_from_db()
    assert statement.status == expected
    screenshot(page, f"expenses-{expected}-desktop")
    assert problems.all() == [], problems.all()
    return page


def test_the_monthly_cycle_from_the_reps_phone_through_the_desks(
        live_server, personas, october, business_day, new_context):
    business_day(date(2026, 11, 3))
    shop = october

    # The rep, on a phone: a claim line with a receipt photo.
    phone = new_page(new_context, PHONE, is_mobile=True, has_touch=True)
    problems = watch(phone)
    login(phone, live_server, personas.rep.username)
    phone.goto(f"{live_server.url}/expenses/claims/")
    phone.get_by_test_id("new-line").click()
    form = phone.get_by_test_id("line-form")
    expect(form).to_be_visible()
    form.get_by_test_id("line-retailer-search").fill("华联")
    form.get_by_test_id("line-retailer-option").first.click()
    expect(form.get_by_test_id("line-picked")).to_have_text("鼓楼华联便利店")
    expect(form.get_by_test_id("line-key-person").locator("option")).to_have_count(2)
    form.get_by_test_id("line-key-person").select_option(index=1)
    form.get_by_test_id("line-category").select_option("gift")
    form.get_by_test_id("line-amount-input").fill("120.00")
    form.get_by_test_id("line-date").fill("2026-10-20")
    form.get_by_test_id("line-receipt").set_input_files(
        {"name": "receipt.jpg", "mimeType": "image/jpeg", "buffer": photo()})
    form.get_by_test_id("line-note").fill("中秋礼盒")
    assert_no_sideways_scroll(phone)
    screenshot(phone, "expenses-claim-form-phone")
    form.get_by_test_id("line-save").click()

    expect(form).to_be_hidden()
    line_row = phone.get_by_test_id("claim-line")
    expect(line_row).to_have_count(1)
    expect(phone.get_by_test_id("month")).to_have_value("2026-10")
    # The payable calculation opens for the new line: 100.00 of allowance × 80 %.
    expect(line_row.get_by_test_id("calc-payable")).to_have_text("80.00")
    expect(line_row.locator("[data-step=allowance]")).to_contain_text("100.00")
    line = ClaimLine.objects.get()
    assert (line.retailer, line.amount, line.month) == (shop, Decimal("120.00"), OCT)
    assert line.key_person.name == "李国强" and line.note == "中秋礼盒"
    assert line.receipt.name.endswith(".jpg") and line.receipt.size > 0
    expect(line_row.get_by_test_id("receipt-link")).to_have_attribute(
        "href", f"/api/expenses/claim-lines/{line.pk}/receipt/")
    assert_no_sideways_scroll(phone)
    screenshot(phone, "expenses-claim-lines-phone")

    # The month's statement: reviewed, then submitted once (Idempotency-Key on the POST).
    phone.get_by_test_id("to-statement").click()
    expect(phone.get_by_test_id("statement-preview")).to_be_visible()
    expect(phone.get_by_test_id("submit-due")).to_have_text("2026-11-04")
    expect(phone.get_by_test_id("statement-row")).to_have_count(1)
    expect(phone.get_by_test_id("total-payable")).to_have_text("80.00")
    with phone.expect_request(lambda r: r.method == "POST"
                              and r.url.endswith("/api/expenses/statements/")) as posted:
        phone.get_by_test_id("submit-statement").click()
    assert posted.value.headers.get("idempotency-key")
    expect(phone.get_by_test_id("status")).to_have_attribute("data-status", Status.SUBMITTED)
    expect(phone.get_by_test_id("late-flag")).to_be_hidden()
    statement = MonthlyStatement.objects.get()
    assert (statement.rep, statement.month, statement.status, statement.late) == (
        personas.rep, OCT, Status.SUBMITTED, False)
    assert statement.payable_total == Decimal("80.00")
    assert_no_sideways_scroll(phone)
    screenshot(phone, "expenses-statement-submitted-phone")
    assert problems.all() == [], problems.all()

    # The clerk, the office manager and finance sign in turn, each in their own browser.
    approve_as(new_context, live_server, personas.clerk, Status.CLERK_CHECKED, statement)
    approve_as(new_context, live_server, personas.manager, Status.MANAGER_APPROVED, statement)
    desk = approve_as(new_context, live_server, personas.finance, Status.APPROVED, statement)
    assert [e.action for e in AuditEvent.objects.filter(object_id=str(statement.pk))
            .order_by("at", "id")] == ["submit", "clerk_check", "manager_approve",
                                       "finance_approve"]

    # From the 9th working day finance pays out: 80.00 is over the 50.00 cap, 50.00 is not.
    business_day(date(2026, 11, 12))
    desk_problems = watch(desk)
    desk.reload()
    payout = desk.get_by_test_id("payout")
    expect(payout).to_be_visible()
    expect(payout.get_by_test_id("remaining")).to_have_text("80.00")
    expect(payout.get_by_test_id("outstanding")).to_have_text("0.00")
    expect(payout.get_by_test_id("cap")).to_have_text("50.00")
    expect(payout.get_by_test_id("payout-amount")).to_have_value("80.00")
    payout.get_by_test_id("payout-submit").click()
    error = payout.get_by_test_id("payout-amount-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("50.00")
    assert not AdvanceEntry.objects.exists()
    payout.get_by_test_id("payout-amount").fill("50.00")
    payout.get_by_test_id("payout-submit").click()
    expect(desk.get_by_test_id("paid-total")).to_have_text("50.00")
    expect(payout.get_by_test_id("outstanding")).to_have_text("50.00")
    entry = AdvanceEntry.objects.get()
    assert (entry.kind, entry.amount, entry.statement_id, entry.by) == (
        AdvanceEntry.Kind.PAYOUT, Decimal("50.00"), statement.pk, personas.finance)
    assert AdvanceAccount.objects.get(rep=personas.rep).outstanding == Decimal("50.00")
    statement.refresh_from_db()
    assert (statement.status, statement.paid_total) == (Status.APPROVED, Decimal("50.00"))
    screenshot(desk, "expenses-payout-desktop")
    assert refused(desk_problems.all()) == [], desk_problems.all()

    # The manager spot-checks the drawn retailer: the money did not arrive.
    manager = new_page(new_context, DESKTOP)
    manager_problems = watch(manager)
    login(manager, live_server, personas.manager.username)
    manager.goto(f"{live_server.url}/expenses/spot-checks/")
    item = manager.get_by_test_id("spot-item")
    expect(item).to_have_count(1)
    expect(manager.get_by_test_id("spot-seed")).to_have_text(
        str(statement.spot_check.seed))
    item.get_by_test_id("spot-note").fill("店主说未收到礼盒")
    item.get_by_test_id("spot-not-confirmed").click()
    expect(item).to_have_attribute("data-result", SpotCheckItem.Result.NOT_CONFIRMED)
    checked = SpotCheckItem.objects.get()
    assert (checked.retailer, checked.result, checked.note, checked.checked_by) == (
        shop, SpotCheckItem.Result.NOT_CONFIRMED, "店主说未收到礼盒", personas.manager)
    screenshot(manager, "expenses-spot-check-desktop")
    assert manager_problems.all() == [], manager_problems.all()

    # Finance sees the failed check.
    desk.goto(f"{live_server.url}/expenses/spot-checks/")
    failed = desk.get_by_test_id("failed-row")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("店主说未收到礼盒")
    expect(desk.get_by_test_id("spot-confirm")).to_have_count(0)
