#!/usr/bin/env bash
# One command for a newcomer: install, create an embedded PostgreSQL under var/,
# load the gazetteer and demo data, and serve http://127.0.0.1:8000. No services needed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

export DEBUG="${DEBUG:-true}"
export HTTPS="${HTTPS:-false}"
unset DATABASE_URL REDIS_URL

# Warnings only while setting up: the demo's registrations run their tasks inline, and
# their INFO lines would bury the sign-in table that seed_demo prints last.
LOG_LEVEL=WARNING .venv/bin/python manage.py migrate --noinput
LOG_LEVEL=WARNING .venv/bin/python manage.py seed_demo
echo "Serving the portal at http://127.0.0.1:8000 (Ctrl-C to stop)"
exec .venv/bin/python manage.py runserver 127.0.0.1:8000
