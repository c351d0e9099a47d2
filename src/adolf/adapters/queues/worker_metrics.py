"""A worker's metrics: started in its main process, before it forks a pool or a work horse.

Celery's prefork children and RQ's work horses record what they run; they must write to the
shared directory (Prometheus multiprocess mode) for the main process's port to serve it.
Files are named after the writing process: a Celery pool child lives for
``max_tasks_per_child`` jobs, so its pid is a fine name; an RQ work horse lives for one job,
so every horse of a worker writes under one name (``horse_identity``: the worker runs one
horse at a time), or the directory would grow a file per job.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from adolf.application.runtime import TaskRunner

log = logging.getLogger(__name__)

_horse_of = 0  # in an RQ work horse: the pid of its worker


def forked_for_one_job(worker_pid: int) -> None:
    """Called in a work horse as it starts: its metrics go to its worker's horse file."""
    global _horse_of
    _horse_of = worker_pid


def horse_identity() -> str:
    return f"{_horse_of}-horse" if _horse_of else str(os.getpid())


def start_worker_metrics(runner: TaskRunner, identity: Callable[[], Any] = os.getpid) -> int | None:
    """Serve the runner's metrics when they are Prometheus's and a port or directory is set
    (``ADOLF_METRICS_PORT``, ``ADOLF_METRICS_DIR``); the port served, or None."""
    try:
        from adolf.adapters.observability.metrics import PrometheusTaskMetrics
    except ModuleNotFoundError:  # no client: the container refused a port or directory already
        return None
    metrics = runner.metrics
    if not isinstance(metrics, PrometheusTaskMetrics):
        return None
    port = metrics.start_worker(identity)
    if port is not None:
        log.info("serving task metrics on port %d (from %s)", port, metrics.directory)
    return port
