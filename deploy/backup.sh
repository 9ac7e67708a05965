#!/usr/bin/env bash
# Back up Loket's database (see docs/DEPLOY.md). Run daily from cron or a systemd timer, as the loket user:
#   deploy/backup.sh /var/backups/loket [days-to-keep]
# PostgreSQL (LOKET_DATABASE_URL=postgresql...): pg_dump custom format, restorable with pg_restore.
# SQLite (default instance/loket.db): the online .backup API, consistent while the server writes.
# A backup never overwrites another: names carry microseconds, and each name is claimed exclusively first (a
# clash gets -1, -2, ...), so two runs in the same second both keep their copy.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:?usage: backup.sh DEST_DIR [KEEP_DAYS]}
keep=${2:-30}
mkdir -p "$dest"
# LOKET_BACKUP_STAMP fixes the time stamp (tests use it to make two runs collide).
stamp=${LOKET_BACKUP_STAMP:-$(date -u +%Y%m%dT%H%M%S.%6NZ)}

# Claim loket-STAMP[-N].EXT: noclobber makes bash create the file with O_EXCL, so only one run gets a name.
claim() {
  local ext=$1 n=0 name="$dest/loket-$stamp.$1"
  until (set -C; : > "$name") 2>/dev/null; do
    n=$((n + 1))
    [ "$n" -lt 1000 ] || { echo "backup.sh: cannot claim a file name in $dest" >&2; return 1; }
    name="$dest/loket-$stamp-$n.$ext"
  done
  echo "$name"
}
out=""
# A run that fails leaves neither its empty claim nor a half-written copy behind.
trap '[ -n "$out" ] && rm -f -- "$out" "$out.part"' EXIT
if [ -f /etc/loket/loket.env ] && [ -z "${LOKET_DATABASE_URL:-}" ]; then
  set -a; . /etc/loket/loket.env; set +a
fi
url=${LOKET_DATABASE_URL:-}
case "$url" in
  postgresql*)
    # pg_dump does not know SQLAlchemy's driver suffix.
    pgurl=${url/postgresql+psycopg:/postgresql:}
    out=$(claim pgdump)
    pg_dump --format=custom --no-owner --file="$out.part" "$pgurl"
    ;;
  ""|sqlite*)
    db=${url#sqlite:///}
    db=${db:-instance/loket.db}
    out=$(claim sqlite3)
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
mv -f "$out.part" "$out"  # over our own empty claim, never over another backup
trap - EXIT
# The instance secret signs sessions; keep it with the data (it is not in the database).
[ -f instance/secret_key ] && cp instance/secret_key "$dest/secret_key" && chmod 600 "$dest/secret_key"
find "$dest" -name 'loket-*' ! -name '*.part' -mtime +"$keep" -delete
echo "$out"
