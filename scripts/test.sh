#!/usr/bin/env bash
# The test command: lint, layer contracts, strict typing of the core, the API reference, then
# the whole suite. Integration tests use PostgreSQL on 127.0.0.1:5432 and Redis on
# 127.0.0.1:6379; without them they skip with the reason (under CI=true they fail instead).
#
# The suite runs as three pytest processes side by side: tests/unit + tests/e2e (mostly CPU,
# in the foreground, unit tests first so a failure shows early), and tests/integration in two
# halves — the parity suite and the rest — which mostly wait on real workers, brokers and cron
# minutes. Each half has its own default Redis database (ADOLF_TEST_REDIS_URL: 15 for the
# parity suite, 3 for the rest; a module that flushes its database picks its own number on
# the same server) and its own PostgreSQL database, so none touches another's state.
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
logs=$(mktemp -d)
pids=()
trap 'for pid in "${pids[@]}"; do kill -- -"$pid" 2>/dev/null || true; done; rm -rf "$logs"' EXIT
set -m  # each background half in its own process group, so the trap stops it and all it started
# the main job through real Celery and RQ workers (~2.5 min each) waits on workers as the parity
# suite does: it runs in that half, which is otherwise the shortest
workers_e2e=tests/e2e/test_simulate.py
echo "== pytest tests/integration/parity $workers_e2e (in the background; its report follows)"
ADOLF_TEST_REDIS_URL=redis://127.0.0.1:6379/15 .venv/bin/pytest tests/integration/parity "$workers_e2e" "$@" \
  >"$logs/parity" 2>&1 &
pids+=($!)
echo "== pytest tests/integration, the rest (in the background; its report follows)"
ADOLF_TEST_REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/pytest tests/integration --ignore=tests/integration/parity "$@" \
  >"$logs/integration" 2>&1 &
pids+=($!)
set +m
echo "== pytest tests/unit tests/e2e (but $workers_e2e)"
status=0
.venv/bin/pytest tests/unit tests/e2e --ignore="$workers_e2e" "$@" || status=$?
for half in parity integration; do
  pid=${pids[0]}; pids=("${pids[@]:1}")
  half_status=0
  wait "$pid" || half_status=$?
  echo "== pytest tests/integration ($half)"
  cat "$logs/$half"
  [ "$half_status" -eq 0 ] || status=1
done
exit "$status"
