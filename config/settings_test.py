"""Test settings: the production settings with fast hashing and no static manifest."""

from config.settings import *  # noqa: F403
from config.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 5
# Serve static files from the app folders in tests (no collectstatic run).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
