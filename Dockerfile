# The Keqing image: gunicorn serves config.wsgi:application, whitenoise serves the static
# files collected at build time. The same image runs the Celery worker and beat
# (docker-compose.yml). Run it behind a TLS reverse proxy (README "Deployment").

# Front-end libraries: npm installs them, scripts/copy-vendor.mjs copies the browser
# builds into static/vendor/. Nothing of node_modules reaches the final image.
FROM node:20-slim AS vendor
WORKDIR /build
COPY package.json package-lock.json ./
COPY scripts/copy-vendor.mjs scripts/
RUN npm ci --no-fund --no-audit --loglevel=error && npm run vendor

# The project's files without a working copy's local state (what .gitignore lists), so
# a build from a developer's checkout never bakes in their venv, database or secret key.
FROM python:3.11-slim AS source
COPY . /src
RUN cd /src \
 && rm -rf .git .venv node_modules static/vendor staticfiles media artifacts build \
           .secret_key .env db.sqlite3 db.sqlite3-* ./*.egg-info .ruff_cache .pytest_cache \
 && find . -name __pycache__ -prune -exec rm -rf {} + \
 && find . -name '*.pyc' -delete

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MEDIA_ROOT=/app/media
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin keqing
WORKDIR /app

# The dependencies from pyproject.toml (it declares no packages: `pip install` of the
# project installs exactly its dependencies). A layer of its own, cached until they change.
COPY pyproject.toml /tmp/keqing/
RUN pip install /tmp/keqing && rm -rf /tmp/keqing

COPY --from=source /src /app
COPY --from=vendor /build/static/vendor /app/static/vendor

# The secret key here only lets the settings load; collectstatic signs nothing.
RUN DJANGO_SECRET_KEY=collectstatic-at-build-time-not-a-secret DJANGO_DEBUG=false \
    python manage.py collectstatic --noinput -v0 \
 && mkdir -p /app/media && chown keqing:keqing /app/media

USER keqing
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
