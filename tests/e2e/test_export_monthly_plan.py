"""The monthly plan export in the browser, on a real Celery worker.

An office manager at a desktop goes from the visit plans page to the exports page (the
monthly plan preselected), asks for a rep's month, watches the progress bar of the job
reach 100 %, and downloads the file. The test opens the xlsx and checks it against the
database: a sheet for the rep, the month's days as columns, a √ in the cell of every
planned stop and nowhere else, the counts per retailer and per day.
"""

from calendar import monthrange
from datetime import date

import openpyxl
import pytest
from django.core.files.storage import default_storage
from playwright.sync_api import expect

from kehu.models import Retailer
from reports.models import ExportJob
from tests.e2e.conftest import login, screenshot, watch
from tests.factories import make_retailer
from tests.integration.conftest import celery_queue  # noqa: F401 - the real worker
from tests.visits.factories import make_plan
from visits.models import PlanStop, VisitPlan

MONTH = date(2026, 10, 1)


@pytest.fixture
def october(personas):
    area, rep = personas.org.area, personas.rep
    shops = [make_retailer(area, rep, code=f"P{n:02d}", name=f"计划店{n}",
                           grade="ABC"[n % 3]) for n in range(12)]
    stops = [(date(2026, 10, 1 + (n * 3 + k * 7) % 31), shop)
             for n, shop in enumerate(shops[:10]) for k in range(2)]
    plan = make_plan(rep, area, MONTH, stops=stops, created_by=rep)
    make_plan(personas.rep2, area, MONTH, stops=[(date(2026, 10, 5), shops[11])])
    return plan


@pytest.fixture
def stored_files():
    yield
    for job in ExportJob.objects.exclude(file=""):
        if default_storage.exists(job.file.name):
            default_storage.delete(job.file.name)


def test_an_office_manager_downloads_the_monthly_plan_and_it_matches_the_plan(
        live_server, desktop_page, personas, october, settings, stored_files, tmp_path,
        request):
    settings.REPORTS_EXPORT_QUEUE = request.getfixturevalue("celery_queue")
    page = desktop_page
    problems = watch(page)
    login(page, live_server, personas.manager.username)
    page.goto(f"{live_server.url}/visits/plans/")
    page.click("[data-testid=plan-export-link]")
    expect(page.get_by_test_id("exports-page")).to_be_visible()
    expect(page.get_by_test_id("export-kind")).to_have_value("monthly_plan")
    expect(page.get_by_test_id("filter-date-from")).to_be_hidden()

    page.get_by_test_id("filter-month").fill("2026-10")
    page.get_by_test_id("filter-rep").select_option(str(personas.rep.pk))
    page.click("[data-testid=export-submit]")
    expect(page.get_by_test_id("export-notice")).to_be_visible()

    row = page.locator("[data-testid=export-job]").first
    expect(row).to_have_attribute("data-status", "succeeded", timeout=60_000)
    bar = row.get_by_test_id("export-progress")
    assert bar.evaluate("el => [el.value, el.max]") == [100, 100]
    expect(row).to_contain_text("100%")
    screenshot(page, "export-monthly-plan")
    with page.expect_download() as info:
        row.get_by_test_id("export-download").click()
    path = tmp_path / "plan.xlsx"
    info.value.save_as(path)
    assert problems.all() == []

    job = ExportJob.objects.get()
    assert (job.requested_by, job.kind, job.filters) == (
        personas.manager, "monthly_plan", {"month": "2026-10", "rep": personas.rep.pk})
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [f"{personas.rep} 2026-10"]
    sheet = book.worksheets[0]
    days = monthrange(2026, 10)[1]
    assert [sheet.cell(5, 4 + d).value for d in range(1, days + 1)] == list(range(1, days + 1))

    planned = {}
    for code, day in PlanStop.objects.filter(plan=october).values_list("retailer__code",
                                                                       "date"):
        planned.setdefault(code, set()).add(day.day)
    shown = Retailer.objects.filter(assigned_rep=personas.rep)
    rows = {sheet.cell(r, 2).value: r for r in range(7, 7 + shown.count())}
    assert set(rows) == set(shown.values_list("code", flat=True))
    for code, r in rows.items():
        marked = {d for d in range(1, days + 1) if sheet.cell(r, 4 + d).value == "√"}
        assert marked == planned.get(code, set()), code
        assert sheet.cell(r, 5 + days).value == len(marked)
    total_row = 7 + len(rows)
    assert sheet.cell(total_row, 3).value in ("合计", "Total")
    per_day = [sum(d in s for s in planned.values()) for d in range(1, days + 1)]
    assert [sheet.cell(total_row, 4 + d).value for d in range(1, days + 1)] == per_day
    assert sheet.cell(total_row, 5 + days).value == PlanStop.objects.filter(
        plan=october).count()
    assert VisitPlan.objects.get(pk=october.pk).status == VisitPlan.Status.APPROVED
