#!/usr/bin/env bash
# One command for the whole suite on a fresh machine: start PostgreSQL and Redis if they
# are down, install Debian's chromium for the browser tests, install the project, then
# lint, check the import contracts and types, check migrations and run pytest against the real services.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/services.sh start

if [ ! -x /usr/bin/chromium ] || ! command -v msgfmt >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium gettext >/dev/null
fi

bash scripts/setup.sh

export DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/onboarding}"
export REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"
export SECRET_KEY="test-only-secret-key-not-for-production-0123456789"
export DEBUG=false HTTPS=false STATIC_MANIFEST=false CELERY_TASK_ALWAYS_EAGER=true
export ALLOWED_HOSTS="localhost,127.0.0.1,testserver"
# The cards' signing key, given explicitly as production must (README, "Card signing keys").
export CARD_SIGNING_KEY="${CARD_SIGNING_KEY:-test:gcCRV326odMea6xlOxARC5hOCizlUU4BfnCyeGPxueE}"
# The database itself (pytest makes its own test_ copy; makemigrations --check reads this one).
createdb -h 127.0.0.1 -U postgres "${DATABASE_URL##*/}" 2>/dev/null || true

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/lint-imports
.venv/bin/mypy onboarding khmer api geography accounts programmes campaigns registry outreach partners dedup sharing dashboards demo audit outbox shell tracker
.venv/bin/python manage.py makemigrations --check --dry-run
.venv/bin/python manage.py check
# Two processes, each with its own test database and Redis database (settings); the tests
# that start services of their own share one process (tests/conftest.py).
.venv/bin/pytest -q -n 2 --dist loadgroup "$@"
