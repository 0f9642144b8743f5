"""Visit create throughput through the API with the Idempotency-Key, against hand-written SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/keqing_bench \\
        .venv/bin/python bench/visit_create.py [--clients 8] [--seconds 5] [--rounds 3]

Needs the data of bench/gen_retailers.py and bench/gen_visits.py (20M visits: the
indexes the writes maintain and the reads they make are those of a full table).
Starts gunicorn (2 sync workers, DEBUG off, bench/visits_settings.py); each client is a
different rep logged in through the real login form (session cookie and CSRF token, as
the phone's pages send them). A client loops over its own shops:

    POST /api/visits/visits/                 check-in on site, GPS near the shop,
                                             X-Device-Time, a fresh Idempotency-Key
    POST /api/visits/visits/<id>/checkout/   check-out, GPS, a fresh Idempotency-Key

(one visit = the two requests; a rep cannot be checked in at two shops). The baseline
does the same writes by hand in a plain view (bench/visits_baseline.py: claim the key,
the shop in scope + radius + the plan's objective + the open-visit rule in one SELECT,
INSERT the visit, upsert the last-visit row, store the response; check-out one UPDATE).
Rounds alternate app and baseline. Then the replay rate: every client resends its
earlier check-ins with the same key and body (each answer must be the stored one,
`Idempotent-Replayed: true`, no new row), and a burst: all clients send the same new
check-in at once (exactly one visit must exist afterwards).

Everything the run created (visits, idempotency records) is deleted at the end and the
touched shops' last-visit rows are recomputed, so the data set stays as generated.
"""

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import gunicorn, login, require_bench_database, setup_django  # noqa: E402

SETTINGS = "bench.visits_settings"
SKIP_REPS = ("brep102",)  # the today benchmark's rep
# The required questions of gen_visits.py's templates, answered at check-out.
ANSWERS = {"tobacco_liquor": {"licence_shown": True, "cabinet": "front"},
           "pharmacy": {"gsp_cert": True}}


class Client:
    """One rep's phone: a session, a CSRF token and a queue of shops to visit."""

    def __init__(self, base: str, username: str, shops: list[tuple]):
        self.base = urllib.parse.urlsplit(base)
        self.username = username
        self.cookie = login(base, username)
        self.csrf = dict(part.split("=", 1) for part in self.cookie.split("; "))["csrftoken"]
        self.shops = shops
        self.next_shop = 0
        self.sent: list[tuple[str, str, bytes]] = []  # (path, key, body) of check-ins

    def post(self, path: str, body: bytes, key: str) -> tuple[int, dict, float, bool]:
        now = datetime.now(UTC).isoformat()
        headers = {"Cookie": self.cookie, "X-CSRFToken": self.csrf,
                   "Content-Type": "application/json", "Accept": "application/json",
                   "Idempotency-Key": key, "X-Device-Time": now,
                   "Referer": f"http://{self.base.netloc}/"}
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.base.hostname, self.base.port, timeout=60)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            replayed = response.getheader("Idempotent-Replayed") == "true"
        finally:
            connection.close()
        elapsed = (time.perf_counter() - started) * 1000
        return response.status, json.loads(data or b"{}"), elapsed, replayed

    def shop(self) -> tuple:
        shop = self.shops[self.next_shop % len(self.shops)]
        self.next_shop += 1
        return shop

    def visit(self, checkin_path: str, checkout_path: str, stats: "Stats") -> None:
        retailer, lat, lng, business_type = self.shop()
        device = datetime.now(UTC).isoformat()
        body = json.dumps({"client_id": str(uuid.uuid4()), "retailer": retailer,
                           "kind": "on_site", "latitude": f"{lat + 0.0002:.6f}",
                           "longitude": f"{lng + 0.0002:.6f}", "accuracy_m": 12,
                           "device_time": device}).encode()
        key = str(uuid.uuid4())
        status, data, ms, _replayed = self.post(checkin_path, body, key)
        stats.add("check-in", ms, status == 201)
        if status != 201:
            stats.note(f"check-in {status}: {str(data)[:200]}")
            return
        self.sent.append((checkin_path, key, body))
        out = json.dumps({"latitude": f"{lat + 0.0001:.6f}", "longitude": f"{lng:.6f}",
                          "accuracy_m": 10, "answers": ANSWERS.get(business_type, {}),
                          "communication_notes": "沟通了新品上市计划",
                          "device_time": datetime.now(UTC).isoformat()}).encode()
        status, data, ms, _replayed = self.post(checkout_path.format(id=data["id"]), out,
                                                str(uuid.uuid4()))
        stats.add("check-out", ms, status == 200)
        if status != 200:
            stats.note(f"check-out {status}: {str(data)[:200]}")
        else:
            stats.visits += 1


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {}
        self.errors = 0
        self.visits = 0
        self.messages: list[str] = []

    def add(self, name: str, ms: float, ok: bool) -> None:
        with self.lock:
            self.latencies.setdefault(name, []).append(ms)
            self.errors += not ok

    def note(self, message: str) -> None:
        with self.lock:
            if len(self.messages) < 5:
                self.messages.append(message)
            if "--debug" in sys.argv:
                print(message, flush=True)


def percentiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return (values[0], values[0]) if values else (float("nan"), float("nan"))
    cuts = statistics.quantiles(values, n=100)
    return cuts[49], cuts[98]


def cycles(clients: list[Client], checkin: str, checkout: str, seconds: float) -> tuple:
    stats = Stats()
    stop = time.monotonic() + seconds

    def work(client: Client) -> None:
        while time.monotonic() < stop:
            client.visit(checkin, checkout, stats)

    began = time.monotonic()
    with ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(work, clients))
    return stats, time.monotonic() - began


def replays(clients: list[Client], prefix: str) -> tuple[Stats, float, int]:
    """Every client resends its check-ins (same key and body) once."""
    stats = Stats()
    fresh = [0]

    def work(client: Client) -> None:
        for path, key, body in [s for s in client.sent if s[0].startswith(prefix)]:
            status, data, ms, replayed = client.post(path, body, key)
            stats.add("replay", ms, status == 201 and replayed)
            if not replayed:
                with stats.lock:
                    fresh[0] += 1

    began = time.monotonic()
    with ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(work, clients))
    return stats, time.monotonic() - began, fresh[0]


def burst(clients: list[Client], path: str) -> tuple[list[int], str]:
    """All clients at once send one rep's same new check-in (a phone retrying in a loop)."""
    phone = clients[0]
    retailer, lat, lng, _business_type = phone.shop()
    client_id = str(uuid.uuid4())
    body = json.dumps({"client_id": client_id, "retailer": retailer, "kind": "on_site",
                       "latitude": f"{lat:.6f}", "longitude": f"{lng:.6f}",
                       "accuracy_m": 12}).encode()
    key = str(uuid.uuid4())
    barrier = threading.Barrier(len(clients))

    def send(_n: int) -> int:
        barrier.wait()
        return phone.post(path, body, key)[0]

    with ThreadPoolExecutor(len(clients)) as pool:
        statuses = list(pool.map(send, range(len(clients))))
    phone.sent.append((path, key, body))
    return statuses, client_id


def pick_reps(count: int) -> dict[str, list[tuple]]:
    """Reps without an open on-site visit, with 2,000 of their active shops each."""
    from accounts.models import Membership, Role
    from kehu.models import Retailer
    from visits.models import Visit

    busy = Visit.objects.filter(status=Visit.Status.IN_PROGRESS).values("rep_id")
    reps = (Membership.objects.filter(role=Role.REP, user__username__startswith="brep")
            .exclude(user_id__in=busy).exclude(user__username__in=SKIP_REPS)
            .select_related("user").order_by("user__username")[:count])
    chosen = {}
    for membership in reps:
        shops = list(Retailer.objects.filter(
            assigned_rep_id=membership.user_id, status=Retailer.Status.ACTIVE,
            latitude__isnull=False).order_by("?").values_list(
                "pk", "latitude", "longitude", "business_type")[:2000])
        chosen[membership.user.username] = [(pk, float(lat), float(lng), business_type)
                                            for pk, lat, lng, business_type in shops]
    if len(chosen) < count:
        sys.exit(f"Only {len(chosen)} reps without an open visit.")
    return chosen


def clean_up(started_id: int) -> None:
    """Delete what the run made; recompute the touched shops' last-visit rows."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT retailer_id FROM visits_visit WHERE id > %s",
                       [started_id])
        touched = [row[0] for row in cursor.fetchall()]
        cursor.execute("DELETE FROM visits_visit WHERE id > %s", [started_id])
        cursor.execute("""DELETE FROM accounts_idempotencyrecord
                          WHERE user_id IN (SELECT id FROM accounts_user
                                            WHERE username LIKE 'brep%%')""")
        cursor.execute("DELETE FROM visits_retailerlastvisit WHERE retailer_id = ANY(%s)",
                       [touched])
        cursor.execute("""
            INSERT INTO visits_retailerlastvisit (retailer_id, last_on_site_date,
                                                  last_contact_date)
            SELECT retailer_id, max(visit_date) FILTER (WHERE kind = 'on_site'),
                   max(visit_date)
            FROM visits_visit WHERE retailer_id = ANY(%s) GROUP BY retailer_id""", [touched])
    print(f"cleaned up: visits after id {started_id}, {len(touched)} shops' last visits")


def line(name: str, stats: Stats, elapsed: float, unit: str, count: int) -> str:
    parts = [f"  {name:<9} {count / elapsed:7.1f} {unit}/s"]
    for kind, values in stats.latencies.items():
        p50, p99 = percentiles(values)
        parts.append(f"{kind} p50 {p50:6.1f} / p99 {p99:6.1f} ms")
    parts.append(f"errors {stats.errors}")
    return "   ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent reps (default 8)")
    parser.add_argument("--seconds", type=int, default=5, help="per round (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--debug", action="store_true", help="print every refusal")
    args = parser.parse_args()
    setup_django(SETTINGS)
    database = require_bench_database()
    from django.db.models import Max

    from visits.models import Visit

    started_id = Visit.objects.aggregate(n=Max("pk"))["n"] or 0
    reps = pick_reps(args.clients)
    print(f"database {database}: visits up to id {started_id:,}; gunicorn 2 workers, "
          f"{args.clients} clients (reps {', '.join(reps)}), "
          f"{args.rounds} × {args.seconds} s per side\n", flush=True)
    app = ("/api/visits/visits/", "/api/visits/visits/{id}/checkout/")
    plain = ("/bench/visits/checkin/", "/bench/visits/{id}/checkout/")
    failed = False
    try:
        with gunicorn(settings=SETTINGS) as base:
            clients = [Client(base, username, shops) for username, shops in reps.items()]
            for side in (app, plain):  # warm up
                cycles(clients, *side, seconds=2)
            results = {app: [], plain: []}
            for _round in range(args.rounds):
                for side in (app, plain):
                    results[side].append(cycles(clients, *side, seconds=args.seconds))
            summary = {}
            for side, name in ((app, "app"), (plain, "baseline")):
                merged, elapsed = Stats(), sum(e for _s, e in results[side])
                for stats, _elapsed in results[side]:
                    for kind, values in stats.latencies.items():
                        merged.latencies.setdefault(kind, []).extend(values)
                    merged.errors += stats.errors
                    merged.visits += stats.visits
                    merged.messages += stats.messages
                summary[name] = merged.visits / elapsed
                print(line(name, merged, elapsed, "visits", merged.visits))
                for message in merged.messages[:3]:
                    print(f"    {message}")
                failed |= bool(merged.errors)
            ratio = summary["app"] / summary["baseline"]
            print(f"  ratio app/baseline: {ratio:.2f}× visits/s "
                  f"(each visit = check-in + check-out)\n", flush=True)

            replay_rates = {}
            for side, name in ((app, "app"), (plain, "baseline")):
                stats, elapsed, fresh = replays(clients, side[0].split("{")[0])
                count = len(stats.latencies.get("replay", []))
                replay_rates[name] = count / elapsed
                print(line(f"{name} replays", stats, elapsed, "req", count)
                      + f"   not replayed {fresh}")
                failed |= bool(stats.errors or fresh)
            print(f"  ratio app/baseline: {replay_rates['app'] / replay_rates['baseline']:.2f}×"
                  " replays/s\n")

            statuses, client_id = burst(clients, app[0])
            made = Visit.objects.filter(client_id=client_id).count()
            print(f"burst: {len(statuses)} simultaneous copies of one check-in → statuses "
                  f"{sorted(statuses)}, visits with that client id: {made}")
            failed |= made != 1 or not set(statuses) <= {200, 201}
    finally:
        clean_up(started_id)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
