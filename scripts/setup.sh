#!/usr/bin/env bash
# Set-up shared by start.sh and test.sh: a virtualenv with the pinned requirements (idempotent, fast when done).
#   scripts/setup.sh        runtime only (requirements.txt): what ./start.sh needs
#   scripts/setup.sh dev    runtime, tests, lint and benchmarks (requirements-dev.txt): what ./test.sh needs
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
file=requirements.txt
[ "${1:-}" = dev ] && file=requirements-dev.txt
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.$file.sha
want=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
# The dev set includes the runtime one (-r requirements.txt): a current dev install satisfies ./start.sh too.
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] && [ "$(cat .venv/.requirements-dev.txt.sha 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$file"
  echo "$want" > "$stamp"
fi
