#!/usr/bin/env bash
# Install what the project needs into the project folder: the venv with Python deps,
# the npm deps, and the vendor copy into static/vendor/. Re-running is cheap: each step
# runs again only when its lock/manifest changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PYTHON" -m venv .venv
fi

stamp() { sha256sum "$@" | sha256sum | cut -c1-16; }

py_stamp=$(stamp pyproject.toml)
if [ "$(cat .venv/.keqing-deps 2>/dev/null)" != "$py_stamp" ]; then
  echo "setup: installing Python dependencies"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[dev]"
  echo "$py_stamp" > .venv/.keqing-deps
fi

js_stamp=$(stamp package.json package-lock.json scripts/copy-vendor.mjs)
if [ "$(cat node_modules/.keqing-deps 2>/dev/null)" != "$js_stamp" ] || [ ! -d static/vendor ]; then
  echo "setup: installing front-end libraries"
  npm ci --no-fund --no-audit --loglevel=error
  npm run --silent vendor
  echo "$js_stamp" > node_modules/.keqing-deps
fi
