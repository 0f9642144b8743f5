"""The embedded default: no env → SQLite in the project folder, eager tasks, local cache."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
    "'name': str(s.DATABASES['default']['NAME']), 'eager': s.CELERY_TASK_ALWAYS_EAGER, "
    "'cache': s.CACHES['default']['BACKEND'], 'lang': s.LANGUAGE_CODE, 'tz': s.TIME_ZONE}))"
)


def settings_with(**env_overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(env_overrides, DJANGO_SETTINGS_MODULE="config.settings")
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_without_environment_the_app_runs_embedded():
    embedded = settings_with()
    assert embedded["engine"] == "django.db.backends.sqlite3"
    assert embedded["name"] == str(ROOT / "db.sqlite3")
    assert embedded["eager"] is True
    assert embedded["cache"].endswith("LocMemCache")
    assert (embedded["lang"], embedded["tz"]) == ("zh-hans", "Asia/Shanghai")


def test_database_and_redis_urls_switch_to_the_real_services():
    real = settings_with(DATABASE_URL="postgres://u@db:5432/k", REDIS_URL="redis://r:6379/0")
    assert real["engine"] == "django.db.backends.postgresql"
    assert real["eager"] is False and real["cache"].endswith("RedisCache")
