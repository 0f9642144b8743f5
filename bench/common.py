"""Shared by the benchmark scripts: Django set-up, the database guard, gunicorn, login, load.

The scripts are run as files (`.venv/bin/python bench/list_api.py`), so they put the
project folder on sys.path themselves.
"""

import contextlib
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"

BENCH_COMPANY = "BENCH"
BENCH_PASSWORD = "bench-pass-2026"


def setup_django(settings: str = "config.settings") -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def require_bench_database() -> str:
    """The database name; stops unless DATABASE_URL is a PostgreSQL database whose name
    says it is for benchmarks (the generator empties the retailer table)."""
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql":
        sys.exit("Point DATABASE_URL at PostgreSQL, e.g. "
                 "postgres://postgres@127.0.0.1:5432/keqing_bench")
    if "bench" not in name:
        sys.exit(f"Refusing to use database {name!r}: its name must contain 'bench'.")
    return name


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(*, settings: str, workers: int = 2):
    """The app under gunicorn on 127.0.0.1 with production settings (DEBUG off);
    yields its base URL."""
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings, "DJANGO_DEBUG": "false",
           "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY",
                                               "bench-only-dummy-secret-key-" + "x" * 40),
           "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [str(GUNICORN), "config.wsgi:application", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT), "--log-level", "warning"],
        env=env, cwd=ROOT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def login(base: str, username: str, password: str = BENCH_PASSWORD) -> str:
    """Log in through the real login form (CSRF and all); returns the Cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/login/").read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    body = urllib.parse.urlencode({"username": username, "password": password,
                                   "csrfmiddlewaretoken": csrf}).encode()
    request = urllib.request.Request(f"{base}/login/", data=body,
                                     headers={"Referer": f"{base}/login/"})
    opener.open(request).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise RuntimeError(f"login as {username} failed")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def get_json(url: str, cookie: str) -> dict:
    request = urllib.request.Request(url, headers={"Cookie": cookie,
                                                   "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@dataclass
class Load:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    tool: str


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url: str, cookie: str, *, seconds: int, connections: int, threads: int) -> Load:
    """Load `url` with wrk; p50/p99 from its latency distribution."""
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
         "--timeout", "30s",
         "-H", f"Cookie: {cookie}", "-H", "Accept: application/json", url],
        capture_output=True, text=True, check=True).stdout
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    if not percentiles:  # not one request finished in time
        return Load(rps, float("nan"), float("nan"), 0, "wrk")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = int(bad.group(1)) if bad else 0
    socket_errors = re.search(r"Socket errors:.*", output)
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(0)))
    return Load(rps, _ms(percentiles["50"]), _ms(percentiles["99"]), errors, "wrk")


def thread_pool(url: str, cookie: str, *, seconds: int, connections: int) -> Load:
    """The same measurement without wrk: `connections` threads, each one request at a time."""
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker() -> None:
        request = urllib.request.Request(url, headers={"Cookie": cookie,
                                                       "Accept": "application/json"})
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
            except OSError:
                with lock:
                    errors[0] += 1
                continue
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)

    began = time.monotonic()
    with ThreadPoolExecutor(connections) as pool:
        for _ in range(connections):
            pool.submit(worker)
    elapsed = time.monotonic() - began
    cuts = statistics.quantiles(latencies, n=100)
    return Load(len(latencies) / elapsed, cuts[49], cuts[98], errors[0], "threads")


def load(url: str, cookie: str, *, seconds: int, connections: int, threads: int) -> Load:
    if shutil.which("wrk"):
        return wrk(url, cookie, seconds=seconds, connections=connections, threads=threads)
    return thread_pool(url, cookie, seconds=seconds, connections=connections)


def combine(rounds: list[Load]) -> Load:
    """Several rounds of one URL as one figure: mean req/s, median p50 and p99 (the
    machine's other work comes and goes; alternating rounds spread it over both sides)."""
    return Load(statistics.fmean(r.requests_per_s for r in rounds),
                statistics.median(r.p50_ms for r in rounds),
                statistics.median(r.p99_ms for r in rounds),
                sum(r.errors for r in rounds), rounds[0].tool)
