"""Export layouts, cell by cell, on small fixtures; each export holds only the
requester's rows."""

import io
from datetime import date, datetime
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from expenses.exports import statement_workbook
from grading.models import RepScorecard
from kehu.exports import retailer_export
from kehu.imports import services as import_services
from kehu.imports.columns import EXPORT_HEADERS
from kehu.models import ImportBatch, Retailer
from reports.exports import services
from tests.expenses import factories as expense_factories
from tests.factories import make_retailer
from tests.reports.exports_support import (  # noqa: F401 - fixtures
    cells,
    english,
    export_fixture,
    media_fixture,
    queued_fixture,
    workbook,
)
from tests.visits.factories import make_plan, make_visit
from visits.models import VisitPlan

pytestmark = pytest.mark.django_db
OCT = date(2026, 10, 1)


# Retailer list ------------------------------------------------------------------------------

@pytest.fixture
def shops(personas):
    org = personas.org
    return [
        make_retailer(org.area, personas.rep, code="R2", name="=鼓楼便利店", grade="A",
                      latitude=D("32.058000"), longitude=D("118.796000"),
                      credit_limit=D("5000.50"), e_settlement=True),
        make_retailer(org.area, personas.rep, code="R1", name="玄武烟酒店", grade="B",
                      status=Retailer.Status.SUSPENDED),
        make_retailer(org.area, personas.rep2, code="R3", name="王芳的店"),
        make_retailer(org.sibling_area, personas.sibling_rep, code="S1", name="姑苏店"),
    ]


def test_the_retailer_list_is_kehus_export_cell_for_cell(export, personas, shops):
    job = export(personas.manager, "retailers")
    rows = cells(workbook(job)["客户"])
    with retailer_export(Retailer.objects.filter(area__in=[personas.org.area])) as expected:
        assert rows == cells(openpyxl.load_workbook(expected)["客户"])
    assert rows[0] == EXPORT_HEADERS
    assert [row[0] for row in rows[1:]] == ["R1", "R2", "R3"]  # the office's, by code
    r2 = rows[2]
    assert r2[1] == "=鼓楼便利店" and r2[7] == "rep_a"  # text, never a formula
    assert r2[8:12] == [32.058, 118.796, "正常", 5000.5] and r2[13] == "是"
    assert job.row_count == 3


def test_the_retailer_list_goes_back_in_through_the_import_unchanged(export, personas, shops,
                                                                     queued):
    job = export(personas.clerk, "retailers")
    with job.file.open("rb") as handle:
        upload = SimpleUploadedFile("retailers.xlsx", handle.read())
    batch = import_services.import_batch_submit(actor=personas.clerk, kind="retailers",
                                                upload=upload)
    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.counts["created"] == 0 and batch.counts["unchanged"] == 3


def test_a_reps_retailer_list_holds_only_their_retailers(export, personas, shops):
    rows = cells(workbook(export(personas.rep, "retailers"))["客户"])
    assert [row[0] for row in rows[1:]] == ["R1", "R2"]


def test_the_retailer_list_takes_the_list_pages_filters(export, personas, shops):
    rows = cells(workbook(export(personas.manager, "retailers", grade=["A"]))["客户"])
    assert [row[0] for row in rows[1:]] == ["R2"]
    with pytest.raises(ValidationError) as refused:
        services.export_job_submit(actor=personas.manager, kind="retailers",
                                   filters={"grade": ["Z"]})
    assert "grade" in refused.value.message_dict


# Visit log ----------------------------------------------------------------------------------

VISIT_HEADERS = ["visit date", "Rep", "Retailer code", "Retailer", "Area", "kind", "status",
                 "checked in at", "checked out at", "Duration (min)",
                 "distance to the store (m)", "no GPS", "far from the store",
                 "phone clock off", "objective", "communication", "brand promotion",
                 "competitor information", "consumer feedback", "retailer's requests"]


@pytest.fixture
def visits(personas, shops):
    r2, r1, r3, _sibling = shops
    return [
        make_visit(personas.rep, r1, date(2026, 10, 6), hour=9, far_from_store=True,
                   checkin_distance_m=850, objective="陈列检查",
                   communication_notes="=老板说下周进货", competitor_info="竞品降价"),
        make_visit(personas.rep2, r3, date(2026, 10, 5), hour=15),
        make_visit(personas.rep, r2, date(2026, 10, 5), hour=11, completed=False),
        make_visit(personas.rep, r2, date(2026, 9, 30)),  # before the period
    ]


def test_the_visit_log_lists_the_periods_visits_cell_by_cell(export, personas, visits):
    english(personas.manager)
    job = export(personas.manager, "visits", date_from="2026-10-01", date_to="2026-10-31")
    rows = cells(workbook(job)["Visits"])
    assert rows[0] == VISIT_HEADERS
    assert [(row[0], row[1], row[2]) for row in rows[1:]] == [
        (datetime(2026, 10, 5), "张伟", "R2"), (datetime(2026, 10, 5), "王芳", "R3"),
        (datetime(2026, 10, 6), "张伟", "R1")]
    assert rows[1][5:9] == ["On-site visit", "In progress", datetime(2026, 10, 5, 11, 0), None]
    assert rows[3] == [datetime(2026, 10, 6), "张伟", "R1", "玄武烟酒店", "鼓楼片区",
                       "On-site visit", "Completed", datetime(2026, 10, 6, 9, 0),
                       datetime(2026, 10, 6, 9, 30), 30, 850, "no", "yes", "no",
                       "陈列检查", "=老板说下周进货", None, "竞品降价"]
    assert job.row_count == 3


def test_a_reps_visit_log_holds_only_their_visits(export, personas, visits):
    rows = cells(workbook(export(personas.rep, "visits", date_from="2026-10-01",
                                 date_to="2026-10-31")).worksheets[0])
    assert [row[2] for row in rows[1:]] == ["R2", "R1"]


@pytest.mark.parametrize(("filters", "field"), [
    ({"date_from": "2016-01-01", "date_to": "2025-12-31"}, "date_to"),
    ({"date_from": "2026-01-01", "date_to": "2027-01-02"}, "date_to"),
    ({"date_to": "2026-10-31"}, "date_from"),
    ({"date_from": "2026-10-31", "date_to": "2026-10-01"}, "date_to"),
    ({"date_from": "31/10/2026", "date_to": "2026-10-31"}, "date_from"),
    ({"date_from": "2026-10-01", "date_to": "2026-10-31", "colour": "red"}, "filters"),
])
def test_a_bad_or_too_long_visit_period_is_refused_naming_the_field(personas, filters, field):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.export_job_submit(actor=personas.manager, kind="visits", filters=filters)
    assert list(refused.value.message_dict) == [field]


def test_ten_years_of_visits_are_refused_with_a_message_that_names_the_field(personas):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.export_job_submit(actor=personas.manager, kind="visits", filters={
            "date_from": "2016-01-01", "date_to": "2025-12-31"})
    assert refused.value.message_dict["date_to"] == [
        "To date: the period is longer than a year. Choose at most 366 days from From date "
        "on."]


def test_a_year_of_visits_is_accepted(personas, queued):
    job = services.export_job_submit(actor=personas.manager, kind="visits", filters={
        "date_from": "2024-01-01", "date_to": "2024-12-31"})  # 366 days: a leap year
    assert job.filters == {"date_from": "2024-01-01", "date_to": "2024-12-31"}


# Monthly plan -------------------------------------------------------------------------------

@pytest.fixture
def october_plan(personas, shops):
    r2, r1, _r3, _sibling = shops
    unplanned = make_retailer(personas.org.area, personas.rep, code="R0", name="未排店")
    Retailer.objects.filter(pk=r2.pk).update(grade="A")
    plan = make_plan(personas.rep, personas.org.area, OCT, stops=[
        (date(2026, 10, 8), r1), (date(2026, 10, 8), r2), (date(2026, 10, 15), r1)],
        created_by=personas.rep)
    make_plan(personas.rep, personas.org.area, OCT, version=2, status=VisitPlan.Status.DRAFT,
              stops=[(date(2026, 10, 9), r1)])
    return plan, unplanned


def test_the_monthly_plan_is_the_paper_sheet_cell_by_cell(export, personas, october_plan):
    english(personas.manager)
    job = export(personas.manager, "monthly_plan", month="2026-10", rep=personas.rep.pk)
    book = workbook(job)
    assert book.sheetnames == ["张伟 2026-10"]
    rows = cells(book.worksheets[0])
    days = list(range(1, 32))
    weekdays = [date(2026, 10, d).strftime("%a") for d in days]
    assert rows[0] == ["Monthly visit plan"]
    assert rows[1] == ["Rep:", "张伟", "Organisation:",
                       "示范公司 / 苏南大区 / 南京办事处 / 鼓楼片区"]
    assert rows[2] == ["Month:", "2026-10", "Plan:", "v1 · Approved"]
    assert rows[3] == []
    assert rows[4] == ["No.", "Retailer code", "Retailer", "Grade", *days, "Planned visits"]
    assert rows[5] == [None, None, None, None, *weekdays]

    def marks(*planned):
        return ["√" if d in planned else None for d in days]

    # Grade A first, then B, then ungraded; the unplanned shop is listed, left blank.
    assert rows[6] == [1, "R2", "=鼓楼便利店", "A", *marks(8), 1]
    assert rows[7] == [2, "R1", "玄武烟酒店", "B", *marks(8, 15), 2]
    assert rows[8] == [3, "R0", "未排店", None, *marks(), 0]
    per_day = [2 if d == 8 else 1 if d == 15 else 0 for d in days]
    assert rows[9] == [None, None, "Total", None, *per_day, 3]
    assert len(rows) == 10 and job.row_count == 3


def test_the_monthly_plan_gives_each_rep_with_a_plan_a_sheet(export, personas, october_plan,
                                                            shops):
    make_plan(personas.rep2, personas.org.area, OCT, status=VisitPlan.Status.SUBMITTED,
              stops=[(date(2026, 10, 2), shops[2])])
    make_plan(personas.sibling_rep, personas.org.sibling_area, OCT,
              stops=[(date(2026, 10, 2), shops[3])])
    book = workbook(export(personas.manager, "monthly_plan", month="2026-10"))
    assert book.sheetnames == ["张伟 2026-10", "王芳 2026-10"]
    assert cells(book["王芳 2026-10"])[6][:5] == [1, "R3", "王芳的店", None, None]


def test_a_rep_exports_only_their_own_plan(personas, october_plan):
    with pytest.raises(ValidationError) as refused:
        services.export_job_submit(actor=personas.rep, kind="monthly_plan",
                                   filters={"month": "2026-10", "rep": personas.rep2.pk})
    assert "rep" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.export_job_submit(actor=personas.manager, kind="monthly_plan",
                                   filters={"month": "2026-10",
                                            "rep": personas.sibling_rep.pk})
    assert "rep" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.export_job_submit(actor=personas.manager, kind="monthly_plan",
                                   filters={"month": "2026-13"})
    assert "month" in refused.value.message_dict


# Rep scorecards -----------------------------------------------------------------------------

def scorecard(rep, area, month, **figures):
    return RepScorecard.objects.create(rep=rep, area=area, month=month, as_of=month,
                                       **figures)


def test_rep_scorecards_are_one_row_per_rep_and_month(export, personas):
    org = personas.org
    scorecard(personas.rep, org.area, OCT, has_approved_plan=True, planned=40, done=30,
              missed=4, pending=6, adherence_pct=D("75.0"), visits=35, on_site=33, a_total=5,
              a_visited=4, a_coverage_pct=D("80.0"), overdue=2, problems_solved=3,
              info_items=7, grade_ups=1, grade_downs=2, a_to_b=1,
              expense_amount=D("1234.50"), sales_amount=D("98765.43"),
              expense_pct=D("1.25"))
    scorecard(personas.rep2, org.area, OCT)
    scorecard(personas.rep, org.area, date(2026, 9, 1))
    scorecard(personas.rep, org.area, date(2026, 8, 1))  # before the period
    scorecard(personas.sibling_rep, org.sibling_area, OCT)
    english(personas.manager)
    rows = cells(workbook(export(personas.manager, "rep_scorecards", month_from="2026-09",
                                 month_to="2026-10")).worksheets[0])
    assert rows[0][:6] == ["Month", "Area", "Rep", "approved plan", "planned stops",
                           "done on their day"]
    assert len(rows[0]) == 24
    assert [(row[0], row[2]) for row in rows[1:]] == [
        ("2026-09", "张伟"), ("2026-10", "张伟"), ("2026-10", "王芳")]
    assert rows[2] == ["2026-10", "鼓楼片区", "张伟", "yes", 40, 30, 4, 6, 75, 35, 33, 5, 4,
                       80, 2, 3, 7, 1, 2, 1, 1234.5, 98765.43, 1.25, datetime(2026, 10, 1)]
    rows = cells(workbook(export(personas.rep, "rep_scorecards", month_from="2026-09",
                                 month_to="2026-10")).worksheets[0])
    assert [(row[0], row[2]) for row in rows[1:]] == [("2026-09", "张伟"), ("2026-10", "张伟")]


def test_thirteen_months_of_scorecards_are_refused(personas):
    with pytest.raises(ValidationError) as refused:
        services.export_job_submit(actor=personas.manager, kind="rep_scorecards",
                                   filters={"month_from": "2025-10", "month_to": "2026-10"})
    assert list(refused.value.message_dict) == ["month_to"]


# 客情费 statements ---------------------------------------------------------------------------

def test_statements_sheet_is_the_single_statement_download_cell_for_cell(export, personas,
                                                                        shops):
    r2, r1, _r3, _s = shops
    september = date(2026, 9, 1)
    statement = expense_factories.make_approved_statement(
        personas, september, payable="130.00", rows=[(r1, "100.00", "80.00"),
                                                     (r2, "60.00", "50.00")])
    expense_factories.make_statement(personas.rep2, personas.org.area, september)
    expense_factories.make_statement(personas.sibling_rep, personas.org.sibling_area,
                                     september)
    english(personas.manager)
    with translation.override("en"):
        expected = openpyxl.load_workbook(io.BytesIO(statement_workbook(statement)))
    book = workbook(export(personas.manager, "statements", month_from="2026-09",
                           month_to="2026-09"))
    assert book.sheetnames == ["Summary", "张伟 2026-09", "王芳 2026-09"]
    assert cells(book["张伟 2026-09"]) == cells(expected.worksheets[0])
    summary = cells(book["Summary"])
    assert summary[0] == ["Relationship expense statements"]
    header = summary.index(["No.", "Month", "Area", "Rep", "Status", "Late",
                            "Purchases (yuan)", "Collected (yuan)",
                            "Relationship expense (yuan)", "Payable (yuan)",
                            "New-customer special expense (yuan)", "Paid (yuan)"])
    assert summary[header + 1] == [1, "2026-09", "鼓楼片区", "张伟", "Approved by finance", "no",
                                   0, 0, 130, 130, 0, 0]
    assert summary[header + 2][:5] == [2, "2026-09", "鼓楼片区", "王芳", "Submitted"]
    assert summary[header + 3][0] == "Total" and summary[header + 3][9] == 130


def test_a_reps_statements_export_holds_only_their_statements(export, personas, shops):
    september = date(2026, 9, 1)
    expense_factories.make_approved_statement(personas, september)
    expense_factories.make_statement(personas.rep2, personas.org.area, september)
    book = workbook(export(personas.rep, "statements", month_from="2026-09",
                           month_to="2026-09"))
    assert len(book.sheetnames) == 2 and book.sheetnames[1] == "张伟 2026-09"
