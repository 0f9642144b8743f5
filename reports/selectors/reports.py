"""Reads of the reports: 日报 / 周报 / 月报 for a rep or a team, and the 早夕会 view.

The period figures are `reports.RepDay` rows summed over the period (one row per rep and
day, filled nightly and refreshed after every visit, so today is live). A month's state
figures (A coverage, overdue retailers, grade moves, 客情费 against sales) are the
nightly `grading.RepScorecard` of the month. Definitions are those of the scorecard
(visits.selectors.team): a planned stop is done when the rep visited the shop on site on
its day; missed when its day has passed without that visit (with or without a reason);
pending when its day is today or later; adherence = done / (done + missed).

The 早夕会 view reads the raw visits of one day of the reps under one node: a few hundred
rows through the (rep, visit_date) index.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, OrgNode, Role, User
from accounts.workdays import is_working_day, month_end, working_days
from grading.models import RepScorecard
from reports.models import RepDay
from visits.models import Problem, StockLine, Visit
from visits.selectors.feedback import day_bounds, info_items_expression

PERIOD_KINDS = ("day", "week", "month", "range")
# A report sums at most a year of days; longer spans are the monthly reports' job.
MAX_DAYS = 366
# A rep's report lists the period's visits up to this many (a month has ~150).
MAX_VISITS = 300
# flagged: visits too far or without GPS, each once (far + no_gps counts one with both twice).
COUNT_FIELDS = ("planned", "done", "visits", "on_site", "phone", "care", "far", "no_gps",
                "flagged", "problems_raised", "problems_solved", "info_items")
FIGURES = (*COUNT_FIELDS, "missed", "missed_with_reason", "pending", "days_worked")
STATE_COUNTS = ("a_total", "a_visited", "overdue", "grade_ups", "grade_downs", "a_to_b")
MONEY_FIELDS = ("expense_amount", "sales_amount")


@dataclass(frozen=True)
class ReportPeriod:
    kind: str
    first: date
    last: date
    today: date

    @property
    def until(self) -> date:
        """The last day with figures: the period's last day, or today in a running one."""
        return min(self.last, self.today)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "first": self.first, "last": self.last,
                "until": self.until, "today": self.today}


def _future(field: str, today: date) -> ValidationError:
    return ValidationError({field: _("A report cannot be for a period that has not started "
                                     "yet (today is %(today)s).") % {"today": today}})


def report_period(*, kind: str, today: date, day: date | None = None,
                  first: date | None = None, last: date | None = None) -> ReportPeriod:
    """The day, the (Monday to Sunday) week or the month around `day` (default today), or
    the range `first`..`last`; refused, naming the field, when it starts after today or
    spans more than MAX_DAYS days."""
    if kind == "range":
        return _range(today, first, last)
    day = day or today
    if kind == "day":
        first = last = day
    elif kind == "week":
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=6)
    else:
        first, last = day.replace(day=1), month_end(day)
    if first > today:
        raise _future("date", today)
    return ReportPeriod(kind, first, last, today)


def _range(today: date, first: date | None, last: date | None) -> ReportPeriod:
    if first is None:
        raise ValidationError({"first": _("Give the first day of the range.")})
    if last is None:
        raise ValidationError({"last": _("Give the last day of the range.")})
    if last < first:
        raise ValidationError({"last": _("The last day cannot be before the first day.")})
    days = (last - first).days + 1
    if days > MAX_DAYS:
        raise ValidationError({"last": _(
            "A report covers at most %(max)s days; this range has %(days)s. Choose a shorter "
            "range, or read the monthly reports.") % {"max": MAX_DAYS, "days": days}})
    if first > today:
        raise _future("first", today)
    return ReportPeriod("range", first, last, today)


def previous_working_day(today: date) -> date:
    """The last statutory working day before `today` (the morning meeting's day)."""
    days = working_days(today - timedelta(days=31), today - timedelta(days=1), strict=False)
    return days[-1] if days else today - timedelta(days=1)


# Sums over RepDay ------------------------------------------------------------------------

def rate(part, whole, places: int = 1) -> float | None:
    """part / whole in percent, rounded half up (None without a whole)."""
    if not whole:
        return None
    step = Decimal(1).scaleb(-places)
    return float((Decimal(100) * Decimal(part) / Decimal(whole)).quantize(step, ROUND_HALF_UP))


def day_sums(today: date) -> dict:
    """Aggregates over RepDay rows giving FIGURES (missed and pending split at `today`),
    named `sum_<figure>` (an aggregate may not take a column's own name while another
    aggregate reads that column); `figures()` strips the prefix."""
    not_done = ExpressionWrapper(F("planned") - F("done"), output_field=IntegerField())
    zero = Value(0)
    return {
        **{f"sum_{name}": Coalesce(Sum(name), zero) for name in COUNT_FIELDS},
        "sum_missed": Coalesce(Sum(not_done, filter=Q(day__lt=today)), zero),
        "sum_missed_with_reason": Coalesce(Sum("missed", filter=Q(day__lt=today)), zero),
        "sum_pending": Coalesce(Sum(not_done, filter=Q(day__gte=today)), zero),
        "sum_days_worked": Count("pk", filter=Q(visits__gt=0)),
    }


def figures(row: dict) -> dict:
    """The FIGURES of a row aggregated with `day_sums` (other keys kept as they are)."""
    return {key.removeprefix("sum_"): value for key, value in row.items()}


def with_rates(row: dict) -> dict:
    row["adherence_pct"] = rate(row["done"], row["done"] + row["missed"])
    return row


def empty_figures() -> dict:
    return dict.fromkeys(FIGURES, 0)


def rep_days(user, period: ReportPeriod) -> QuerySet[RepDay]:
    """The RepDay rows of the period's days up to today that the user may read."""
    return RepDay.objects.for_user(user).filter(day__range=(period.first, period.until))


# Scorecard state figures of a month ------------------------------------------------------

def _state(card: dict | None) -> dict | None:
    if card is None:
        return None
    state = {name: card[name] for name in STATE_COUNTS}
    state.update({name: str(card[name]) for name in MONEY_FIELDS})
    state["a_coverage_pct"] = rate(card["a_visited"], card["a_total"])
    state["expense_pct"] = rate(card["expense_amount"], card["sales_amount"], places=2)
    state["as_of"] = card["as_of"]
    state["has_approved_plan"] = card["has_approved_plan"]
    # The scorecard's own adherence figures, so a reader can see both agree.
    state["scorecard"] = {name: card[name] for name in ("planned", "done", "missed", "pending",
                                                        "visits", "on_site",
                                                        "problems_solved", "info_items")}
    return state


def _state_total(cards: list[dict]) -> dict | None:
    if not cards:
        return None
    total = {name: sum(card[name] for card in cards) for name in (
        *STATE_COUNTS, "planned", "done", "missed", "pending", "visits", "on_site",
        "problems_solved", "info_items")}
    total.update({name: sum((card[name] for card in cards), Decimal(0))
                  for name in MONEY_FIELDS})
    total["as_of"] = min(card["as_of"] for card in cards)
    total["has_approved_plan"] = all(card["has_approved_plan"] for card in cards)
    return _state(total)


def month_cards(user, month: date, **filters) -> dict[int, dict]:
    """The month's rep scorecards the user may read, by rep."""
    rows = (RepScorecard.objects.for_user(user).filter(month=month, **filters)
            .values("rep_id", "has_approved_plan", "planned", "done", "missed", "pending",
                    "visits", "on_site", "problems_solved", "info_items", "as_of",
                    *STATE_COUNTS, *MONEY_FIELDS))
    return {row["rep_id"]: row for row in rows}


# The team's report -----------------------------------------------------------------------

def node_reps(user, node: OrgNode) -> dict[int, int]:
    """The reps placed under `node` that the user may see (a rep: themselves), each with
    their area (the first rep membership, as RepDay places them)."""
    areas: dict[int, int] = {}
    rows = (Membership.objects.for_user(user)
            .filter(role=Role.REP, node__path__startswith=node.path).order_by("id")
            .values_list("user_id", "node_id"))
    for user_id, node_id in rows:
        areas.setdefault(user_id, node_id)
    return areas


def _people(rep_ids) -> dict[int, str]:
    return {pk: name or username for pk, name, username in
            User.objects.filter(pk__in=list(rep_ids)).values_list("pk", "name", "username")}


def _node_names(node_ids) -> dict[int, dict]:
    return {row["pk"]: row for row in OrgNode.objects.filter(pk__in=list(node_ids))
            .values("pk", "name", "path")}


def team_report(user, node: OrgNode, period: ReportPeriod) -> dict:
    """Per rep under `node`: the period's figures (RepDay summed), the month's state
    (monthly reports: RepScorecard), and the team's total, which is the sum of the rows."""
    sums = {row.pop("rep_id"): figures(row) for row in (
        rep_days(user, period).filter(node_path__startswith=node.path)
        .values("rep_id").annotate(**day_sums(period.today)).order_by())}
    placed = node_reps(user, node)
    area_of = {**{rep: None for rep in sums}, **placed}
    cards = month_cards(user, period.first, area__path__startswith=node.path) \
        if period.kind == "month" else {}
    names, areas = _people(area_of), _node_names(a for a in area_of.values() if a)
    rows = []
    for rep, area in area_of.items():
        row = {"rep": rep, "name": names.get(rep, ""), "area": area,
               "area_name": areas[area]["name"] if area in areas else "",
               **empty_figures(), **sums.get(rep, {})}
        row["state"] = _state(cards.get(rep))
        rows.append(with_rates(row))
    rows.sort(key=lambda r: (areas.get(r["area"], {}).get("path", "~"), r["name"], r["rep"]))
    total = with_rates({name: sum(r[name] for r in rows) for name in FIGURES})
    total["state"] = _state_total([cards[r["rep"]] for r in rows if r["rep"] in cards])
    total["reps"] = len(rows)
    return {"scope": "team", "node": {"id": node.pk, "name": node.name, "kind": node.kind},
            "period": period.as_dict(), "reps": rows, "total": total}


# A rep's report --------------------------------------------------------------------------

VISIT_FIELDS = ("id", "rep_id", "visit_date", "started_at", "ended_at", "duration_s", "kind",
                "status", "far_from_store", "gps_missing", "objective", "retailer_id",
                "retailer__code", "retailer__name", "retailer__grade", "competitor_info",
                "consumer_feedback", "retailer_requests")


def _visit_rows(visits: QuerySet[Visit]) -> list[dict]:
    """Visits as report rows: the shop, times, flags, information items, problems raised
    at the visit (counted in the same query), market information."""
    raised = (Problem.objects.filter(visit_id=OuterRef("pk")).order_by()
              .values("visit_id").annotate(n=Count("pk")).values("n"))
    rows = (visits.annotate(items=info_items_expression(),
                            stock=Exists(StockLine.objects.filter(visit_id=OuterRef("pk"))),
                            problems=Coalesce(Subquery(raised, output_field=IntegerField()),
                                              Value(0)))
            .values(*VISIT_FIELDS, "items", "stock", "problems"))
    labels = dict(Visit.Kind.choices)
    return [{**{key.replace("retailer__", "retailer_"): value for key, value in row.items()},
             "kind_label": str(labels.get(row["kind"], row["kind"])),
             # The business's clock (Asia/Shanghai), whatever the browser's zone.
             "time": f"{timezone.localtime(row['started_at']):%H:%M}"} for row in rows]


def rep_report(user, rep_id: int, period: ReportPeriod) -> dict:
    """One rep's period: the figures (RepDay summed) with one row per day, the month's
    state (monthly reports), and the period's visits (up to MAX_VISITS)."""
    days = rep_days(user, period).filter(rep_id=rep_id)
    total = with_rates({**empty_figures(),
                        **figures(days.aggregate(**day_sums(period.today)))})
    per_day = [with_rates({**row, "missed": row["planned"] - row["done"]
                           if row["day"] < period.today else 0,
                           "pending": row["planned"] - row["done"]
                           if row["day"] >= period.today else 0})
               for row in days.order_by("day").values("day", *COUNT_FIELDS)]
    card = month_cards(user, period.first, rep_id=rep_id).get(rep_id) \
        if period.kind == "month" else None
    total["state"] = _state(card)
    visits = (Visit.objects.for_user(user)
              .filter(rep_id=rep_id, visit_date__range=(period.first, period.until))
              .order_by("started_at", "id"))
    listed = _visit_rows(visits[:MAX_VISITS + 1])
    rep = User.objects.filter(pk=rep_id).values("pk", "name", "username").first()
    area = (Membership.objects.filter(user_id=rep_id, role=Role.REP).order_by("id")
            .values("node_id", "node__name").first())
    return {"scope": "rep", "rep": {"id": rep_id, "name": rep["name"] or rep["username"],
                                    "area": area["node_id"] if area else None,
                                    "area_name": area["node__name"] if area else ""},
            "period": period.as_dict(), "total": total, "days": per_day,
            "visits": listed[:MAX_VISITS], "visits_truncated": len(listed) > MAX_VISITS}


# 早夕会: one day's visits of a node, by area and rep --------------------------------------

PROBLEM_FIELDS = ("id", "visit_id", "raised_by_id", "retailer_id", "retailer__name",
                  "category", "description", "status", "due_date")


def _meeting_problems(user, rep_ids, visit_ids, day: date) -> list[dict]:
    """Problems raised at the day's visits, and those the reps raised that day without a
    visit (by phone, or later from the retailer's card)."""
    start, end = day_bounds(day, day)
    rows = (Problem.objects.for_user(user)
            .filter(Q(visit_id__in=visit_ids)
                    | Q(visit__isnull=True, raised_by_id__in=rep_ids, created_at__gte=start,
                        created_at__lt=end))
            .order_by("id").values(*PROBLEM_FIELDS))
    labels = dict(Problem.Category.choices)
    statuses = dict(Problem.Status.choices)
    return [{**{key.replace("retailer__", "retailer_"): value for key, value in row.items()},
             "category_label": str(labels.get(row["category"], row["category"])),
             "status_label": str(statuses.get(row["status"], row["status"]))} for row in rows]


def meeting_view(user, node: OrgNode, day: date) -> dict:
    """The day's visits of the reps under `node`, grouped by area then rep, each with the
    problems raised and the market information collected (competitor information,
    consumer feedback, the retailer's requests, stock counted); reps without a visit that
    day are listed too."""
    placed = node_reps(user, node)
    visits = _visit_rows(Visit.objects.for_user(user)
                         .filter(rep_id__in=list(placed), visit_date=day)
                         .order_by("rep_id", "started_at", "id"))
    problems = _meeting_problems(user, list(placed), [v["id"] for v in visits], day)
    at_visit, loose = defaultdict(list), defaultdict(list)
    for problem in problems:
        if problem["visit_id"]:
            at_visit[problem["visit_id"]].append(problem)
        else:
            loose[problem["raised_by_id"]].append(problem)
    by_rep = defaultdict(list)
    for visit in visits:
        visit["problem_rows"] = at_visit.get(visit["id"], [])
        by_rep[visit["rep_id"]].append(visit)
    names, nodes = _people(placed), _node_names(set(placed.values()))
    areas: dict[int, dict] = {}
    for rep, area in placed.items():
        entry = areas.setdefault(area, {"area": area, "name": nodes[area]["name"],
                                        "path": nodes[area]["path"], "reps": []})
        mine = by_rep.get(rep, [])
        entry["reps"].append({
            "rep": rep, "name": names.get(rep, ""), "visits": mine,
            "other_problems": loose.get(rep, []), "totals": _meeting_totals(
                mine, len(loose.get(rep, [])))})
    ordered = sorted(areas.values(), key=lambda a: a["path"])
    for area in ordered:
        area["reps"].sort(key=lambda r: (-len(r["visits"]), r["name"], r["rep"]))
        area["totals"] = _sum_totals([r["totals"] for r in area["reps"]])
        del area["path"]
    return {"node": {"id": node.pk, "name": node.name, "kind": node.kind}, "date": day,
            "is_working_day": is_working_day(day, strict=False), "areas": ordered,
            "totals": _sum_totals([a["totals"] for a in ordered])}


def _meeting_totals(visits: list[dict], loose_problems: int) -> dict:
    return {
        "reps": 1, "reps_visiting": 1 if visits else 0, "visits": len(visits),
        "on_site": sum(1 for v in visits if v["kind"] == Visit.Kind.ON_SITE),
        "flagged": sum(1 for v in visits if v["far_from_store"] or v["gps_missing"]),
        "problems": sum(v["problems"] for v in visits) + loose_problems,
        "info_items": sum(v["items"] for v in visits),
    }


def _sum_totals(parts: list[dict]) -> dict:
    keys = ("reps", "reps_visiting", "visits", "on_site", "flagged", "problems", "info_items")
    return {key: sum(p[key] for p in parts) for key in keys}
