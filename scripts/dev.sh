#!/usr/bin/env bash
# Run Keqing on the embedded default: SQLite in the project folder, Celery tasks
# in-process, local-memory cache, demo data loaded, one login per role printed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export DJANGO_DEBUG=${DJANGO_DEBUG:-true}
.venv/bin/python manage.py migrate --noinput -v0
ADDR=${KEQING_ADDR:-127.0.0.1:8000}
.venv/bin/python manage.py demo --url "http://$ADDR/"
echo
echo "Keqing is starting on http://$ADDR/  (Ctrl-C to stop)"
exec .venv/bin/python manage.py runserver "$ADDR"
