"""The rep's day as one JSON document: route order, what happened, preparation data.

Built from the plain rows of `visits.selectors.plans.day_route` and `preparations`
(no model instances, no ModelSerializer): the day is read on every phone's start and
refresh, and for 20 stops the instances and serializers cost more than the SQL."""

from datetime import date

from rest_framework import serializers

from visits.api.serializers import point
from visits.api.visit_serializers import preparation_data
from visits.models import MissedVisit, VisitPlan
from visits.selectors.plans import day_route
from visits.selectors.visits import preparations

# The fields DayRouteSerializer renders these columns with (same strings).
_COORDINATE = serializers.DecimalField(max_digits=9, decimal_places=6)
_MOMENT = serializers.DateTimeField()
_DAY = serializers.DateField()
PLAN_STATUSES = dict(VisitPlan.Status.choices)
MISS_REASONS = dict(MissedVisit.Reason.choices)


def _optional(field, value):
    return None if value is None else field.to_representation(value)


def _route(route: dict | None) -> dict | None:
    """As `DayRouteSerializer(route).data`."""
    if route is None:
        return None
    return {"id": route["id"], "rep": route["rep_id"],
            "date": _DAY.to_representation(route["date"]),
            "start_latitude": _optional(_COORDINATE, route["start_latitude"]),
            "start_longitude": _optional(_COORDINATE, route["start_longitude"]),
            "retailer_order": route["retailer_order"], "distance_m": route["distance_m"],
            "optimised_at": _optional(_MOMENT, route["optimised_at"]),
            "updated_at": _optional(_MOMENT, route["updated_at"])}


def _visit(visit: dict | None) -> dict | None:
    if visit is None:
        return None
    return {"id": visit["id"], "status": visit["status"], "kind": visit["kind"],
            "started_at": visit["started_at"], "ended_at": visit["ended_at"],
            "flagged": visit["gps_missing"] or visit["far_from_store"]
            or visit["clock_suspect"]}


def _missed(missed: dict | None) -> dict | None:
    if missed is None:
        return None
    return {"id": missed["id"], "reason": missed["reason"],
            "reason_label": str(MISS_REASONS.get(missed["reason"], missed["reason"])),
            "note": missed["note"]}


def today_payload(user, rep_id: int, day: date) -> dict:
    data = day_route(user, rep_id, day)
    plan, route, stops = data["plan"], data["route"], data["stops"]
    preps = preparations(user, [stop["card"] for stop in stops], day,
                         {stop["retailer_id"]: stop["objective"] for stop in stops},
                         {stop["retailer_id"]: stop["last_visit"] for stop in stops})
    return {
        "date": day,
        "rep": rep_id,
        "plan": None if plan is None else {
            "id": plan["id"], "version": plan["version"], "status": plan["status"],
            "status_label": str(PLAN_STATUSES.get(plan["status"], plan["status"]))},
        "route": _route(route),
        "start": point(route["start_latitude"], route["start_longitude"]) if route else None,
        "stops": [{"stop": stop["id"], "position": index, "retailer": stop["retailer_id"],
                   "fixed_time": stop["fixed_time"], "objective": stop["objective"],
                   "visit": _visit(stop["visit"]), "missed": _missed(stop["missed"]),
                   "preparation": preparation_data(preps[stop["retailer_id"]])}
                  for index, stop in enumerate(stops)],
    }
