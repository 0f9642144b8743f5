"""The grading SQL also runs on SQLite (the embedded default): the hand-checked grading
tests, the run tests and the nightly command run again in a subprocess on a temporary
SQLite database, without Redis."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
ON_SQLITE = [
    "tests/grading/test_engine.py",
    "tests/grading/test_runs.py",
    "tests/grading/test_nightly.py",
]


@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
                    reason="already on SQLite")
def test_the_grading_tests_pass_on_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CI")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:playwright", *ON_SQLITE],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    tail = result.stdout[-3000:] + result.stderr[-2000:]
    assert result.returncode == 0, tail
    assert " passed" in result.stdout and "failed" not in result.stdout, tail
