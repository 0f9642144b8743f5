#!/usr/bin/env bash
# The production stack without Docker, on one machine: gunicorn, a Celery worker and
# Celery beat against the PostgreSQL and Redis named by DATABASE_URL and REDIS_URL.
# Ctrl-C stops all three; so does any one of them exiting. KEQING_ADDR sets the bind
# address (default 127.0.0.1:8000). See README "Deployment".
set -euo pipefail
cd "$(dirname "$0")/.."

for var in DATABASE_URL REDIS_URL; do
  if [ -z "${!var:-}" ]; then
    echo "stack: $var is not set. The stack needs PostgreSQL and Redis, e.g." >&2
    echo "  DATABASE_URL=postgres://keqing@127.0.0.1:5432/keqing REDIS_URL=redis://127.0.0.1:6379/0 $0" >&2
    exit 2
  fi
done

scripts/setup.sh
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py collectstatic --noinput -v0

pids=()
stop() {
  trap - EXIT INT TERM
  echo "stack: stopping"
  kill "${pids[@]}" 2>/dev/null || true
  wait || true
}
trap stop EXIT
trap 'exit 130' INT TERM

ADDR=${KEQING_ADDR:-127.0.0.1:8000}
.venv/bin/gunicorn config.wsgi:application --bind "$ADDR" --workers 3 --access-logfile - &
pids+=($!)
.venv/bin/celery -A config worker --loglevel INFO &
pids+=($!)
.venv/bin/celery -A config beat --loglevel INFO \
  --scheduler django_celery_beat.schedulers:DatabaseScheduler &
pids+=($!)
echo "stack: web on http://$ADDR/, Celery worker and beat running (Ctrl-C stops all)"
wait -n
