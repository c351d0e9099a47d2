"""What the task runtime and the use cases report for monitoring: each delivery of a task
(its outcome and how long it took), the retries scheduled, the dead letters, and the bid
cycle's figures.

The runtime knows these events on every backend (inline, Celery, RQ run the same
``TaskRunner``), so reporting them here gives the same figures whatever runs the jobs; the
adapter decides how they are kept and exposed (Prometheus, in ``adapters/observability``).
Without one — a bare install has no Prometheus client — ``NO_METRICS`` takes them and keeps
nothing.

A use case reports to ``current_metrics()``: the metrics of the runner delivering it, set
for the duration of the delivery (``reporting_to``). That keeps ``Services`` — and every
implementation of it — unchanged for one use case's figures; a use case called outside a
runner (a test, the CLI) reports to ``NO_METRICS``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class BidCycleFigures:
    """One bid cycle's totals, over every marketplace."""

    campaigns: int
    bids_changed: int
    api_calls: int
    errors: int
    duration_s: float


class TaskMetrics(Protocol):
    """Never raises into the job: a metric that cannot be kept must not fail a task (the
    runner also guards each call)."""

    def task_finished(self, task: str, queue: str, outcome: str, duration_s: float) -> None:
        """One delivery ended: ``outcome`` is succeeded, skipped, retrying or failed."""

    def task_retried(self, task: str, queue: str) -> None:
        """The delivery failed and another attempt is scheduled."""

    def dead_lettered(self, task: str, queue: str) -> None:
        """The job failed for good: its dead letter is written (or spooled)."""

    def bid_cycle(self, figures: BidCycleFigures) -> None: ...


class NoMetrics:
    """Keeps nothing: the default of a runner built without metrics."""

    def task_finished(self, task: str, queue: str, outcome: str, duration_s: float) -> None:
        return None

    def task_retried(self, task: str, queue: str) -> None:
        return None

    def dead_lettered(self, task: str, queue: str) -> None:
        return None

    def bid_cycle(self, figures: BidCycleFigures) -> None:
        return None


NO_METRICS: TaskMetrics = NoMetrics()

_current: ContextVar[TaskMetrics] = ContextVar("adolf_task_metrics", default=NO_METRICS)


def current_metrics() -> TaskMetrics:
    """The metrics of the delivery running in this thread, or ``NO_METRICS``."""
    return _current.get()


@contextmanager
def reporting_to(metrics: TaskMetrics) -> Iterator[None]:
    token = _current.set(metrics)
    try:
        yield
    finally:
        _current.reset(token)
