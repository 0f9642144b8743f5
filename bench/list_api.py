"""Retailer list API against a plain Django view, same run, same server, same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/keqing_bench \\
        .venv/bin/python bench/list_api.py [--seconds 15] [--connections 4]

Needs the data of bench/gen_retailers.py. Starts gunicorn (2 sync workers, DEBUG off,
production settings plus one baseline route: bench/settings.py), logs in through the
real login form, checks that app and baseline return the same first page, then loads
each URL with wrk (or a thread pool without wrk) and prints p50/p99 latency, req/s and
the ratio app/baseline. Scenarios: a rep's first page, a regional manager's first page,
a rep searching by pinyin initials (and, for information, a regional manager searching).
"""

import argparse
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    combine,
    get_json,
    gunicorn,
    load,
    login,
    require_bench_database,
    setup_django,
)

APP = "/api/kehu/retailers/"
BASELINE = "/bench/retailers/"
SCENARIOS = [
    # (label, username, query, required by the goal)
    ("rep, first page", "brep100", {}, True),
    ("regional manager, first page", "brm2", {}, True),
    ("rep, q=hlcs (pinyin initials)", "brep100", {"q": "hlcs"}, True),
    ("regional manager, q=hlcs", "brm2", {"q": "hlcs"}, False),
]


def url(base: str, path: str, query: dict) -> str:
    return base + path + ("?" + urllib.parse.urlencode(query) if query else "")


def same_rows(base: str, cookie: str, query: dict) -> int:
    """The ids of the first page, app vs baseline: they must be the same rows in order."""
    app = [row["id"] for row in get_json(url(base, APP, query), cookie)["results"]]
    plain = [row["id"] for row in get_json(url(base, BASELINE, query), cookie)["results"]]
    if app != plain:
        raise SystemExit(f"app and baseline disagree for {query}: {app[:5]} vs {plain[:5]}")
    return len(app)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5,
                        help="per round and URL (default 5)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternating app/baseline rounds per scenario (default 3)")
    parser.add_argument("--connections", type=int, default=4,
                        help="concurrent connections (default 4: two per worker)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--all", action="store_true",
                        help="also the informational scenarios (regional manager searching)")
    args = parser.parse_args()
    setup_django()
    database = require_bench_database()
    from kehu.models import Retailer

    total = Retailer.objects.count()
    print(f"database {database}: {total:,} retailers; gunicorn 2 workers, "
          f"{args.connections} connections, {args.rounds} × {args.seconds} s per URL\n")
    results = []
    with gunicorn(settings="bench.settings") as base:
        cookies = {}
        for label, username, query, required in SCENARIOS:
            if not (required or args.all):
                continue
            cookie = cookies.get(username) or cookies.setdefault(username, login(base, username))
            rows = same_rows(base, cookie, query)
            for path in (APP, BASELINE):  # warm both workers' caches and connections
                load(url(base, path, query), cookie, seconds=2,
                     connections=args.connections, threads=args.threads)
            rounds: dict[str, list] = {APP: [], BASELINE: []}
            for _round in range(args.rounds):  # alternate, so background load hits both
                for path in (APP, BASELINE):
                    rounds[path].append(load(
                        url(base, path, query), cookie, seconds=args.seconds,
                        connections=args.connections, threads=args.threads))
            app, plain = combine(rounds[APP]), combine(rounds[BASELINE])
            results.append((label, rows, app, plain, required))
            print(f"{label} ({rows} rows on the page)")
            for name, figures in (("app (DRF)", app), ("baseline", plain)):
                print(f"  {name:<10} {figures.requests_per_s:8.1f} req/s   "
                      f"p50 {figures.p50_ms:7.2f} ms   p99 {figures.p99_ms:7.2f} ms   "
                      f"errors {figures.errors}   [{figures.tool}]")
            print(f"  ratio app/baseline: {app.requests_per_s / plain.requests_per_s:.2f}× "
                  f"throughput\n", flush=True)
    print("summary (goal: app ≥ 0.5× the plain view's throughput)")
    failed = False
    for label, _rows, app, plain, required in results:
        ratio = app.requests_per_s / plain.requests_per_s
        verdict = "ok" if ratio >= 0.5 else "BELOW GOAL"
        failed |= required and ratio < 0.5 or bool(app.errors or plain.errors)
        print(f"  {label:<34} {app.requests_per_s:8.1f} / {plain.requests_per_s:8.1f} req/s"
              f" = {ratio:.2f}×  {verdict if required else '(information)'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
