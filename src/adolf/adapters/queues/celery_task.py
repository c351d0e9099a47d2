"""One Celery task per catalogue spec. Its body is the shared ``TaskRunner``; the task only
maps the runner's ``Outcome`` onto Celery's mechanics:

- SUCCEEDED / SKIPPED → the return value (a skip is ``{"skipped": reason}``, state SUCCESS);
- RETRYING → ``self.retry(countdown=outcome.retry_in)``. The runner alone decides whether a
  retry is due, so Celery's own ``max_retries`` is set above the policy and never fires;
- FAILED → ``TaskDeadLettered`` (state FAILURE). The runner has already written the dead
  letter and the critical alert.

A job is put back on its queue when its process dies (``reject_on_worker_lost``) or its
worker vanishes (the broker redelivers it), and runs again. Each delivery of an attempt is
counted in Redis (redeliveries only, so a first delivery costs nothing); past ``MAX_REDELIVERIES`` redeliveries the job is dead-lettered as
``WorkerLost`` rather than run again, so a job that kills its process every time stops.

A hard time limit kills the pool child, so the runner never returns: the worker's main
process records that failure in ``DeadLetteringRequest.on_timeout``, which billiard calls
exactly once per timed-out job (Celery's ``task_failure`` signal fires twice for it: once
from the pool's error callback and once from the timeout handler).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import Celery, Task
from celery.exceptions import Ignore, Reject
from celery.worker import state as worker_state
from celery.worker.request import Request
from redis.exceptions import RedisError

from adolf.adapters.queues.worker_lost import MAX_REDELIVERIES, WorkerLost
from adolf.application.catalogue import TaskSpec
from adolf.application.ports.tasks import TaskState
from adolf.application.runtime import LOCK_HELD_BY_LIVE_DELIVERY, TaskRunner

log = logging.getLogger(__name__)


class TaskDeadLettered(Exception):
    """The runner gave up on the job (bad payload, retries exhausted, permanent error) and
    recorded its dead letter; the message is the job's error."""


#: Seconds a job keeps trying to publish its retry while the broker is away.
RETRY_PUBLISH_PATIENCE = 120


class TaskRetrying(Exception):
    """The error of an attempt that will be retried (shown in Celery's RETRY state)."""


class DeadLetteringRequest(Request):
    def on_timeout(self, soft: bool, timeout: float) -> None:
        super().on_timeout(soft, timeout)
        if soft or worker_state.should_terminate:
            return
        task = self.task
        if not isinstance(task, CatalogueTask):
            return
        attempts = int(self.request_dict.get("retries") or 0) + 1
        error = f"TimeLimitExceeded: {task.name} exceeded its hard time limit of {timeout} s"
        try:
            task.runner.dead_letter(task.spec, self.kwargs, self.id, error, attempts)
        except Exception:  # the worker's main loop must survive a database outage
            log.exception("could not record the dead letter of %s[%s] after its hard time limit", task.name, self.id)


class CatalogueTask(Task):  # type: ignore[misc]
    """Base of the generated tasks; ``spec`` and ``runner`` are set per task."""

    Request = DeadLetteringRequest
    spec: TaskSpec
    runner: TaskRunner
    typing = False  # the runner validates payloads and dead-letters bad ones at once
    throws = (TaskDeadLettered,)  # expected: logged without a second traceback


def _times_lost(task: CatalogueTask, request: Any) -> int:
    """How many deliveries of this attempt died before finishing. A first delivery costs no
    Redis call: only a message the broker marks redelivered is counted."""
    context = getattr(task.app, "adolf", None)
    if context is None or context.deliveries is None or not (request.delivery_info or {}).get("redelivered"):
        return 0
    try:
        return int(context.deliveries.count(request.id, request.retries))
    except RedisError:  # the count is a safety net: without Redis the job still runs
        log.warning("could not count the deliveries of %s[%s]", task.name, request.id, exc_info=True)
        return 0


def _retry_through_outage(task: CatalogueTask, countdown: float, error: Exception) -> None:
    """``task.retry`` publishes the next attempt; with the broker away Celery turns that into
    ``Reject(requeue=False)`` and the job is gone. Keep trying to publish for
    ``RETRY_PUBLISH_PATIENCE`` s (a transient failure is often the broker's own outage);
    past it, reject with requeue, so the broker (when it can) keeps the job."""
    deadline = time.monotonic() + RETRY_PUBLISH_PATIENCE
    wait = 1.0
    while True:
        started = time.monotonic()
        try:
            # the runner decides; Celery's cap never fires
            raise task.retry(countdown=countdown, exc=error, max_retries=task.spec.max_attempts)
        except Reject as rejected:
            if time.monotonic() + wait > deadline:
                log.error(
                    "could not publish the retry of %s[%s]: %s; handing it back to the broker",
                    task.name,
                    task.request.id,
                    rejected.reason,
                )
                raise Reject(rejected.reason, requeue=True) from None
            log.warning(
                "could not publish the retry of %s[%s] (%s); trying again in %.0f s",
                task.name,
                task.request.id,
                rejected.reason,
                wait,
            )
            time.sleep(wait)
            countdown = max(0.0, countdown - (time.monotonic() - started))
            wait = min(wait * 2, 10.0)


def _died_mid_job(task: CatalogueTask, request: Any, attempt: int) -> bool:
    """Only for a task that must not run twice: did an earlier delivery of this attempt
    start (and die)? A stopping worker hands back prefetched jobs it never started; those
    are redelivered too and must run. Idempotent tasks cost no Redis call here."""
    context = getattr(task.app, "adolf", None)
    if task.spec.idempotent or context is None or context.deliveries is None:
        return False
    try:
        if (request.delivery_info or {}).get("redelivered") and context.deliveries.was_started(request.id, attempt):
            return True
        context.deliveries.mark_started(request.id, attempt)
    except RedisError:  # without Redis the job still runs (at least once)
        log.warning("could not check the earlier deliveries of %s[%s]", task.name, request.id, exc_info=True)
    return False


def register_tasks(app: Celery, runner: TaskRunner) -> None:
    """Register one task per catalogue spec, named after the spec (queue and priority are
    in ``task_routes``)."""
    for spec in runner.catalogue:
        _register(app, spec, runner)


def _register(app: Celery, spec: TaskSpec, runner: TaskRunner) -> None:
    def run(self: CatalogueTask, **payload: Any) -> Any:
        request = self.request
        lost = _times_lost(self, request)
        if lost > MAX_REDELIVERIES:
            error = WorkerLost(f"worker lost {lost} times while running the job")
            self.runner.dead_letter(self.spec, payload, request.id, error, request.retries + 1)
            raise TaskDeadLettered(f"WorkerLost: {error}")
        attempt = request.retries + 1
        outcome = self.runner.run(
            self.name, payload, request.id, attempt, redelivered=_died_mid_job(self, request, attempt)
        )
        if outcome.state is TaskState.RETRYING:
            _retry_through_outage(self, outcome.retry_in or 0.0, TaskRetrying(outcome.error))
        if outcome.state is TaskState.FAILED:
            raise TaskDeadLettered(outcome.error)
        if outcome.result == {"skipped": LOCK_HELD_BY_LIVE_DELIVERY}:
            # A Redis broker handed the job out again while it still runs (past the visibility
            # timeout): this delivery gives way, and must not write its skip over the job's
            # own state, which the running delivery records when it ends.
            raise Ignore()
        return outcome.result

    run.__name__ = run.__qualname__ = spec.name.replace(".", "_")
    app.task(
        run,
        bind=True,
        base=CatalogueTask,
        name=spec.name,
        shared=False,
        spec=spec,
        runner=runner,
        soft_time_limit=spec.soft_time_limit,
        time_limit=spec.time_limit,
        acks_late=True,
        reject_on_worker_lost=True,
        track_started=True,
        max_retries=None,
    )
