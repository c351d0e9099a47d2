"""The fault suite: what the runtime guarantees when processes, brokers and databases fail.

    .venv/bin/python bench/faults.py [--scenario NAME ...] [--trials N] [--backend celery|rq|all]
                                     [--examples N] [--deadline MINUTES] [--seed N]

A benchmark, not a test: it runs against the real local services (PostgreSQL on
127.0.0.1:5432, Redis on 127.0.0.1:6379) and prints ONE table — scenario, backend, trials,
jobs lost, effects doubled, divergent keywords, duplicate alerts, crashes outside the
per-item error path. The goal is every count 0; the suite reports what it measures, 0 or not.

It owns everything it touches: a throw-away PostgreSQL database (``adolf_faults_<random>``,
created through ``ADOLF_FAULTS_POSTGRES_URL``, default the ``test`` database as ``postgres``,
and dropped at the end), Redis database 8 (``ADOLF_FAULTS_REDIS_URL``; flushed before each
scenario and at the end), a ``redis-server`` of its own on a free port for ``redis-restart``,
a TCP proxy of its own in front of PostgreSQL for ``pg-cut``, and real worker processes
started with the deployer's command lines (``celery -A adolf.entrypoints.celery_app worker``,
``python -m adolf.entrypoints.rq_worker worker``). Every child runs in a session of its own
and its whole session is killed on every exit path (``finally``, ``atexit``, SIGTERM/SIGINT/
SIGHUP, and a watchdog 60 s after the global deadline). No trial starts after the deadline.

Scenarios (``--scenario``, repeatable; default all):

  sigkill         SIGKILL the worker (and RQ's work horse) mid bid-cycle, ``--trials`` times
                  (default 20); after the redelivered job and one more cycle: jobs lost,
                  divergent keywords, doubled bid writes, duplicate alerts.
  redelivery      Celery with a 1 s visibility timeout and a slow market (its write lock
                  held 4 s): bid cycles come back while and after they ran → doubled
                  effects, duplicate alerts, jobs lost (Celery only: RQ has no visibility
                  timeout; its redelivery of a dead worker's job is what sigkill measures).
  redis-restart   own redis-server, killed and restarted empty mid-schedule → jobs lost,
                  worker processes that died (crashes).
  pg-cut          PostgreSQL cut for ``--cut`` seconds (default 60) through the proxy while the
                  Marketing schedule runs → every job must succeed or be dead-lettered.
  schedulers      two celery beats / two RQ cron schedulers over a simulated day, driven on
                  a fake clock in this process → fires doubled or lost.
  payloads        ``--examples`` (default 10 000) hypothesis-generated payloads through the
                  validation ``adolf tasks run`` uses → crashes (anything but a clean refusal).
  rows            ``--examples`` malformed marketplace rows through the sync and stats
                  parsers → crashes outside the per-item error path (a bad row must be
                  skipped and counted).

Quick mode for development: ``--trials 2`` (about 17 min on 2 busy cores; add
``--examples 500`` and ``--cut 20`` to shorten it further). A default run (sigkill ×20 on both
backends) takes about 35 min: the default deadline is 45 min; past it no new trial starts,
the rows already measured are printed with a note, and 60 s later a watchdog kills every
child, drops the database and exits.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import random
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "src"))
sys.path.insert(0, str(BENCH.parent))  # tests.support: the proxy the tests cut PostgreSQL with
sys.path.insert(0, str(BENCH))
os.environ.setdefault("ADOLF_LOG_FORMAT", "json")

from adolf.entrypoints.cli import progress  # noqa: E402
from faults_children import CHILDREN  # noqa: E402
from faults_context import Context  # noqa: E402
from faults_report import Row, table  # noqa: E402
from faults_services import REDIS_URL, flush  # noqa: E402

Scenario = Callable[[Context, str], Row]
IN_PROCESS = "-"


BOTH = ("celery", "rq")
#: name -> ("module:function", the backends it runs on); imported when run, so one scenario's
#: import error is that scenario's row, not the suite's end
SCENARIOS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sigkill": ("faults_kill:sigkill_mid_cycle", BOTH),
    "redelivery": ("faults_redelivery:redelivered_finished_jobs", ("celery",)),
    "redis-restart": ("faults_redis_restart:redis_restart", BOTH),
    "pg-cut": ("faults_pg_cut:postgres_cut", BOTH),
    "schedulers": ("faults_schedulers:two_schedulers", BOTH),
    "payloads": ("faults_payloads:payload_validation", (IN_PROCESS,)),
    "rows": ("faults_rows:malformed_rows", (IN_PROCESS,)),
}


def _load(target: str) -> Scenario:
    module, function = target.split(":")
    found: Scenario = getattr(importlib.import_module(module), function)
    return found


NAMES = tuple(SCENARIOS)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/faults.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scenario", action="append", choices=NAMES, help="run only these (repeatable)")
    parser.add_argument("--trials", type=int, help="trials per process scenario (default: each scenario's own)")
    parser.add_argument("--backend", choices=("celery", "rq", "all"), default="all")
    parser.add_argument("--examples", type=int, default=10_000, help="payloads / rows for the in-process scenarios")
    parser.add_argument("--cut", type=float, default=60.0, help="seconds PostgreSQL stays cut in pg-cut")
    parser.add_argument("--deadline", type=float, default=45.0, help="minutes; no trial starts after it (default 45)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--log-dir", type=Path, help="worker and service logs (default: a new temp dir)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    started = time.monotonic()
    deadline = started + args.deadline * 60
    CHILDREN.install(deadline)
    log_dir = args.log_dir or Path(tempfile.mkdtemp(prefix="adolf-faults-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    ctx = Context(
        trials=args.trials or 0,
        explicit_trials=args.trials is not None,
        deadline=deadline,
        log_dir=log_dir,
        redis_url=REDIS_URL,
        seed=args.seed,
        rng=random.Random(args.seed),
        examples=args.examples,
        cut_seconds=args.cut,
    )
    wanted = args.scenario or list(NAMES)
    backends = ("celery", "rq") if args.backend == "all" else (args.backend,)
    rows: list[Row] = []
    plan = [
        (name, backend)
        for name in wanted
        for backend in SCENARIOS[name][1]
        if backend == IN_PROCESS or backend in backends
    ]
    print(f"fault suite: logs in {log_dir}", file=sys.stderr)
    try:
        with progress.bar() as bar:  # on a terminal; in a log, the lines below say the same
            job = bar.add_task("fault suite", total=len(plan))
            for name, backend in plan:
                if not progress.wanted():
                    print(f"fault suite: {name} on {backend} …", file=sys.stderr, flush=True)
                bar.update(job, description=f"{name} on {backend}")
                rows.append(_run(SCENARIOS[name][0], ctx, name, backend))
                bar.advance(job)
    finally:
        CHILDREN.kill_all()
        with contextlib.suppress(Exception):
            flush(REDIS_URL)
        if ctx.postgres is not None:
            try:
                ctx.postgres.drop()
            except Exception as exc:  # noqa: BLE001
                print(f"fault suite: could not drop {ctx.postgres.name}: {exc}", file=sys.stderr)
    print(table(rows))
    print(f"\n{time.monotonic() - started:.0f} s; logs in {log_dir}")
    return 0


def _run(target: str, ctx: Context, name: str, backend: str) -> Row:
    began = time.monotonic()
    if ctx.out_of_time():
        row = Row(name, backend, notes=["not run: global deadline passed"])
    else:
        try:
            row = _load(target)(ctx, backend)
        except Exception as exc:  # noqa: BLE001 — one scenario's failure is reported, the rest still run
            trace = traceback.format_exc()
            (ctx.log_dir / f"{name}-{backend}.error.txt").write_text(trace)
            row = Row(name, backend, notes=[f"scenario stopped: {type(exc).__name__}: {str(exc)[:160]}"])
        CHILDREN.kill_all()  # nothing a scenario started outlives it
    row.seconds = time.monotonic() - began
    return row


if __name__ == "__main__":
    sys.exit(main())
