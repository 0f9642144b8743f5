"""The nightly scorecards: retailer scorecards (the three indicators and the month's
money) and rep scorecards, precomputed into tables so pages read them in one query.

- Retailer scorecards: one `INSERT … SELECT … ON CONFLICT (retailer, month) DO UPDATE`
  per office (a nightly part), counts pre-aggregated per retailer in derived tables
  (one pass over each source table), points from `grading.indicators.FORMULA`. Plain
  SQL that PostgreSQL and SQLite both run.
- Rep scorecards, per office: the live team view's own selectors (`visits.selectors.team`,
  read as a manager of the office), plus problems solved and information items
  (`visits.selectors.feedback`), grade moves (grade history), and 客情费 against sales
  (claim lines of the month against the purchases of the rep's retailers); each figure
  is one grouped query, the rows one bulk upsert.

The scorecards of a night are "as of" the day before the run (the last complete day);
in the first week of a month the previous month is refreshed too (late syncs, facts
imported after the month ends). A rerun replaces the rows: never duplicates.
"""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import BooleanField, Count, OuterRef, Subquery, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from accounts.models import JobRun, Membership, OrgNode, Role, User
from accounts.services import job_run_recorded
from accounts.workdays import month_end
from expenses.models import ClaimLine
from grading import indicators
from grading.models import GradeHistory, RepScorecard, RetailerScorecard
from kehu.models import (
    KeyPerson,
    MonthlyFact,
    RelationshipCriterion,
    RelationshipTick,
    Retailer,
)
from visits.models import Photo, Problem, StockLine, Visit
from visits.selectors.common import policy_for
from visits.selectors.feedback import day_bounds, info_items_by_rep, problems_solved_by_rep
from visits.selectors.team import Period, team_summary
from visits.services.reminders import office_retailer_ids

RETAILER_JOB = "grading.retailer_scorecards"
REP_JOB = "grading.rep_scorecards"
REFRESH_PREVIOUS_DAYS = 7
GRADE_ORDER = {"A": 3, "B": 2, "C": 1}


def without_jit() -> None:
    """PostgreSQL's JIT compiles these large-cost but quick queries for seconds (measured:
    6 s of JIT for a 0.2 s query); the nightly transactions turn it off for themselves."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def months_to_compute(as_of: date) -> list[date]:
    """The month of `as_of`, and the one before during a month's first week."""
    month = as_of.replace(day=1)
    if as_of.day <= REFRESH_PREVIOUS_DAYS:
        return [(month - timedelta(days=1)).replace(day=1), month]
    return [month]


# Retailer scorecards ---------------------------------------------------------------------

def areas_of(node: OrgNode) -> list[int]:
    """The ids of the areas under `node`: filtering retailers by this list reads them
    through the area index (a path join would scan every retailer of the company)."""
    return list(OrgNode.objects.filter(path__startswith=node.path, kind=OrgNode.Kind.AREA)
                .values_list("pk", flat=True))


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _retailer_sql() -> str:
    parts = indicators.parts()
    points = ",\n       ".join(f"{p.sql()} AS {p.field}" for p in parts)
    totals = ",\n       ".join(
        " + ".join(f"x.{p.field}" for p in indicator_parts) + f" AS {key}"
        for key, (_label, indicator_parts) in indicators.FORMULA.items())
    columns = [p.field for p in parts] + [
        "closeness", "tightness", "feedback", "relationship_level", "grade",
        "purchase_amount", "collected_amount", "expense_amount"]
    inserted = ", ".join(["retailer_id", "month", *columns, "as_of", "run_id"])
    updates = ", ".join(f"{c} = excluded.{c}" for c in [*columns, "as_of", "run_id"])
    return f"""
INSERT INTO {_t(RetailerScorecard)} ({inserted})
WITH shops AS (
    SELECT r.id, r.relationship_level, r.grade FROM {_t(Retailer)} r
    WHERE r.area_id IN (%(areas)s) AND r.status <> 'closed'
)
SELECT x.retailer_id, %(month)s, {", ".join(f"x.{p.field}" for p in parts)},
       {totals},
       x.relationship_level, x.grade, x.purchase_amount, x.collected_amount,
       x.expense_amount, %(as_of)s, %(run)s
FROM (
SELECT r.id AS retailer_id, r.relationship_level, r.grade,
       {points},
       COALESCE(f.purchase_amount, 0) AS purchase_amount,
       COALESCE(f.collected_amount, 0) AS collected_amount,
       COALESCE(e.amount, 0) AS expense_amount
FROM shops r
LEFT JOIN (
    SELECT k.retailer_id,
           SUM(CASE WHEN k.role = 'owner' THEN 1 ELSE 0 END) AS owners,
           SUM(CASE WHEN k.phone <> '' THEN 1 ELSE 0 END) AS phones,
           SUM(CASE WHEN k.birthday IS NOT NULL OR k.lunar_month IS NOT NULL
                    THEN 1 ELSE 0 END) AS birthdays,
           SUM(CASE WHEN k.family <> '' THEN 1 ELSE 0 END) AS families,
           SUM(CASE WHEN k.interests <> '' THEN 1 ELSE 0 END) AS interests,
           SUM(CASE WHEN k.notes <> '' THEN 1 ELSE 0 END) AS notes
    FROM {_t(KeyPerson)} k JOIN shops kr ON kr.id = k.retailer_id
    WHERE k.erased_at IS NULL
    GROUP BY k.retailer_id
) kp ON kp.retailer_id = r.id
LEFT JOIN (
    SELECT vv.retailer_id,
           SUM(CASE WHEN vv.kind = 'care_call' THEN 1 ELSE 0 END) AS care_calls,
           SUM(CASE WHEN vv.kind = 'on_site' AND vv.visit_date >= %(short_from)s
                    THEN 1 ELSE 0 END) AS on_site,
           SUM(CASE WHEN vv.retailer_requests <> '' THEN 1 ELSE 0 END) AS own_info,
           SUM(CASE WHEN vv.consumer_feedback <> '' THEN 1 ELSE 0 END) AS consumer,
           SUM(CASE WHEN vv.competitor_info <> '' THEN 1 ELSE 0 END) AS competitor
    FROM {_t(Visit)} vv JOIN shops vr ON vr.id = vv.retailer_id
    WHERE vv.visit_date >= %(long_from)s AND vv.visit_date <= %(as_of)s
    GROUP BY vv.retailer_id
) v ON v.retailer_id = r.id
LEFT JOIN (
    SELECT sv.retailer_id, COUNT(DISTINCT sv.id) AS stock
    FROM {_t(StockLine)} s JOIN {_t(Visit)} sv ON sv.id = s.visit_id
    JOIN shops sr ON sr.id = sv.retailer_id
    WHERE sv.visit_date >= %(long_from)s AND sv.visit_date <= %(as_of)s
    GROUP BY sv.retailer_id
) st ON st.retailer_id = r.id
LEFT JOIN (
    SELECT pv.retailer_id, COUNT(*) AS display
    FROM {_t(Photo)} p JOIN {_t(Visit)} pv ON pv.id = p.visit_id
    JOIN shops phr ON phr.id = pv.retailer_id
    WHERE p.kind IN ('display', 'shelf') AND pv.visit_date >= %(short_from)s
      AND pv.visit_date <= %(as_of)s
    GROUP BY pv.retailer_id
) ph ON ph.retailer_id = r.id
LEFT JOIN (
    SELECT q.retailer_id, COUNT(*) AS solved
    FROM {_t(Problem)} q JOIN shops qr ON qr.id = q.retailer_id
    WHERE q.status = 'solved' AND q.solved_at >= %(long_start)s AND q.solved_at < %(end)s
    GROUP BY q.retailer_id
) pr ON pr.retailer_id = r.id
LEFT JOIN (
    SELECT t.retailer_id, COUNT(*) AS recommends
    FROM {_t(RelationshipTick)} t JOIN {_t(RelationshipCriterion)} c ON c.id = t.criterion_id
    JOIN shops tr ON tr.id = t.retailer_id
    WHERE t.status = 'confirmed' AND c.code IN %(criteria)s
    GROUP BY t.retailer_id
) tk ON tk.retailer_id = r.id
LEFT JOIN {_t(MonthlyFact)} f ON f.retailer_id = r.id AND f.month = %(month)s
LEFT JOIN (
    SELECT cl.retailer_id, SUM(cl.amount) AS amount
    FROM {_t(ClaimLine)} cl JOIN shops cr ON cr.id = cl.retailer_id
    WHERE cl.month = %(month)s
    GROUP BY cl.retailer_id
) e ON e.retailer_id = r.id
) x
WHERE 1 = 1
ON CONFLICT (retailer_id, month) DO UPDATE SET {updates}
"""


def _date(value: date):
    return connection.ops.adapt_datefield_value(value)


def retailer_scorecards_compute(*, node: OrgNode, as_of: date, run: JobRun | None = None) -> int:
    """Score every retailer (not closed) under `node` for the month of `as_of`, as of
    that day; returns the rows written."""
    month = as_of.replace(day=1)
    long_start, end = day_bounds(as_of - timedelta(days=indicators.LONG_DAYS - 1), as_of)
    params = {
        "month": _date(month), "as_of": _date(as_of), "run": run.pk if run else None,
        "short_from": _date(as_of - timedelta(days=indicators.VISIT_DAYS - 1)),
        "long_from": _date(as_of - timedelta(days=indicators.LONG_DAYS - 1)),
        "long_start": connection.ops.adapt_datetimefield_value(long_start),
        "end": connection.ops.adapt_datetimefield_value(end),
    }
    # The office's areas spelled out (integers from the org tree): the retailers are then
    # read through the area index, not by scanning every retailer of the company.
    areas = areas_of(node) or [0]
    codes = ", ".join(f"'{code}'" for code in indicators.RECOMMENDED_CRITERIA)
    sql = (_retailer_sql().replace("IN %(criteria)s", f"IN ({codes})")
           .replace("%(areas)s", ", ".join(str(int(pk)) for pk in areas)))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def retailer_money_refresh(*, node: OrgNode, month: date) -> int:
    """Refresh purchases, collection and 客情费 of an earlier month's rows under `node`
    (facts and claims arrive after the month ends); the indicators stay as scored."""
    fact = MonthlyFact.objects.filter(retailer_id=OuterRef("retailer_id"), month=month)
    spent = (ClaimLine.objects.filter(retailer_id=OuterRef("retailer_id"), month=month)
             .values("retailer_id").annotate(total=Sum("amount")).values("total"))
    column = f"{_t(RetailerScorecard)}.retailer_id"
    return (RetailerScorecard.objects
            .filter(RawSQL(f"{column} {office_retailer_ids(areas_of(node))}", (),
                           output_field=BooleanField()), month=month)
            .update(purchase_amount=Coalesce(Subquery(fact.values("purchase_amount")),
                                             Value(Decimal(0))),
                    collected_amount=Coalesce(Subquery(fact.values("collected_amount")),
                                              Value(Decimal(0))),
                    expense_amount=Coalesce(Subquery(spent), Value(Decimal(0)))))


# Rep scorecards --------------------------------------------------------------------------

def node_reader(node: OrgNode) -> User:
    """An in-memory reader who sees everything under `node`, as a manager placed there
    would: the live team selectors are then reused unchanged for every rep under it."""
    reader = User(username=f"nightly:{node.code}", is_active=True)
    reader._scope_memberships = [Membership(node=node, role=Role.ADMIN)]
    return reader


def _pct(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.01"), ROUND_HALF_UP)


def grade_moves_by_rep(node: OrgNode, first: date, last: date) -> dict[int, dict]:
    """Per assigned rep: grade changes of their retailers (under `node`) with a business
    date in the month — up, down, and A→B (the warning)."""
    rows = (GradeHistory.objects
            .filter(retailer__area_id__in=areas_of(node), business_date__range=(first, last),
                    retailer__assigned_rep__isnull=False)
            .exclude(old_grade="").exclude(new_grade="")
            .values("retailer__assigned_rep_id", "old_grade", "new_grade")
            .annotate(n=Count("pk")).order_by())
    moves: dict[int, dict] = {}
    for row in rows:
        old, new = GRADE_ORDER.get(row["old_grade"], 0), GRADE_ORDER.get(row["new_grade"], 0)
        if old == new:
            continue
        mine = moves.setdefault(row["retailer__assigned_rep_id"],
                                {"grade_ups": 0, "grade_downs": 0, "a_to_b": 0})
        mine["grade_ups" if new > old else "grade_downs"] += row["n"]
        if (row["old_grade"], row["new_grade"]) == ("A", "B"):
            mine["a_to_b"] += row["n"]
    return moves


def money_by_rep(node: OrgNode, month: date) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """(客情费 claimed by each rep in the month on retailers under `node`, purchases of
    each rep's retailers under `node`)."""
    areas = areas_of(node)
    spent = (ClaimLine.objects.filter(retailer__area_id__in=areas, month=month)
             .values("rep_id").annotate(total=Sum("amount")).order_by())
    sales = (MonthlyFact.objects.filter(retailer__area_id__in=areas, month=month,
                                        retailer__assigned_rep__isnull=False)
             .values("retailer__assigned_rep_id").annotate(total=Sum("purchase_amount"))
             .order_by())
    return ({r["rep_id"]: r["total"] for r in spent},
            {r["retailer__assigned_rep_id"]: r["total"] for r in sales})


SUMMARY_FIELDS = ("has_approved_plan", "planned", "done", "missed", "pending", "adherence_pct",
                  "visits", "on_site", "a_total", "a_visited", "a_coverage_pct", "overdue")


def rep_scorecards_compute(*, node: OrgNode, month: date, today: date,
                           run: JobRun | None = None) -> int:
    """The scorecard of `month` of every rep under `node` (an office), as the live team
    view shows it to a manager of that node on `today`; returns the rows written."""
    reader = node_reader(node)
    period = Period(month, month_end(month), today)
    summary = team_summary(reader, policy_for(node.company()), period)
    problems = problems_solved_by_rep(Problem.objects.for_user(reader), month, period.last)
    info = info_items_by_rep(Visit.objects.for_user(reader), month, period.last)
    moves = grade_moves_by_rep(node, month, period.last)
    spent, sales = money_by_rep(node, month)
    areas = dict(Membership.objects.filter(role=Role.REP, node__path__startswith=node.path)
                 .order_by("-id").values_list("user_id", "node_id"))
    rows = []
    for row in summary["reps"]:
        rep = row["rep"]
        expense, sold = spent.get(rep, Decimal(0)), sales.get(rep, Decimal(0))
        rows.append(RepScorecard(
            rep_id=rep, area_id=areas[rep], month=month, as_of=today - timedelta(days=1),
            run=run, problems_solved=problems.get(rep, 0), info_items=info.get(rep, 0),
            expense_amount=expense, sales_amount=sold, expense_pct=_pct(expense, sold),
            **{"grade_ups": 0, "grade_downs": 0, "a_to_b": 0, **moves.get(rep, {})},
            **{field: row[field] for field in SUMMARY_FIELDS}))
    update = [f.name for f in RepScorecard._meta.concrete_fields
              if f.name not in ("id", "rep", "month")]
    RepScorecard.objects.bulk_create(rows, update_conflicts=True,
                                     unique_fields=["rep", "month"], update_fields=update)
    return len(rows)


# Nightly steps (grading.nightly) ---------------------------------------------------------

def offices_of(company: OrgNode) -> list[OrgNode]:
    """The parts of a company's night: its offices (the company itself when it has none)."""
    offices = list(OrgNode.objects.filter(path__startswith=company.path,
                                          kind=OrgNode.Kind.OFFICE).order_by("path"))
    return offices or [company]


def retailer_parts(company: OrgNode, business_date: date) -> list[dict]:
    return [{"node_id": node.pk} for node in offices_of(company)]


def retailer_run_part(*, business_date: date, node_id: int) -> int | None:
    """Retailer scorecards of one office as of the day before `business_date`."""
    node = OrgNode.objects.filter(pk=node_id).first()
    if node is None:
        return None
    as_of = business_date - timedelta(days=1)
    with job_run_recorded(name=RETAILER_JOB, scope=node, business_date=business_date) as run, \
            transaction.atomic():
        without_jit()
        counts = {"rows": retailer_scorecards_compute(node=node, as_of=as_of, run=run)}
        for month in months_to_compute(as_of)[:-1]:
            counts[f"refreshed {month:%Y-%m}"] = retailer_money_refresh(node=node, month=month)
        run.counts = counts
    return run.pk


def rep_parts(company: OrgNode, business_date: date) -> list[dict]:
    return [{"node_id": node.pk} for node in offices_of(company)]


def rep_run_part(*, business_date: date, node_id: int) -> int | None:
    """Rep scorecards of one office: the month of the day before `business_date` (and in
    a month's first week the month before)."""
    node = OrgNode.objects.filter(pk=node_id).first()
    if node is None:
        return None
    as_of = business_date - timedelta(days=1)
    with job_run_recorded(name=REP_JOB, scope=node, business_date=business_date) as run, \
            transaction.atomic():
        without_jit()
        run.counts = {f"{month:%Y-%m}": rep_scorecards_compute(
            node=node, month=month, today=business_date, run=run)
            for month in months_to_compute(as_of)}
    return run.pk
