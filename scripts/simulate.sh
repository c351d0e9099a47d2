#!/usr/bin/env bash
# The main job on the embedded default: SQLite under ./var, in-process queue, simulated
# marketplace. Extra arguments go to `adolf simulate` (e.g. --days 1 --campaigns 10).
# Installs only what the run needs — adolf[core,api] (Watcher's simulated agents speak the
# HTTP API), plus the extra of a backend, database or marketplace named in the arguments —
# so a newcomer's first run does not wait for the test tools; scripts/test.sh adds the rest to
# the same .venv. ADOLF_EXTRAS, when set, is installed instead.
set -euo pipefail
cd "$(dirname "$0")/.."
extras=core,api
for arg in "$@"; do
  case "$arg" in
    celery | *=celery) extras+=",celery" ;;
    rq | *=rq) extras+=",rq" ;;
    postgresql* | *=postgresql*) extras+=",postgres" ;;
    http | *=http) extras+=",marketplaces" ;;
  esac
done
ADOLF_EXTRAS=${ADOLF_EXTRAS:-$extras} bash scripts/setup.sh
.venv/bin/adolf db upgrade
.venv/bin/adolf simulate --days 7 --campaigns 50 "$@"
