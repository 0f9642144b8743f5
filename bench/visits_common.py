"""Shared by the visits benchmarks: the bench day, comparing documents, app-vs-baseline
rounds and the summary (the same procedure as bench/list_api.py)."""

import json
import os
import statistics
import sys
import urllib.parse
from dataclasses import dataclass

from common import combine, load

SETTINGS = "bench.visits_settings"


@dataclass
class Scenario:
    label: str
    username: str
    app: str  # path of the app's endpoint
    baseline: str  # path of the hand-written SQL view
    query: dict
    required: bool = True
    ignore: tuple = ()  # top-level keys the baseline does not produce


def bench_day() -> str:
    """The day gen_visits.py treated as today (its last day with routes)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT max(date) FROM visits_dayroute")
        day = cursor.fetchone()[0]
    if day is None:
        sys.exit("No visits data: run bench/gen_visits.py first.")
    return day.isoformat()


def url(base: str, path: str, query: dict) -> str:
    return base + path + ("?" + urllib.parse.urlencode(query) if query else "")


def first_difference(a, b, where: str = "$") -> str | None:
    if type(a) is not type(b):
        return f"{where}: {a!r} vs {b!r}"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{where}.{key}: only in {'app' if key in a else 'baseline'}"
            found = first_difference(a[key], b[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} vs {len(b)} items"
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{where}[{index}]")
            if found:
                return found
        return None
    return None if a == b else f"{where}: {a!r} vs {b!r}"


def same_document(base: str, cookie: str, scenario: Scenario) -> int:
    """App and baseline must answer with equal JSON; returns the app's size in bytes."""
    from common import get_json

    app = get_json(url(base, scenario.app, scenario.query), cookie)
    plain = get_json(url(base, scenario.baseline, scenario.query), cookie)
    for key in scenario.ignore:
        app.pop(key, None)
        plain.pop(key, None)
    difference = first_difference(app, plain)
    if difference:
        raise SystemExit(f"{scenario.label}: app and baseline differ at {difference}")
    return len(json.dumps(app, ensure_ascii=False).encode())


def measure(base: str, cookie: str, scenario: Scenario, args) -> tuple:
    app_url = url(base, scenario.app, scenario.query)
    plain_url = url(base, scenario.baseline, scenario.query)
    for target in (app_url, plain_url):  # warm both workers' caches and connections
        load(target, cookie, seconds=2, connections=args.connections, threads=args.threads)
    rounds: dict[str, list] = {app_url: [], plain_url: []}
    ratios = []
    for number in range(args.rounds):  # alternate, so background load hits both
        for target in (app_url, plain_url):
            rounds[target].append(load(target, cookie, seconds=args.seconds,
                                       connections=args.connections, threads=args.threads))
        app, plain = rounds[app_url][-1], rounds[plain_url][-1]
        ratios.append(_ratio(app, plain))
        print(f"  round {number + 1}: app {app.requests_per_s:7.1f} req/s "
              f"(p50 {app.p50_ms:6.2f}, p99 {app.p99_ms:6.2f} ms), baseline "
              f"{plain.requests_per_s:7.1f} req/s (p50 {plain.p50_ms:6.2f}, p99 "
              f"{plain.p99_ms:6.2f} ms) = {ratios[-1]:.2f}×   {load_average()}", flush=True)
    return combine(rounds[app_url]), combine(rounds[plain_url]), statistics.median(ratios)


def load_average() -> str:
    return "load average " + ", ".join(f"{value:.2f}" for value in os.getloadavg())


def _ratio(app, plain) -> float:
    """app/baseline throughput; NaN when no baseline request finished within a round."""
    return app.requests_per_s / plain.requests_per_s if plain.requests_per_s else float("nan")


def add_arguments(parser) -> None:
    parser.add_argument("--seconds", type=int, default=5, help="per round and URL (default 5)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternating app/baseline rounds per scenario (default 3)")
    parser.add_argument("--connections", type=int, default=4,
                        help="concurrent connections (default 4: two per worker)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--only", default="", help="run the scenarios whose label has this")


def run(scenarios: list[Scenario], args) -> None:
    from common import gunicorn, login

    results = []
    print(f"start: {load_average()}", flush=True)
    with gunicorn(settings=SETTINGS) as base:
        cookies: dict[str, str] = {}
        for scenario in scenarios:
            if args.only not in scenario.label:
                continue
            cookie = cookies.get(scenario.username) or cookies.setdefault(
                scenario.username, login(base, scenario.username))
            size = same_document(base, cookie, scenario)
            print(f"{scenario.label} ({size / 1024:.1f} KiB, same document from both)")
            app, plain, median = measure(base, cookie, scenario, args)
            results.append((scenario, app, plain, median))
            for name, figures in (("app (DRF)", app), ("baseline", plain)):
                print(f"  {name:<10} {figures.requests_per_s:8.1f} req/s   "
                      f"p50 {figures.p50_ms:7.2f} ms   p99 {figures.p99_ms:7.2f} ms   "
                      f"errors {figures.errors}   [{figures.tool}]")
            print(f"  ratio app/baseline: {_ratio(app, plain):.2f}× throughput (mean req/s), "
                  f"median of the rounds' ratios {median:.2f}×\n", flush=True)
    print(f"end: {load_average()}")
    print("summary (goal: app ≥ 0.5× the hand-written SQL's throughput; median of the "
          "rounds' ratios)")
    failed = False
    for scenario, app, plain, ratio in results:
        verdict = "ok" if ratio >= 0.5 else "BELOW GOAL"
        failed |= scenario.required and ratio < 0.5 or bool(app.errors or plain.errors)
        print(f"  {scenario.label:<44} {app.requests_per_s:7.1f} / "
              f"{plain.requests_per_s:7.1f} req/s = {ratio:.2f}×  "
              f"{verdict if scenario.required else '(information)'}")
    sys.exit(1 if failed else 0)
