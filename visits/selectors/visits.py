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
from django.db.models.expressions import RawSQL

from kehu.models import MonthlyFact, Retailer
from kehu.selectors import add_months
from visits.models import MissedVisit, Photo, Problem, Visit
from visits.selectors.common import month_start, template_steps_by_key, working_plan
from visits.selectors.sql import date_param, fetch, placeholders, scoped_sql

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


def latest_visit_queryset(user, retailer_id) -> QuerySet[Visit]:
    """The latest visit the user may see of the retailer (`retailer_id` an OuterRef or
    an expression), as a one-row queryset of its id. The visit day (the local date of
    `started_at`) leads the order so that the (retailer, visit_date) index is read
    backwards from the retailer's latest day: ~2 rows, not its whole log."""
    return (Visit.objects.for_user(user).filter(retailer_id=retailer_id)
            .order_by("-visit_date", "-started_at", "-id").values("pk")[:1])


def latest_visit(user, retailer_id) -> Subquery:
    """`latest_visit_queryset` as a subquery (`retailer_id` an OuterRef)."""
    return Subquery(latest_visit_queryset(user, retailer_id))


def _field(model, name: str):
    return model._meta.get_field(name)


LAST_VISIT_COLUMNS = tuple((name, None if name.endswith("id") else _field(Visit, name))
                            for name in LAST_VISIT_FIELDS)
_PROBLEM_COLUMNS = (("id", None), ("retailer_id", None), ("category", None),
                    ("description", None), ("due_date", _field(Problem, "due_date")),
                    ("status", None), ("owner__name", None), ("owner__username", None))
_FACT_COLUMNS = (("retailer_id", None), ("month", _field(MonthlyFact, "month")),
                 *((name, _field(MonthlyFact, name)) for name in (
                     "purchase_amount", "collected_amount", "order_success_rate")))
_PERSON_COLUMNS = (("retailer_id", None), ("name", None), ("role", None))

# {last}: `latest_visit_queryset` correlated to `s.retailer_id` (the reader's scope).
_LAST_VISITS_SQL = """
SELECT lv.id, lv.retailer_id, lv.visit_date, lv.kind, lv.status, lv.duration_s,
       lv.communication_notes, lv.competitor_info, lv.consumer_feedback, lv.retailer_requests
FROM (SELECT id AS retailer_id FROM kehu_retailer WHERE id IN ({ids})) s
JOIN visits_visit lv ON lv.id = ({last})"""

# {scope}: `Problem.objects.for_user` correlated to `p.id`.
_PROBLEMS_SQL = """
SELECT p.id, p.retailer_id, p.category, p.description, p.due_date, p.status,
       u.name, u.username
FROM visits_problem p JOIN accounts_user u ON u.id = p.owner_id
WHERE p.retailer_id IN ({ids}) AND p.status IN ({statuses}) AND EXISTS ({scope})
ORDER BY p.due_date, p.id"""

_FACTS_SQL = """
SELECT retailer_id, month, purchase_amount, collected_amount, order_success_rate
FROM kehu_monthlyfact WHERE retailer_id IN ({ids}) AND month >= %s
ORDER BY month DESC"""

_PERSONS_SQL = """
SELECT retailer_id, name, role FROM kehu_keyperson
WHERE retailer_id IN ({ids}) AND erased_at IS NULL ORDER BY id"""


def last_visit_sql(user) -> tuple[str, tuple] | None:
    """`latest_visit_queryset` of the user correlated to `s.retailer_id`, as SQL."""
    return scoped_sql("last_visit", user,
                      lambda u: latest_visit_queryset(u, RawSQL("s.retailer_id", ())))


def _last_visits(user, ids: list[int]) -> dict[int, dict]:
    """The latest visit the user may see of each retailer: one statement."""
    last = last_visit_sql(user)
    if last is None:
        return {}
    rows = fetch(_LAST_VISITS_SQL.format(ids=placeholders(ids), last=last[0]),
                 (*ids, *last[1]), LAST_VISIT_COLUMNS)
    return {row["retailer_id"]: row for row in rows}


def _open_problems(user, ids: list[int]) -> list[dict]:
    """The unsolved problems of the retailers the user may see, by due date."""
    scope = scoped_sql("problem", user, lambda u: Problem.objects.for_user(u).filter(
        pk=RawSQL("p.id", ())).values("pk"))
    if scope is None:
        return []
    return fetch(_PROBLEMS_SQL.format(ids=placeholders(ids),
                                      statuses=placeholders(Problem.UNSOLVED),
                                      scope=scope[0]),
                 (*ids, *Problem.UNSOLVED, *scope[1]), _PROBLEM_COLUMNS)


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
    and the form's steps, as plain rows. Five statements however many retailers, four
    when the caller read the last visits (`last_visits`, by retailer id). The open
    problems and last visits are the user's (`for_user`); facts, key persons' names
    and roles and templates belong to the retailers the caller already scoped."""
    ids = [c["id"] for c in cards]
    if not ids:
        return {}
    if last_visits is None:
        last_visits = _last_visits(user, ids)
    marks = placeholders(ids)
    problems = _grouped(_open_problems(user, ids))
    facts = _grouped(fetch(_FACTS_SQL.format(ids=marks), (
        *ids, date_param(add_months(month_start(day), -FACT_MONTHS))), _FACT_COLUMNS))
    persons = _grouped(fetch(_PERSONS_SQL.format(ids=marks), ids, _PERSON_COLUMNS))
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
