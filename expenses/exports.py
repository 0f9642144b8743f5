"""Excel exports in the layouts companies use: the monthly statement with its new-customer
summary, and finance's month of payouts.

Each sheet is a title, the organisation and month, a header, rows from a generator, a
totals row and signature cells. Money is summed as Decimal and written as a number with a
0.00 format (an amount of up to 12 digits is exact in a double, so the value read back is
the Decimal written). Text is always written as a string, never as a formula.
"""

import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import node_ancestry
from expenses.models import AdvanceEntry, MonthlyStatement

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZERO = Decimal("0.00")


class Money(Decimal):
    """A Decimal written with the money format (and summed into the totals row)."""


class Rate(Decimal):
    """A fraction written as a percentage."""


class SheetBuilder:
    """One worksheet: title, facts, header, rows, totals, signatures, written top-down."""

    def __init__(self, workbook: xlsxwriter.Workbook, name: str, columns: list[str]):
        self.book, self.columns = workbook, columns
        self.sheet = workbook.add_worksheet(name[:31])
        self.row = 0
        self.formats = {
            "title": workbook.add_format({"bold": True, "font_size": 16, "align": "center"}),
            "bold": workbook.add_format({"bold": True}),
            "header": workbook.add_format({"bold": True, "border": 1, "bg_color": "#EEEEEE",
                                           "text_wrap": True, "align": "center"}),
            "cell": workbook.add_format({"border": 1}),
            "money": workbook.add_format({"border": 1, "num_format": "#,##0.00"}),
            "rate": workbook.add_format({"border": 1, "num_format": "0.00%"}),
            "date": workbook.add_format({"border": 1, "num_format": "yyyy-mm-dd"}),
            "total": workbook.add_format({"bold": True, "border": 1, "num_format": "#,##0.00"}),
        }
        self.sheet.set_column(0, 0, 6)
        self.sheet.set_column(1, len(columns) - 1, 16)

    def title(self, text: str) -> None:
        self.sheet.merge_range(self.row, 0, self.row, len(self.columns) - 1, text,
                               self.formats["title"])
        self.row += 1

    def facts(self, pairs: list[tuple[str, str]]) -> None:
        col = 0
        for label, value in pairs:
            self.sheet.write_string(self.row, col, f"{label}:", self.formats["bold"])
            self.sheet.write_string(self.row, col + 1, str(value))
            col += 3
        self.row += 1

    def header(self) -> None:
        self.row += 1
        for col, label in enumerate(self.columns):
            self.sheet.write_string(self.row, col, label, self.formats["header"])
        self.row += 1

    def write_cell(self, col: int, value, cell_format=None) -> None:
        if value is None or value == "":
            self.sheet.write_blank(self.row, col, None, cell_format or self.formats["cell"])
        elif isinstance(value, Rate):
            self.sheet.write_number(self.row, col, float(value), self.formats["rate"])
        elif isinstance(value, Decimal):
            self.sheet.write_number(self.row, col, float(value),
                                    cell_format or self.formats["money"])
        elif isinstance(value, int | float):
            self.sheet.write_number(self.row, col, value, cell_format or self.formats["cell"])
        elif isinstance(value, datetime):
            self.sheet.write_datetime(self.row, col, timezone.localtime(value).replace(
                tzinfo=None), self.formats["date"])
        elif isinstance(value, date):
            self.sheet.write_datetime(self.row, col, datetime(value.year, value.month,
                                                              value.day), self.formats["date"])
        else:
            self.sheet.write_string(self.row, col, str(value), cell_format
                                    or self.formats["cell"])

    def rows(self, rows: Iterable[list]) -> None:
        """Write the rows (the first column is the row number) and then the totals of
        every Money column."""
        totals: dict[int, Decimal] = {}
        for number, values in enumerate(rows, start=1):
            for col, value in enumerate([number, *values]):
                if isinstance(value, Money):
                    totals[col] = totals.get(col, ZERO) + value
                self.write_cell(col, value)
            self.row += 1
        self.sheet.write_string(self.row, 0, _("Total"), self.formats["header"])
        for col in range(1, len(self.columns)):
            if col in totals:
                self.sheet.write_number(self.row, col, float(totals[col]),
                                        self.formats["total"])
            else:
                self.sheet.write_blank(self.row, col, None, self.formats["total"])
        self.row += 1

    def signatures(self, signers: list[tuple[str, str, object]]) -> None:
        """Signature cells: the role, who signed in the system (if anyone) and when, and an
        empty cell for the handwritten signature on the printed copy."""
        self.row += 1
        for label, name, when in signers:
            self.sheet.write_string(self.row, 0, "")
            self.sheet.write_string(self.row, 1, f"{label}:", self.formats["bold"])
            self.sheet.write_string(self.row, 2, name or "")
            self.sheet.write_string(self.row, 3, _("Date:"), self.formats["bold"])
            stamp = timezone.localtime(when).strftime("%Y-%m-%d") if isinstance(
                when, datetime) else ""
            self.sheet.write_string(self.row, 4, stamp)
            self.sheet.write_string(self.row, 5, _("Signature:"), self.formats["bold"])
            self.sheet.write_blank(self.row, 6, None, self.formats["cell"])
            self.row += 1


def _organisation(statement: MonthlyStatement) -> str:
    return " / ".join(node.name for node in node_ancestry(statement.area))


def _signers(statement: MonthlyStatement) -> list[tuple[str, str, object]]:
    def name(user):
        return str(user) if user else ""

    return [
        (_("Rep"), name(statement.rep), statement.submitted_at),
        (_("Clerk (checked)"), name(statement.clerk_checked_by), statement.clerk_checked_at),
        (_("Manager (approved)"), name(statement.manager_approved_by),
         statement.manager_approved_at),
        (_("Finance (approved)"), name(statement.finance_approved_by),
         statement.finance_approved_at),
    ]


def _heading(sheet: SheetBuilder, title: str, statement: MonthlyStatement) -> None:
    sheet.title(title)
    sheet.facts([(_("Organisation"), _organisation(statement)),
                 (_("Month"), f"{statement.month:%Y-%m}"), (_("Rep"), str(statement.rep))])
    sheet.facts([(_("Status"), statement.get_status_display()),
                 (_("Submitted"), timezone.localtime(statement.submitted_at)
                  .strftime("%Y-%m-%d %H:%M") if statement.submitted_at else ""),
                 (_("Late"), _("yes") if statement.late else _("no"))])


def write_statement_sheet(book, statement: MonthlyStatement, name: str) -> None:
    """The statement (月客户采购及客情费统计表) on a sheet of its own: title, organisation and
    month, status, one row per retailer, totals, signature cells. Also the layout of each
    statement in reports' statements export."""
    sheet = SheetBuilder(book, name, [
        _("No."), _("Retailer code"), _("Retailer"), _("Purchases (yuan)"), _("Quantity"),
        _("Collected (yuan)"), _("Collection rate"), _("Relationship expense (yuan)"),
        _("Payable (yuan)"), _("Lines")])
    _heading(sheet, _("Monthly retailer purchases and relationship expense statement"),
             statement)
    sheet.header()
    sheet.rows([row.retailer_code, row.retailer_name, Money(row.purchase_amount),
                row.purchase_quantity, Money(row.collected_amount), Rate(row.collection_rate),
                Money(row.claimed_amount), Money(row.payable_amount), row.line_count]
               for row in statement.rows.order_by("retailer_code", "retailer_id"))
    sheet.signatures(_signers(statement))


def statement_workbook(statement: MonthlyStatement) -> bytes:
    """The statement (月客户采购及客情费统计表) and the new-customer summary, one sheet each."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    write_statement_sheet(book, statement, _("Statement"))

    summary = SheetBuilder(book, _("New customers"), [
        _("No."), _("Retailer code"), _("Retailer"), _("Applied on"), _("Approved on"),
        _("Contract date"), _("Status"), _("Approved amount (yuan)"),
        _("Claimed this month (yuan)"), _("Payable (yuan)")])
    _heading(summary, _("New-customer special expense summary"), statement)
    summary.header()
    summary.rows([row.retailer_code, row.retailer_name, row.applied_on, row.approved_on,
                  row.contract_date, row.get_status_display(), Money(row.approved_amount),
                  Money(row.claimed_amount), Money(row.payable_amount)]
                 for row in statement.new_customer_rows.order_by("retailer_code", "id"))
    summary.signatures(_signers(statement))
    book.close()
    return output.getvalue()


def payouts_workbook(entries, *, company_name: str, month: date) -> bytes:
    """Finance's payouts (借支) against one month's statements."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = SheetBuilder(book, _("Payouts"), [
        _("No."), _("Area"), _("Rep"), _("Month"), _("Payable (yuan)"),
        _("Advance paid (yuan)"), _("Outstanding after (yuan)"), _("Paid on"), _("Paid by")])
    sheet.title(_("Relationship expense advances paid out"))
    sheet.facts([(_("Organisation"), company_name), (_("Month"), f"{month:%Y-%m}")])
    sheet.header()
    rows = (entries.filter(kind=AdvanceEntry.Kind.PAYOUT)
            .select_related("account__rep", "account__area", "statement", "by")
            .order_by("account__area__path", "account__rep__username", "at", "id"))
    sheet.rows([entry.account.area.name, str(entry.account.rep),
                f"{entry.statement.month:%Y-%m}", entry.statement.payable_total,
                Money(entry.amount), entry.outstanding_after, entry.at, str(entry.by)]
               for entry in rows)
    sheet.signatures([(_("Prepared by"), "", None), (_("Finance manager"), "", None)])
    book.close()
    return output.getvalue()
