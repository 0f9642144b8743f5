"""The whole monthly cycle runs on the SQLite default too: a fresh process migrates a new
SQLite file (no REDIS_URL, so Celery runs tasks in-process) and plays the cycle through the
API (tests/expenses/sqlite_cycle.py): standards and cap, pre-approval, lines with receipts,
the monthly draft task, submit, the three signatures, payouts against the cap, the spot
check, settlement, the Excel exports and the nightly void."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def sqlite_env(tmp_path) -> dict:
    # /dev/shm when there is one: migrations commit one by one, and fsync dominates.
    folder = Path("/dev/shm") if Path("/dev/shm").is_dir() else tmp_path
    database = folder / f"keqing-cycle-{os.getpid()}-{time.monotonic_ns()}.sqlite3"
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DATABASE_URL=f"sqlite:///{database}", MEDIA_ROOT=str(tmp_path / "media"),
               DJANGO_SETTINGS_MODULE="config.settings", DJANGO_ALLOWED_HOSTS="testserver",
               DJANGO_DEBUG="false")
    yield env
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)


def test_the_monthly_cycle_runs_end_to_end_on_a_fresh_sqlite_database(sqlite_env):
    started = time.monotonic()

    # One process: migrate the new file, then the cycle.
    run = manage("shell", "-c", "from django.core.management import call_command; "
                 "call_command('migrate', interactive=False, verbosity=0); "
                 "from tests.expenses.sqlite_cycle import main; main()", env=sqlite_env)

    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["vendor"] == "sqlite" and seen["celery_eager"] is True
    assert seen["statuses"] == {"cycle_rep": "paid", "cycle_idle": "void"}
    assert (seen["paid_total"], seen["outstanding"], seen["cap"]) == ("280.00", "180.00",
                                                                      "500.00")
    assert seen["lines"] == 2
    assert seen["spot_check_results"] == ["not_confirmed", "pending"]
    print(f"SQLite cycle: {time.monotonic() - started:.1f} s (migrate + cycle)")
