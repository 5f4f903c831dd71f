#!/usr/bin/env bash
# Back up the registry: the database (pg_dump, custom format) and the uploaded files
# (MEDIA_ROOT: intake files, consent photos), with checksums. README, "Backups".
#   DATABASE_URL=postgres://... MEDIA_ROOT=/srv/media bash scripts/backup.sh /backups/2026-12-01
set -euo pipefail
target="${1:?usage: scripts/backup.sh DIRECTORY}"
: "${DATABASE_URL:?DATABASE_URL must name the database to back up}"
media="${MEDIA_ROOT:-$(cd "$(dirname "$0")/.." && pwd)/var/media}"

mkdir -p "$target"
# One consistent snapshot of every table (pg_dump runs in one repeatable-read
# transaction); schema, data, indexes and triggers (the audit's append-only one).
pg_dump --format=custom --no-owner --no-privileges --file="$target/database.dump" "$DATABASE_URL"
if [ -d "$media" ]; then
  tar -C "$media" -czf "$target/media.tar.gz" .
else
  tar -czf "$target/media.tar.gz" -T /dev/null
fi
(cd "$target" && sha256sum database.dump media.tar.gz > SHA256SUMS)
echo "backup written to $target"
