"""A regional manager, at a desktop, previews a change of their region's grading policy
(Pareto → rank shares), sees per office how many retailers would move, saves it as a new
version, runs grading now and watches the run finish; the moved retailer's card then
shows its new grade with the basis (rank, share, policy version) and the change."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from grading import services
from kehu.models import MonthlyFact
from kehu.selectors import add_months, month_start
from tests.e2e.conftest import login, screenshot, watch
from tests.factories import make_retailer


@pytest.fixture(autouse=True)
def eager_tasks(monkeypatch):
    """No worker here: "run now" runs its task in the live server's thread."""
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


def shops_with_purchases(personas):
    last_month = add_months(month_start(timezone.localdate()), -1)
    shops = []
    for n, amount in enumerate((500, 300, 150, 50)):
        shop = make_retailer(personas.org.area, personas.rep, name=f"评级商店{n}",
                             code=f"GR{n:04d}")
        MonthlyFact.objects.create(retailer=shop, month=last_month,
                                   purchase_amount=Decimal(amount),
                                   purchase_quantity=Decimal(amount) / 10,
                                   collected_amount=Decimal(amount), order_success_rate=90,
                                   e_settlement_rate=50)
        shops.append(shop)
    return shops


def test_regional_manager_previews_saves_runs_and_sees_the_card(live_server, personas,
                                                               desktop_page):
    shops = shops_with_purchases(personas)
    policy = services.policy_create(
        actor=personas.regional_manager, scope=personas.org.region, name="苏南大区分级",
        method="pareto", share_a=Decimal(75), share_b=Decimal(20), share_c=Decimal(5),
        valid_from=add_months(month_start(timezone.localdate()), -12))
    services.grading_run_policy(policy=policy)
    # Pareto (total 1000; ahead 0, 50, 80, 95 %): A, A, B, C.
    assert [s.grade for s in type(shops[0]).objects.filter(pk__in=[s.pk for s in shops])
            .order_by("code")] == ["A", "A", "B", "C"]

    page = desktop_page
    problems = watch(page)
    login(page, live_server, personas.regional_manager.username)
    page.get_by_test_id("nav-grading").click()
    row = page.locator(f"[data-testid=policy-row][data-policy='{policy.pk}']")
    expect(row).to_be_visible()
    row.click()
    editor = page.get_by_test_id("policy-editor")
    expect(editor).to_be_visible()

    # Rank shares 20/40/40 on four shops (ahead 0, 25, 50, 75 %): A, B, B, C.
    page.get_by_test_id("field-method").select_option("rank")
    expect(page.get_by_test_id("field-share-a")).to_have_value("20")
    page.get_by_test_id("field-share-c").fill("30")
    page.get_by_test_id("preview").click()
    expect(page.get_by_test_id("error-share-c")).to_be_visible()
    page.get_by_test_id("field-share-c").fill("40")
    page.get_by_test_id("preview").click()
    office_row = page.locator(
        f"[data-testid=preview-row][data-office='{personas.org.office.pk}']")
    expect(office_row).to_be_visible()
    expect(office_row.get_by_test_id("preview-moves")).to_have_text("1")
    expect(page.get_by_test_id("preview-total-moves")).to_have_text("1")
    screenshot(page, "grading-preview")

    page.get_by_test_id("save-policy").click()
    expect(page.get_by_test_id("editor-notice")).to_contain_text("2")
    assert policy.versions.count() == 2

    page.get_by_test_id("run-now").click()
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "succeeded")
    expect(page.get_by_test_id("run-text")).to_contain_text("1")
    screenshot(page, "grading-run")

    moved = shops[1]
    page.goto(f"{live_server.url}/kehu/{moved.pk}/")
    section = page.get_by_test_id("grade-section")
    expect(section.get_by_test_id("grade-value")).to_have_text("B")
    expect(section.get_by_test_id("grade-basis")).to_be_visible()
    expect(section.get_by_test_id("grade-basis-rank")).to_contain_text("2")
    expect(section.get_by_test_id("grade-basis-rank")).to_contain_text("4")
    expect(section.get_by_test_id("grade-basis-share")).to_have_text("25 %")
    expect(section.get_by_test_id("grade-change")).to_have_count(2)
    expect(section.get_by_test_id("grade-change").first).to_contain_text("A → B")
    screenshot(page, "grading-card")
    assert [p for p in problems.all() if "status of 400" not in p] == []
