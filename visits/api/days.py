"""The rep's day as one JSON document: route order, what happened, preparation data."""

from datetime import date

from visits.api.serializers import DayRouteSerializer, point
from visits.api.visit_serializers import preparation_data
from visits.selectors.plans import day_route
from visits.selectors.visits import preparations


def _visit(visit) -> dict | None:
    if visit is None:
        return None
    return {"id": visit.pk, "status": visit.status, "kind": visit.kind,
            "started_at": visit.started_at, "ended_at": visit.ended_at,
            "flagged": visit.gps_missing or visit.far_from_store or visit.clock_suspect}


def _missed(missed) -> dict | None:
    if missed is None:
        return None
    return {"id": missed.pk, "reason": missed.reason,
            "reason_label": str(missed.get_reason_display()), "note": missed.note}


def today_payload(user, rep_id: int, day: date) -> dict:
    data = day_route(rep_id, day)
    plan, route = data["plan"], data["route"]
    stops = [row["stop"] for row in data["stops"]]
    preps = preparations(user, [stop.retailer for stop in stops], day,
                         {stop.retailer_id: stop.objective for stop in stops})
    return {
        "date": day,
        "rep": rep_id,
        "plan": None if plan is None else {
            "id": plan.pk, "version": plan.version, "status": plan.status,
            "status_label": str(plan.get_status_display())},
        "route": DayRouteSerializer(route).data if route else None,
        "start": point(route.start_latitude, route.start_longitude) if route else None,
        "stops": [{"stop": row["stop"].pk, "position": index,
                   "retailer": row["stop"].retailer_id,
                   "fixed_time": row["stop"].fixed_time, "objective": row["stop"].objective,
                   "visit": _visit(row["visit"]), "missed": _missed(row["missed"]),
                   "preparation": preparation_data(preps[row["stop"].retailer_id])}
                  for index, row in enumerate(data["stops"])],
    }
