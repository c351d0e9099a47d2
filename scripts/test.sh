#!/usr/bin/env bash
# The test command: lint, layer contracts, strict typing of the core, then the whole suite.
# Integration tests use PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379; without
# them they skip with the reason (under CI=true they fail instead).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== ruff"; .venv/bin/ruff check src tests bench
echo "== import contracts"; .venv/bin/lint-imports
echo "== mypy --strict (domain, application)"; .venv/bin/mypy --strict src/adolf/domain src/adolf/application
echo "== pytest"; .venv/bin/pytest "$@"
