"""Reads of plans and routes: scoped querysets, a plan's warnings, a day's route."""

from collections import Counter
from datetime import date

from django.db.models import FilteredRelation, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from kehu.models import Retailer
from visits.calendar import is_working_day, month_end
from visits.models import DayRoute, MissedVisit, PlanStop, VisitPlan
from visits.selectors.common import pick_working, policy_for_node, working_plan, working_plans
from visits.selectors.newcomers import new_retailer_ids
from visits.selectors.visits import CARD_FIELDS, LAST_VISIT_FIELDS, latest_visit


def plans_for_user(user) -> QuerySet[VisitPlan]:
    return VisitPlan.objects.for_user(user).select_related("rep", "area", "decided_by",
                                                           "created_by")


def plan_stops_for_user(user) -> QuerySet[PlanStop]:
    return PlanStop.objects.for_user(user).select_related("retailer", "plan")


def day_routes_for_user(user) -> QuerySet[DayRoute]:
    return DayRoute.objects.for_user(user).select_related("rep")


def plan_versions(plan: VisitPlan) -> QuerySet[VisitPlan]:
    """Every version of the plan's rep and month, oldest first (the history)."""
    return VisitPlan.objects.filter(rep_id=plan.rep_id, month=plan.month).select_related(
        "decided_by").order_by("version")


def _warning(code: str, message: str, day: date | None = None,
             retailer: int | None = None) -> dict:
    return {"code": code, "date": day, "retailer": retailer, "message": message}


def plan_warnings(plan: VisitPlan) -> list[dict]:
    """Every rule the plan breaks: frequency not met, a retailer that is not the rep's,
    a non-working day, more stops in a day than the policy allows."""
    policy = policy_for_node(plan.area)
    first, last = plan.starts_on, month_end(plan.month)
    stops = list(plan.stops.values_list("date", "retailer_id", "retailer__name",
                                        "retailer__assigned_rep_id", "retailer__status"))
    warnings = []
    for day, retailer, name, rep_id, status in stops:
        if not is_working_day(day):
            warnings.append(_warning("non_working_day", _("%(date)s is not a working day.")
                                     % {"date": day.isoformat()}, day, retailer))
        if rep_id != plan.rep_id or status != Retailer.Status.ACTIVE:
            warnings.append(_warning("not_rep_retailer",
                                     _("%(name)s is not an active retailer of this rep.")
                                     % {"name": name}, day, retailer))
    per_day = Counter(day for day, *_rest in stops)
    for day, count in sorted(per_day.items()):
        if count > policy.max_stops_per_day:
            warnings.append(_warning(
                "too_many_stops", _("%(date)s has %(count)s stops; at most %(max)s fit in a "
                                    "day.") % {"date": day.isoformat(), "count": count,
                                               "max": policy.max_stops_per_day}, day))
    warnings += _frequency_warnings(plan, policy, stops, first, last)
    return warnings


def _frequency_warnings(plan, policy, stops, first: date, last: date) -> list[dict]:
    planned = Counter(retailer for day, retailer, *_rest in stops if first <= day <= last)
    warnings = []
    retailers = Retailer.objects.filter(assigned_rep_id=plan.rep_id,
                                        status=Retailer.Status.ACTIVE)
    new = new_retailer_ids(retailers, policy, first)
    for pk, name, grade in retailers.values_list("pk", "name", "grade").order_by("name", "pk"):
        grade = grade or "C"
        required = policy.visits_required(grade, first, last, pk in new)
        if planned[pk] < required:
            message = _("%(name)s (new retailer, grade %(grade)s) is planned %(planned)s "
                        "times; it needs %(required)s.") if pk in new else \
                _("%(name)s (grade %(grade)s) is planned %(planned)s times; it needs "
                  "%(required)s.")
            warnings.append(_warning(
                "frequency_not_met",
                message % {"name": name, "grade": grade, "planned": planned[pk],
                           "required": required}, retailer=pk))
    return warnings


def _in_route_order(route_order: list[int], stops: list, key) -> list:
    """`stops` in the route's order; stops the route does not list yet follow in the
    plan's order. `key(stop)` gives (retailer id, position, id)."""
    rank = {rid: i for i, rid in enumerate(route_order)}
    unranked = len(rank)

    def order(stop):
        retailer, position, pk = key(stop)
        return rank.get(retailer, unranked), position, pk

    return sorted(stops, key=order)


def ordered_day_stops(route: DayRoute | None, stops: list[PlanStop]) -> list[PlanStop]:
    """The day's stops in the route's order; stops the route does not list yet follow in
    the plan's order."""
    return _in_route_order(route.retailer_order if route else [], stops,
                           lambda s: (s.retailer_id, s.position, s.id))


def day_stops(rep_id: int, day: date) -> tuple[VisitPlan | None, list[PlanStop]]:
    plan = working_plan(rep_id, day)
    if plan is None:
        return None, []
    return plan, list(plan.stops.filter(date=day).select_related("retailer", "retailer__area"))


ROUTE_FIELDS = ("id", "rep_id", "date", "start_latitude", "start_longitude",
                "retailer_order", "distance_m", "optimised_at", "updated_at")
DAY_VISIT_FIELDS = ("id", "status", "kind", "started_at", "ended_at", "gps_missing",
                    "far_from_store", "clock_suspect")
STOP_FIELDS = ("id", "retailer_id", "position", "fixed_time", "objective")
STOP_CARD = {f"stop__retailer__{field}": field for field in CARD_FIELDS if field != "id"}


def _day_plan_rows(user, rep_id: int, day: date) -> list[dict]:
    """One row per (working plan version, its stop on the day with the shop, its area
    and the latest visit to it the user may see, the rep's visit to that shop on the
    day); a plan without stops that day gives one row with `stop__id` None."""
    stop = FilteredRelation("stops", condition=Q(stops__date=day))
    visit = FilteredRelation("stop__retailer__visits", condition=Q(
        stop__retailer__visits__rep_id=rep_id, stop__retailer__visits__visit_date=day))
    last = FilteredRelation("stop__retailer__visits", condition=Q(
        stop__retailer__visits__id=latest_visit(user, OuterRef("stop__retailer_id"))))
    return list(working_plans(rep_id, day).order_by()
                .annotate(stop=stop).annotate(day_visit=visit, last_visit=last)
                .values("id", "version", "status", *(f"stop__{f}" for f in STOP_FIELDS),
                        *STOP_CARD, "stop__retailer__area__path",
                        *(f"day_visit__{f}" for f in DAY_VISIT_FIELDS),
                        *(f"last_visit__{f}" for f in LAST_VISIT_FIELDS)))


def _day_stops(rows: list[dict], plan_id: int) -> list[dict]:
    """The plan's stops from `_day_plan_rows`, each with the shop's card, its last visit
    and the day's latest visit to it (by check-in time, then id)."""
    stops = {}
    for row in rows:
        if row["id"] != plan_id or row["stop__id"] is None:
            continue
        visit = None if row["day_visit__id"] is None else {
            field: row[f"day_visit__{field}"] for field in DAY_VISIT_FIELDS}
        stop = stops.get(row["stop__id"])
        if stop is None:
            stops[row["stop__id"]] = {
                **{field: row[f"stop__{field}"] for field in STOP_FIELDS},
                "card": {"id": row["stop__retailer_id"],
                         "area_path": row["stop__retailer__area__path"],
                         **{field: row[column] for column, field in STOP_CARD.items()}},
                "last_visit": None if row["last_visit__id"] is None else {
                    field: row[f"last_visit__{field}"] for field in LAST_VISIT_FIELDS},
                "visit": visit}
        elif visit is not None and (stop["visit"] is None or (
                visit["started_at"], visit["id"]) > (stop["visit"]["started_at"],
                                                     stop["visit"]["id"])):
            stop["visit"] = visit
    return list(stops.values())


def day_route(user, rep_id: int, day: date) -> dict:
    """The rep's day as the user reads it, as plain rows: the plan that counts (id,
    version, status), the route, and the stops in route order, each with the shop's
    card (as `preparations` takes it), its last visit the user may see, the day's
    latest visit to the shop and the missed-visit reason. Three queries: the plan with
    stops, shops, areas and visits; the route; the misses."""
    rows = _day_plan_rows(user, rep_id, day)
    plan = pick_working({row["id"]: {"id": row["id"], "version": row["version"],
                                     "status": row["status"]} for row in rows}.values())
    stops = [] if plan is None else _day_stops(rows, plan["id"])
    route = DayRoute.objects.filter(rep_id=rep_id, date=day).values(*ROUTE_FIELDS).first()
    missed = {} if not stops else {
        m["retailer_id"]: m for m in MissedVisit.objects.filter(rep_id=rep_id, date=day)
        .order_by().values("id", "retailer_id", "reason", "note")}
    for stop in stops:
        stop["missed"] = missed.get(stop["retailer_id"])
    return {"date": day, "plan": plan, "route": route,
            "stops": _in_route_order(route["retailer_order"] if route else [], stops,
                                     lambda s: (s["retailer_id"], s["position"], s["id"]))}
