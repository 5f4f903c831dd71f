#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into DATABASE_URL (an empty database, or
# one whose tables are replaced) and MEDIA_ROOT. README, "Backups".
#   createdb registry_restored
#   DATABASE_URL=postgres://.../registry_restored MEDIA_ROOT=/srv/media bash scripts/restore.sh /backups/2026-12-01
set -euo pipefail
source_dir="${1:?usage: scripts/restore.sh DIRECTORY}"
: "${DATABASE_URL:?DATABASE_URL must name the database to restore into}"
media="${MEDIA_ROOT:-$(cd "$(dirname "$0")/.." && pwd)/var/media}"

(cd "$source_dir" && sha256sum --check --quiet SHA256SUMS)
# Data is loaded before the triggers are created, so the audit's append-only trigger
# does not stand in the way; --clean drops what a non-empty target already has.
pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error \
  --dbname="$DATABASE_URL" "$source_dir/database.dump"
mkdir -p "$media"
tar -C "$media" -xzf "$source_dir/media.tar.gz"
echo "restored from $source_dir"
