"""Production settings plus the benchmark's baseline route (bench/urls.py).

Used only by bench/list_api.py; nothing in the app imports it.
"""

from config.settings import *  # noqa: F403
from config.settings import STORAGES

ROOT_URLCONF = "bench.urls"
# The login page renders {% static %}; without collectstatic the manifest storage would
# refuse. Static files are not what is measured.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
