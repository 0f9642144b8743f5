"""The managers' dashboards (precomputed tables) against the same figures computed live
from the raw visit, plan, problem and claim tables, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/keqing_bench \\
        .venv/bin/python bench/dashboards.py [--fill] [--seconds 5] [--rounds 3]

Needs the data of bench/gen_retailers.py and bench/gen_visits.py. `--fill` first fills
reports' RepDay and AreaGradeMonth for the whole visit history (timed, per office; the
script writes only reports_* tables). Then gunicorn (bench/dashboards_settings.py, 2
workers), real login, and per scenario:

- app: GET /api/reports/dashboards/office|regional/<node>/?period=today|month;
- live: GET /bench/dashboards/<node>/?period=…: every per-rep figure the RepDay rows give
  (planned, done, missed, visits by kind, flagged, problems, information items) and the
  month's daily series aggregated from the raw tables with the fill's own statements
  (reports.aggregates.sources), plus the month's rep scorecard figures computed live
  the way grading's nightly does (the live team view, problems, information, grade
  moves, 客情费 against sales; for "today" the month so far, which the app's today answer
  carries too: A coverage, overdue, grade moves, 客情费 against sales) and the grade
  distribution per area (the AreaGradeMonth fill's statement as a SELECT); the live
  states (open problems, statements) are the same queries on both sides.

The RepDay figures of both answers are compared before any load (they must be equal).
The month's scorecard figures are read by the app from grading's RepScorecard; the bench
database may hold none (this script does not write grading's tables): the script says so.
The app's answers are cached (reports.cache: per node, period, business date and
language, under a version every write bumps): REDIS_URL must be set (gunicorn's workers and
this script share the cache; the script bumps the version for the cold figures).
Timing: app warm (a cache hit), app cold (the version bumped just before: computed from
the precomputed tables) and live, one request at a time, alternating (their p50 latencies
give "× faster"); then the app alone under concurrent load with wrk (or a thread pool):
warm (every request a hit), and with the version bumped every --bump-ms (misses as a
stream of writes would cause): req/s, p50, p99 (the live side is not loaded: its requests
run for seconds and would still hold the workers during the app's rounds). The load
average is printed. Goals (read on the warm answers): app ≥ 50× faster than live, app p99
< 100 ms.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SETTINGS = "bench.dashboards_settings"
# The RepDay columns, in reports.aggregates.COUNTS' order: the live side sums the fill's
# own sources, whose s_flagged counts a visit too far and without GPS once.
DAY_FIELDS = ("planned", "done", "missed", "visits", "on_site", "phone", "care", "far",
              "no_gps", "flagged", "problems_raised", "problems_solved", "info_items")
DAILY_FIELDS = ("day", "planned", "done", "visits", "far", "no_gps", "flagged")


# The live baseline (served by gunicorn through bench/dashboards_urls.py) -----------------

def _grouped(rep_ids, first, last, by: str) -> list[tuple]:
    """The fill's sources over the raw tables, summed per rep or per day."""
    from django.db import connection

    from reports.aggregates import _compiled, sources

    if not rep_ids:
        return []
    compiled = [_compiled(q) for q in sources(rep_ids, first, last)]
    union = " UNION ALL ".join(f"SELECT * FROM ({sql}) AS s{i}"
                               for i, (sql, _p) in enumerate(compiled))
    sums = ", ".join(f"SUM(u.s_{f})" for f in DAY_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT u.{by}, {sums} FROM ({union}) AS u GROUP BY u.{by} "
                       f"ORDER BY u.{by}", [p for _s, ps in compiled for p in ps])
        return cursor.fetchall()


def _policy(office):
    """The company's visit policy; its defaults when the bench database's visits tables
    are older than the code (this script migrates only reports' tables)."""
    from django.db import DatabaseError, transaction

    from visits.models import VisitPolicy
    from visits.selectors.common import policy_for

    try:
        with transaction.atomic():
            return policy_for(office.company())
    except DatabaseError:
        return VisitPolicy(company=office.company())


def _live_cards(node, month, today) -> dict:
    """The month's rep scorecard figures, computed live as grading's nightly does."""
    from accounts.workdays import month_end
    from grading.scorecards import grade_moves_by_rep, money_by_rep, node_reader, offices_of
    from visits.models import Problem, Visit
    from visits.selectors.feedback import info_items_by_rep, problems_solved_by_rep
    from visits.selectors.team import Period, team_summary

    totals: dict[str, float] = {}
    offices = [node] if node.kind in ("office", "area") else [
        o for o in offices_of(node.company()) if o.path.startswith(node.path)]
    for office in offices:
        reader = node_reader(office)
        period = Period(month, month_end(month), today)
        summary = team_summary(reader, _policy(office), period)["totals"]
        last = min(period.last, today)
        moves = grade_moves_by_rep(office, month, last).values()
        spent, sales = money_by_rep(office, month)
        extra = {
            "problems_solved": sum(problems_solved_by_rep(
                Problem.objects.for_user(reader), month, last).values()),
            "info_items": sum(info_items_by_rep(Visit.objects.for_user(reader), month,
                                                last).values()),
            **{key: sum(m[key] for m in moves) for key in ("grade_ups", "grade_downs",
                                                           "a_to_b")},
            "expense_amount": float(sum(spent.values())),
            "sales_amount": float(sum(sales.values())),
        }
        for key in ("planned", "done", "missed", "visits", "a_total", "a_visited", "overdue"):
            totals[key] = totals.get(key, 0) + summary[key]
        for key, value in extra.items():
            totals[key] = totals.get(key, 0) + value
    return totals


def live_dashboard(request, pk: int):
    from django.http import Http404, JsonResponse

    from reports.aggregates import rep_areas
    from reports.selectors.dashboards import (
        dashboard_nodes,
        live_states,
        parse_period,
        today,
    )

    node = dashboard_nodes(request.user).filter(pk=pk).first()
    if node is None:
        raise Http404
    period = parse_period(request.GET.get("period"), today())
    reps = list(rep_areas(node=node))
    rows = {str(r[0]): dict(zip(DAY_FIELDS, map(int, r[1:]), strict=True))
            for r in _grouped(reps, period.first, period.last, "r_rep")}
    from accounts.workdays import month_end

    daily = [{"day": d.isoformat() if hasattr(d, "isoformat") else str(d),
              **dict(zip(DAY_FIELDS, map(int, r), strict=True))}
             for d, *r in _grouped(reps, period.month, min(month_end(period.month),
                                                             period.today), "r_day")]
    # Both periods: the app's "today" answer also carries the month so far (A coverage,
    # overdue, grade moves, 客情费 against sales) and the grade distribution.
    return JsonResponse({"reps": rows, "daily": daily,
                         "states": live_states(request.user, node, period.today),
                         "cards": _live_cards(node, period.month, period.today),
                         "grades": _live_grades(node, min(month_end(period.month),
                                                          period.today))})


def _live_grades(node, as_of) -> list[tuple]:
    """The grade distribution per area (retailers by grade now, moves in and out in the
    month), with the fill's own statement (reports.aggregates) run as a plain SELECT."""
    from django.db import connection

    from accounts.models import OrgNode
    from reports.aggregates import _area_grade_sql

    areas = list(OrgNode.objects.filter(path__startswith=node.path, kind="area")
                 .values_list("pk", flat=True))
    if not areas:
        return []
    sql = _area_grade_sql(areas)
    select = sql[sql.index("SELECT"):sql.index("ON CONFLICT")]
    with connection.cursor() as cursor:
        cursor.execute(select, {"month": as_of.replace(day=1), "last": as_of,
                                "stamp": None})
        return cursor.fetchall()


# The benchmark -------------------------------------------------------------------------

def fill() -> None:
    from accounts.models import OrgNode
    from reports.aggregates import (
        area_grades_compute,
        area_problems_compute,
        rep_areas,
        rep_days_compute,
    )
    from reports.aggregates import offices_of as fill_offices
    from visits.models import Visit

    company = OrgNode.objects.get(code="BENCH", depth=1)
    first = Visit.objects.order_by("visit_date").values_list("visit_date", flat=True).first()
    last = Visit.objects.order_by("-visit_date").values_list("visit_date", flat=True).first()
    from django.db import transaction

    from reports.aggregates import _without_jit

    print(f"filling RepDay {first} … {last}, one transaction per office", flush=True)
    started, rows, times = time.perf_counter(), 0, []
    for office in fill_offices(company):
        t = time.perf_counter()
        with transaction.atomic():
            _without_jit()
            counts = rep_days_compute(areas=rep_areas(node=office), first=first, last=last)
            area_grades_compute(node=office, as_of=last)
        rows += counts["rows"]
        times.append(time.perf_counter() - t)
    total = time.perf_counter() - started
    print(f"  {rows:,} rows for {len(times)} offices in {total:.1f} s "
          f"(per office median {sorted(times)[len(times) // 2]:.1f} s, max {max(times):.1f} s)"
          f"; load average {os.getloadavg()[0]:.2f}")
    t = time.perf_counter()
    problems = area_problems_compute(area_ids=list(OrgNode.objects.filter(
        path__startswith=company.path, kind="area").values_list("pk", flat=True)))
    print(f"  unsolved problems by area: {problems:,} rows in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    office = fill_offices(company)[0]
    with transaction.atomic():
        _without_jit()
        rep_days_compute(areas=rep_areas(node=office), first=last.replace(day=1), last=last)
    print(f"  nightly part (one office, this month): {time.perf_counter() - t:.2f} s\n",
          flush=True)


def scorecards() -> None:
    """This month's rep scorecards of every office, by grading's own nightly part (the
    month answers read them; writes grading_repscorecard and its JobRuns)."""
    from accounts.models import OrgNode
    from grading.scorecards import rep_run_part
    from reports.aggregates import offices_of as fill_offices
    from reports.selectors.dashboards import today

    started = time.perf_counter()
    offices = fill_offices(OrgNode.objects.get(code="BENCH", depth=1))
    for office in offices:
        rep_run_part(business_date=today(), node_id=office.pk)
    print(f"rep scorecards of {len(offices)} offices (grading's nightly part) in "
          f"{time.perf_counter() - started:.1f} s\n", flush=True)


def invalidate(company_path: str) -> None:
    """What any write to the dashboards' tables does: bump the company's cache version."""
    from reports.cache import _bump_now

    _bump_now([company_path])


def _cold_load(url: str, cookie: str, company_path: str, args):
    """The app under load while the cache version is bumped every --bump-ms (a thread of
    this process): the share of misses is what a stream of writes would cause."""
    import threading

    from common import combine, load

    stop = threading.Event()

    def bump():
        while not stop.wait(args.bump_ms / 1000):
            invalidate(company_path)

    bumper = threading.Thread(target=bump, daemon=True)
    bumper.start()
    try:
        return combine([load(url, cookie, seconds=args.seconds, connections=args.connections,
                             threads=args.threads) for _round in range(args.rounds)])
    finally:
        stop.set()
        bumper.join()


def compare(app: dict, live: dict, label: str) -> None:
    """The RepDay figures of the app's answer must equal the live ones."""
    problems = []
    if app["period"]["kind"] == "today":
        mine = {str(r["rep"]): {f: r[f] for f in DAY_FIELDS} for r in app["reps"]
                if any(r[f] for f in DAY_FIELDS)}
        theirs = {rep: row for rep, row in live["reps"].items() if any(row.values())}
        if mine != theirs:
            problems.append(f"reps differ ({len(mine)} vs {len(theirs)})")
    daily = [{k: d[k] for k in DAILY_FIELDS} for d in app["daily"]]
    theirs = [{k: d[k] for k in DAILY_FIELDS} for d in live["daily"]]
    if daily != theirs:
        problems.append("daily series differ")
    for key in ("problems_open", "problems_overdue", "statements_waiting"):
        if app["figures"][key] != live["states"][key]:
            problems.append(f"{key} differs")
    if problems:
        raise SystemExit(f"{label}: app and live differ: {'; '.join(problems)}")


def main() -> None:
    from common import (
        combine,
        get_json,
        gunicorn,
        load,
        login,
        require_bench_database,
        setup_django,
    )
    from visits_common import add_arguments

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--fill", action="store_true", help="fill RepDay first (timed)")
    parser.add_argument("--live-requests", type=int, default=3,
                        help="one-at-a-time requests per side (default 3)")
    parser.add_argument("--bump-ms", type=int, default=250,
                        help="the cold load's version bump interval (default 250 ms)")
    parser.add_argument("--scorecards", action="store_true",
                        help="compute this month's rep scorecards first (grading's nightly)")
    parser.add_argument("--problems", action="store_true",
                        help="only recount the unsolved problems by area first")
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("set REDIS_URL (the dashboards' cache must be shared by gunicorn's "
                         "workers and this script, which bumps it for the cold figures)")
    setup_django(SETTINGS)
    database = require_bench_database()
    from accounts.models import OrgNode, User
    from grading.models import RepScorecard
    from visits.models import Visit

    print(f"database {database}: {Visit.objects.count():,} visits; load average "
          f"{os.getloadavg()[0]:.2f}\n")
    if args.fill:
        fill()
    elif args.problems:
        from reports.aggregates import area_problems_compute

        t = time.perf_counter()
        rows = area_problems_compute(area_ids=list(OrgNode.objects.filter(
            path__startswith=OrgNode.objects.get(code="BENCH", depth=1).path,
            kind="area").values_list("pk", flat=True)))
        print(f"unsolved problems by area: {rows:,} rows in {time.perf_counter() - t:.1f} s\n")
    if args.scorecards:
        scorecards()
    if not RepScorecard.objects.exists():
        print("note: no rep scorecards in this database (grading's nightly was not run "
              "here): the app's month answers carry the RepDay part only, the live side "
              "computes the scorecard figures anyway.\n")
    company_path = OrgNode.objects.get(code="BENCH", depth=1).path
    scenarios = []
    for who, username in (("office manager", "bom01"), ("regional manager", "brm1")):
        user = User.objects.get(username=username)
        node = OrgNode.objects.filter(memberships__user=user).order_by("depth").first()
        kind = "regional" if who.startswith("regional") else "office"
        for period in ("today", "month"):
            scenarios.append((f"{who}, {period}", username,
                              f"/api/reports/dashboards/{kind}/{node.pk}/?period={period}",
                              f"/bench/dashboards/{node.pk}/?period={period}"))
    results = []
    with gunicorn(settings=SETTINGS) as base:
        for label, username, app_path, live_path in scenarios:
            if args.only not in label:
                continue
            cookie = login(base, username)
            app = get_json(base + app_path, cookie)
            live = get_json(base + live_path, cookie)
            compare(app, live, label)
            # One request at a time, alternating (the same background load on all three):
            # the app from the cache (warm: the answer of this node, period, day and
            # language is cached), the app computing it (cold: the company's cache
            # version bumped just before, as any write does) and live.
            timed = {"warm": [], "cold": [], "live": []}
            for _request in range(8):  # warm: the answer, both workers' connections
                get_json(base + app_path, cookie)
            for _round in range(args.live_requests):
                for name, path in (("warm", app_path), ("cold", app_path),
                                   ("live", live_path), ("warm", app_path)):
                    if name == "cold":
                        invalidate(company_path)
                    started = time.perf_counter()
                    get_json(base + path, cookie)
                    timed[name].append((time.perf_counter() - started) * 1000)
                    if name == "cold":
                        get_json(base + path, cookie)  # warm again for the next "warm"
            # The app under concurrent load, warm (every request a cache hit), then cold
            # (the version bumped every --bump-ms, as a stream of writes would: each bump
            # makes the next request of each worker a miss). The live side is not loaded:
            # its requests run for seconds and would still occupy the workers.
            load(base + app_path, cookie, seconds=2, connections=args.connections,
                 threads=args.threads)
            loaded = combine([load(base + app_path, cookie, seconds=args.seconds,
                                   connections=args.connections, threads=args.threads)
                              for _round in range(args.rounds)])
            cold = _cold_load(base + app_path, cookie, company_path, args)
            warm_ms, cold_ms, live_ms = (statistics.median(timed[k])
                                         for k in ("warm", "cold", "live"))
            results.append((label, loaded, cold, warm_ms, cold_ms, live_ms))
            print(f"{label}: same RepDay figures on both ({len(app['reps'])} reps)")
            print(f"  one at a time (p50): app warm {warm_ms:6.1f} ms   app cold "
                  f"{cold_ms:7.1f} ms   live {live_ms:8.1f} ms   → warm {live_ms / warm_ms:7.1f}× "
                  f"/ cold {live_ms / cold_ms:6.1f}× faster than live")
            print(f"  app warm under load ({args.connections} connections): "
                  f"{loaded.requests_per_s:6.1f} req/s   p50 {loaded.p50_ms:6.1f} ms   "
                  f"p99 {loaded.p99_ms:6.1f} ms   errors {loaded.errors}   [{loaded.tool}]")
            print(f"  app under load with a bump every {args.bump_ms} ms: "
                  f"{cold.requests_per_s:6.1f} req/s   p50 {cold.p50_ms:6.1f} ms   "
                  f"p99 {cold.p99_ms:6.1f} ms   errors {cold.errors}   "
                  f"load average {os.getloadavg()[0]:.2f}\n", flush=True)
    print("summary (goals: app ≥ 50× faster than live, app p99 < 100 ms under load; the "
          "goals are read on the warm answers, the cold ones are shown for honesty)")
    failed = False
    for label, loaded, cold, warm_ms, cold_ms, live_ms in results:
        ratio = live_ms / warm_ms
        ok = ratio >= 50 and loaded.p99_ms < 100
        failed |= not ok
        print(f"  {label:<28} warm {ratio:7.1f}× faster (cold {live_ms / cold_ms:6.1f}×) | "
              f"warm p50 {loaded.p50_ms:6.1f} ms, p99 {loaded.p99_ms:6.1f} ms, "
              f"{loaded.requests_per_s:6.1f} req/s | cold p50 {cold.p50_ms:6.1f} ms, p99 "
              f"{cold.p99_ms:6.1f} ms | {'ok' if ok else 'BELOW GOAL'}")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
