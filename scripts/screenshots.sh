#!/usr/bin/env bash
# Remake docs/screenshots/: the register, branch, review and dashboard pages, in Khmer and
# English, at 390 px and 1366 px, with the demo data. Uses DATABASE_URL when set (else the
# embedded PostgreSQL under var/, like scripts/demo.sh) and Debian's chromium.
#
#   bash scripts/screenshots.sh [OUTPUT_DIR]     (default docs/screenshots)
set -euo pipefail
cd "$(dirname "$0")/.."

OUT="${1:-docs/screenshots}"
PORT="${SCREENSHOTS_PORT:-8765}"
export DEBUG="${DEBUG:-true}" HTTPS="${HTTPS:-false}" STATIC_MANIFEST="${STATIC_MANIFEST:-false}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
export CELERY_TASK_ALWAYS_EAGER="${CELERY_TASK_ALWAYS_EAGER:-true}"

if [ ! -x /usr/bin/chromium ]; then
  echo "screenshots.sh: needs Debian's chromium (apt-get install chromium)" >&2
  exit 1
fi
[ -d static/vendor ] || bash scripts/vendor_static.sh

LOG_LEVEL=WARNING .venv/bin/python manage.py migrate --noinput >/dev/null
LOG_LEVEL=WARNING .venv/bin/python manage.py seed_demo >/dev/null

LOG_LEVEL=WARNING .venv/bin/python manage.py runserver --noreload "127.0.0.1:$PORT" >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 60); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
  sleep 1
done

.venv/bin/python scripts/screenshots.py "http://127.0.0.1:$PORT" "$OUT"
