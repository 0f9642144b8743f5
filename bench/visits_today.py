"""The rep's "today" endpoint against hand-written SQL, same run, same server, same JSON.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/keqing_bench \\
        .venv/bin/python bench/visits_today.py [--seconds 5] [--rounds 3] [--connections 4]

Needs the data of bench/gen_retailers.py and bench/gen_visits.py. Starts gunicorn
(2 sync workers, DEBUG off, production settings plus the baseline routes:
bench/visits_settings.py), logs in through the real login form, checks that
`/api/visits/day-routes/today/` and the baseline (`bench/visits_baseline.py`: six SQL
statements and plain dicts) return equal documents, then loads each with wrk (or a
thread pool) in alternating rounds and prints p50/p99, req/s and app/baseline.

Scenarios: a rep's day as generated ("today": 20 stops, 8 done, one checked in, a day
route, preparation of every stop) and the next working day (20 planned stops, nothing
done yet, no route: information).
"""

import argparse
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import require_bench_database, setup_django  # noqa: E402
from visits_common import Scenario, add_arguments, bench_day, run  # noqa: E402

APP = "/api/visits/day-routes/today/"
BASELINE = "/bench/visits/today/"
REP = "brep102"  # every third rep is checked in at a stop (see gen_visits.py)


def next_working_day(day: str) -> str:
    from datetime import timedelta

    from accounts.workdays import is_working_day

    following = date.fromisoformat(day) + timedelta(days=1)
    while not is_working_day(following, strict=False):
        following += timedelta(days=1)
    return following.isoformat()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--rep", default=REP, help=f"the rep (default {REP})")
    args = parser.parse_args()
    setup_django("bench.visits_settings")
    database = require_bench_database()
    from visits.models import Visit

    day = bench_day()
    print(f"database {database}: {Visit.objects.count():,} visits; day {day}; rep {args.rep}; "
          f"gunicorn 2 workers, {args.connections} connections, "
          f"{args.rounds} × {args.seconds} s per URL\n")
    following = next_working_day(day)
    scenarios = [
        Scenario("rep, today (route + preparation)", args.rep, APP, BASELINE, {"date": day}),
        Scenario(f"rep, next working day {following}", args.rep, APP, BASELINE,
                 {"date": following}, required=False),
    ]
    run(scenarios, args)

if __name__ == "__main__":
    main()
