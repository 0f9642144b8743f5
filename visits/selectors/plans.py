"""Reads of plans and routes: scoped querysets, a plan's warnings, a day's route."""

from collections import Counter
from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.workdays import month_end, working_days
from kehu.models import Retailer
from visits.models import DayRoute, PlanStop, Visit, VisitPlan
from visits.selectors.common import month_start, policy_for_node, working_plan
from visits.selectors.newcomers import new_retailer_ids
from visits.selectors.sql import date_param, fetch
from visits.selectors.visits import CARD_FIELDS, LAST_VISIT_COLUMNS, last_visit_sql


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
    dates = [stop[0] for stop in stops]
    open_days = set(working_days(min(dates), max(dates), strict=False)) if dates else set()
    warnings = []
    for day, retailer, name, rep_id, status in stops:
        if day not in open_days:
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


ROUTE_FIELDS = ("id", "rep_id", "date", "start_latitude", "start_longitude",
                "retailer_order", "distance_m", "optimised_at", "updated_at")
DAY_VISIT_FIELDS = ("id", "status", "kind", "started_at", "ended_at", "gps_missing",
                    "far_from_store", "clock_suspect")


def day_stops(rep_id: int, day: date) -> tuple[VisitPlan | None, list[PlanStop]]:
    plan = working_plan(rep_id, day)
    if plan is None:
        return None, []
    return plan, list(plan.stops.filter(date=day).select_related("retailer", "retailer__area"))


def _field(model, name: str):
    return model._meta.get_field(name)


_PLAN_COLUMNS = (("plan_id", None), ("version", None), ("plan_status", None))
_STOP_COLUMNS = (
    ("id", None), ("retailer_id", None), ("position", None),
    ("fixed_time", _field(PlanStop, "fixed_time")), ("objective", None))
_CARD_COLUMNS = tuple((name, _field(Retailer, name)) for name in CARD_FIELDS[1:]) + (
    ("area_path", None),)
_DAY_VISIT_COLUMNS = tuple((name, _field(Visit, name)) for name in DAY_VISIT_FIELDS)
_MISSED_COLUMNS = (("id", None), ("reason", None), ("note", None))
_ROUTE_COLUMNS = tuple((name, None if name.endswith("id") else _field(DayRoute, name))
                       for name in ROUTE_FIELDS)
_DAY_COLUMNS = (*_PLAN_COLUMNS, *(("stop_" + n, f) for n, f in _STOP_COLUMNS),
                *(("card_" + n, f) for n, f in _CARD_COLUMNS),
                *(("visit_" + n, f) for n, f in _DAY_VISIT_COLUMNS),
                *(("missed_" + n, f) for n, f in _MISSED_COLUMNS),
                *(("last_" + n, f) for n, f in LAST_VISIT_COLUMNS))

# The plan the rep works from (`pick_working`: the approved version, else the latest
# version being prepared) with its stops of the day, each stop's shop and area, the
# rep's latest visit to the shop that day, the missed-visit record and the latest visit
# to the shop the reader may see ({last}: `latest_visit`, correlated to `s`). A plan
# without stops that day gives one row with the stop's columns NULL.
_DAY_SQL = """
SELECT p.id, p.version, p.status,
       s.id, s.retailer_id, s.position, s.fixed_time, s.objective,
       r.code, r.name, r.address, r.business_type, r.grade, r.status, r.relationship_level,
       r.latitude, r.longitude, r.area_id, a.path,
       dv.id, dv.status, dv.kind, dv.started_at, dv.ended_at, dv.gps_missing,
       dv.far_from_store, dv.clock_suspect,
       m.id, m.reason, m.note,
       lv.id, lv.retailer_id, lv.visit_date, lv.kind, lv.status, lv.duration_s,
       lv.communication_notes, lv.competitor_info, lv.consumer_feedback,
       lv.retailer_requests
FROM (SELECT id, version, status FROM visits_visitplan
      WHERE rep_id = %s AND month = %s AND status IN (%s, %s, %s, %s)
      ORDER BY CASE WHEN status = %s THEN 1 ELSE 0 END DESC, version DESC
      LIMIT 1) p
LEFT JOIN visits_planstop s ON s.plan_id = p.id AND s.date = %s
LEFT JOIN kehu_retailer r ON r.id = s.retailer_id
LEFT JOIN accounts_orgnode a ON a.id = r.area_id
LEFT JOIN visits_visit dv ON dv.id = (
    SELECT v.id FROM visits_visit v
    WHERE v.retailer_id = s.retailer_id AND v.visit_date = %s AND v.rep_id = %s
    ORDER BY v.started_at DESC, v.id DESC LIMIT 1)
LEFT JOIN visits_missedvisit m
       ON m.rep_id = %s AND m.date = %s AND m.retailer_id = s.retailer_id
LEFT JOIN visits_visit lv ON lv.id = ({last})"""

_ROUTE_SQL = """
SELECT id, rep_id, date, start_latitude, start_longitude, retailer_order, distance_m,
       optimised_at, updated_at
FROM visits_dayroute WHERE rep_id = %s AND date = %s"""


def _sub(row: dict, prefix: str, columns) -> dict | None:
    """The columns of one joined table (None when the join found no row)."""
    if row[prefix + "id"] is None:
        return None
    return {name: row[prefix + name] for name, _field in columns}


def _day_rows(user, rep_id: int, day: date) -> list[dict]:
    last = last_visit_sql(user)
    last_sql, last_params = last if last is not None else ("SELECT NULL", ())
    on_day = date_param(day)
    return fetch(_DAY_SQL.format(last=last_sql), (
        rep_id, date_param(month_start(day)), VisitPlan.Status.APPROVED, *VisitPlan.OPEN,
        VisitPlan.Status.APPROVED, on_day, on_day, rep_id, rep_id, on_day, *last_params),
        _DAY_COLUMNS)


def day_route(user, rep_id: int, day: date) -> dict:
    """The rep's day as the user reads it, as plain rows: the plan that counts (id,
    version, status), the route, and the stops in route order, each with the shop's
    card (as `preparations` takes it), its last visit the user may see, the day's
    latest visit to the shop and the missed-visit record. Two statements: the plan with
    its stops, shops, areas, visits and misses; the route."""
    rows = _day_rows(user, rep_id, day)
    plan = {"id": rows[0]["plan_id"], "version": rows[0]["version"],
            "status": rows[0]["plan_status"]} if rows else None
    stops = []
    for row in rows:
        if row["stop_id"] is None:
            continue
        stop = _sub(row, "stop_", _STOP_COLUMNS)
        stop["card"] = {"id": stop["retailer_id"],
                        **{name: row["card_" + name] for name, _field in _CARD_COLUMNS}}
        stop["last_visit"] = _sub(row, "last_", LAST_VISIT_COLUMNS)
        stop["visit"] = _sub(row, "visit_", _DAY_VISIT_COLUMNS)
        stop["missed"] = _sub(row, "missed_", _MISSED_COLUMNS)
        stops.append(stop)
    routes = fetch(_ROUTE_SQL, (rep_id, date_param(day)), _ROUTE_COLUMNS)
    route = routes[0] if routes else None
    return {"date": day, "plan": plan, "route": route,
            "stops": _in_route_order(route["retailer_order"] if route else [], stops,
                                     lambda s: (s["retailer_id"], s["position"], s["id"]))}
