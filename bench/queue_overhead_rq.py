"""What the adapter costs on RQ: N no-op tasks through ``RqTaskQueue`` (our job function,
``TaskRunner``: payload binding, outcome mapping) against the same no-op function enqueued
as a raw RQ job, run by the same worker entrypoint, same number of workers. Runs go raw,
adapter, adapter, raw (``rounds`` times) and the best of each counts, so neither side gains
from going first on a machine whose speed drifts. For reference, the raw job also runs once
on RQ's stock ``rq worker``.

    python bench/queue_overhead_rq.py [N] [WORKERS]

Jobs are enqueued first, then ``WORKERS`` burst workers drain the queue; throughput is
N / (last job's end - first job's start), read from the jobs themselves, so worker start-up
is not counted. Uses ADOLF_BENCH_REDIS_URL (default redis://127.0.0.1:6379/11), flushed.
Goal: adapter ≥ 0.95 × raw.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from adolf.application.catalogue import Catalogue, TaskSpec

REPO = Path(__file__).resolve().parents[1]
QUEUE = "bench.rq"


def noop(services: Any) -> None:
    return None


def raw_noop() -> None:
    return None


RAW_FUNCTION = "bench.queue_overhead_rq.raw_noop"  # by name: this file may run as __main__
CATALOGUE = Catalogue([TaskSpec("bench.noop", noop, QUEUE, time_limit=60)])


def _drain(cmd: list[str], workers: int, env: dict[str, str]) -> None:
    procs = [
        subprocess.Popen(
            cmd, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        for _ in range(workers)
    ]
    for proc in procs:
        if proc.wait(timeout=1800) != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}")


def _throughput(redis: Any, ids: list[str]) -> float:
    from rq.job import Job, JobStatus

    from adolf.adapters.queues.rq_jobs import SERIALIZER

    starts, ends = [], []
    for i in range(0, len(ids), 1000):
        for job in Job.fetch_many(ids[i : i + 1000], connection=redis, serializer=SERIALIZER):
            if job is None or job.get_status(refresh=False) != JobStatus.FINISHED:
                raise RuntimeError(f"job {job and job.id} did not finish: {job and job.get_status(refresh=False)}")
            assert job.started_at is not None and job.ended_at is not None
            starts.append(job.started_at)
            ends.append(job.ended_at)
    return len(ids) / (max(ends) - min(starts)).total_seconds()


def run_rq(n: int = 10_000, workers: int = 4, rounds: int = 1) -> dict[str, Any]:
    from redis import Redis

    from adolf.adapters.queues.rq_queue import RqTaskQueue
    from adolf.adapters.sqlalchemy import migrate
    from adolf.container import build_container
    from adolf.entrypoints.cli import progress  # a bar on a terminal's stderr; stdout keeps the figures
    from adolf.settings import load_settings

    url = os.environ.get("ADOLF_BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
    redis = Redis.from_url(url)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "ADOLF_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "ADOLF_REDIS_URL": url,
            "ADOLF_QUEUE_BACKEND": "rq",
            "ADOLF_EXTRA_CATALOGUES": "bench.queue_overhead_rq:CATALOGUE",
            "ADOLF_LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        }
        container = build_container(
            load_settings(
                database_url=env["ADOLF_DATABASE_URL"],
                redis_url=url,
                queue_backend="rq",
                extra_catalogues=env["ADOLF_EXTRA_CATALOGUES"],
            )
        )
        migrate.upgrade(container.engine())
        tasks: RqTaskQueue = container.task_queue()
        ours = [sys.executable, "-m", "adolf.entrypoints.rq_worker", "worker", "-q", QUEUE, "--burst"]
        stock = [
            str(Path(sys.executable).with_name("rq")),
            "worker",
            "--burst",
            "-u",
            url,
            "-q",
            "--serializer",
            "rq.serializers.JSONSerializer",
            QUEUE,
        ]
        runs: dict[str, float] = {}
        order = [("raw", ours), ("adapter", ours), ("adapter", ours), ("raw", ours)] * rounds
        plan = [*order, ("raw_stock_rq_worker", stock)]
        with progress.bar(measuring=True) as bar:
            job = bar.add_task("rq rounds (enqueue, drain)", total=len(plan))
            for mode, cmd in plan:
                bar.update(job, refresh=True, description=f"rq {mode}")
                redis.flushdb()
                if mode == "adapter":
                    ids = [tasks.enqueue("bench.noop") for _ in range(n)]
                else:
                    queue = tasks.queue(QUEUE)
                    ids = [queue.enqueue(RAW_FUNCTION, job_timeout=60, result_ttl=3600).id for _ in range(n)]
                started = time.monotonic()
                _drain(cmd, workers, env)
                rate = _throughput(redis, ids)
                runs[mode] = max(rate, runs.get(mode, 0.0))
                print(
                    f"{mode:>22}: {rate:8.1f} jobs/s  (drained in {time.monotonic() - started:.1f} s "
                    "incl. worker start-up)",
                    flush=True,
                )
                bar.update(job, advance=1, refresh=True)
        redis.flushdb()
        container.engine().dispose()
    return {
        "n": n,
        "workers": workers,
        "adapter_per_s": round(runs["adapter"], 1),
        "raw_per_s": round(runs["raw"], 1),
        "raw_stock_per_s": round(runs["raw_stock_rq_worker"], 1),
        "ratio": round(runs["adapter"] / runs["raw"], 3),
    }


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))  # so `bench.queue_overhead_rq` (the catalogue) imports here too
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    result = run_rq(count, workers)
    print(
        f"adapter {result['adapter_per_s']}/s vs raw {result['raw_per_s']}/s on {workers} workers: "
        f"ratio {result['ratio']} (goal ≥ 0.95); stock rq worker {result['raw_stock_per_s']}/s"
    )
