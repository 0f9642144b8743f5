#!/usr/bin/env bash
# Run the whole test suite against real PostgreSQL, Redis, a Celery worker and Chromium.
# Extra arguments go to pytest (e.g. scripts/test.sh -k scoping).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/services.sh
export DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/keqing}
export REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
export DJANGO_ALLOW_ASYNC_UNSAFE=true   # Playwright's sync API runs an event loop
exec .venv/bin/python -m pytest "$@"
