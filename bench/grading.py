"""Benchmark: the nightly A/B/C regrade of 1,000,000 retailers with 12,000,000 monthly facts
on PostgreSQL (the data of bench/gen_retailers.py: company BENCH, 12 months of facts).

In the same run, from the same starting grades (the generator's, restored before every
measurement):
  app    grading.services.grading_run_policy: the company's Pareto policy (A = first 75 %
         of the 12-month purchase amount, B the next 20 %, C the rest), the JobRun row, the
         temporary table of computed grades, expired overrides, one history row per change
         with its basis, the grade column, each retailer's computed grade and basis;
  floor  one hand-written `UPDATE kehu_retailer … FROM (window functions)` computing the
         same grades (same rule, same ties) and writing only the grade column where it
         differs (the same work_mem the app sets for its transaction);
  naive  (with --naive) a plain ORM implementation: one aggregate query for the values,
         retailers streamed with .iterator(), ranks and shares in Python, bulk_update.
Each of app and floor is also rerun at once ("no change": same grades, nothing written).
Prints seconds, the ratios (goal: app ≤ 1.5 × floor, history rows included) and checks
that app, floor (and naive) give the same grade to every retailer.

The generator's retailers and facts are not modified: the grade column is saved first
and restored after every measurement and at the end; grading's own rows for the bench
company are deleted; the bench policy is left retired so no other night regrades them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/keqing_bench \\
        .venv/bin/python bench/grading.py [--rounds 2] [--naive]
"""

import argparse
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH_COMPANY, require_bench_database, setup_django  # noqa: E402

SAVED = "bench_grading_saved"
RESULT = "bench_grading_result"


def restore_grades(cursor, company_id: int) -> int:
    cursor.execute(f"""
        UPDATE kehu_retailer r SET grade = s.grade FROM {SAVED} s
        WHERE r.id = s.id AND r.grade IS DISTINCT FROM s.grade""")
    changed = cursor.rowcount
    cursor.execute("""
        DELETE FROM grading_gradehistory h USING kehu_retailer r
        WHERE h.retailer_id = r.id AND r.company_id = %s""", [company_id])
    cursor.execute("""
        DELETE FROM grading_retailergrade g USING kehu_retailer r
        WHERE g.retailer_id = r.id AND r.company_id = %s""", [company_id])
    cursor.execute("VACUUM ANALYZE kehu_retailer")
    cursor.execute("VACUUM ANALYZE grading_retailergrade")
    cursor.execute("VACUUM ANALYZE grading_gradehistory")
    return changed


FLOOR = """
UPDATE kehu_retailer r SET grade = g.grade
FROM (
    SELECT id,
           CASE WHEN v <= 0 THEN 'C'
                WHEN 100 * (cum - v * (cnt - rnk + 1)) < 75 * total THEN 'A'
                WHEN 100 * (cum - v * (cnt - rnk + 1)) < 95 * total THEN 'B'
                ELSE 'C' END AS grade
    FROM (
        SELECT r.id, COALESCE(f.v, 0) AS v,
               SUM(COALESCE(f.v, 0)) OVER () AS total,
               SUM(COALESCE(f.v, 0)) OVER (ORDER BY COALESCE(f.v, 0) DESC) AS cum,
               COUNT(*) OVER (ORDER BY COALESCE(f.v, 0) DESC) AS cnt,
               RANK() OVER (ORDER BY COALESCE(f.v, 0) DESC) AS rnk
        FROM kehu_retailer r
        LEFT JOIN (SELECT retailer_id, SUM(purchase_amount) AS v FROM kehu_monthlyfact
                   WHERE month >= %(start)s AND month < %(end)s GROUP BY retailer_id) f
               ON f.retailer_id = r.id
        WHERE r.company_id = %(company)s AND r.status <> 'closed'
    ) w
) g
WHERE r.id = g.id AND r.grade IS DISTINCT FROM g.grade
"""


def timed(label: str, fn):
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    print(f"  {label:<24} {seconds:8.2f} s  {result}", flush=True)
    return seconds, result


def run_floor(company_id: int, start: date, end: date) -> int:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(FLOOR, {"start": start, "end": end, "company": company_id})
        return cursor.rowcount


def run_naive(company_id: int, start: date, end: date) -> int:
    """What a naive app does: values by one ORM aggregate, every retailer streamed through
    Python, shares and grades computed there, changed rows written with bulk_update."""
    from django.db import transaction
    from django.db.models import Sum

    from kehu.models import MonthlyFact, Retailer

    values = dict(MonthlyFact.objects.filter(month__gte=start, month__lt=end,
                                             retailer__company_id=company_id)
                  .values("retailer").annotate(v=Sum("purchase_amount"))
                  .values_list("retailer", "v"))
    rows = [(values.get(r.pk, Decimal(0)), r) for r in Retailer.objects.filter(
        company_id=company_id).exclude(status="closed").only("id", "grade").iterator(
        chunk_size=10_000)]
    rows.sort(key=lambda row: -row[0])
    total = sum(v for v, _r in rows)
    changed, ahead, i = [], Decimal(0), 0
    while i < len(rows):  # a group of equal values shares the share ahead of it
        j = i
        while j < len(rows) and rows[j][0] == rows[i][0]:
            j += 1
        v = rows[i][0]
        for _v, retailer in rows[i:j]:
            grade = ("C" if v <= 0 else "A" if 100 * ahead < 75 * total
                     else "B" if 100 * ahead < 95 * total else "C")
            if retailer.grade != grade:
                retailer.grade = grade
                changed.append(retailer)
        ahead += v * (j - i)
        i = j
    with transaction.atomic():
        Retailer.objects.bulk_update(changed, ["grade"], batch_size=5000)
    return len(changed)


def snapshot(cursor, company_id: int, table: str) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(f"CREATE UNLOGGED TABLE {table} AS SELECT id, grade FROM kehu_retailer "
                   "WHERE company_id = %s", [company_id])
    cursor.execute(f"CREATE UNIQUE INDEX ON {table} (id)")


def differences(cursor, company_id: int, table: str) -> int:
    cursor.execute(f"""SELECT count(*) FROM kehu_retailer r JOIN {table} t ON t.id = r.id
                       WHERE r.company_id = %s AND r.grade IS DISTINCT FROM t.grade""",
                   [company_id])
    return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--naive", action="store_true", help="also time the ORM version")
    args = parser.parse_args()
    setup_django()
    require_bench_database()

    from django.db import connection

    from accounts.models import OrgNode
    from grading import engine, services
    from grading.models import GradingPolicy

    company = OrgNode.objects.get(code=BENCH_COMPANY)
    day = date.today()
    start, end = engine.window(day, 12)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM kehu_retailer WHERE company_id = %s", [company.pk])
        retailers = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM kehu_monthlyfact WHERE month >= %s AND month < %s",
                       [start, end])
        facts = cursor.fetchone()[0]
        print(f"{retailers:,} retailers, {facts:,} facts in the window {start} – {end}")
        cursor.execute(f"SELECT to_regclass('{SAVED}')")
        if cursor.fetchone()[0] is None:  # a crashed earlier run leaves it: keep the first
            cursor.execute(f"CREATE TABLE {SAVED} AS SELECT id, grade FROM kehu_retailer "
                           "WHERE company_id = %s", [company.pk])
            cursor.execute(f"CREATE UNIQUE INDEX ON {SAVED} (id)")

    policy = GradingPolicy.objects.filter(scope=company, business_type="").first()
    if policy is None:
        policy = services.policy_create(
            actor=None, scope=company, name="bench Pareto 75/20/5", method="pareto",
            measure="purchase_amount", window_months=12, share_a=Decimal(75),
            share_b=Decimal(20), share_c=Decimal(5), valid_from=date(2000, 1, 1))
    services.policy_update(actor=None, policy=policy, is_active=True)
    # The app's rule must be the floor's: check the version in force.
    version = services.version_in_force(policy, day)
    assert (version.method, version.share_a, version.share_b, version.window_months) == (
        "pareto", 75, 20, 12), version

    times = {"app": [], "app_rerun": [], "floor": [], "floor_rerun": [], "naive": []}
    counts = {}
    try:
        for round_no in range(1, args.rounds + 1):
            print(f"round {round_no}", flush=True)
            with connection.cursor() as cursor:
                restore_grades(cursor, company.pk)
            seconds, run = timed("app", lambda: services.grading_run_policy(
                policy=policy, business_date=day))
            times["app"].append(seconds)
            counts = run.counts
            print(f"    moves {counts['moves']:,}, history {counts['history']:,}, basis "
                  f"{counts['basis_written']:,}, grades {counts['grades']}; statements (s): "
                  f"{counts.get('seconds')}", flush=True)
            seconds, rerun = timed("app, no change", lambda: services.grading_run_policy(
                policy=policy, business_date=day).counts["moves"])
            times["app_rerun"].append(seconds)
            with connection.cursor() as cursor:
                snapshot(cursor, company.pk, RESULT)
                restore_grades(cursor, company.pk)
            seconds, floor_rows = timed("floor", lambda: run_floor(company.pk, start, end))
            times["floor"].append(seconds)
            seconds, _rows = timed("floor, no change", lambda: run_floor(company.pk, start, end))
            times["floor_rerun"].append(seconds)
            with connection.cursor() as cursor:
                diff = differences(cursor, company.pk, RESULT)
            print(f"    floor updated {floor_rows:,}; retailers graded differently by app "
                  f"and floor: {diff}", flush=True)
            assert diff == 0 and floor_rows == counts["moves"]
        if args.naive:
            with connection.cursor() as cursor:
                restore_grades(cursor, company.pk)
            seconds, _n = timed("naive (ORM)", lambda: run_naive(company.pk, start, end))
            times["naive"].append(seconds)
            with connection.cursor() as cursor:
                diff = differences(cursor, company.pk, RESULT)
            print(f"    retailers graded differently by naive and app: {diff}", flush=True)
    finally:
        with connection.cursor() as cursor:
            restore_grades(cursor, company.pk)
            cursor.execute(f"DROP TABLE IF EXISTS {RESULT}")
            cursor.execute(f"DROP TABLE {SAVED}")
        services.policy_update(actor=None, policy=policy, is_active=False)

    best = {k: min(v) for k, v in times.items() if v}
    print()
    print(f"| | best of {args.rounds} (s) | all runs (s) |")
    print("|---|---|---|")
    for key, label in (("floor", "floor: one UPDATE … FROM (window functions)"),
                       ("app", "app: nightly job, history and basis rows included"),
                       ("floor_rerun", "floor, no change"), ("app_rerun", "app, no change"),
                       ("naive", "naive: ORM stream + bulk_update")):
        if key in best:
            runs = ", ".join(f"{s:.1f}" for s in times[key])
            print(f"| {label} | {best[key]:.1f} | {runs} |")
    print()
    print(f"app / floor: {best['app'] / best['floor']:.2f} (goal ≤ 1.5); no change: "
          f"{best['app_rerun'] / best['floor_rerun']:.2f}")
    if "naive" in best:
        print(f"naive / app: {best['naive'] / best['app']:.1f}")


if __name__ == "__main__":
    main()
