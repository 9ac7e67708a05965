#!/usr/bin/env bash
# Back up Loket's database (see docs/DEPLOY.md). Run daily from cron or a systemd timer, as the loket user:
#   deploy/backup.sh /var/backups/loket [days-to-keep]
# PostgreSQL (LOKET_DATABASE_URL=postgresql...): pg_dump custom format, restorable with pg_restore.
# SQLite (default instance/loket.db): the online .backup API, consistent while the server writes.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:?usage: backup.sh DEST_DIR [KEEP_DAYS]}
keep=${2:-30}
mkdir -p "$dest"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
if [ -f /etc/loket/loket.env ] && [ -z "${LOKET_DATABASE_URL:-}" ]; then
  set -a; . /etc/loket/loket.env; set +a
fi
url=${LOKET_DATABASE_URL:-}
case "$url" in
  postgresql*)
    # pg_dump does not know SQLAlchemy's driver suffix.
    pgurl=${url/postgresql+psycopg:/postgresql:}
    out="$dest/loket-$stamp.pgdump"
    pg_dump --format=custom --no-owner --file="$out.part" "$pgurl"
    ;;
  ""|sqlite*)
    db=${url#sqlite:///}
    db=${db:-instance/loket.db}
    out="$dest/loket-$stamp.sqlite3"
    .venv/bin/python - "$db" "$out.part" <<'PY'
import sqlite3, sys
src = sqlite3.connect(sys.argv[1])
dst = sqlite3.connect(sys.argv[2])
with dst:
    src.backup(dst)  # page by page, consistent even while Loket writes (WAL)
dst.close(); src.close()
PY
    ;;
  *) echo "backup.sh: unsupported database URL" >&2; exit 2 ;;
esac
mv "$out.part" "$out"
# The instance secret signs sessions; keep it with the data (it is not in the database).
[ -f instance/secret_key ] && cp instance/secret_key "$dest/secret_key" && chmod 600 "$dest/secret_key"
find "$dest" -name 'loket-*' -mtime +"$keep" -delete
echo "$out"
