"""bench/settings.py (production settings, static files without the manifest) with the
visits baselines' routes (bench/visits_urls.py). Used only by the visits benchmarks."""

from bench.settings import *  # noqa: F403

ROOT_URLCONF = "bench.visits_urls"
