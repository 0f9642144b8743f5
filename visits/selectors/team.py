"""The manager's daily view: plan adherence, A-retailer coverage, overdue retailers.

Everything is counted in SQL (conditional aggregates grouped by rep), scoped to what the
reader may see: a manager gets their team, a rep themselves. Given an org node (one the
reader may see: accounts.selectors.scoped_node), the team is narrowed to the reps placed
under it, the way the dashboards count (a rep's figures belong to the area of their rep
membership).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from accounts.models import Membership, OrgNode, Role, User
from accounts.scoping import NOTHING, memberships_of
from kehu.models import Retailer
from visits.models import MissedVisit, PlanStop, Visit, VisitPlan, VisitPolicy

REASONS = [choice for choice, _label in MissedVisit.Reason.choices]


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    today: date


def reps_under(node: OrgNode) -> QuerySet:
    """The ids of the reps whose rep membership is at or under `node`."""
    return (Membership.objects.filter(role=Role.REP, node__path__startswith=node.path)
            .values("user_id"))


def team_reps(user, node: OrgNode | None = None) -> QuerySet[User]:
    """The reps the reader is responsible for (a rep: themselves), under `node` if given."""
    condition = NOTHING
    for m in memberships_of(user):
        condition |= Q(user_id=user.pk) if m.role == Role.REP else Q(
            node__path__startswith=m.node.path)
    if user.is_superuser:
        condition = Q()
    reps = Membership.objects.filter(condition, role=Role.REP).values("user_id")
    team = User.objects.filter(pk__in=reps)
    if node is not None:
        team = team.filter(pk__in=reps_under(node))
    return team.order_by("name", "pk")


def _under(queryset: QuerySet, rep_field: str, node: OrgNode | None) -> QuerySet:
    return queryset if node is None else queryset.filter(
        **{f"{rep_field}__in": reps_under(node)})


def is_team_rep(user, rep_id: int) -> bool:
    """`team_reps(user).filter(pk=rep_id).exists()`, without the query for a rep asking
    about themselves (their memberships are loaded for scoping anyway)."""
    if rep_id == user.pk and any(m.role == Role.REP for m in memberships_of(user)):
        return True
    return team_reps(user).filter(pk=rep_id).exists()


def adherence_by_rep(user, period: Period, node: OrgNode | None = None) -> dict[int, dict]:
    """Per rep: stops of approved plans in the period, done on their day (an on-site
    visit that day), missed (past and not done) by reason, pending (today or later).

    Grouped in SQL by (rep, done, reason, past) and folded here: each stop's visit and
    reason subqueries run once (as conditional aggregates they would run once per
    count, ~9 times a stop)."""
    visited = Visit.objects.filter(rep_id=OuterRef("plan__rep_id"),
                                   retailer_id=OuterRef("retailer_id"),
                                   visit_date=OuterRef("date"), kind=Visit.Kind.ON_SITE)
    reason = MissedVisit.objects.filter(rep_id=OuterRef("plan__rep_id"),
                                        retailer_id=OuterRef("retailer_id"),
                                        date=OuterRef("date")).values("reason")[:1]
    plans = _under(VisitPlan.objects.for_user(user).filter(status=VisitPlan.Status.APPROVED),
                   "rep_id", node)
    groups = (PlanStop.objects
              .filter(plan__in=plans, date__range=(period.first, period.last))
              .annotate(was_done=Exists(visited), miss_reason=Subquery(reason),
                        past=Case(When(date__lt=period.today, then=Value(True)),
                                  default=Value(False), output_field=BooleanField()))
              .order_by()
              .values_list("plan__rep_id", "was_done", "miss_reason", "past")
              .annotate(n=Count("pk")))
    counts: dict[int, dict] = {}
    for rep_id, done, miss_reason, past, n in groups:
        row = counts.setdefault(rep_id, {
            "planned": 0, "done": 0, "missed": 0, "pending": 0, "missed_no_reason": 0,
            **{f"missed_{r}": 0 for r in REASONS}})
        row["planned"] += n
        if done:
            row["done"] += n
        elif past:
            row["missed"] += n
            row[f"missed_{miss_reason}" if miss_reason else "missed_no_reason"] += n
        else:
            row["pending"] += n
    return counts


def visits_by_rep(user, period: Period, node: OrgNode | None = None) -> dict[int, dict]:
    rows = (_under(Visit.objects.for_user(user), "rep_id", node)
            .filter(visit_date__range=(period.first, period.last))
            .values("rep_id").annotate(visits=Count("pk"), on_site=Count(
                "pk", filter=Q(kind=Visit.Kind.ON_SITE))))
    return {row.pop("rep_id"): row for row in rows}


def a_coverage_by_rep(user, period: Period, node: OrgNode | None = None) -> dict[int, dict]:
    """Per assigned rep: active A retailers, and those visited on site in the period."""
    visited = Visit.objects.filter(retailer_id=OuterRef("pk"), kind=Visit.Kind.ON_SITE,
                                   visit_date__range=(period.first, period.last))
    rows = (_under(Retailer.objects.for_user(user), "assigned_rep_id", node)
            .filter(status=Retailer.Status.ACTIVE, grade=Retailer.Grade.A)
            .annotate(was_visited=Exists(visited)).values("assigned_rep_id")
            .annotate(a_total=Count("pk"), a_visited=Count("pk", filter=Q(was_visited=True))))
    return {row.pop("assigned_rep_id"): row for row in rows}


def overdue_condition(policy: VisitPolicy, today: date) -> Q:
    """Active retailers not visited on site within their grade's interval (never visited
    counts as overdue); an ungraded retailer is C."""
    def before(days: int) -> Q:
        return Q(last_visit__last_on_site_date__lt=today - timedelta(days=days))

    return Q(status=Retailer.Status.ACTIVE) & (
        Q(last_visit__last_on_site_date__isnull=True)
        | Q(grade="A") & before(policy.interval_days_a)
        | Q(grade="B") & before(policy.interval_days_b)
        | ~Q(grade__in=["A", "B"]) & before(policy.interval_days_c))


def overdue_retailers(user, policy: VisitPolicy, today: date,
                      node: OrgNode | None = None) -> QuerySet[Retailer]:
    """Overdue retailers in the reader's scope; under `node`: those assigned to the reps
    under it (as the scorecards and the dashboards count them, per assigned rep)."""
    return (_under(Retailer.objects.for_user(user), "assigned_rep_id", node)
            .filter(overdue_condition(policy, today))
            .select_related("assigned_rep")
            .annotate(last_on_site=F("last_visit__last_on_site_date"))
            .order_by(F("last_on_site").asc(nulls_first=True), "name", "pk"))


def overdue_by_rep(user, policy: VisitPolicy, today: date,
                   node: OrgNode | None = None) -> dict[int, int]:
    rows = (_under(Retailer.objects.for_user(user), "assigned_rep_id", node)
            .filter(overdue_condition(policy, today))
            .values("assigned_rep_id").annotate(n=Count("pk")))
    return {row["assigned_rep_id"]: row["n"] for row in rows}


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def team_summary(user, policy: VisitPolicy, period: Period,
                 node: OrgNode | None = None) -> dict:
    """One row per rep of the reader's team (under `node` if given), and the totals."""
    adherence = adherence_by_rep(user, period, node)
    visits = visits_by_rep(user, period, node)
    coverage = a_coverage_by_rep(user, period, node)
    overdue = overdue_by_rep(user, policy, period.today, node)
    approved = set(_under(VisitPlan.objects.for_user(user), "rep_id", node).filter(
        status=VisitPlan.Status.APPROVED, month__lte=period.last,
        month__gte=period.first.replace(day=1)).values_list("rep_id", flat=True))
    empty = {"planned": 0, "done": 0, "missed": 0, "pending": 0, "missed_no_reason": 0,
             **{f"missed_{r}": 0 for r in REASONS}}
    rows = []
    for rep in team_reps(user, node):
        row = {"rep": rep.pk, "name": str(rep), "has_approved_plan": rep.pk in approved,
               **empty, **adherence.get(rep.pk, {}),
               **{"visits": 0, "on_site": 0, **visits.get(rep.pk, {})},
               **{"a_total": 0, "a_visited": 0, **coverage.get(rep.pk, {})},
               "overdue": overdue.get(rep.pk, 0)}
        rows.append(row)
    totals = {key: sum(r[key] for r in rows) for key in (
        "planned", "done", "missed", "pending", "missed_no_reason", "visits", "on_site",
        "a_total", "a_visited", "overdue", *(f"missed_{r}" for r in REASONS))}
    return {"first": period.first, "last": period.last, "today": period.today,
            "reps": [_with_rates(row) for row in rows], "totals": _with_rates(totals)}


def _with_rates(row: dict) -> dict:
    row["adherence_pct"] = _rate(row["done"], row["done"] + row["missed"])
    row["a_coverage_pct"] = _rate(row["a_visited"], row["a_total"])
    row["missed_by_reason"] = {r: row.pop(f"missed_{r}") for r in REASONS}
    row["missed_by_reason"]["none"] = row.pop("missed_no_reason")
    return row
