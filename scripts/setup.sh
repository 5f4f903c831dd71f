#!/usr/bin/env bash
# Install everything the portal needs into .venv and static/vendor, and compile the
# Khmer and English catalogues. Idempotent; both README commands start here.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"

bash scripts/vendor_static.sh
for po in locale/*/LC_MESSAGES/django.po; do
  msgfmt --check-format -o "${po%.po}.mo" "$po"
done
