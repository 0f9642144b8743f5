"""bench/settings.py with the dashboards' live baseline (bench/dashboards_urls.py). Used
only by bench/dashboards.py."""

from bench.settings import *  # noqa: F403

ROOT_URLCONF = "bench.dashboards_urls"
