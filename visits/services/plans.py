"""Writes to monthly plans, their stops, day routes and missed-visit reasons.

Plan life: draft → submitted → approved, or submitted → returned → submitted …
An approved plan is locked. Revising it opens the next version as a draft; the approved
version keeps counting until the new one is approved, and is then superseded.
Every transition: lock the row → check the state and the actor → act → audit.
"""

from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from accounts.workdays import month_end, working_days
from kehu.models import Retailer
from visits.models import DayRoute, MissedVisit, PlanComment, PlanStop, Visit, VisitPlan
from visits.planning import Candidate, propose
from visits.routing import RouteStop, optimise_route
from visits.selectors.common import (
    APPROVER_ROLES,
    counting_plan,
    holds_role_over,
    month_start,
    policy_for_node,
    rep_area,
)
from visits.selectors.newcomers import new_retailer_ids
from visits.selectors.plans import day_stops, ordered_day_stops

Status = VisitPlan.Status


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _locked(plan: VisitPlan) -> VisitPlan:
    return (VisitPlan.objects.select_for_update(of=("self",)).select_related("area", "rep")
            .get(pk=plan.pk))


def _retailer_candidates(rep: User, policy, first: date) -> list[Candidate]:
    retailers = Retailer.objects.filter(assigned_rep=rep, status=Retailer.Status.ACTIVE)
    new = new_retailer_ids(retailers, policy, first)
    rows = retailers.values_list("pk", "grade", "last_visit__last_on_site_date", "latitude",
                                 "longitude")
    return [Candidate(pk, grade or "C", last,
                      (float(lat), float(lng)) if lat is not None and lng is not None else None,
                      new=pk in new)
            for pk, grade, last, lat, lng in rows]


@transaction.atomic
def plan_propose(*, rep: User, month: date, actor: User, today: date | None = None) -> VisitPlan:
    """Draft the rep's plan for a month with a proposal that meets the grade frequencies,
    overdue retailers first. Only one plan (version 1) per rep and month is drafted."""
    today = _today(today)
    if month.day != 1:
        raise ValidationError({"month": _("A month is given as its first day.")})
    last = month_end(month)
    if last < today:
        raise ValidationError({"month": _("This month is over: plan this month or a later "
                                          "one.")})
    area = rep_area(rep)
    if area is None:
        raise ValidationError({"rep": _("This person is not a rep.")})
    if VisitPlan.objects.filter(rep=rep, month=month).exists():
        raise ValidationError({"month": _("A plan for this month already exists: open it, or "
                                          "revise the approved one.")})
    first = max(month, today)
    plan = VisitPlan(rep=rep, area=area, month=month, starts_on=first, created_by=actor)
    plan.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as exc:  # a concurrent draft of the same month won
        raise ValidationError({"month": _("A plan for this month already exists: open it, "
                                          "or revise the approved one.")}) from exc
    policy = policy_for_node(area)
    proposal = propose(_retailer_candidates(rep, policy, first), policy,
                       working_days(first, last, strict=False), first, last)
    PlanStop.objects.bulk_create(
        PlanStop(plan=plan, date=s.date, retailer_id=s.retailer_id, position=s.position)
        for s in proposal)
    audit_record(actor=actor, node=area, obj=plan, action="draft", to_state=plan.status)
    return plan


def _guard_editable(plan: VisitPlan, actor: User) -> None:
    if plan.status == Status.APPROVED:
        raise ValidationError({"plan": _("This plan is approved and locked: revise it to "
                                         "make a new version.")})
    if plan.status == Status.SUPERSEDED:
        raise ValidationError({"plan": _("This version was replaced by a newer one.")})
    is_rep = actor.pk == plan.rep_id
    if plan.status in (Status.DRAFT, Status.RETURNED) and not is_rep:
        raise ValidationError({"plan": _("Only the rep edits a plan before it is submitted.")})
    if plan.status == Status.SUBMITTED and (
            is_rep or not holds_role_over(actor, plan.area, APPROVER_ROLES)):
        raise ValidationError({"plan": _("A submitted plan is edited only by its reviewer.")})


def _guard_day(plan: VisitPlan, day: date, today: date, field: str = "date") -> None:
    if month_start(day) != plan.month:
        raise ValidationError({field: _("This day is not in the plan's month.")})
    if day < today:
        raise ValidationError({field: _("This day is in the past.")})


def _guard_stop_unchanged_past(stop: PlanStop, today: date) -> None:
    if stop.date < today:
        raise ValidationError({"date": _("A visit planned on a past day cannot be changed.")})


def _save_stop(stop: PlanStop) -> PlanStop:
    stop.full_clean(exclude=["plan", "retailer"], validate_constraints=False)
    if PlanStop.objects.filter(plan_id=stop.plan_id, date=stop.date,
                               retailer_id=stop.retailer_id).exclude(pk=stop.pk).exists():
        raise ValidationError({"retailer": _("This retailer is already planned on this day.")})
    stop.save()
    return stop


@transaction.atomic
def plan_stop_add(*, plan: VisitPlan, actor: User, retailer: Retailer, date: date,
                  objective: str = "", fixed_time=None, today: date | None = None) -> PlanStop:
    plan = _locked(plan)
    _guard_editable(plan, actor)
    _guard_day(plan, date, _today(today))
    last = plan.stops.filter(date=date).aggregate(last=Max("position"))["last"]
    return _save_stop(PlanStop(plan=plan, date=date, retailer=retailer, objective=objective,
                               fixed_time=fixed_time, position=0 if last is None else last + 1))


_UNSET = object()


@transaction.atomic
def plan_stop_update(*, stop: PlanStop, actor: User, date: date | None = None,
                     objective: str | None = None, fixed_time=_UNSET,
                     position: int | None = None, today: date | None = None) -> PlanStop:
    plan = _locked(stop.plan)
    _guard_editable(plan, actor)
    today = _today(today)
    stop = PlanStop.objects.get(pk=stop.pk)
    _guard_stop_unchanged_past(stop, today)
    if date is not None and date != stop.date:
        _guard_day(plan, date, today)
        stop.date = date
    if objective is not None:
        stop.objective = objective
    if fixed_time is not _UNSET:
        stop.fixed_time = fixed_time
    if position is not None:
        stop.position = position
    return _save_stop(stop)


@transaction.atomic
def plan_stop_remove(*, stop: PlanStop, actor: User, today: date | None = None) -> None:
    plan = _locked(stop.plan)
    _guard_editable(plan, actor)
    _guard_stop_unchanged_past(stop, _today(today))
    stop.delete()


@transaction.atomic
def plan_submit(*, plan: VisitPlan, actor: User) -> VisitPlan:
    plan = _locked(plan)
    if actor.pk != plan.rep_id:
        raise ValidationError({"plan": _("Only the rep submits their plan.")})
    if plan.status not in (Status.DRAFT, Status.RETURNED):
        raise ValidationError({"plan": _("Only a draft or returned plan can be submitted.")})
    old = plan.status
    plan.status, plan.submitted_at = Status.SUBMITTED, timezone.now()
    plan.save(update_fields=["status", "submitted_at"])
    audit_record(actor=actor, node=plan.area, obj=plan, action="submit", from_state=old,
                 to_state=plan.status)
    return plan


def _guard_reviewer(plan: VisitPlan, actor: User) -> None:
    if plan.status != Status.SUBMITTED:
        raise ValidationError({"plan": _("Only a submitted plan can be approved or returned.")})
    if actor.pk in (plan.rep_id, plan.created_by_id):
        raise ValidationError({"plan": _("Nobody approves their own plan.")})
    if not holds_role_over(actor, plan.area, APPROVER_ROLES):
        raise ValidationError({"plan": _("Only a manager of the rep's office approves "
                                         "plans.")})


@transaction.atomic
def plan_approve(*, plan: VisitPlan, actor: User, note: str = "") -> VisitPlan:
    """Approve a submitted plan; the version it replaces (if any) is superseded."""
    plan = _locked(plan)
    _guard_reviewer(plan, actor)
    replaced = (VisitPlan.objects.select_for_update()
                .filter(rep_id=plan.rep_id, month=plan.month, status=Status.APPROVED).first())
    if replaced is not None:
        replaced.status = Status.SUPERSEDED
        replaced.save(update_fields=["status"])
        audit_record(actor=actor, node=plan.area, obj=replaced, action="supersede",
                     from_state=Status.APPROVED, to_state=Status.SUPERSEDED,
                     reason=f"v{plan.version}")
    plan.status, plan.decided_by, plan.decided_at = Status.APPROVED, actor, timezone.now()
    plan.decision_note = note.strip()
    plan.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(actor=actor, node=plan.area, obj=plan, action="approve",
                 from_state=Status.SUBMITTED, to_state=plan.status, reason=plan.decision_note)
    return plan


@transaction.atomic
def plan_return(*, plan: VisitPlan, actor: User, note: str) -> VisitPlan:
    plan = _locked(plan)
    _guard_reviewer(plan, actor)
    if not note.strip():
        raise ValidationError({"note": _("Say what the rep should change.")})
    plan.status, plan.decided_by, plan.decided_at = Status.RETURNED, actor, timezone.now()
    plan.decision_note = note.strip()
    plan.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(actor=actor, node=plan.area, obj=plan, action="return",
                 from_state=Status.SUBMITTED, to_state=plan.status, reason=plan.decision_note)
    return plan


@transaction.atomic
def plan_revise(*, plan: VisitPlan, actor: User) -> VisitPlan:
    """Open the next version of an approved plan as a draft, with the same stops."""
    plan = _locked(plan)
    if plan.status != Status.APPROVED:
        raise ValidationError({"plan": _("Only the approved plan is revised; edit the open "
                                         "version instead.")})
    if actor.pk != plan.rep_id and not holds_role_over(actor, plan.area, APPROVER_ROLES):
        raise ValidationError({"plan": _("Only the rep or their manager revises a plan.")})
    if VisitPlan.objects.filter(rep_id=plan.rep_id, month=plan.month,
                                status__in=VisitPlan.OPEN).exists():
        raise ValidationError({"plan": _("A new version of this plan is already being "
                                         "prepared.")})
    number = VisitPlan.objects.filter(rep_id=plan.rep_id, month=plan.month).aggregate(
        n=Max("version"))["n"] + 1
    revision = VisitPlan.objects.create(
        rep_id=plan.rep_id, area=plan.area, month=plan.month, starts_on=plan.starts_on,
        version=number, previous=plan, created_by=actor)
    PlanStop.objects.bulk_create(
        PlanStop(plan=revision, date=s.date, retailer_id=s.retailer_id, position=s.position,
                 objective=s.objective, fixed_time=s.fixed_time)
        for s in plan.stops.all())
    audit_record(actor=actor, node=plan.area, obj=revision, action="revise",
                 from_state=f"v{plan.version}", to_state=revision.status)
    return revision


@transaction.atomic
def plan_comment(*, plan: VisitPlan, actor: User, text: str,
                 date: date | None = None) -> PlanComment:
    if not text.strip():
        raise ValidationError({"text": _("Write the comment.")})
    if date is not None and month_start(date) != plan.month:
        raise ValidationError({"date": _("This day is not in the plan's month.")})
    comment = PlanComment.objects.create(plan=plan, author=actor, text=text.strip(), date=date)
    audit_record(actor=actor, node=plan.area, obj=plan, action="comment", reason=text.strip())
    return comment


# Day routes ---------------------------------------------------------------------------

def _day_stops(rep_id: int, day: date) -> list[PlanStop]:
    return day_stops(rep_id, day)[1]


@transaction.atomic
def day_route_start(*, rep: User, date: date, actor: User, start_latitude=None,
                    start_longitude=None) -> DayRoute:
    """The rep's route for a day (made on first use), with its start point."""
    if actor.pk != rep.pk:
        raise ValidationError({"rep": _("Each rep manages their own day route.")})
    if (start_latitude is None) != (start_longitude is None):
        raise ValidationError({"start_latitude": _("Send both latitude and longitude, or "
                                                   "neither.")})
    area = rep_area(rep)
    if area is None:
        raise ValidationError({"rep": _("This person is not a rep.")})
    route, _created = DayRoute.objects.get_or_create(rep=rep, date=date,
                                                     defaults={"area": area})
    route = DayRoute.objects.select_for_update().get(pk=route.pk)
    if start_latitude is not None:
        route.start_latitude, route.start_longitude = start_latitude, start_longitude
        route.full_clean(validate_constraints=False)
        route.save()
    return route


@transaction.atomic
def day_route_reorder(*, route: DayRoute, actor: User, retailer_ids: list[int]) -> DayRoute:
    """Put the day's stops in the order the rep chose (every stop exactly once)."""
    route = DayRoute.objects.select_for_update().get(pk=route.pk)
    if actor.pk != route.rep_id:
        raise ValidationError({"rep": _("Each rep manages their own day route.")})
    planned = {s.retailer_id for s in _day_stops(route.rep_id, route.date)}
    if len(retailer_ids) != len(set(retailer_ids)) or set(retailer_ids) != planned:
        raise ValidationError({"retailers": _("List each of the day's stops exactly once.")})
    route.retailer_order, route.optimised_at, route.distance_m = list(retailer_ids), None, None
    route.save()
    return route


def _point(lat, lng):
    return (float(lat), float(lng)) if lat is not None and lng is not None else None


@transaction.atomic
def day_route_optimise(*, route: DayRoute, actor: User) -> DayRoute:
    """Order the day's stops by travel distance from the start point; stops with an
    appointment time keep their place."""
    route = DayRoute.objects.select_for_update().get(pk=route.pk)
    if actor.pk != route.rep_id:
        raise ValidationError({"rep": _("Each rep manages their own day route.")})
    stops = ordered_day_stops(route, _day_stops(route.rep_id, route.date))
    result = optimise_route(
        [RouteStop(s.retailer_id, _point(s.retailer.latitude, s.retailer.longitude),
                   s.fixed_time) for s in stops],
        start=_point(route.start_latitude, route.start_longitude))
    route.retailer_order, route.distance_m = result.keys, round(result.distance_m)
    route.optimised_at = timezone.now()
    route.save()
    return route


# Missed visits ------------------------------------------------------------------------

def _guard_missed(*, rep: User, retailer: Retailer, date: date, reason: str, note: str,
                  today: date) -> None:
    if date > today:
        raise ValidationError({"date": _("A visit is only missed once its day has come.")})
    plan = counting_plan(rep.pk, date)
    if plan is None or not plan.stops.filter(date=date, retailer=retailer).exists():
        raise ValidationError({"retailer": _("This retailer is not in your approved plan on "
                                             "that day.")})
    if Visit.objects.filter(rep=rep, retailer=retailer, visit_date=date,
                            kind=Visit.Kind.ON_SITE).exists():
        raise ValidationError({"date": _("This retailer was visited that day.")})
    if reason == MissedVisit.Reason.OTHER and not note.strip():
        raise ValidationError({"note": _("Say what the other reason is.")})


@transaction.atomic
def missed_visit_record(*, actor: User, retailer: Retailer, date: date, reason: str,
                        client_id: UUID, note: str = "",
                        today: date | None = None) -> tuple[MissedVisit, bool]:
    """Record why a planned visit was not made; (missed visit, created). The same
    client id again returns the first record."""
    existing = MissedVisit.objects.filter(client_id=client_id).first()
    if existing is not None:
        if existing.rep_id != actor.pk:
            raise ValidationError({"client_id": _("This id is already used.")})
        return existing, False
    _guard_missed(rep=actor, retailer=retailer, date=date, reason=reason, note=note,
                  today=_today(today))
    missed = MissedVisit(client_id=client_id, rep=actor, retailer=retailer, date=date,
                         reason=reason, note=note.strip(), recorded_by=actor)
    missed.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            missed.save()
    except IntegrityError as exc:
        again = MissedVisit.objects.filter(client_id=client_id, rep=actor).first()
        if again is not None:
            return again, False
        raise ValidationError({"date": _("A reason is already recorded for this visit.")}) \
            from exc
    return missed, True


@transaction.atomic
def missed_visit_update(*, missed: MissedVisit, actor: User, reason: str | None = None,
                        note: str | None = None) -> MissedVisit:
    missed = MissedVisit.objects.select_for_update().get(pk=missed.pk)
    if actor.pk != missed.rep_id:
        raise ValidationError({"reason": _("Only the rep changes the reason.")})
    missed.reason = reason if reason is not None else missed.reason
    missed.note = note.strip() if note is not None else missed.note
    if missed.reason == MissedVisit.Reason.OTHER and not missed.note:
        raise ValidationError({"note": _("Say what the other reason is.")})
    missed.full_clean(validate_constraints=False)
    missed.save()
    return missed
