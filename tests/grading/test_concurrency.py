"""Never two writers: a second run of the same policy waits for the first (PostgreSQL
advisory lock) and then has nothing left to change; "run now" is refused meanwhile. A
worker killed in the middle of a run leaves no half-written grades; its run is marked
failed by the next run, which completes it with the same result."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import JobRun
from grading import engine, services
from grading.models import GRADING_JOB, GradeHistory
from tests.grading.factories import DAY, grades, policy, shop

ROOT = Path(settings.BASE_DIR)
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
                       reason="advisory locks and separate sessions: PostgreSQL"),
]


@pytest.fixture
def four(personas):
    shops = [shop(personas.org.area, amounts=[v]) for v in (500, 300, 150, 50)]
    return policy(personas.org.company), shops


def test_a_second_run_of_the_same_policy_waits_for_the_first(four, monkeypatch):
    p, shops = four
    real = engine.grade_part
    spans = []

    def slow(**kwargs):
        started = time.monotonic()
        counts = real(**kwargs)
        time.sleep(1.0)  # still inside the first run's transaction, holding its lock
        spans.append((started, time.monotonic(), counts["history"]))
        return counts

    monkeypatch.setattr(engine, "grade_part", slow)
    errors = []

    def run():
        try:
            services.grading_run_policy(policy=p, business_date=DAY)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    first = threading.Thread(target=run)
    first.start()
    deadline = time.monotonic() + 10
    while not services.grading_run_busy(p) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert services.grading_run_busy(p), "the first run never took the policy's lock"
    with pytest.raises(services.RunInProgress) as refused:
        services.grading_run_prepare(policy=p, started_by=None)
    assert "policy" in refused.value.message_dict
    second = threading.Thread(target=run)
    second.start()
    first.join(30)
    second.join(30)
    assert errors == []
    (start1, end1, history1), (start2, end2, history2) = sorted(spans)
    assert start2 >= end1, "the second writer started before the first one committed"
    assert (history1, history2) == (4, 0)
    assert GradeHistory.objects.count() == 4 and grades(*shops) == ["A", "A", "B", "C"]
    assert set(JobRun.objects.filter(name=GRADING_JOB).values_list("status", flat=True)) == {
        JobRun.Status.SUCCEEDED}


HANGING_RUN = """
import sys, time
from datetime import date
import django
django.setup()
from grading import engine, services
from grading.models import GradingPolicy
real = engine.grade_part
def hang(**kwargs):
    counts = real(**kwargs)
    print("GRADED", flush=True)
    time.sleep(600)
    return counts
engine.grade_part = hang
services.grading_run_policy(policy=GradingPolicy.objects.get(pk=int(sys.argv[1])),
                            business_date=date.fromisoformat(sys.argv[2]))
"""


def test_a_worker_killed_mid_run_leaves_a_failed_run_and_a_rerun_completes_it(four):
    p, shops = four
    db = settings.DATABASES["default"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    worker = subprocess.Popen([sys.executable, "-c", HANGING_RUN, str(p.pk), DAY.isoformat()],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        seen = []
        for line in worker.stdout:  # log lines first, then the marker
            seen.append(line)
            if "GRADED" in line:
                break
        assert "GRADED" in seen[-1], "".join(seen)
        killed = JobRun.objects.get(name=GRADING_JOB)
        assert killed.status == JobRun.Status.RUNNING
        assert services.grading_run_busy(p)
        # Everything it wrote is still uncommitted.
        assert GradeHistory.objects.count() == 0 and grades(*shops) == ["", "", "", ""]
    finally:
        worker.kill()
        worker.wait(10)
    deadline = time.monotonic() + 10
    while services.grading_run_busy(p) and time.monotonic() < deadline:
        time.sleep(0.1)
    rerun = services.grading_run_policy(policy=p, business_date=DAY)
    killed.refresh_from_db()
    assert killed.status == JobRun.Status.FAILED and "worker lost" in killed.error
    assert rerun.status == JobRun.Status.SUCCEEDED and rerun.counts["history"] == 4
    assert grades(*shops) == ["A", "A", "B", "C"] and GradeHistory.objects.count() == 4
