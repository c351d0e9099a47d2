"""In-process task queue: the embedded default and the deterministic test runtime.

Jobs wait on a heap ordered by due time, priority and arrival. ``drain()`` runs what is
due; with a ``ManualClock`` and ``advance=True`` it moves the clock to each retry's due
time instead of sleeping, so a test drains a day of retries in milliseconds. The same
``TaskRunner`` rules apply as on Celery and RQ.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from adolf.adapters.clocks import ManualClock
from adolf.adapters.queues.time_limits import hard_time_limit
from adolf.application.catalogue import Catalogue
from adolf.application.payload import validate_payload
from adolf.application.ports.clock import Clock
from adolf.application.ports.tasks import TaskState, TaskStatus, WorkerInfo
from adolf.application.runtime import TaskRunner

ResultSink = Callable[[TaskStatus, dict[str, Any], int], None]


@dataclass(order=True)
class _Job:
    due: datetime
    priority: int
    seq: int
    task_id: str = field(compare=False)
    name: str = field(compare=False)
    payload: dict[str, Any] = field(compare=False)
    attempt: int = field(compare=False, default=1)


class InlineTaskQueue:
    def __init__(
        self,
        runner: TaskRunner,
        clock: Clock,
        *,
        eager: bool = True,
        result_sink: ResultSink | None = None,
        result_source: Callable[[str], TaskStatus | None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.runner = runner
        self.catalogue: Catalogue = runner.catalogue
        self.clock = clock
        self.eager = eager
        self._heap: list[_Job] = []
        self._seq = itertools.count()
        self._results: dict[str, TaskStatus] = {}
        self._sink = result_sink
        self._source = result_source
        self._sleep = sleep
        self._guard = threading.RLock()
        self._local = threading.local()  # per-thread "draining" flag: threads may trigger at once
        self.executed: list[tuple[str, str, TaskState]] = []  # (task_id, name, state), in order

    # -- TaskQueue port -------------------------------------------------------------
    def enqueue(
        self,
        name: str,
        payload: Mapping[str, Any] | None = None,
        *,
        countdown: float | None = None,
        eta: datetime | None = None,
        priority: int | None = None,
        task_id: str | None = None,
    ) -> str:
        spec = self.catalogue.get(name)
        body = validate_payload(self.catalogue, name, payload)  # InvalidPayload: nothing is queued
        task_id = task_id or str(uuid.uuid4())
        now = self.clock.now()
        due = eta or (now + timedelta(seconds=countdown) if countdown else now)
        job = _Job(due, spec.priority if priority is None else priority, next(self._seq), task_id, name, body)
        with self._guard:
            heapq.heappush(self._heap, job)
            self._results[task_id] = TaskStatus(task_id, TaskState.PENDING, name)
        if self.eager and not getattr(self._local, "draining", False) and due <= now:
            self.drain(follow_retries=True)
        return task_id

    def status(self, task_id: str) -> TaskStatus:
        known = self._results.get(task_id)
        if known is None and self._source is not None:
            known = self._source(task_id)  # a run made by an earlier process
        return known or TaskStatus(task_id, TaskState.UNKNOWN)

    # -- running --------------------------------------------------------------------
    def pending(self) -> int:
        return len(self._heap)

    def drain(self, *, advance: bool = False, until: datetime | None = None, follow_retries: bool = False) -> int:
        """Run every due job (and jobs they enqueue). Future jobs run only up to ``until``
        (or, with ``follow_retries``, when they are retries of a job delivered here): on a
        ``ManualClock`` with ``advance`` the clock jumps to them, otherwise we sleep.
        Returns the number of deliveries made."""
        runs = 0
        followed: set[str] = set()
        self._local.draining = True
        try:
            while True:
                with self._guard:
                    if not self._heap:
                        break
                    job = self._heap[0]
                    now = self.clock.now()
                    if job.due > now:
                        wanted = (until is not None and job.due <= until) or (
                            follow_retries and job.task_id in followed
                        )
                        if not wanted:
                            break
                        if advance and isinstance(self.clock, ManualClock):
                            self.clock.set(job.due)
                            wait = 0.0
                        else:
                            wait = (job.due - now).total_seconds()
                    else:
                        wait = 0.0
                    if wait <= 0:
                        heapq.heappop(self._heap)
                if wait > 0:
                    self._sleep(wait)
                    continue
                followed.add(job.task_id)
                self._deliver(job)
                runs += 1
        finally:
            self._local.draining = False
        return runs

    def _deliver(self, job: _Job) -> None:
        spec = self.catalogue.get(job.name)
        self._record(TaskStatus(job.task_id, TaskState.STARTED, job.name), job)
        with hard_time_limit(spec.time_limit, spec.name):
            outcome = self.runner.run(job.name, job.payload, job.task_id, job.attempt)
        self.executed.append((job.task_id, job.name, outcome.state))
        if outcome.state is TaskState.RETRYING:
            retry = _Job(
                self.clock.now() + timedelta(seconds=outcome.retry_in or 0),
                job.priority,
                next(self._seq),
                job.task_id,
                job.name,
                job.payload,
                job.attempt + 1,
            )
            with self._guard:
                heapq.heappush(self._heap, retry)
        self._record(TaskStatus(job.task_id, outcome.state, job.name, outcome.result, outcome.error), job)

    def _record(self, status: TaskStatus, job: _Job) -> None:
        self._results[job.task_id] = status
        if self._sink is not None:
            self._sink(status, job.payload, job.attempt)

    # -- QueueAdmin port ------------------------------------------------------------
    def queue_lengths(self) -> dict[str, int]:
        lengths = dict.fromkeys(self.catalogue.queues(), 0)
        for job in self._heap:
            queue = self.catalogue.get(job.name).queue
            lengths[queue] = lengths.get(queue, 0) + 1
        return lengths

    def purge(self, queue: str) -> int:
        with self._guard:
            return self._purge(queue)

    def _purge(self, queue: str) -> int:
        kept = [j for j in self._heap if self.catalogue.get(j.name).queue != queue]
        purged = len(self._heap) - len(kept)
        self._heap = kept
        heapq.heapify(self._heap)
        return purged

    def workers(self) -> list[WorkerInfo]:
        return [WorkerInfo("inline (this process)", tuple(self.catalogue.queues()), "up")]

    def jobs(self) -> dict[str, list[str]]:
        now = self.clock.now()
        return {
            "active": [],
            "reserved": [j.task_id for j in self._heap if j.due <= now],
            "scheduled": [j.task_id for j in self._heap if j.due > now],
        }
