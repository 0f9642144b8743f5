"""Rep scorecards (业务员月度考核表): one row per rep and month from the nightly
RepScorecard table, in the order of the scorecard page — plan adherence, visits,
A-coverage, overdue, problems, information, grade moves, 客情费 against sales. Months
`month_from`–`month_to` (at most twelve), optionally one rep."""

from django.utils.translation import gettext as _

from grading.models import RepScorecard
from reports.exports.base import (
    SheetWriter,
    check_months,
    month_label,
    parse_month,
    parse_rep,
    unknown_filters,
)

STEM = "rep-scorecards"
FIGURES = ("has_approved_plan", "planned", "done", "missed", "pending", "adherence_pct",
           "visits", "on_site", "a_total", "a_visited", "a_coverage_pct", "overdue",
           "problems_solved", "info_items", "grade_ups", "grade_downs", "a_to_b",
           "expense_amount", "sales_amount", "expense_pct", "as_of")
PERCENTS = {"adherence_pct", "a_coverage_pct", "expense_pct"}


def headers() -> list[str]:
    return [_("Month"), _("Area"), _("Rep"),
            *(str(RepScorecard._meta.get_field(name).verbose_name) for name in FIGURES)]


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
    rows = RepScorecard.objects.for_user(user).filter(
        month__gte=f"{filters['month_from']}-01", month__lte=f"{filters['month_to']}-01")
    if filters.get("rep"):
        rows = rows.filter(rep_id=filters["rep"])
    return rows


def count(*, user, filters: dict) -> int:
    return queryset(user=user, filters=filters).order_by().count()


def _value(name: str, value, yes: str, no: str):
    if value is None:
        return None
    if name in PERCENTS:
        return float(value)
    if isinstance(value, bool):
        return yes if value else no
    return value


def write(book, *, user, filters: dict, tick) -> int:
    writer = SheetWriter(book, _("Rep scorecards"))
    writer.header(0, headers())
    writer.sheet.freeze_panes(1, 3)
    yes, no = _("yes"), _("no")
    rows = (queryset(user=user, filters=filters)
            .order_by("month", "area__path", "rep__name", "rep_id")
            .values_list("month", "area__name", "rep__name", "rep__username", *FIGURES))
    done = 0
    for done, (month, area, name, username, *figures) in enumerate(rows.iterator(), start=1):
        writer.row(done, [month_label(month), area, name or username,
                          *(_value(n, v, yes, no) for n, v in zip(FIGURES, figures,
                                                                  strict=True))])
        tick(done)
    return done
