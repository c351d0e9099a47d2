"""Prometheus metrics of the task runtime: the same names on inline, Celery and RQ, told apart
by the ``backend`` label (the runtime that ran the job).

``adolf_task_runs_total{task,queue,backend,outcome}`` every delivery (outcome succeeded,
skipped, retrying, failed); ``adolf_task_failures_total`` deliveries that raised (retried or
not); ``adolf_task_retries_total`` retries scheduled; ``adolf_task_dead_letters_total`` jobs
failed for good; ``adolf_task_duration_seconds`` (histogram) a delivery's time; the bid cycle's
``adolf_bid_cycle_{campaigns,bids_changed,api_calls,errors}_total`` and
``adolf_bid_cycle_duration_seconds``. Queue lengths and the dead letters waiting are read from
the broker and the database when scraped (``render``), not counted here.

Two ways to keep them:

- in process (no directory): this object's registry. The inline runtime's jobs run in the
  API's process, so its ``/metrics`` shows them.
- a directory (``ADOLF_METRICS_DIR``): prometheus_client's multiprocess mode. Celery's pool
  children and RQ's forked work horses each write their own file there; whoever exposes
  them (the worker's port, the API's ``/metrics`` on the same host or volume) merges the
  directory at each scrape. Only counters and histograms are written there, so no gauge
  needs a ``multiprocess_mode``. The directory must be empty when the processes that share
  it start (prometheus_client's rule): the deployer's start script or a tmpfs mount wipes
  it; a worker given a port and no directory makes a fresh one of its own. Files are named
  after the writing process: a Celery pool child (one per ``max_tasks_per_child`` jobs) adds
  a file, an RQ worker's horses all share one (``rq_workers.metrics_identity``).

Multiprocess mode is process-wide in prometheus_client (the value class is chosen once), so
it is switched on just before the first metric is made, in the process that records it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, start_http_server
from prometheus_client import values as prometheus_values
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from adolf.application.ports.metrics import BidCycleFigures

TASK_LABELS = ("task", "queue", "backend")
FAILED_OUTCOMES = frozenset({"retrying", "failed"})
#: From a ping's milliseconds to the longest hard limit (35 min).
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 2400)
#: The cycle runs every 15 min; 1 000 campaigns over HTTP take ~14 min of quota.
CYCLE_BUCKETS = (0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 900, 1200)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

Identity = Callable[[], Any]


class MetricsDirectoryInUse(RuntimeError):
    """This process already writes its metrics to another directory."""


@dataclass(frozen=True)
class _Instruments:
    runs: Counter
    failures: Counter
    retries: Counter
    dead_letters: Counter
    duration: Histogram
    cycle_campaigns: Counter
    cycle_bids_changed: Counter
    cycle_api_calls: Counter
    cycle_errors: Counter
    cycle_duration: Histogram


class PrometheusTaskMetrics:
    """The ``TaskMetrics`` port on prometheus_client. ``backend`` labels everything this process
    records; ``directory`` switches on multiprocess mode; ``port`` is where a worker serves
    them (``start_worker``)."""

    def __init__(
        self, backend: str, *, directory: Path | None = None, port: int | None = None, address: str = "0.0.0.0"
    ) -> None:
        self.backend = backend
        self.directory = directory
        self.port = port
        self.address = address
        self._identity: Identity = os.getpid
        self._own = CollectorRegistry(auto_describe=True)
        self._instruments: _Instruments | None = None
        self._guard = threading.Lock()

    # -- the port -------------------------------------------------------------------
    def task_finished(self, task: str, queue: str, outcome: str, duration_s: float) -> None:
        made = self._made()
        made.runs.labels(task, queue, self.backend, outcome).inc()
        made.duration.labels(task, queue, self.backend).observe(duration_s)
        if outcome in FAILED_OUTCOMES:
            made.failures.labels(task, queue, self.backend).inc()

    def task_retried(self, task: str, queue: str) -> None:
        self._made().retries.labels(task, queue, self.backend).inc()

    def dead_lettered(self, task: str, queue: str) -> None:
        self._made().dead_letters.labels(task, queue, self.backend).inc()

    def bid_cycle(self, figures: BidCycleFigures) -> None:
        made = self._made()
        made.cycle_campaigns.labels(self.backend).inc(figures.campaigns)
        made.cycle_bids_changed.labels(self.backend).inc(figures.bids_changed)
        made.cycle_api_calls.labels(self.backend).inc(figures.api_calls)
        made.cycle_errors.labels(self.backend).inc(figures.errors)
        made.cycle_duration.labels(self.backend).observe(figures.duration_s)

    # -- exposing -------------------------------------------------------------------
    def registry(self) -> CollectorRegistry:
        """What to expose: the directory merged afresh (every process's files), or this
        process's own registry."""
        if self.directory is None:
            return self._own
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(self.directory))  # type: ignore[no-untyped-call]
        return registry

    def start_worker(self, identity: Identity = os.getpid) -> int | None:
        """In a worker's main process, before it forks its pool or horses: write to the
        directory (a fresh private one when only a port is set: forked children's metrics
        must reach the process that serves them), named by ``identity``; serve them on
        ``port``. Returns the port served, or None."""
        if self.directory is None and self.port is None:
            return None
        if self.directory is None:
            self.directory = _private_directory()
        self._identity = identity
        _multiprocess(self.directory, identity)
        if self.port is None:
            return None
        server, _thread = start_http_server(self.port, self.address, registry=self.registry())
        return int(server.server_port)

    def _made(self) -> _Instruments:
        if self._instruments is None:
            with self._guard:
                if self._instruments is None:
                    self._instruments = self._make()
        return self._instruments

    def _make(self) -> _Instruments:
        registry: CollectorRegistry | None = self._own
        if self.directory is not None:
            _multiprocess(self.directory, self._identity)
            registry = None  # the directory holds them; each scrape merges it into a fresh registry
        task = TASK_LABELS
        return _Instruments(
            runs=Counter("adolf_task_runs", "Deliveries of a task, by outcome", [*task, "outcome"], registry=registry),
            failures=Counter("adolf_task_failures", "Deliveries that raised", task, registry=registry),
            retries=Counter("adolf_task_retries", "Retries scheduled", task, registry=registry),
            dead_letters=Counter("adolf_task_dead_letters", "Jobs failed for good", task, registry=registry),
            duration=Histogram(
                "adolf_task_duration_seconds", "Time of one delivery", task, buckets=TASK_BUCKETS, registry=registry
            ),
            cycle_campaigns=Counter(
                "adolf_bid_cycle_campaigns", "Campaigns the bid cycle planned", ["backend"], registry=registry
            ),
            cycle_bids_changed=Counter(
                "adolf_bid_cycle_bids_changed", "Bids the bid cycle changed", ["backend"], registry=registry
            ),
            cycle_api_calls=Counter(
                "adolf_bid_cycle_api_calls", "Marketplace calls of the bid cycle", ["backend"], registry=registry
            ),
            cycle_errors=Counter(
                "adolf_bid_cycle_errors", "Campaigns the bid cycle failed on", ["backend"], registry=registry
            ),
            cycle_duration=Histogram(
                "adolf_bid_cycle_duration_seconds",
                "Time of one bid cycle",
                ["backend"],
                buckets=CYCLE_BUCKETS,
                registry=registry,
            ),
        )


_switched: str | None = None  # the directory this process writes to, once switched


def _multiprocess(directory: Path, identity: Identity) -> None:
    """Switch this process to multiprocess mode over ``directory``, once: a second value
    class would open the same files again and overwrite what the first wrote. Forked
    children inherit the switch (prometheus_client reopens files under their own name). The
    environment variable is what prometheus_client's file writer reads."""
    global _switched
    path = str(directory)
    if _switched is not None:
        if _switched != path:
            raise MetricsDirectoryInUse(f"this process writes its metrics to {_switched}, not {path}")
        return
    current = os.environ.get(MULTIPROC_ENV)
    if current not in (None, path):
        raise MetricsDirectoryInUse(f"{MULTIPROC_ENV}={current} but ADOLF_METRICS_DIR={path}")
    directory.mkdir(parents=True, exist_ok=True)
    os.environ[MULTIPROC_ENV] = path
    if identity is not os.getpid or not getattr(prometheus_values.ValueClass, "_multiprocess", False):
        prometheus_values.ValueClass = prometheus_values.MultiProcessValue(identity)  # type: ignore[no-untyped-call]
    _switched = path


def _private_directory() -> Path:
    owner = os.getpid()
    path = Path(tempfile.mkdtemp(prefix="adolf-metrics-"))

    def remove() -> None:
        if os.getpid() == owner:  # a forked child exiting must not take its parent's files
            shutil.rmtree(path, ignore_errors=True)

    atexit.register(remove)
    return path


class _Figures:
    """Gauges read at scrape time (a custom collector: nothing is written to the directory)."""

    def __init__(self, backend: str, queue_lengths: Mapping[str, int], dead_letters: int) -> None:
        self._backend = backend
        self._lengths = queue_lengths
        self._letters = dead_letters

    def collect(self) -> Iterator[Metric]:
        lengths = GaugeMetricFamily("adolf_queue_length", "Jobs waiting per queue", labels=["queue", "backend"])
        for queue, length in sorted(self._lengths.items()):
            lengths.add_metric([queue, self._backend], length)
        yield lengths
        yield GaugeMetricFamily("adolf_dead_letters", "Dead letters not yet re-driven", value=self._letters)


class _Merged:
    def __init__(self, parts: Iterable[Any]) -> None:
        self._parts = list(parts)

    def collect(self) -> Iterator[Metric]:
        for part in self._parts:
            yield from part.collect()


def render(metrics: object, backend: str, queue_lengths: Mapping[str, int], dead_letters: int) -> bytes:
    """The API's ``/metrics`` body: the tasks' metrics (``metrics``' registry when it is this
    adapter) and the queue lengths and dead letters read now."""
    parts: list[Any] = [_Figures(backend, queue_lengths, dead_letters)]
    if isinstance(metrics, PrometheusTaskMetrics):
        parts.insert(0, metrics.registry())
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Merged(parts))
    return generate_latest(registry)
