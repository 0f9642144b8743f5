"""Reads of plans and routes: scoped querysets, a plan's warnings, a day's route."""

from collections import Counter
from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kehu.models import Retailer
from visits.calendar import is_working_day, month_end
from visits.models import DayRoute, MissedVisit, PlanStop, Visit, VisitPlan
from visits.selectors.common import policy_for_node, working_plan


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
    rows = Retailer.objects.filter(assigned_rep_id=plan.rep_id,
                                   status=Retailer.Status.ACTIVE).values_list("pk", "name",
                                                                              "grade")
    for pk, name, grade in rows.order_by("name", "pk"):
        grade = grade or "C"
        required = policy.visits_required(grade, first, last)
        if planned[pk] < required:
            warnings.append(_warning(
                "frequency_not_met",
                _("%(name)s (grade %(grade)s) is planned %(planned)s times; it needs "
                  "%(required)s.") % {"name": name, "grade": grade, "planned": planned[pk],
                                      "required": required}, retailer=pk))
    return warnings


def ordered_day_stops(route: DayRoute | None, stops: list[PlanStop]) -> list[PlanStop]:
    """The day's stops in the route's order; stops the route does not list yet follow in
    the plan's order."""
    rank = {rid: i for i, rid in enumerate(route.retailer_order)} if route else {}
    return sorted(stops, key=lambda s: (rank.get(s.retailer_id, len(rank)), s.position, s.id))


def day_stops(rep_id: int, day: date) -> tuple[VisitPlan | None, list[PlanStop]]:
    plan = working_plan(rep_id, day)
    if plan is None:
        return None, []
    return plan, list(plan.stops.filter(date=day).select_related("retailer", "retailer__area"))


def day_route(rep_id: int, day: date) -> dict:
    """The rep's stops for a day in route order, with what happened at each."""
    plan, stops = day_stops(rep_id, day)
    route = DayRoute.objects.filter(rep_id=rep_id, date=day).first()
    visits = {v.retailer_id: v for v in Visit.objects.filter(
        rep_id=rep_id, visit_date=day).order_by("started_at", "id")}
    missed = {m.retailer_id: m for m in MissedVisit.objects.filter(rep_id=rep_id, date=day)}
    return {"date": day, "plan": plan, "route": route,
            "stops": [{"stop": stop, "visit": visits.get(stop.retailer_id),
                       "missed": missed.get(stop.retailer_id)}
                      for stop in ordered_day_stops(route, stops)]}
