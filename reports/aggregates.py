"""Filling `reports.RepDay`: the nightly fill (set-based, one office per part) and the
refresh of one (rep, day) row after a visit, missed visit, problem or plan changed.

Both run the same statement: `INSERT INTO reports_repday … SELECT … GROUP BY rep, day
… ON CONFLICT (rep_id, day) DO UPDATE`, over a `UNION ALL` of one grouped-by-(rep, day)
source per table (the plan's stops, visits, problems raised, problems solved). The
sources are written with the ORM (so local days of timestamps are computed the same
way on PostgreSQL and SQLite) and compiled to SQL; PostgreSQL and SQLite both run the
result. Rows of the range that no source produced any more (a visit deleted) are
removed afterwards, so a rerun leaves exactly the rows a first run writes. Every writer
here bumps the cached dashboards' version of the company (reports.cache) on commit.

Definitions (the same as visits.selectors.team and visits.selectors.feedback):
- planned: stops of the rep's approved plans dated that day; done: those with an
  on-site visit by the rep to the retailer that day; missed: those not done for which a
  reason was recorded (MissedVisit);
- visits by kind, far (check-in beyond the radius) and no_gps, by the rep, dated that day;
  flagged: those visits with either flag, each once (far + no_gps counts a visit with
  both twice; the flagged check-ins list, checkin_flag=far&checkin_flag=no_gps, once);
- problems_raised: raised by the rep that (local) day; problems_solved: solved by them;
- info_items: information items on the rep's visits of the day (0–4 a visit).

A rep's row belongs to their area: the rep membership they got first (a rep holds one).
Visits count wherever the retailer is (the rep's own day), not only in their office.
"""

from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import JobRun, Membership, OrgNode, Role
from accounts.services import job_run_recorded
from grading.models import GradeHistory
from kehu.models import Retailer
from reports import cache as dashboard_cache
from reports.models import AreaGradeMonth, AreaProblemDay, RepDay
from visits.models import MissedVisit, PlanStop, Problem, Visit, VisitPlan
from visits.selectors.feedback import day_bounds, info_items_expression

JOB = "reports.rep_days"
COUNTS = ("planned", "done", "missed", "visits", "on_site", "phone", "care", "far", "no_gps",
          "flagged", "problems_raised", "problems_solved", "info_items")
# In the first week of a month the nightly fill redoes the previous month too (late syncs),
# like the scorecards (grading.scorecards.REFRESH_PREVIOUS_DAYS).
REFRESH_PREVIOUS_DAYS = 7


def _one(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _source(queryset: QuerySet, rep: str, day, **figures) -> QuerySet:
    """A source grouped by (rep, day), with every count column (0 unless given), the
    columns in the same order in every source (they are UNION ALL-ed by position)."""
    summed = {f"s_{name}": Sum(figures[name]) if name in figures
              else Value(0, output_field=IntegerField()) for name in COUNTS}
    return (queryset.annotate(r_rep=F(rep), r_day=day)
            .values("r_rep", "r_day").annotate(**summed).order_by())


def sources(rep_ids: list[int], first: date, last: date) -> list[QuerySet]:
    """The grouped sources of the reps' days `first`..`last` (see the module's docstring)."""
    visited = Visit.objects.filter(rep_id=OuterRef("plan__rep_id"),
                                   retailer_id=OuterRef("retailer_id"),
                                   visit_date=OuterRef("date"), kind=Visit.Kind.ON_SITE)
    reason = MissedVisit.objects.filter(rep_id=OuterRef("plan__rep_id"),
                                        retailer_id=OuterRef("retailer_id"),
                                        date=OuterRef("date"))
    stops = (PlanStop.objects
             .filter(plan__rep_id__in=rep_ids, plan__status=VisitPlan.Status.APPROVED,
                     date__range=(first, last))
             .annotate(was_done=Exists(visited), has_reason=Exists(reason)))
    stops = _source(stops, "plan__rep_id", F("date"),
                    planned=Value(1), done=_one(Q(was_done=True)),
                    missed=_one(Q(was_done=False, has_reason=True)))
    visits = (Visit.objects.filter(rep_id__in=rep_ids, visit_date__range=(first, last))
              .annotate(items=info_items_expression()))
    visits = _source(visits, "rep_id", F("visit_date"),
                     visits=Value(1), on_site=_one(Q(kind=Visit.Kind.ON_SITE)),
                     phone=_one(Q(kind=Visit.Kind.PHONE)),
                     care=_one(Q(kind=Visit.Kind.CARE_CALL)),
                     far=_one(Q(far_from_store=True)), no_gps=_one(Q(gps_missing=True)),
                     flagged=_one(Q(far_from_store=True) | Q(gps_missing=True)),
                     info_items=F("items"))
    start, end = day_bounds(first, last)
    raised = _source(Problem.objects.filter(raised_by_id__in=rep_ids, created_at__gte=start,
                                            created_at__lt=end),
                     "raised_by_id", TruncDate("created_at"), problems_raised=Value(1))
    solved = _source(Problem.objects.filter(solved_by_id__in=rep_ids,
                                            status=Problem.Status.SOLVED,
                                            solved_at__gte=start, solved_at__lt=end),
                     "solved_by_id", TruncDate("solved_at"), problems_solved=Value(1))
    return [stops, visits, raised, solved]


def _compiled(queryset: QuerySet) -> tuple[str, tuple]:
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    return sql, tuple(params)


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _upsert_sql(parts: list[str], reps_sql: str) -> str:
    columns = ", ".join(COUNTS)
    sums = ", ".join(f"SUM(u.s_{name})" for name in COUNTS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in (
        *COUNTS, "area_id", "node_path", "updated_at"))
    union = "\nUNION ALL\n".join(f"SELECT * FROM ({part}) AS src{i}"
                                 for i, part in enumerate(parts))
    return f"""
INSERT INTO {_t(RepDay)} (rep_id, day, area_id, node_path, {columns}, updated_at)
SELECT u.r_rep, u.r_day, reps.area_id, reps.node_path, {sums}, %s
FROM ({union}) AS u
JOIN ({reps_sql}) AS reps ON reps.rep_id = u.r_rep
WHERE 1 = 1
GROUP BY u.r_rep, u.r_day, reps.area_id, reps.node_path
ON CONFLICT (rep_id, day) DO UPDATE SET {updates}
"""


def rep_areas(rep_ids: list[int] | None = None, node: OrgNode | None = None) -> dict[int, int]:
    """Each rep's area (their first rep membership), of the given reps or of the reps
    whose area is under `node`."""
    first = {}
    rows = Membership.objects.filter(role=Role.REP).order_by("id")
    if rep_ids is not None:
        rows = rows.filter(user_id__in=rep_ids)
    for user_id, node_id in rows.values_list("user_id", "node_id"):
        first.setdefault(user_id, node_id)
    if node is not None:
        under = set(OrgNode.objects.filter(path__startswith=node.path, kind=OrgNode.Kind.AREA)
                    .values_list("pk", flat=True))
        first = {rep: area for rep, area in first.items() if area in under}
    return first


def _reps_sql(areas: dict[int, int]) -> str:
    """The (rep, area, area's path) rows as a literal table: ids are integers from the
    database and paths treebeard's alphabet, so nothing user-typed reaches the SQL."""
    paths = dict(OrgNode.objects.filter(pk__in=set(areas.values())).values_list("pk", "path"))
    rows = " UNION ALL ".join(
        f"SELECT {int(rep)} AS rep_id, {int(area)} AS area_id, "
        f"'{_path_literal(paths[area])}' AS node_path"
        for rep, area in areas.items())
    return rows


def _path_literal(path: str) -> str:
    if not path.isalnum():
        raise ValueError(f"unexpected org path {path!r}")
    return path


def rep_days_compute(*, areas: dict[int, int], first: date, last: date) -> dict:
    """Write the RepDay rows of the reps (rep → area) for days `first`..`last`; returns
    {"rows": written, "removed": rows of the range that have nothing any more}."""
    if not areas:
        return {"rows": 0, "removed": 0}
    stamp = timezone.now()
    compiled = [_compiled(q) for q in sources(list(areas), first, last)]
    sql = _upsert_sql([s for s, _p in compiled], _reps_sql(areas))
    params = (connection.ops.adapt_datetimefield_value(stamp),
              *[p for _s, ps in compiled for p in ps])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = max(cursor.rowcount, 0)
    removed, _ = (RepDay.objects.filter(rep_id__in=list(areas), day__range=(first, last),
                                        updated_at__lt=stamp).delete())
    dashboard_cache.bump_nodes(areas.values())
    return {"rows": written, "removed": removed}


def rep_day_refresh(*, rep_id: int, day: date) -> RepDay | None:
    """Recompute one rep's day (after a visit, missed visit, problem or plan changed);
    returns the row, or None when the user is not a rep or the day has nothing."""
    areas = rep_areas([rep_id])
    if not areas:
        return None
    with transaction.atomic():
        rep_days_compute(areas=areas, first=day, last=day)
    return RepDay.objects.filter(rep_id=rep_id, day=day).first()


# Grades by area and month -----------------------------------------------------------------

def _area_grade_sql(area_ids: list[int]) -> str:
    areas = ", ".join(str(int(pk)) for pk in area_ids)
    return f"""
INSERT INTO {_t(AreaGradeMonth)} (area_id, node_path, month, grade, retailers, moved_in,
                                  moved_out, updated_at)
SELECT g.area_id, n.path, %(month)s, g.grade, SUM(g.n), SUM(g.i), SUM(g.o), %(stamp)s
FROM (
    SELECT r.area_id, r.grade, 1 AS n, 0 AS i, 0 AS o
    FROM {_t(Retailer)} r WHERE r.area_id IN ({areas}) AND r.status = 'active'
    UNION ALL
    SELECT r.area_id, h.new_grade, 0, 1, 0
    FROM {_t(GradeHistory)} h JOIN {_t(Retailer)} r ON r.id = h.retailer_id
    WHERE r.area_id IN ({areas}) AND h.business_date >= %(month)s
      AND h.business_date <= %(last)s AND h.old_grade <> h.new_grade
    UNION ALL
    SELECT r.area_id, h.old_grade, 0, 0, 1
    FROM {_t(GradeHistory)} h JOIN {_t(Retailer)} r ON r.id = h.retailer_id
    WHERE r.area_id IN ({areas}) AND h.business_date >= %(month)s
      AND h.business_date <= %(last)s AND h.old_grade <> h.new_grade
) g JOIN {_t(OrgNode)} n ON n.id = g.area_id
WHERE 1 = 1
GROUP BY g.area_id, n.path, g.grade
ON CONFLICT (area_id, month, grade) DO UPDATE SET node_path = excluded.node_path,
    retailers = excluded.retailers, moved_in = excluded.moved_in,
    moved_out = excluded.moved_out, updated_at = excluded.updated_at
"""


def area_grades_compute(*, node: OrgNode, as_of: date) -> int:
    """The grade counts of the areas under `node` for the month of `as_of`: active
    retailers by grade now, grade changes of the month up to `as_of` in and out of each
    grade; returns the rows written (rows no longer produced are removed)."""
    area_ids = list(OrgNode.objects.filter(path__startswith=node.path, kind=OrgNode.Kind.AREA)
                    .values_list("pk", flat=True))
    if not area_ids:
        return 0
    month = as_of.replace(day=1)
    stamp = timezone.now()
    params = {"month": connection.ops.adapt_datefield_value(month),
              "last": connection.ops.adapt_datefield_value(as_of),
              "stamp": connection.ops.adapt_datetimefield_value(stamp)}
    with connection.cursor() as cursor:
        cursor.execute(_area_grade_sql(area_ids), params)
        written = max(cursor.rowcount, 0)
    AreaGradeMonth.objects.filter(area_id__in=area_ids, month=month,
                                  updated_at__lt=stamp).delete()
    dashboard_cache.bump_paths([node.path])
    return written


# Unsolved problems by area and due date ------------------------------------------------------

def _area_problem_sql(area_ids: list[int]) -> str:
    areas = ", ".join(str(int(pk)) for pk in area_ids)
    unsolved = ", ".join(f"'{status}'" for status in Problem.UNSOLVED)
    return f"""
INSERT INTO {_t(AreaProblemDay)} (area_id, node_path, due_date, unsolved, updated_at)
SELECT r.area_id, n.path, p.due_date, COUNT(*), %(stamp)s
FROM {_t(Problem)} p JOIN {_t(Retailer)} r ON r.id = p.retailer_id
JOIN {_t(OrgNode)} n ON n.id = r.area_id
WHERE r.area_id IN ({areas}) AND p.status IN ({unsolved})
GROUP BY r.area_id, n.path, p.due_date
ON CONFLICT (area_id, due_date) DO UPDATE SET node_path = excluded.node_path,
    unsolved = excluded.unsolved, updated_at = excluded.updated_at
"""


def area_problems_compute(*, area_ids: list[int]) -> int:
    """Recount the unsolved problems of the areas' retailers by due date; returns the rows
    written (due dates with none left are removed)."""
    if not area_ids:
        return 0
    stamp = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_area_problem_sql(area_ids),
                       {"stamp": connection.ops.adapt_datetimefield_value(stamp)})
        written = max(cursor.rowcount, 0)
    AreaProblemDay.objects.filter(area_id__in=area_ids, updated_at__lt=stamp).delete()
    dashboard_cache.bump_nodes(area_ids)
    return written


def area_problems_refresh(*, retailer_id: int) -> int:
    """After a problem of this retailer changed: recount its area."""
    area = Retailer.objects.filter(pk=retailer_id).values_list("area_id", flat=True).first()
    if area is None:
        return 0
    with transaction.atomic():
        return area_problems_compute(area_ids=[area])


def _areas_under(node: OrgNode) -> list[int]:
    return list(OrgNode.objects.filter(path__startswith=node.path, kind=OrgNode.Kind.AREA)
                .values_list("pk", flat=True))


# The nightly step (registered in grading.nightly.STEPS by reports.apps) -------------------

def days_to_compute(business_date: date) -> tuple[date, date]:
    """From the first day of the month of the day before `business_date` (of the month
    before, in a month's first week) to `business_date` itself (today's planned stops)."""
    as_of = business_date - timedelta(days=1)
    first = as_of.replace(day=1)
    if as_of.day <= REFRESH_PREVIOUS_DAYS:
        first = (first - timedelta(days=1)).replace(day=1)
    return first, business_date


def offices_of(company: OrgNode) -> list[OrgNode]:
    offices = list(OrgNode.objects.filter(path__startswith=company.path,
                                          kind=OrgNode.Kind.OFFICE).order_by("path"))
    return offices or [company]


def nightly_parts(company: OrgNode, business_date: date) -> list[dict]:
    return [{"node_id": node.pk} for node in offices_of(company)]


def nightly_run_part(*, business_date: date, node_id: int, first: str | None = None,
                     last: str | None = None) -> int | None:
    """RepDay rows of one office's reps (see days_to_compute, or `first`..`last`)."""
    node = OrgNode.objects.filter(pk=node_id).first()
    if node is None:
        return None
    start, end = days_to_compute(business_date)
    start = date.fromisoformat(first) if first else start
    end = date.fromisoformat(last) if last else end
    with job_run_recorded(name=JOB, scope=node, business_date=business_date) as run, \
            transaction.atomic():
        _without_jit()
        run.counts = {"first": start.isoformat(), "last": end.isoformat(),
                      **rep_days_compute(areas=rep_areas(node=node), first=start, last=end),
                      "area_grades": area_grades_compute(node=node, as_of=business_date),
                      "area_problems": area_problems_compute(area_ids=_areas_under(node))}
    return run.pk


def _without_jit() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def rep_days_fill(*, node: OrgNode, first: date, last: date,
                  run: JobRun | None = None) -> dict:
    """Fill every office under `node` for `first`..`last`, one transaction per office
    (bench and demo data written in bulk); returns the summed counts."""
    totals = {"rows": 0, "removed": 0, "area_grades": 0, "area_problems": 0}
    offices = ([node] if node.kind in (OrgNode.Kind.OFFICE, OrgNode.Kind.AREA)
               else offices_of(node))
    for office in offices:
        with transaction.atomic():
            _without_jit()
            counts = rep_days_compute(areas=rep_areas(node=office), first=first, last=last)
            counts["area_grades"] = area_grades_compute(node=office, as_of=last)
            counts["area_problems"] = area_problems_compute(area_ids=_areas_under(office))
        for key in totals:
            totals[key] += counts[key]
    return totals
