#!/usr/bin/env bash
# Start Loket with the demo office on http://127.0.0.1:5000/ (set-up, migrations and demo data included).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
export LOKET_ALWAYS_OPEN=${LOKET_ALWAYS_OPEN:-1}   # the demo kiosk issues tickets at any hour; unset for real use
# The demo (docs/SECURITY.md): demo passwords allowed, every new browser on /kiosk/1600 paired as a demo kiosk,
# a banner on every screen. Without LOKET_DEMO the same server refuses demo passwords.
export LOKET_DEMO=1
.venv/bin/python manage.py db-upgrade
.venv/bin/python manage.py seed-demo
# The production server (serve.py: one gevent process, the print worker inside), as an office runs it;
# `.venv/bin/python app.py --dev` is the development server.
exec .venv/bin/python serve.py --bind "${LOKET_HOST:-127.0.0.1}:${LOKET_PORT:-5000}"
