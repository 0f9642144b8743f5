"""Excel exports: the statement with its new-customer summary, and finance's payouts."""

import io
from datetime import date
from decimal import Decimal as D

import openpyxl
import pytest

from expenses import services
from tests.expenses import factories as f


def workbook(response):
    assert response.status_code == 200, getattr(response, "data", None)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content))


def cells(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def find(rows, value):
    return next(row for row in rows if value in row)


def money(value) -> D:
    return D(str(value)).quantize(D("0.01"))


@pytest.fixture
def approved(personas, shop, clock):
    f.make_fact(shop.r1, date(2026, 9, 1), "10000.00", "50.00", "8000.00")
    f.make_fact(shop.r2, date(2026, 9, 1), "1234.56", "3.00", "1234.56")
    f.make_line(personas.rep, shop.r1, "150.00", date(2026, 9, 10), product_line=shop.line)
    f.make_line(personas.rep, shop.r2, "0.10", date(2026, 9, 11), product_line=shop.line)
    f.make_line(personas.rep, shop.r2, "0.20", date(2026, 9, 12), product_line=shop.line)
    clock(date(2026, 10, 9))
    statement = services.statement_submit(rep=personas.rep, month=date(2026, 9, 1))
    for actor, step in [(personas.clerk, "clerk_check"), (personas.manager, "manager_approve"),
                        (personas.finance, "finance_approve")]:
        statement = services.statement_review(statement=statement, actor=actor, step=step)
    return statement


def test_the_statement_exports_in_the_companies_layout(approved, personas, client_for):
    book = workbook(client_for(personas.rep).get(
        f"/api/expenses/statements/{approved.pk}/export/"))
    statement, summary = book.worksheets
    rows = cells(statement)
    assert rows[0][0]  # the title
    path = "示范公司 / 苏南大区 / 南京办事处 / 鼓楼片区"
    heading = find(rows, path)  # organisation, month and rep on one line
    assert heading.index("2026-09") > heading.index(path) and "张伟" in heading
    r1, r2 = find(rows, "R1"), find(rows, "R2")
    # R1: 150.00 claimed, 100.00 allowance × 80 % = 80.00 payable
    assert [money(r1[3]), money(r1[5]), money(r1[7]), money(r1[8])] == [
        D("10000.00"), D("8000.00"), D("150.00"), D("80.00")]
    assert r1[6] == pytest.approx(0.8)
    # R2: 0.10 + 0.20 claimed, fully collected: exact to the fen, no float drift
    assert (money(r2[7]), money(r2[8])) == (D("0.30"), D("0.30"))
    total = rows[rows.index(r2) + 1]
    assert [money(total[3]), money(total[7]), money(total[8])] == [
        D("11234.56"), D("150.30"), D("80.30")]
    signed = [row for row in rows if row[2] in ("张伟", "赵敏", "刘洋", "黄丽")]
    assert [row[2] for row in signed] == ["张伟", "赵敏", "刘洋", "黄丽"]
    assert all(row[4] for row in signed)  # the date each signed
    assert cells(summary)[0][0]  # the new-customer summary has its own title


def test_finance_exports_the_months_payouts(approved, personas, client_for, clock):
    clock(date(2026, 10, 19))
    services.advance_payout(statement=approved, actor=personas.finance, amount=D("50.15"))
    services.advance_payout(statement=approved, actor=personas.finance, amount=D("30.15"))
    finance = client_for(personas.finance)
    rows = cells(workbook(finance.get(
        "/api/expenses/advance-entries/export/?month=2026-09")).worksheets[0])
    paid = [row for row in rows if row[2] == "张伟"]
    assert [money(row[5]) for row in paid] == [D("50.15"), D("30.15")]
    assert [money(row[6]) for row in paid] == [D("50.15"), D("80.30")]
    total = rows[rows.index(paid[-1]) + 1]
    assert money(total[5]) == D("80.30")
    assert client_for(personas.rep).get(
        "/api/expenses/advance-entries/export/?month=2026-09").status_code == 403
    assert "month" in finance.get("/api/expenses/advance-entries/export/").data


def test_text_that_looks_like_a_formula_stays_text(personas, shop, clock):
    from expenses.exports import statement_workbook

    shop.r1.name = "=HYPERLINK(\"http://x\")"
    shop.r1.save()
    f.make_fact(shop.r1, date(2026, 9, 1))
    clock(date(2026, 10, 9))
    statement = services.statement_submit(rep=personas.rep, month=date(2026, 9, 1))
    book = openpyxl.load_workbook(io.BytesIO(statement_workbook(statement)))
    cell = next(c for row in book.worksheets[0].iter_rows() for c in row
                if c.value == shop.r1.name)
    assert cell.data_type == "s"
