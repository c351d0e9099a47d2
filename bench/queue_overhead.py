"""What the queue adapter costs: N no-op tasks through ``CeleryTaskQueue`` (our registered
task: ``TaskRunner`` payload binding, lock check, outcome mapping) against the same no-op
function registered as a plain Celery task, on the same app config, broker and worker
command line (``celery -A adolf.entrypoints.celery_app worker -Q bench.default -c W``).

    .venv/bin/python bench/queue_overhead.py --backend celery [--tasks N] [--workers W]
    .venv/bin/python bench/queue_overhead.py --backend rq      (bench/queue_overhead_rq.py)

Each run enqueues N tasks with no worker consuming, then starts the worker and waits for
every result; throughput is N / (last ``date_done`` − first ``date_done``), read from the
result backend, so worker start-up and enqueueing are not counted (the enqueue rate is
printed separately). On a busy machine wall-clock rates are noisy, so the CPU the worker
processes burn per task (``getrusage`` of the reaped workers, minus an idle worker's
start-up and shutdown) is reported too: tasks per worker CPU-second. Runs go raw, adapter, adapter, raw (``--rounds`` times) and the best of
each counts: other load on the machine only ever slows a run down.
Uses ADOLF_BENCH_REDIS_URL (default redis://127.0.0.1:6379/13), flushed. Goal: adapter ≥
0.95 × raw.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from celery import shared_task

from adolf.application.catalogue import Catalogue, TaskSpec, WorkerProfile

REPO = Path(__file__).resolve().parents[1]
QUEUE = "bench.default"
CATALOGUE_PATH = "bench.queue_overhead:CATALOGUE"


def noop(services: Any) -> None:
    return None


# Same Celery options as the catalogue entry below (a time limit costs the pool a timer per job).
@shared_task(name="bench.raw_noop", time_limit=60)
def raw_noop() -> None:
    return noop(None)


# The worker recycles children every 1000 tasks by default; the bench measures the queue.
CATALOGUE = Catalogue(
    [TaskSpec("bench.noop", noop, QUEUE, time_limit=60)],
    profiles={"bench": WorkerProfile(prefetch=4, max_tasks_per_child=1_000_000)},
)


def _start_worker(env: dict[str, str], workers: int, log: Path) -> subprocess.Popen[bytes]:
    celery = str(Path(sys.executable).with_name("celery"))
    with log.open("ab") as out:
        return subprocess.Popen(
            [
                celery,
                "-A",
                "adolf.entrypoints.celery_app",
                "worker",
                "-Q",
                QUEUE,
                "-c",
                str(workers),
                "--pool",
                "prefork",
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
            ],
            env=env,
            cwd=log.parent,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _drain(redis: Any, ids: list[str], stall: float = 60.0) -> float:
    """Wait for every result; return the span first→last ``date_done`` in seconds."""
    pending = list(ids)
    done: list[datetime] = []
    progress_at = time.monotonic()
    while pending:
        still: list[str] = []
        for i in range(0, len(pending), 2000):
            chunk = pending[i : i + 2000]
            for task_id, raw in zip(chunk, redis.mget([f"celery-task-meta-{t}" for t in chunk]), strict=True):
                meta = json.loads(raw) if raw else None
                if meta and meta.get("status") == "SUCCESS":
                    done.append(datetime.fromisoformat(meta["date_done"]))
                elif meta and meta.get("status") == "FAILURE":
                    raise RuntimeError(f"task {task_id} failed: {meta.get('result')}")
                else:
                    still.append(task_id)
        if len(still) < len(pending):
            progress_at = time.monotonic()
        elif time.monotonic() - progress_at > stall:
            raise TimeoutError(
                f"{len(still)} of {len(ids)} tasks made no progress for {stall} s "
                "(is the worker up? was the Redis database flushed by someone else?)"
            )
        pending = still
        if pending:
            time.sleep(0.2)
    return (max(done) - min(done)).total_seconds()


def _idle_worker_cpu(env: dict[str, str], workers: int, tmp: Path) -> float:
    """CPU seconds a worker spends starting and stopping with nothing to do."""
    from redis import Redis

    before = _children_cpu()
    worker = _start_worker(env, workers, tmp / "worker.log")
    try:
        client = Redis.from_url(env["ADOLF_REDIS_URL"])
        deadline = time.monotonic() + 60
        while not client.exists(f"_kombu.binding.{QUEUE}") and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)
    finally:
        _stop(worker)
    return _children_cpu() - before


def run_celery(n: int = 10_000, workers: int = 4, rounds: int = 1) -> dict[str, Any]:
    from redis import Redis

    from adolf.adapters.sqlalchemy import migrate
    from adolf.container import build_container
    from adolf.entrypoints.cli import progress  # a bar on a terminal's stderr; stdout keeps the figures
    from adolf.settings import load_settings

    url = os.environ.get("ADOLF_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    redis = Redis.from_url(url)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "ADOLF_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "ADOLF_REDIS_URL": url,
            "ADOLF_QUEUE_BACKEND": "celery",
            "ADOLF_EXTRA_CATALOGUES": CATALOGUE_PATH,
            "ADOLF_LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        }
        container = build_container(
            load_settings(
                database_url=env["ADOLF_DATABASE_URL"],
                redis_url=url,
                queue_backend="celery",
                extra_catalogues=CATALOGUE_PATH,
            )
        )
        migrate.upgrade(container.engine())
        queue = container.task_queue()
        app = container.celery_app()
        runs: dict[str, list[float]] = {"raw": [], "adapter": []}
        cpu: dict[str, list[float]] = {"raw": [], "adapter": []}
        enqueue: dict[str, list[float]] = {"raw": [], "adapter": []}
        idle = min(_idle_worker_cpu(env, workers, Path(tmp)) for _ in range(2))
        modes = ("raw", "adapter", "adapter", "raw") * rounds
        bar = progress.bar(measuring=True)
        job = bar.add_task("celery rounds (enqueue, drain)", total=len(modes))
        with bar:  # stopped on every exit, a failed round included
            for mode in modes:
                bar.update(job, refresh=True, description=f"celery {mode}")
                redis.flushdb()
                started = time.perf_counter()
                if mode == "adapter":
                    ids = [queue.enqueue("bench.noop") for _ in range(n)]
                else:
                    ids = [app.send_task("bench.raw_noop", queue=QUEUE).id for _ in range(n)]
                enqueue[mode].append(n / (time.perf_counter() - started))
                before = _children_cpu()
                worker = _start_worker(env, workers, Path(tmp) / "worker.log")
                try:
                    span = _drain(redis, ids)
                finally:
                    _stop(worker)
                runs[mode].append((n - 1) / span)
                cpu[mode].append(n / max(_children_cpu() - before - idle, 1e-9))
                print(
                    f"{mode:>8}: {runs[mode][-1]:8.1f} tasks/s executed, {cpu[mode][-1]:8.1f} tasks per worker "
                    f"CPU-second, {enqueue[mode][-1]:8.1f} tasks/s enqueued",
                    flush=True,
                )
                bar.update(job, advance=1, refresh=True)
        redis.flushdb()
        app.close()
        container.engine().dispose()
    adapter, raw = max(runs["adapter"]), max(runs["raw"])
    return {
        "backend": "celery",
        "n": n,
        "workers": workers,
        "adapter_per_s": round(adapter, 1),
        "raw_per_s": round(raw, 1),
        "adapter_enqueue_per_s": round(max(enqueue["adapter"]), 1),
        "raw_enqueue_per_s": round(max(enqueue["raw"]), 1),
        "ratio": round(adapter / raw, 3),
        "adapter_per_cpu_s": round(max(cpu["adapter"]), 1),
        "raw_per_cpu_s": round(max(cpu["raw"]), 1),
        "cpu_ratio": round(max(cpu["adapter"]) / max(cpu["raw"]), 3),
        "idle_worker_cpu_s": round(idle, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--backend", choices=["celery", "rq", "all"], default="celery")
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=1, help="raw/adapter/adapter/raw this many times")
    args = parser.parse_args(argv)
    results = []
    if args.backend in ("celery", "all"):
        results.append(run_celery(args.tasks, args.workers, args.rounds))
    if args.backend in ("rq", "all"):
        try:
            from bench.queue_overhead_rq import run_rq
        except ImportError as exc:
            print(f"rq: bench/queue_overhead_rq.py is not usable: {exc}", file=sys.stderr)
            return 2
        results.append({"backend": "rq", **run_rq(args.tasks, args.workers, args.rounds)})
    for result in results:
        print(
            f"{result['backend']}: adapter {result['adapter_per_s']}/s vs raw {result['raw_per_s']}/s on "
            f"{result['workers']} workers, {result['n']} tasks: ratio {result['ratio']} (goal ≥ 0.95)"
        )
        if "cpu_ratio" in result:
            print(
                f"{result['backend']}: per worker CPU-second adapter {result['adapter_per_cpu_s']} vs raw "
                f"{result['raw_per_cpu_s']}: ratio {result['cpu_ratio']} (independent of other load)"
            )
    return 0 if all(r["ratio"] >= 0.95 for r in results) else 1


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))  # `bench.queue_overhead` (the catalogue) must import here too
    raise SystemExit(main())
