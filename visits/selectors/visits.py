"""Reads of visits, photos, problems and missed visits, and the preparation before a visit."""

from collections import defaultdict
from datetime import date

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)

from kehu.models import KeyPerson, MonthlyFact, Retailer
from kehu.selectors import add_months
from visits import template_schema
from visits.models import MissedVisit, Photo, Problem, Visit
from visits.selectors.common import month_start, template_versions_for, working_plan

FACT_MONTHS = 3


def visits_for_user(user) -> QuerySet[Visit]:
    reused = Photo.objects.filter(visit=OuterRef("pk"), reused_from__isnull=False)
    return (Visit.objects.for_user(user).select_related("retailer", "rep")
            .annotate(photo_reused=Exists(reused)))


def photos_for_user(user) -> QuerySet[Photo]:
    return Photo.objects.for_user(user).select_related("visit")


def with_overdue(queryset: QuerySet[Problem], today: date) -> QuerySet[Problem]:
    return queryset.annotate(overdue=Case(
        When(status__in=Problem.UNSOLVED, due_date__lt=today, then=Value(True)),
        default=Value(False), output_field=BooleanField()))


def problems_for_user(user, today: date) -> QuerySet[Problem]:
    return with_overdue(Problem.objects.for_user(user).select_related(
        "retailer", "owner", "raised_by"), today)


def missed_visits_for_user(user) -> QuerySet[MissedVisit]:
    return MissedVisit.objects.for_user(user).select_related("retailer", "rep")


def _last_visits(user, ids: list[int]) -> dict[int, Visit]:
    """The latest visit the user may see of each retailer: one query. The visit day
    (the local date of `started_at`) leads the order so that the (retailer, visit_date)
    index is read backwards from the retailer's latest day: ~2 rows, not its whole log."""
    latest = (Visit.objects.for_user(user).filter(retailer_id=OuterRef("pk"))
              .order_by("-visit_date", "-started_at", "-id").values("pk")[:1])
    lasts = Retailer.objects.filter(pk__in=ids).annotate(last=Subquery(latest)).values("last")
    return {visit.retailer_id: visit for visit in Visit.objects.filter(pk__in=lasts)}


def _grouped(rows, key: str) -> dict[int, list]:
    grouped = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key) if not isinstance(row, dict) else row[key]].append(row)
    return grouped


def _templates(retailers: list[Retailer]) -> dict[tuple[str, int], dict]:
    """The form's steps per (business type, area): one query for all."""
    return {key: {"template_version": version.pk if version else None,
                  "number": version.number if version else None,
                  "name": version.template.name if version else "",
                  "steps": version.steps if version else template_schema.DEFAULT_STEPS}
            for key, version in template_versions_for(retailers).items()}


def preparations(user, retailers: list[Retailer], day: date,
                 objectives: dict[int, str] | None = None) -> dict[int, dict]:
    """What to read before visiting each retailer: the card, the last visit, open
    problems, the visit's objective, recent monthly facts and the form's steps.
    A fixed number of queries, however many retailers."""
    ids = [r.pk for r in retailers]
    last_visits = _last_visits(user, ids)
    problems = _grouped(with_overdue(
        Problem.objects.for_user(user).filter(retailer_id__in=ids, status__in=Problem.UNSOLVED)
        .select_related("owner").order_by("due_date", "id"), day), "retailer_id")
    facts = _grouped(MonthlyFact.objects.filter(
        retailer_id__in=ids, month__gte=add_months(month_start(day), -FACT_MONTHS))
        .order_by("-month"), "retailer_id")
    persons = _grouped(KeyPerson.objects.filter(retailer_id__in=ids, erased_at__isnull=True)
                       .values("retailer_id", "name", "role").order_by("id"), "retailer_id")
    templates = _templates(retailers)
    objectives = objectives or {}
    return {r.pk: {"retailer": r, "key_persons": persons[r.pk],
                   "last_visit": last_visits.get(r.pk), "open_problems": problems[r.pk],
                   "objective": objectives.get(r.pk, ""), "facts": facts[r.pk],
                   "template": templates[(r.business_type, r.area_id)]}
            for r in retailers}


def visit_preparation(user, retailer: Retailer, day: date) -> dict:
    plan = working_plan(user.pk, day)
    stop = plan.stops.filter(date=day, retailer=retailer).first() if plan else None
    return preparations(user, [retailer], day,
                        {retailer.pk: stop.objective} if stop else None)[retailer.pk]
