#!/usr/bin/env bash
# The main job on the embedded default: SQLite under ./var, in-process queue, simulated
# marketplace. Extra arguments go to `adolf simulate` (e.g. --days 1 --campaigns 10).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/adolf db upgrade
.venv/bin/adolf simulate --days 7 --campaigns 50 "$@"
