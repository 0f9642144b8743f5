"""Nightly scorecards and care reminders: time at ~100k and at 1M retailers, and growth.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/keqing_bench \\
        .venv/bin/python bench/scorecards.py [--small-offices 3] [--date 2026-11-25]

Needs the bench company of bench/gen_retailers.py (1,000,000 retailers in 33 offices of
~30,300) with the visits of bench/gen_visits.py and monthly facts; it writes only its own
tables (retailer and rep scorecards, reminders), which it empties first. The night runs
the app's own nightly parts (`grading.scorecards.retailer_run_part`, `rep_run_part`,
`visits.services.reminders.nightly_run_part`), office after office in this one process
(a worker pool would run the offices in parallel), each part with its JobRun row:

1. "small": the first `--small-offices` offices (3 → ~91,000 retailers), then
2. "all": the 33 offices (1,000,000 retailers),

each twice: the first night writes every row, the rerun of the same night replaces the
scorecards and finds every reminder already there. Prints seconds per step and per
100,000 retailers; growth is the "all" time over the "small" time divided by the ratio
of retailers (1.0 = linear; below 1.0 = better than linear). For "all" it also prints
what the first and the last three offices took: a part whose cost grows with the rows
the night has already written (the reminders' maintenance statements used to) shows
there. The load average is printed at the start and after each size.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH_COMPANY, require_bench_database, setup_django  # noqa: E402

STEPS = [
    ("retailer scorecards", "grading.scorecards.retailer_run_part"),
    ("rep scorecards", "grading.scorecards.rep_run_part"),
    ("reminders", "visits.services.reminders.nightly_run_part"),
]
OWN_TABLES = ["grading_retailerscorecard", "grading_repscorecard", "visits_reminder"]


def empty_own_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(OWN_TABLES)}")


def retailers_under(offices) -> int:
    from kehu.models import Retailer

    total = 0
    for office in offices:
        total += Retailer.objects.filter(area__path__startswith=office.path).count()
    return total


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def night(offices, business_date: date) -> tuple[dict[str, float], dict[str, list[float]]]:
    """Run every step for the offices in order; seconds per step, and per office."""
    from django.utils.module_loading import import_string

    from accounts.models import JobRun

    seconds, per_office = {}, {}
    for name, path in STEPS:
        run_part = import_string(path)
        started = time.perf_counter()
        per_office[name] = []
        for office in offices:
            office_started = time.perf_counter()
            run_id = run_part(business_date=business_date, node_id=office.pk)
            per_office[name].append(time.perf_counter() - office_started)
            status = JobRun.objects.get(pk=run_id).status
            if status != JobRun.Status.SUCCEEDED:
                raise SystemExit(f"{name} {office.code}: {status}")
        seconds[name] = time.perf_counter() - started
    return seconds, per_office


def spread(times: list[float]) -> str:
    """Whether a part costs more as the night goes on (the tables fill): the first and
    the last three offices' mean, and the median."""
    def mean(xs):
        return sum(xs) / len(xs)
    return (f"first 3 offices {mean(times[:3]):4.2f} s, last 3 {mean(times[-3:]):4.2f} s, "
            f"median {statistics.median(times):4.2f} s")


def counts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        found = {}
        for table in OWN_TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
            found[table] = cursor.fetchone()[0]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small-offices", type=int, default=3)
    parser.add_argument("--date", type=date.fromisoformat, default=date(2026, 11, 25),
                        help="the night's business date (the day the reps start)")
    args = parser.parse_args()
    setup_django()
    require_bench_database()
    from accounts.models import OrgNode
    from grading.scorecards import offices_of

    company = OrgNode.objects.get(code=BENCH_COMPANY)
    offices = offices_of(company)
    sizes = {"small": offices[: args.small_offices], "all": offices}
    results = {}
    print(f"load average (1 / 5 / 15 min) at the start: {load()}")
    for label, chosen in sizes.items():
        retailers = retailers_under(chosen)
        empty_own_tables()
        first, first_parts = night(chosen, args.date)
        written = counts()
        again, again_parts = night(chosen, args.date)
        if counts() != written:  # the night is idempotent: only another writer does this
            print(f"WARNING: the rerun changed the row counts: {written} -> {counts()} "
                  "(is something else writing visits, facts or grades meanwhile?)")
        results[label] = (retailers, first, again)
        print(f"\n{label}: {len(chosen)} offices, {retailers:,} retailers; rows {written}; "
              f"load average after: {load()}")
        for name in first:
            print(f"  {name:<20} first {first[name]:7.1f} s   rerun {again[name]:7.1f} s   "
                  f"({100_000 * first[name] / retailers:5.2f} s per 100k retailers)")
        total = sum(first.values())
        print(f"  {'night':<20} first {total:7.1f} s   rerun {sum(again.values()):7.1f} s")
        if len(chosen) >= 6:
            print("  per office:")
            for name in first:
                print(f"    {name:<20} first night: {spread(first_parts[name])}")
                print(f"    {'':<20} rerun:       {spread(again_parts[name])}")
    small, big = results["small"], results["all"]
    scale = big[0] / small[0]
    print(f"\ngrowth ({scale:.1f}× the retailers; 1.0 = linear):")
    for name in small[1]:
        print(f"  {name:<20} {big[1][name] / small[1][name] / scale:5.2f}")
    print(f"  {'night':<20} "
          f"{sum(big[1].values()) / sum(small[1].values()) / scale:5.2f}")
    empty_own_tables()


if __name__ == "__main__":
    main()
