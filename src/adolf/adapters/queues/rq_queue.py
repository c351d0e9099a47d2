"""RQ backend of the ``TaskQueue`` and ``QueueAdmin`` ports, derived from the catalogue.

- One RQ queue per catalogue queue; every job calls ``rq_jobs.execute(name, payload)``
  with the spec's options (``rq_jobs.job_options``): hard limit as ``job_timeout``,
  ``Retry`` intervals from the policy, results 1 h, failed jobs 1 day.
- ``countdown`` / ``eta`` become RQ scheduled jobs, moved to the queue by the scheduler
  the workers run (``--with-scheduler``). RQ keeps scheduled times in whole seconds, so the
  instant is rounded *up*: a job never runs before its eta.
- Priority: RQ has one FIFO list per queue and no per-job priority. A job of priority
  0..2 (``FRONT_OF_QUEUE_PRIORITY``) is pushed to the head of its queue, the rest to the
  tail; jobs pushed to the head run newest first among themselves.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from redis import Redis
from rq import Queue
from rq.exceptions import DeserializationError, NoSuchJobError
from rq.job import Job, JobStatus

from adolf.adapters.queues.rq_admin import RqQueueAdmin
from adolf.adapters.queues.rq_jobs import SERIALIZER, TaskFailed, at_front, execute, job_options
from adolf.application.catalogue import Catalogue
from adolf.application.payload import validate_payload
from adolf.application.ports.tasks import TaskState, TaskStatus

_FAILED_PREFIX = f"{TaskFailed.__module__}.{TaskFailed.__qualname__}: "
_PENDING = {
    JobStatus.QUEUED,
    JobStatus.SCHEDULED,
    JobStatus.DEFERRED,
    JobStatus.CREATED,
    JobStatus.RATE_LIMITED,
    JobStatus.READY_TO_ENQUEUE,
}


class RqTaskQueue(RqQueueAdmin):
    def __init__(self, redis: Redis, catalogue: Catalogue) -> None:
        self.redis = redis
        self.catalogue = catalogue
        self._queues: dict[str, Queue] = {}

    def queue(self, name: str) -> Queue:
        if name not in self._queues:
            self._queues[name] = Queue(name, connection=self.redis, serializer=SERIALIZER)
        return self._queues[name]

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
        options = job_options(spec)
        options.update(
            args=(name, body),
            job_id=task_id or uuid.uuid4().hex,
            at_front=at_front(spec.priority if priority is None else priority),
        )
        queue = self.queue(spec.queue)
        due = _due(countdown, eta)
        job = queue.enqueue_at(due, execute, **options) if due else queue.enqueue(execute, **options)
        return str(job.id)

    def status(self, task_id: str) -> TaskStatus:
        try:
            job = Job.fetch(task_id, connection=self.redis, serializer=SERIALIZER)
        except NoSuchJobError:
            return TaskStatus(task_id, TaskState.UNKNOWN)
        name = _task_name(job)
        state = job.get_status(refresh=False)
        if state == JobStatus.STARTED:
            return TaskStatus(task_id, TaskState.STARTED, name)
        if state in _PENDING:
            retried = job.retries_left is not None and job.retries_left < len(job.retry_intervals or [])
            return TaskStatus(task_id, TaskState.RETRYING if retried else TaskState.PENDING, name)
        if state == JobStatus.FINISHED:
            result = job.return_value()
            skipped = isinstance(result, dict) and set(result) == {"skipped"}
            return TaskStatus(task_id, TaskState.SKIPPED if skipped else TaskState.SUCCEEDED, name, result)
        if state in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
            return TaskStatus(task_id, TaskState.FAILED, name, error=_error_text(job, state))
        return TaskStatus(task_id, TaskState.UNKNOWN, name)


def _due(countdown: float | None, eta: datetime | None) -> datetime | None:
    if eta is not None:
        when = eta if eta.tzinfo else eta.replace(tzinfo=UTC)
    elif countdown and countdown > 0:
        when = datetime.now(UTC) + timedelta(seconds=countdown)
    else:
        return None
    return datetime.fromtimestamp(math.ceil(when.timestamp()), UTC)


def _task_name(job: Job) -> str | None:
    try:
        args = job.args
    except DeserializationError:
        return None
    return str(args[0]) if args else None


def _error_text(job: Job, state: JobStatus) -> str:
    result = job.latest_result()
    text = (result.exc_string if result is not None else None) or ""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return f"job {state.value}"
    return lines[-1].removeprefix(_FAILED_PREFIX)
