#!/usr/bin/env bash
# The test command: lint, layer contracts, strict typing of the core, then the whole suite.
# Integration tests use PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379; without
# them they skip with the reason (under CI=true they fail instead).
#
# The suite runs as two pytest processes side by side: tests/integration (mostly waiting on
# real workers, brokers and cron minutes) and tests/unit + tests/e2e. They use different
# Redis databases (each module its own) and their own PostgreSQL databases, so neither
# touches the other's state; on 2 cores this takes the wall time from ~17 to ~11 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== ruff"; .venv/bin/ruff check src tests bench
echo "== import contracts"; .venv/bin/lint-imports
echo "== mypy --strict (domain, application)"; .venv/bin/mypy --strict src/adolf/domain src/adolf/application
echo "== api reference"; bash scripts/docs.sh
if [ "$#" -gt 0 ] && [[ "$1" != -* ]]; then
  echo "== pytest"; exec .venv/bin/pytest "$@"  # paths given: one run of exactly those
fi
integration_log=$(mktemp)
trap 'kill -- -$integration_pid 2>/dev/null || true; rm -f "$integration_log"' EXIT
echo "== pytest tests/integration (in the background; its report follows the other's)"
set -m  # its own process group, so the trap stops it and everything it started
.venv/bin/pytest tests/integration "$@" >"$integration_log" 2>&1 &
integration_pid=$!
set +m
echo "== pytest tests/unit tests/e2e"
status=0
.venv/bin/pytest tests/unit tests/e2e "$@" || status=$?
integration_status=0
wait "$integration_pid" || integration_status=$?
echo "== pytest tests/integration"
cat "$integration_log"
if [ "$status" -ne 0 ] || [ "$integration_status" -ne 0 ]; then
  exit 1
fi
