#!/usr/bin/env bash
# Creates ./.venv from the project's own files (idempotent) and installs ADOLF with its extras.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[${ADOLF_EXTRAS:-dev}]"
