"""A real Celery worker process on Redis, against the test database."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import redis_available, require

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def celery_queue(django_db_setup, django_db_blocker):
    """Start `celery worker` on a private queue; yield the queue name."""
    require(redis_available(), "Redis is not reachable")
    require(settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
            "the worker needs the PostgreSQL test database")
    db = settings.DATABASES["default"]
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo",
         "-Q", queue, "-n", f"{queue}@%h", "--without-gossip", "--without-mingle",
         "--without-heartbeat", "-l", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    from config.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail(f"celery worker exited: {worker.stdout.read()}")
        if app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=1):
            break
    else:
        worker.kill()
        pytest.fail("celery worker did not answer within 60 s")
    yield queue
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()


def wait_until_idle(queue: str, timeout: float = 120, quiet_for: float = 2.0) -> None:
    """Wait until the worker has nothing running, reserved, scheduled or waiting on its
    queue, and no JobRun is still running, for `quiet_for` seconds in a row.

    A test may end while work it started is still going (the nightly chain runs
    indicators, scorecards, reminders and the reports' tables after the grading parts it
    waits for); flushing the tables under a running task deadlocks the flush and leaves
    rows for the next test. A chain passes through short idle moments between its links,
    hence "quiet for a while", not "idle once".
    """
    import redis

    from accounts.models import JobRun
    from config.celery import app

    broker = redis.Redis.from_url(settings.REDIS_URL)
    worker = f"{queue}@{os.uname().nodename}"
    deadline = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < deadline:
        inspect = app.control.inspect(destination=[worker], timeout=1)
        # The solo pool answers only between tasks: no answer means busy.
        replies = [inspect.active() or {}, inspect.reserved() or {}, inspect.scheduled() or {}]
        idle = (all(worker in reply and not reply[worker] for reply in replies)
                and not broker.llen(queue)
                and not JobRun.objects.filter(status=JobRun.Status.RUNNING).exists())
        if not idle:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_for:
            return
        time.sleep(0.2)
    pytest.fail(f"the worker on {queue} was still busy after {timeout} s")


@pytest.fixture(autouse=True)
def worker_idle_after_test(request):
    """For tests on the real worker: leave it idle before the database is flushed."""
    yield
    if "celery_queue" in request.fixturenames:
        wait_until_idle(request.getfixturevalue("celery_queue"))
