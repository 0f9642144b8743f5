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
from visits.models import MissedVisit, Photo, Problem, Visit
from visits.selectors.common import month_start, template_steps_by_key, working_plan

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


# The retailer's card as the preparation reads it (`retailer_card`, the day's stops).
CARD_FIELDS = ("id", "code", "name", "address", "business_type", "grade", "status",
               "relationship_level", "latitude", "longitude", "area_id")
LAST_VISIT_FIELDS = ("id", "retailer_id", "visit_date", "kind", "status", "duration_s",
                     "communication_notes", "competitor_info", "consumer_feedback",
                     "retailer_requests")


def retailer_card(retailer: Retailer) -> dict:
    """A retailer as `preparations` takes it (the area's path is read if not loaded)."""
    return {**{field: getattr(retailer, field) for field in CARD_FIELDS},
            "area_path": retailer.area.path}


def latest_visit(user, retailer_id) -> Subquery:
    """The id of the latest visit the user may see of the retailer (`retailer_id` an
    OuterRef). The visit day (the local date of `started_at`) leads the order so that
    the (retailer, visit_date) index is read backwards from the retailer's latest day:
    ~2 rows, not its whole log."""
    return Subquery(Visit.objects.for_user(user).filter(retailer_id=retailer_id)
                    .order_by("-visit_date", "-started_at", "-id").values("pk")[:1])


def _last_visits(user, ids: list[int]) -> dict[int, dict]:
    """The latest visit the user may see of each retailer: one query."""
    lasts = Retailer.objects.filter(pk__in=ids).annotate(
        last=latest_visit(user, OuterRef("pk"))).values("last")
    return {row["retailer_id"]: row for row in Visit.objects.filter(pk__in=lasts)
            .order_by().values(*LAST_VISIT_FIELDS)}


def _grouped(rows, key: str = "retailer_id") -> dict[int, list]:
    grouped = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return grouped


def preparations(user, cards: list[dict], day: date,
                 objectives: dict[int, str] | None = None,
                 last_visits: dict[int, dict | None] | None = None) -> dict[int, dict]:
    """What to read before visiting each retailer (`cards`: see `retailer_card`): the
    card, the last visit, open problems, the visit's objective, recent monthly facts
    and the form's steps, as plain rows. Five queries however many retailers, four
    when the caller read the last visits (`last_visits`, by retailer id)."""
    ids = [c["id"] for c in cards]
    if not ids:
        return {}
    if last_visits is None:
        last_visits = _last_visits(user, ids)
    problems = _grouped(
        Problem.objects.for_user(user).filter(retailer_id__in=ids, status__in=Problem.UNSOLVED)
        .order_by("due_date", "id")
        .values("id", "retailer_id", "category", "description", "due_date", "status",
                "owner__name", "owner__username"))
    facts = _grouped(MonthlyFact.objects.filter(
        retailer_id__in=ids, month__gte=add_months(month_start(day), -FACT_MONTHS))
        .order_by("-month")
        .values("retailer_id", "month", "purchase_amount", "collected_amount",
                "order_success_rate"))
    persons = _grouped(KeyPerson.objects.filter(retailer_id__in=ids, erased_at__isnull=True)
                       .values("retailer_id", "name", "role").order_by("id"))
    templates = template_steps_by_key({(c["business_type"], c["area_id"]): c["area_path"]
                                       for c in cards})
    objectives = objectives or {}
    for rows in problems.values():
        for p in rows:  # as `with_overdue` (only unsolved ones are read here)
            p["overdue"] = p["due_date"] < day
    return {c["id"]: {"retailer": c, "key_persons": persons[c["id"]],
                      "last_visit": last_visits.get(c["id"]),
                      "open_problems": problems[c["id"]],
                      "objective": objectives.get(c["id"], ""), "facts": facts[c["id"]],
                      "template": templates[(c["business_type"], c["area_id"])]}
            for c in cards}


def visit_preparation(user, retailer: Retailer, day: date) -> dict:
    plan = working_plan(user.pk, day)
    stop = plan.stops.filter(date=day, retailer=retailer).values("objective").first() \
        if plan else None
    return preparations(user, [retailer_card(retailer)], day,
                        {retailer.pk: stop["objective"]} if stop else None)[retailer.pk]
