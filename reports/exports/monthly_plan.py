"""Monthly visit plan (月度巡访计划表), the paper sheet's layout: one worksheet per rep.

    row 1   title, merged across the sheet
    row 2   Rep: <name>            Organisation: <company / … / area>
    row 3   Month: <YYYY-MM>       Plan: v<version> · <status>
    row 5   No. | Retailer code | Retailer | Grade | 1 | 2 | … | <last day> | Planned visits
    row 6                                            weekday of each day (non-working days
                                                     shaded, per the statutory calendar)
    row 7…  one row per retailer: √ on each day it is planned, its count at the end
    last    Total: the stops of each day, and of the month

The plan is the one the rep works from (the approved version, else the one being
prepared: `visits.selectors.common.pick_working`). Its retailers are the ones planned in
the month plus the rep's other active retailers (left blank: the sheet shows who is not
planned), ordered by grade (A, B, C, ungraded) and code. Without a `rep` filter every rep
of the user's team with a plan that month gets a sheet; a chosen rep always gets one.
"""

from calendar import monthrange
from collections import defaultdict
from datetime import date

from django.db.models import Q
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import node_ancestry
from accounts.workdays import working_days
from kehu.models import Retailer
from kehu.selectors import retailers_for_user
from reports.exports.base import (
    SheetWriter,
    month_label,
    parse_month,
    parse_rep,
    sheet_name,
    unknown_filters,
)
from visits.models import PlanStop, VisitPlan
from visits.selectors.common import pick_working
from visits.selectors.plans import plans_for_user
from visits.selectors.team import team_reps

STEM = "monthly-plan"
MARK = "√"
FIXED = 4  # No., code, name, grade: the day columns start after them
HEADER_ROW, WEEKDAY_ROW, FIRST_ROW = 4, 5, 6
GRADE_ORDER = {"A": 0, "B": 1, "C": 2}


def clean_filters(*, user, data: dict) -> dict:
    unknown_filters(data, {"month", "rep"})
    month = parse_month(data, "month", _("Month"))
    rep = parse_rep(data, "rep", _("Rep"), user=user)
    return {"month": month_label(month), **({"rep": rep} if rep else {})}


def _month(filters: dict) -> date:
    return date.fromisoformat(f"{filters['month']}-01")


def _plans(user, filters: dict) -> list[tuple[User, VisitPlan | None]]:
    """(rep, working plan) per sheet, reps by name."""
    month = _month(filters)
    plans = plans_for_user(user).filter(
        month=month, status__in=(VisitPlan.Status.APPROVED, *VisitPlan.OPEN))
    if filters.get("rep"):
        rep = team_reps(user).get(pk=filters["rep"])
        return [(rep, pick_working(plans.filter(rep=rep)))]
    by_rep = defaultdict(list)
    for plan in plans:
        by_rep[plan.rep_id].append(plan)
    chosen = [pick_working(versions) for versions in by_rep.values()]
    return sorted(((plan.rep, plan) for plan in chosen), key=lambda p: (str(p[0]), p[0].pk))


def _rows(user, rep: User, plan: VisitPlan | None) -> tuple[list[dict], dict[int, set[int]]]:
    """The sheet's retailers (dicts of id, code, name, grade) and their planned days."""
    days: dict[int, set[int]] = defaultdict(set)
    if plan is not None:
        for retailer_id, day in PlanStop.objects.filter(plan=plan).values_list("retailer_id",
                                                                               "date"):
            days[retailer_id].add(day.day)
    shown = Q(assigned_rep=rep, status=Retailer.Status.ACTIVE) | Q(pk__in=list(days))
    retailers = list(retailers_for_user(user).filter(shown)
                     .values("id", "code", "name", "grade"))
    retailers.sort(key=lambda r: (GRADE_ORDER.get(r["grade"], 3), r["code"]))
    return retailers, days


def sheets(user, filters: dict):
    """(rep, plan, retailers, planned days) of each sheet."""
    for rep, plan in _plans(user, filters):
        retailers, days = _rows(user, rep, plan)
        yield rep, plan, retailers, days


def count(*, user, filters: dict) -> int:
    return sum(len(retailers) for _rep, _plan, retailers, _days in sheets(user, filters))


def _heading(writer: SheetWriter, rep: User, plan: VisitPlan | None, month: date,
             last_col: int) -> None:
    book = writer.workbook
    title = book.add_format({"bold": True, "font_size": 16, "align": "center"})
    writer.sheet.merge_range(0, 0, 0, last_col, _("Monthly visit plan"), title)
    bold = book.add_format({"bold": True})
    area = plan.area if plan else None
    organisation = " / ".join(n.name for n in node_ancestry(area)) if area else ""
    if plan is None:
        version = _("no plan")
    else:
        version = _("v%(version)s · %(status)s") % {"version": plan.version,
                                                    "status": plan.get_status_display()}
    for row, pairs in ((1, [(_("Rep"), str(rep)), (_("Organisation"), organisation)]),
                       (2, [(_("Month"), month_label(month)), (_("Plan"), version)])):
        for col, (label, value) in zip((0, 2), pairs, strict=True):
            writer.write_text(row, col, f"{label}:", bold)
            writer.write(row, col + 1, value)


def _write_sheet(writer: SheetWriter, rep, plan, retailers, days, month: date, tick,
                 done: int) -> int:
    last_day = monthrange(month.year, month.month)[1]
    total_col = FIXED + last_day
    _heading(writer, rep, plan, month, total_col)
    book, sheet = writer.workbook, writer.sheet
    header = book.add_format({"bold": True, "border": 1, "align": "center",
                              "bg_color": "#EEEEEE"})
    off = book.add_format({"bold": True, "border": 1, "align": "center",
                           "bg_color": "#BFBFBF"})
    mark = book.add_format({"border": 1, "align": "center"})
    cell = book.add_format({"border": 1})
    dates = [date(month.year, month.month, d) for d in range(1, last_day + 1)]
    open_days = set(working_days(dates[0], dates[-1], strict=False))
    formats = [header if d in open_days else off for d in dates]
    for col, label in enumerate([_("No."), _("Retailer code"), _("Retailer"), _("Grade")]):
        writer.write_text(HEADER_ROW, col, label, header)
    # constant_memory: a row is final once the next one is started, so row by row.
    for col, (day, fmt) in enumerate(zip(dates, formats, strict=True), start=FIXED):
        sheet.write_number(HEADER_ROW, col, day.day, fmt)
    writer.write_text(HEADER_ROW, total_col, _("Planned visits"), header)
    for col, (day, fmt) in enumerate(zip(dates, formats, strict=True), start=FIXED):
        sheet.write_string(WEEKDAY_ROW, col, str(WEEKDAYS_ABBR[day.weekday()]), fmt)
    for col in [*range(FIXED), total_col]:
        sheet.write_blank(WEEKDAY_ROW, col, None, header)
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, 1, 12)
    sheet.set_column(2, 2, 24)
    sheet.set_column(3, 3, 5)
    sheet.set_column(FIXED, total_col - 1, 3.5)
    sheet.set_column(total_col, total_col, 8)
    sheet.freeze_panes(FIRST_ROW, FIXED)
    per_day = [0] * last_day
    row = FIRST_ROW
    for number, retailer in enumerate(retailers, start=1):
        planned = days.get(retailer["id"], set())
        sheet.write_number(row, 0, number, cell)
        writer.write_text(row, 1, retailer["code"], cell)
        writer.write_text(row, 2, retailer["name"], cell)
        if retailer["grade"]:
            writer.write_text(row, 3, retailer["grade"], cell)
        else:
            sheet.write_blank(row, 3, None, cell)
        for d in range(1, last_day + 1):
            if d in planned:
                sheet.write_string(row, FIXED + d - 1, MARK, mark)
                per_day[d - 1] += 1
            else:
                sheet.write_blank(row, FIXED + d - 1, None, mark)
        sheet.write_number(row, total_col, len(planned), cell)
        row += 1
        done += 1
        tick(done)
    writer.write_text(row, 2, _("Total"), header)
    for col in (0, 1, 3):
        sheet.write_blank(row, col, None, header)
    for d, stops in enumerate(per_day):
        sheet.write_number(row, FIXED + d, stops, header)
    sheet.write_number(row, total_col, sum(per_day), header)
    return done


def write(book, *, user, filters: dict, tick) -> int:
    month = _month(filters)
    used: set[str] = set()
    done = 0
    for rep, plan, retailers, days in sheets(user, filters):
        writer = SheetWriter(book, sheet_name(f"{rep} {month_label(month)}", used))
        done = _write_sheet(writer, rep, plan, retailers, days, month, tick, done)
    if not used:
        writer = SheetWriter(book, sheet_name(_("Monthly visit plan"), used))
        writer.write_text(0, 0, _("No visit plans for %(month)s.") % {
            "month": month_label(month)})
    return done
