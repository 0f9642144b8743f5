"""The manager's adherence/overdue views against hand-written SQL, same run, same JSON.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/keqing_bench \\
        .venv/bin/python bench/visits_team.py [--seconds 5] [--rounds 3] [--connections 4]

Needs the data of bench/gen_retailers.py and bench/gen_visits.py. Same procedure as
bench/visits_today.py: gunicorn with bench/visits_settings.py, real login, equal
documents checked, alternating wrk rounds. Endpoints:

- `/api/visits/team/summary/?period=month` (and `period=today`): per rep of the team,
  planned vs done on the day, misses by reason, visits, A coverage, overdue count;
  baseline: one SQL statement with a CTE per measure (bench/visits_baseline.py);
- `/api/visits/team/overdue/`: the first page (50) of overdue retailers, never visited
  first, with the count; baseline: two statements.

For an office manager (`bom05`: 10 reps, ~30,000 retailers) and a regional manager
(`brm2`: 110 reps, ~333,000 retailers).
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import require_bench_database, setup_django  # noqa: E402
from visits_common import Scenario, add_arguments, run  # noqa: E402

SUMMARY, SUMMARY_BASE = "/api/visits/team/summary/", "/bench/visits/team/summary/"
OVERDUE, OVERDUE_BASE = "/api/visits/team/overdue/", "/bench/visits/team/overdue/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args()
    setup_django("bench.visits_settings")
    database = require_bench_database()
    from visits.models import Visit

    print(f"database {database}: {Visit.objects.count():,} visits; gunicorn 2 workers, "
          f"{args.connections} connections, {args.rounds} × {args.seconds} s per URL\n")
    scenarios = []
    for who, username in (("office manager", "bom05"), ("regional manager", "brm2")):
        scenarios += [
            Scenario(f"{who}, summary this month", username, SUMMARY, SUMMARY_BASE,
                     {"period": "month"}),
            Scenario(f"{who}, summary today", username, SUMMARY, SUMMARY_BASE,
                     {"period": "today"}),
            Scenario(f"{who}, overdue first page", username, OVERDUE, OVERDUE_BASE, {}),
        ]
    run(scenarios, args)


if __name__ == "__main__":
    main()
