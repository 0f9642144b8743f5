"""客情费 statements (月客户采购及客情费统计表) of a period: a summary sheet (one row per
statement, totals, in the order area, rep, month), then each statement on its own sheet
in the layout of the single-statement download (`expenses.exports.statement_workbook`'s
first sheet: title, organisation and month, status, one row per retailer, totals,
signature cells). Months `month_from`–`month_to` (at most twelve), optionally one rep.
The new-customer summary stays in the single-statement download. Progress and the row
count are in statements."""

from django.utils.translation import gettext as _

from expenses.exports import Money, SheetBuilder, write_statement_sheet
from expenses.models import MonthlyStatement
from expenses.selectors import statements_for_user
from reports.exports.base import (
    check_months,
    month_label,
    parse_month,
    parse_rep,
    sheet_name,
    unknown_filters,
)

STEM = "statements"


def clean_filters(*, user, data: dict) -> dict:
    unknown_filters(data, {"month_from", "month_to", "rep"})
    first = parse_month(data, "month_from", _("From month"))
    last = parse_month(data, "month_to", _("To month"))
    check_months(first, last, first_label=_("From month"), last_field="month_to",
                 last_label=_("To month"))
    rep = parse_rep(data, "rep", _("Rep"), user=user)
    return {"month_from": month_label(first), "month_to": month_label(last),
            **({"rep": rep} if rep else {})}


def queryset(*, user, filters: dict):
    rows = statements_for_user(user).filter(
        month__gte=f"{filters['month_from']}-01", month__lte=f"{filters['month_to']}-01")
    if filters.get("rep"):
        rows = rows.filter(rep_id=filters["rep"])
    return rows.order_by("area__path", "rep__name", "rep_id", "month")


def count(*, user, filters: dict) -> int:
    return queryset(user=user, filters=filters).order_by().count()


def _summary(book, statements: list[MonthlyStatement], filters: dict, used: set) -> None:
    sheet = SheetBuilder(book, sheet_name(_("Summary"), used), [
        _("No."), _("Month"), _("Area"), _("Rep"), _("Status"), _("Late"),
        _("Purchases (yuan)"), _("Collected (yuan)"), _("Relationship expense (yuan)"),
        _("Payable (yuan)"), _("New-customer special expense (yuan)"), _("Paid (yuan)")])
    sheet.title(_("Relationship expense statements"))
    sheet.facts([(_("Period"), f"{filters['month_from']} – {filters['month_to']}"),
                 (_("Statements"), str(len(statements)))])
    sheet.header()
    sheet.rows([month_label(s.month), s.area.name, str(s.rep), s.get_status_display(),
                _("yes") if s.late else _("no"), Money(s.purchase_total),
                Money(s.collected_total), Money(s.claimed_total), Money(s.payable_total),
                Money(s.new_customer_total), Money(s.paid_total)] for s in statements)


def _statement(book, statement: MonthlyStatement, used: set) -> None:
    write_statement_sheet(book, statement, sheet_name(
        f"{statement.rep} {month_label(statement.month)}", used))


def write(book, *, user, filters: dict, tick) -> int:
    statements = list(queryset(user=user, filters=filters))
    used: set[str] = set()
    _summary(book, statements, filters, used)
    done = 0
    for done, statement in enumerate(statements, start=1):
        _statement(book, statement, used)
        tick(done)
    return done
