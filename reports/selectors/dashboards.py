"""The office manager's and the regional manager's dashboards, each read in one call from
the precomputed tables: RepDay (today's figures, live; flagged check-ins and the daily
series of a month), grading's RepScorecard (a month's figures: the same rows the
scorecard pages show, so they match them exactly) and AreaGradeMonth (grades by office).
Open and overdue problems come from AreaProblemDay (unsolved problems per area and due
date, recounted when a problem changes); statements waiting for the manager's approval
are counted live (a small table).

Every figure carries the page of the list behind it (`url`, with that page's own
filters) and, where the list has an API, the API query whose `count` equals the figure
(`api`). Figures read as a manager of the chosen node: what the user may see under it.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.db.models import Max, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrgNode, Role, User
from accounts.scoping import memberships_of
from accounts.workdays import month_end
from expenses.models import MonthlyStatement
from grading.models import RepScorecard
from reports.models import AreaGradeMonth, AreaProblemDay, RepDay
from visits.models import Problem

DASHBOARD_ROLES = {Role.OFFICE_MANAGER, Role.REGIONAL_MANAGER, Role.ADMIN}
DAY_FIELDS = ("planned", "done", "missed", "visits", "on_site", "phone", "care", "far",
              "no_gps", "flagged", "problems_raised", "problems_solved", "info_items")
# What a month's rows take from RepDay besides the scorecard: flagged is the figure (a
# visit too far and without GPS once), far and no_gps its parts.
MONTH_DAY_FIELDS = ("phone", "care", "far", "no_gps", "flagged", "problems_raised")
CARD_FIELDS = ("planned", "done", "missed", "pending", "visits", "on_site", "a_total",
               "a_visited", "overdue", "problems_solved", "info_items", "grade_ups",
               "grade_downs", "a_to_b")
MONEY_FIELDS = ("expense_amount", "sales_amount")
MONTH_FIELDS = ("a_total", "a_visited", "overdue", "grade_ups", "grade_downs", "a_to_b",
                *MONEY_FIELDS)
GRADES = ("A", "B", "C")


@dataclass(frozen=True)
class DashboardPeriod:
    kind: str  # "today" or "month"
    first: date
    last: date
    today: date

    @property
    def month(self) -> date:
        return self.first.replace(day=1)


def parse_period(text: str | None, today: date) -> DashboardPeriod:
    """"today", "month" (this month) or "YYYY-MM"; raises ValueError otherwise."""
    text = (text or "month").strip()
    if text == "today":
        return DashboardPeriod("today", today, today, today)
    if text == "month":
        first = today.replace(day=1)
    else:
        year, _sep, month = text.partition("-")
        if not (len(year) == 4 and len(month) == 2 and year.isdigit() and month.isdigit()):
            raise ValueError(text)
        first = date(int(year), int(month), 1)
        if first > today:
            raise ValueError(text)
    return DashboardPeriod("month", first, min(month_end(first), today), today)


def dashboard_nodes(user: User):
    """The nodes a user may open a dashboard at: where they manage, and below (regions,
    offices and areas), in tree order; nothing for other roles."""
    if user.is_superuser:
        return OrgNode.objects.exclude(kind=OrgNode.Kind.COMPANY).order_by("path")
    condition = Q(pk__in=[])
    for m in memberships_of(user):
        if m.role in DASHBOARD_ROLES:
            condition |= Q(path__startswith=m.node.path)
    return (OrgNode.objects.filter(condition).exclude(kind=OrgNode.Kind.COMPANY)
            .order_by("path"))


def default_node(user: User) -> OrgNode | None:
    """Where the user's dashboard opens: the highest node they manage."""
    return dashboard_nodes(user).order_by("depth", "path").first()


def _pct(part, whole, places: str = "0.1") -> float | None:
    if not whole:
        return None
    return float((Decimal(100) * Decimal(part) / Decimal(whole))
                 .quantize(Decimal(places), ROUND_HALF_UP))


def _url(name: str, **query) -> str:
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return reverse(name) + (f"?{urlencode(query, doseq=True)}" if query else "")


def _day_rows(user, node: OrgNode, period: DashboardPeriod):
    return (RepDay.objects.for_user(user)
            .filter(node_path__startswith=node.path, day__range=(period.first, period.last)))


def _card_rows(user, node: OrgNode, month: date):
    return (RepScorecard.objects.for_user(user)
            .filter(area__path__startswith=node.path, month=month))


def _office_of(path: str, offices: dict[str, OrgNode], steplen: int) -> OrgNode | None:
    return offices.get(path[: 3 * steplen])


def rep_rows(user, node: OrgNode, period: DashboardPeriod) -> list[dict]:
    """Per rep under the node: today's RepDay row, or the month's scorecard with the
    month's flagged check-ins from RepDay."""
    days = {row.pop("rep_id"): row for row in _day_rows(user, node, period)
            .values("rep_id").annotate(**{f: Sum(f) for f in DAY_FIELDS},
                                       path=_max_path(), name=Max("rep__name")).order_by()}
    rows: dict[int, dict] = {}
    if period.kind == "today":
        # Today's row, with the month's states from the scorecard (overdue, A retailers).
        states = {c.pop("rep_id"): c for c in _card_rows(user, node, period.month).values(
            "rep_id", "area__path", "rep__name", *MONTH_FIELDS)}
        for rep, row in days.items():
            rows[rep] = {"rep": rep, "path": row["path"], "name": row["name"],
                         **states.get(rep, {}), **{f: row[f] or 0 for f in DAY_FIELDS}}
        for rep, state in states.items():  # reps with nothing today yet
            rows.setdefault(rep, {"rep": rep, "path": state["area__path"],
                                  "name": state["rep__name"],
                                  **dict.fromkeys(DAY_FIELDS, 0), **state})
    else:
        for card in _card_rows(user, node, period.month).values(
                "rep_id", "area__path", "rep__name", *CARD_FIELDS, *MONEY_FIELDS, "as_of"):
            day = days.get(card["rep_id"], {})
            rows[card["rep_id"]] = {
                "rep": card["rep_id"], "path": card["area__path"], "as_of": card["as_of"],
                "name": card["rep__name"],
                **{f: card[f] for f in CARD_FIELDS}, **{f: card[f] for f in MONEY_FIELDS},
                **{f: day.get(f) or 0 for f in MONTH_DAY_FIELDS}}
    for rep, row in rows.items():
        row.pop("area__path", None)
        row.pop("rep__name", None)
        row["name"] = row.get("name") or str(rep)
        row["adherence_pct"] = _adherence(row, period)
    return sorted(rows.values(), key=lambda r: (r["name"], r["rep"]))


def _max_path():
    return Max("node_path")


def _adherence(row: dict, period: DashboardPeriod) -> float | None:
    """A month: done of the stops whose day has passed (the scorecard's rate); today:
    done of today's stops."""
    if period.kind == "today":
        return _pct(row["done"], row["planned"])
    return _pct(row["done"], row["done"] + row["missed"])


def _sum(rows: list[dict], fields) -> dict:
    return {f: sum((r.get(f) or 0) for r in rows) for f in fields}


def totals(rows: list[dict], period: DashboardPeriod) -> dict:
    if period.kind == "today":
        total = _sum(rows, DAY_FIELDS)
    else:
        total = _sum(rows, (*CARD_FIELDS, *MONTH_DAY_FIELDS))
        total.update({f: sum((r[f] for r in rows), Decimal(0)) for f in MONEY_FIELDS})
        total["a_coverage_pct"] = _pct(total["a_visited"], total["a_total"])
        total["expense_pct"] = _pct(total["expense_amount"], total["sales_amount"], "0.01")
    total["adherence_pct"] = _adherence(total, period)
    return total


def month_figures(rows: list[dict]) -> dict:
    """The scorecard totals of the month (A coverage, overdue, grade moves, 客情费 against
    sales) from today's rows, which carry their rep's scorecard of the month."""
    total = {f: sum((r.get(f) or 0) for r in rows) for f in MONTH_FIELDS}
    total["a_coverage_pct"] = _pct(total["a_visited"], total["a_total"])
    total["expense_pct"] = _pct(total["expense_amount"], total["sales_amount"], "0.01")
    return total


def daily_series(user, node: OrgNode, period: DashboardPeriod) -> list[dict]:
    """Per day of the month (to today): planned, done, visits, flagged (far and no_gps,
    its parts) — the trend."""
    first = period.month
    last = min(month_end(first), period.today)
    rows = (RepDay.objects.for_user(user)
            .filter(node_path__startswith=node.path, day__range=(first, last))
            .values("day").annotate(planned=Sum("planned"), done=Sum("done"),
                                    visits=Sum("visits"), far=Sum("far"),
                                    no_gps=Sum("no_gps"), flagged=Sum("flagged"))
            .order_by("day"))
    return [{**row, "day": row["day"].isoformat()} for row in rows]


def live_states(user, node: OrgNode, today: date) -> dict:
    """Open and overdue problems (AreaProblemDay, recounted when a problem changes),
    statements waiting for the manager's approval (counted live: a small table)."""
    problems = (AreaProblemDay.objects.for_user(user)
                .filter(node_path__startswith=node.path)
                .aggregate(open=Sum("unsolved"),
                           overdue=Sum("unsolved", filter=Q(due_date__lt=today))))
    waiting = (MonthlyStatement.objects.for_user(user)
               .filter(area__path__startswith=node.path,
                       status=MonthlyStatement.Status.CLERK_CHECKED).count())
    return {"problems_open": problems["open"] or 0,
            "problems_overdue": problems["overdue"] or 0,
            "statements_waiting": waiting}


def grade_distribution(user, node: OrgNode, month: date, offices: dict[str, OrgNode],
                       steplen: int) -> list[dict]:
    """Per office under the node: retailers by grade at the month's end (or now) and at
    its start, from AreaGradeMonth."""
    rows = (AreaGradeMonth.objects.for_user(user)
            .filter(node_path__startswith=node.path, month=month)
            .values_list("node_path", "grade", "retailers", "moved_in", "moved_out"))
    by_office: dict[int, dict] = {}
    for path, grade, now, moved_in, moved_out in rows:
        office = _office_of(path, offices, steplen)
        if office is None or grade not in GRADES:
            continue
        entry = by_office.setdefault(office.pk, {
            "node": office.pk, "name": office.name,
            **{g: {"now": 0, "start": 0} for g in GRADES}})
        entry[grade]["now"] += now
        entry[grade]["start"] += now - moved_in + moved_out
    return [by_office[o.pk] for o in offices.values() if o.pk in by_office]


def _drill(period: DashboardPeriod, node: OrgNode) -> dict:
    """The list pages behind the figures, with those pages' filters, narrowed to the
    dashboard's node (the team pages, the rep scorecards, the statements review queue
    and their APIs take `node`)."""
    month = period.month.strftime("%Y-%m")
    at = {"node": node.pk}
    team = ({"period": "today"} if period.kind == "today" else {"month": month})
    days = {"date_from": period.first.isoformat(), "date_to": period.last.isoformat()}
    flags = {"checkin_flag": ["far", "no_gps"], **days, **at}
    cards = {"month": month, **at}
    return {
        "adherence": _url("visits:team", **team, **at),
        "visits": _url("grading:rep-scorecards", **cards) if period.kind == "month"
        else _url("visits:team", period="today", **at),
        "a_coverage": _url("visits:team", month=month, **at),
        "overdue": _url("visits:team-overdue", **at),
        "overdue_api": _url("visits-api:team-overdue", **at),
        "problems_open": _url("visits:team-problems", scope="open", **at),
        "problems_open_api": _url("visits-api:problem-list", status=list(Problem.UNSOLVED),
                                  **at),
        "problems_overdue": _url("visits:team-problems", scope="overdue", **at),
        "problems_overdue_api": _url("visits-api:problem-list", overdue="true", **at),
        "flagged": _url("visits:team-flagged", **flags),
        "flagged_api": _url("visits-api:visit-list", **flags),
        "far_api": _url("visits-api:visit-list", checkin_flag="far", **days, **at),
        "no_gps_api": _url("visits-api:visit-list", checkin_flag="no_gps", **days, **at),
        "grade_moves": _url("grading:rep-scorecards", **cards),
        "expense": _url("grading:rep-scorecards", **cards),
        "statements_waiting": _url("expenses:review", **at),
        "statements_waiting_api": _url("expenses-api:statement-list",
                                       status=MonthlyStatement.Status.CLERK_CHECKED, **at),
        "scorecards": _url("grading:rep-scorecards", **cards),
        # One row per rep of the month's figures (the reps under the node).
        "scorecards_api": _url("grading-api:repscorecard-list",
                               month=period.month.isoformat(), **at),
    }


def _node_json(node: OrgNode) -> dict:
    return {"id": node.pk, "code": node.code, "name": node.name, "kind": node.kind,
            "kind_label": node.get_kind_display()}


def dashboard(user, node: OrgNode, period: DashboardPeriod, *, regional: bool) -> dict:
    """The whole dashboard of `node` for `period`: figures with their drill-downs, one
    row per rep (and per office on the regional dashboard), the month's daily series and
    the grade distribution per office."""
    reps = rep_rows(user, node, period)
    steplen = node.steplen
    offices = {o.path: o for o in OrgNode.objects.filter(
        path__startswith=node.path[: 3 * steplen] if node.depth >= 3 else node.path,
        kind=OrgNode.Kind.OFFICE).order_by("path")}
    figures = {**totals(reps, period), **live_states(user, node, period.today)}
    if period.kind == "today":
        figures.update(month_figures(reps))
    result = {
        "node": _node_json(node),
        "period": {"kind": period.kind, "first": period.first, "last": period.last,
                   "month": period.month.strftime("%Y-%m"), "today": period.today,
                   "as_of": max((r["as_of"] for r in reps if r.get("as_of")), default=None)},
        "figures": figures,
        "drill": _drill(period, node),
        "reps": reps,
        "daily": daily_series(user, node, period),
        "grades": grade_distribution(user, node, period.month, offices, steplen),
    }
    if regional:
        result["offices"] = office_rows(reps, offices, steplen, period)
    overdue_page = reverse("visits:team-overdue")
    for row in reps:
        row["overdue_url"] = f"{overdue_page}?rep={row['rep']}&node={node.pk}"
        row.pop("path", None)
    return result


def office_rows(reps: list[dict], offices: dict[str, OrgNode], steplen: int,
                period: DashboardPeriod) -> list[dict]:
    """The reps' rows summed per office, offices side by side."""
    grouped: dict[str, list[dict]] = {}
    for row in reps:
        office = _office_of(row["path"], offices, steplen)
        if office is not None:
            grouped.setdefault(office.path, []).append(row)
    return [{"node": office.pk, "name": office.name, "reps": len(grouped[path]),
             **totals(grouped[path], period)}
            for path, office in offices.items() if path in grouped]


def today() -> date:
    return timezone.localdate()


def label_of(period: DashboardPeriod) -> str:
    if period.kind == "today":
        return _("Today")
    return period.first.strftime("%Y-%m")
