"""Monthly facts from the order system's Excel: all or nothing, every bad row named,
re-importing a month replaces it."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from openpyxl import load_workbook

from accounts.models import JobRun, User
from kehu.imports import services
from kehu.models import ImportBatch, MonthlyFact
from tests.factories import make_retailer
from tests.kehu.xlsx_files import (  # noqa: F401 - media_root is an autouse fixture
    FACT_HEADERS,
    fact_row,
    facts_file,
    media_root,
    upload,
    workbook_with,
    xlsx_bytes,
)

OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)


@pytest.fixture(autouse=True)
def english(personas):
    User.objects.update(language="en")
    with translation.override("en"):
        yield


@pytest.fixture
def shops(personas):
    area = personas.org.area
    return [make_retailer(area, personas.rep, code=f"R{n}") for n in (1, 2, 3)]


def submit(personas, file, actor=None) -> ImportBatch:
    return services.import_batch_submit(actor=actor or personas.clerk, kind="facts", upload=file)


def errors_of(batch) -> list[tuple]:
    return [(e["row"], e["column"], e["message"]) for e in batch.errors]


def test_a_clean_facts_file_is_imported_whole(personas, shops):
    batch = submit(personas, facts_file([fact_row("R1", amount=12800.5), fact_row("R2")]))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.counts == {"facts": 2, "added": 2, "replaced": 0}
    fact = MonthlyFact.objects.get(retailer=shops[0])
    assert fact.month == OCT
    assert fact.purchase_amount == Decimal("12800.50")
    assert fact.order_success_rate == Decimal("95.50")


def test_reimporting_a_month_replaces_it_without_duplicates(personas, shops):
    submit(personas, facts_file([fact_row("R1", amount=100), fact_row("R2", amount=200)]))
    batch = submit(personas, facts_file([fact_row("R1", amount=111), fact_row("R2", amount=222)]))

    assert batch.counts == {"facts": 2, "added": 0, "replaced": 2}
    assert MonthlyFact.objects.count() == 2
    assert sorted(MonthlyFact.objects.values_list("purchase_amount", flat=True)) == [
        Decimal("111.00"), Decimal("222.00")]


def test_another_month_is_added_next_to_the_first(personas, shops):
    submit(personas, facts_file([fact_row("R1", month="2026-10")]))
    submit(personas, facts_file([fact_row("R1", month="2026-11")]))

    assert list(MonthlyFact.objects.values_list("month", flat=True)) == [OCT, NOV]


def test_one_bad_row_refuses_the_whole_file_and_writes_nothing(personas, shops):
    batch = submit(personas, facts_file([fact_row("R1"), fact_row("R2", amount="abc"),
                                         fact_row("R3")]))

    assert batch.status == ImportBatch.Status.INVALID
    assert errors_of(batch) == [(3, "采购金额", "“abc” is not a number.")]
    assert MonthlyFact.objects.count() == 0


def test_every_bad_row_is_reported_not_just_the_first(personas, shops):
    batch = submit(personas, facts_file([
        fact_row("R1", amount=-5),
        fact_row("R2", month="sometime"),
        fact_row("R3", success=120, collected=1.005),
    ]))

    assert errors_of(batch) == [
        (2, "采购金额", "Must not be negative (this is -5)."),
        (3, "月份", "“sometime” is not a month: write it as YYYY-MM, e.g. 2026-10."),
        (4, "回款金额", "At most 2 decimal places (this is 1.005)."),
        (4, "订货成功率(%)", "Must be at most 100 (this is 120)."),
    ]
    assert batch.error_count == 4


@pytest.mark.parametrize(("row", "column", "message"), [
    pytest.param(fact_row("R1", quantity="十"), "采购数量", "“十” is not a number.",
                 id="text in a number column"),
    pytest.param(fact_row("R1", collected=None), "回款金额", "This cell must not be empty.",
                 id="empty required cell"),
    pytest.param(fact_row("R9"), "客户编码", "Unknown retailer code “R9”.", id="unknown code"),
    pytest.param(fact_row("R1", month="2026-13"), "月份",
                 "“2026-13” is not a month: write it as YYYY-MM, e.g. 2026-10.", id="bad month"),
    pytest.param(fact_row("R1", e_settlement="很多"), "电子结算率(%)", "“很多” is not a number.",
                 id="text in a percent column"),
])
def test_each_bad_cell_names_its_row_and_column(personas, shops, row, column, message):
    batch = submit(personas, facts_file([fact_row("R2"), row]))

    assert errors_of(batch) == [(3, column, message)]
    assert MonthlyFact.objects.count() == 0


def test_the_same_retailer_and_month_twice_in_a_file_is_an_error(personas, shops):
    batch = submit(personas, facts_file([fact_row("R1"), fact_row("R2"),
                                         fact_row("R1", month="2026/10")]))

    assert errors_of(batch) == [(4, "月份", "Retailer R1 has 2026-10 on row 2 already.")]


def test_another_offices_retailer_is_an_unknown_code(personas, shops):
    make_retailer(personas.org.sibling_area, personas.sibling_rep, code="S1")

    batch = submit(personas, facts_file([fact_row("R1"), fact_row("S1")]))

    assert errors_of(batch) == [(3, "客户编码", "Unknown retailer code “S1”.")]


def test_a_rep_may_not_import(personas, shops):
    with pytest.raises(PermissionDenied):
        submit(personas, facts_file([fact_row("R1")]), actor=personas.rep)


def test_missing_columns_are_named(personas, shops):
    headers = [h for h in FACT_HEADERS if h not in ("回款金额", "月份")]
    batch = submit(personas, facts_file([["R1", 1, 2, 3, 4]], headers=headers))

    assert errors_of(batch) == [(1, "月份、回款金额", "Missing columns: 月份、回款金额. "
                                 "Download the template to see the layout.")]


def test_an_unknown_column_is_an_error(personas, shops):
    batch = submit(personas, facts_file([[*fact_row("R1"), "x"]],
                                        headers=[*FACT_HEADERS, "备注"]))

    assert errors_of(batch) == [(1, "备注", "Unknown column “备注”. Download the template to "
                                 "see the layout.")]


def test_headers_with_full_width_brackets_and_spaces_are_the_same_headers(personas, shops):
    headers = [*FACT_HEADERS[:5], "订货成功率（%）", " 电子结算率 (％)"]
    batch = submit(personas, facts_file([fact_row("R1")], headers=headers))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors


def test_codes_typed_as_numbers_match_text_codes(personas):
    make_retailer(personas.org.area, personas.rep, code="320106")
    batch = submit(personas, facts_file([fact_row(320106)]))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert MonthlyFact.objects.get().retailer.code == "320106"


def test_row_numbers_are_excels_when_the_table_starts_lower(personas, shops):
    batch = submit(personas, facts_file([fact_row("R1"), fact_row("R2", amount="?")],
                                        start="B3"))

    assert errors_of(batch) == [(5, "采购金额", "“?” is not a number.")]


def test_a_formula_cell_is_refused_with_its_cell(personas, shops):
    batch = submit(personas, facts_file([fact_row("R1"), fact_row("R2", amount="=100*2")]))

    assert errors_of(batch) == [
        (3, "采购金额", "Cell C3 holds a formula. Paste values only (Paste Special → Values).")]
    assert MonthlyFact.objects.count() == 0


def test_an_empty_sheet_has_no_data_rows(personas, shops):
    batch = submit(personas, facts_file([]))

    assert errors_of(batch) == [(None, "", "The file has no data rows.")]


def test_a_renamed_text_file_is_not_an_excel_file(personas, shops):
    with pytest.raises(ValidationError) as caught:
        submit(personas, upload("客户编码,月份\nR1,2026-10\n".encode(), "facts.xlsx"))

    assert "not an Excel workbook" in caught.value.message_dict["file"][0]
    assert not ImportBatch.objects.exists()


def test_a_file_over_the_limit_is_refused_before_it_is_read(personas, shops, settings,
                                                            monkeypatch):
    settings.KEHU_IMPORT_MAX_BYTES = 1000
    monkeypatch.setattr("kehu.imports.reader.zipfile.ZipFile", None)  # never opened

    with pytest.raises(ValidationError) as caught:
        submit(personas, facts_file([fact_row("R1")] * 50))

    assert "the limit is 1000" in caught.value.message_dict["file"][0]


def test_the_error_report_keeps_the_rows_and_adds_the_reasons(personas, shops):
    batch = submit(personas, facts_file([fact_row("R1"), fact_row("R2", amount="abc")]))

    sheet = load_workbook(BytesIO(batch.error_report.read())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == [*FACT_HEADERS, "错误说明"]
    assert rows[1][:2] == ["R1", "2026-10"] and rows[1][7] is None
    assert rows[2][2] == "abc" and rows[2][7] == "采购金额：“abc” is not a number."


def test_a_corrected_error_report_can_be_uploaded_as_it_is(personas, shops):
    batch = submit(personas, facts_file([fact_row("R1"), fact_row("R2", amount="abc")]))
    workbook = load_workbook(BytesIO(batch.error_report.read()))
    workbook.active["C3"] = 300
    buffer = BytesIO()
    workbook.save(buffer)

    fixed = submit(personas, upload(buffer.getvalue(), "fixed.xlsx"))

    assert fixed.status == ImportBatch.Status.SUCCEEDED, fixed.errors
    assert MonthlyFact.objects.get(retailer=shops[1]).purchase_amount == Decimal("300.00")


def test_each_import_is_recorded_as_a_job_run_with_its_progress(personas, shops):
    batch = submit(personas, facts_file([fact_row("R1"), fact_row("R2")]))

    run = JobRun.objects.get(pk=batch.job_run_id)
    assert run.name == "kehu.import.facts" and run.status == JobRun.Status.SUCCEEDED
    assert (run.progress_done, run.progress_total) == (2, 2)
    assert run.counts["facts"] == 2 and run.started_by == personas.clerk


def test_the_importers_language_is_used_for_the_reasons(personas, shops):
    User.objects.filter(pk=personas.clerk.pk).update(language="zh-hans")
    clerk = User.objects.get(pk=personas.clerk.pk)

    batch = submit(personas, facts_file([fact_row("R9")]), actor=clerk)

    assert errors_of(batch) == [(2, "客户编码", "未知客户编码“R9”。")]


def test_a_big_file_is_queued_for_the_worker_once_committed(
        personas, shops, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.KEHU_IMPORT_INLINE_ROWS = 2
    queued = []
    monkeypatch.setattr("kehu.tasks.import_batch_process.apply_async",
                        lambda args, **options: queued.append((args, options)))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = submit(personas, facts_file([fact_row(f"R{n}") for n in (1, 2, 3)]))
    assert queued == []  # nothing is sent while the transaction is open
    for callback in callbacks:
        callback()

    assert batch.status == ImportBatch.Status.QUEUED and batch.row_count == 3
    assert queued == [([batch.pk], {})]
    assert MonthlyFact.objects.count() == 0


def test_running_a_queued_batch_imports_it_once(personas, shops, settings, monkeypatch):
    settings.KEHU_IMPORT_INLINE_ROWS = 2
    monkeypatch.setattr("kehu.tasks.import_batch_process.apply_async", lambda *a, **k: None)
    batch = submit(personas, facts_file([fact_row(f"R{n}") for n in (1, 2, 3)]))

    from kehu.tasks import import_batch_process

    assert import_batch_process(batch.pk) == ImportBatch.Status.SUCCEEDED
    assert import_batch_process(batch.pk) == ImportBatch.Status.SUCCEEDED  # a redelivery
    assert MonthlyFact.objects.count() == 3
    assert JobRun.objects.filter(name="kehu.import.facts").count() == 1
    assert import_batch_process(batch.pk + 1000) is None  # gone: nothing to do


def test_a_workbook_calamine_cannot_read_is_refused_as_not_excel(personas, shops):
    broken = workbook_with(b"<worksheet><sheetData><row><c r=")  # cut off mid-cell

    batch = submit(personas, upload(broken, "broken.xlsx"))

    assert batch.status == ImportBatch.Status.INVALID
    assert errors_of(batch) == [(None, "", "This is not an Excel workbook (.xlsx). Save it as "
                                 "“Excel Workbook (*.xlsx)” and upload it again.")]
    assert not batch.error_report


def test_a_batch_whose_worker_was_lost_is_failed_by_housekeeping(personas, shops, settings,
                                                                  monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from accounts import services as accounts

    settings.KEHU_IMPORT_INLINE_ROWS = 1
    monkeypatch.setattr("kehu.tasks.import_batch_process.apply_async", lambda *a, **k: None)
    batch = submit(personas, facts_file([fact_row("R1"), fact_row("R2")]))
    # The worker claims the batch and starts its run, then dies before finishing.
    run = accounts.job_run_start(name="kehu.import.facts", scope=batch.scope)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING,
                                                   job_run=run)
    now = timezone.now()
    JobRun.objects.filter(pk=run.pk).update(
        started_at=now - settings.JOB_RUN_STALE_AFTER - timedelta(minutes=1))
    other = submit(personas, facts_file([fact_row("R3"), fact_row("R3", month="2026-11")]))

    accounts.housekeeping_run(now=now)

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED and batch.finished_at == now
    assert batch.error_count == 1 and "worker was lost" in batch.errors[0]["message"]
    assert ImportBatch.objects.get(pk=other.pk).status == ImportBatch.Status.QUEUED
    assert not MonthlyFact.objects.exists()
