"""``TaskQueue`` and ``QueueAdmin`` over a Celery app built by ``build_celery_app``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from celery import Celery, states
from celery.result import AsyncResult
from kombu.exceptions import ChannelError

from adolf.application.catalogue import Catalogue
from adolf.application.payload import validate_payload
from adolf.application.ports.tasks import TaskState, TaskStatus, WorkerInfo

INSPECT_TIMEOUT = 1.0

_STATES = {
    states.PENDING: TaskState.PENDING,
    states.RECEIVED: TaskState.PENDING,
    states.STARTED: TaskState.STARTED,
    states.RETRY: TaskState.RETRYING,
    states.SUCCESS: TaskState.SUCCEEDED,
    states.FAILURE: TaskState.FAILED,
    states.REVOKED: TaskState.FAILED,
    states.REJECTED: TaskState.FAILED,
}


class CountdownTooLong(ValueError):
    """On a Redis broker a job waiting for its countdown/ETA longer than the visibility
    timeout is handed out again while it waits, and then again: refused up front."""


class CeleryTaskQueue:
    def __init__(self, app: Celery) -> None:
        self.app = app
        self.catalogue: Catalogue = app.adolf.catalogue
        self._amqp = app.conf.broker_url.startswith(("amqp://", "amqps://", "pyamqp://"))
        self._visibility = int(app.conf.broker_transport_options.get("visibility_timeout") or 3600)

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
        body = validate_payload(self.catalogue, name, payload)  # InvalidPayload: nothing is sent
        chosen = spec.priority if priority is None else priority
        self._check_delay(countdown, eta)
        result = self.app.send_task(
            name,
            kwargs=body,
            queue=spec.queue,
            countdown=countdown,
            eta=eta,
            priority=9 - chosen if self._amqp else chosen,
            task_id=task_id,
        )
        return str(result.id)

    def _check_delay(self, countdown: float | None, eta: datetime | None) -> None:
        if self._amqp:
            return
        delay = countdown or 0.0
        if eta is not None:
            when = eta if eta.tzinfo else eta.replace(tzinfo=UTC)
            delay = max(delay, (when - datetime.now(UTC)).total_seconds())
        if delay >= self._visibility:
            raise CountdownTooLong(
                f"a delay of {delay:.0f} s is not below ADOLF_VISIBILITY_TIMEOUT={self._visibility} s: the Redis "
                "broker would hand the job out again while it waits; schedule it later or raise the timeout"
            )

    def status(self, task_id: str) -> TaskStatus:
        result = AsyncResult(task_id, app=self.app)
        state = _STATES.get(result.state, TaskState.UNKNOWN)
        name = getattr(result, "name", None)
        if state is TaskState.SUCCEEDED:
            value = result.result
            if isinstance(value, dict) and set(value) == {"skipped"}:
                return TaskStatus(task_id, TaskState.SKIPPED, name, value)
            return TaskStatus(task_id, state, name, value)
        if state in (TaskState.FAILED, TaskState.RETRYING):
            return TaskStatus(task_id, state, name, error=_error_text(result.info))
        return TaskStatus(task_id, state, name)

    # -- QueueAdmin port ------------------------------------------------------------
    def queue_lengths(self) -> dict[str, int]:
        """Messages waiting in each queue (every priority sub-queue counted); jobs a worker
        has reserved, or holds for a countdown, are not waiting and not counted."""
        lengths: dict[str, int] = {}
        with self.app.connection_for_write() as connection:
            channel = connection.default_channel
            for queue in self.catalogue.queues():
                try:
                    lengths[queue] = int(channel.queue_declare(queue=queue, passive=True).message_count)
                except ChannelError:
                    lengths[queue] = 0
        return lengths

    def purge(self, queue: str) -> int:
        """Drop the waiting messages of ``queue``; returns how many."""
        if queue not in self.catalogue.queues():
            raise ValueError(f"unknown queue {queue!r}; queues: {', '.join(self.catalogue.queues())}")
        with self.app.connection_for_write() as connection:
            return int(connection.default_channel.queue_purge(queue) or 0)

    def workers(self) -> list[WorkerInfo]:
        pings, inspect = self._inspect()
        if inspect is None:
            return []
        queues = inspect.active_queues() or {}
        active = inspect.active() or {}
        return [
            WorkerInfo(
                name=name,
                queues=tuple(q["name"] for q in queues.get(name, [])),
                state="up" if reply.get("ok") == "pong" else str(reply),
                current_jobs=tuple(job["id"] for job in active.get(name, [])),
            )
            for name, reply in sorted(pings.items())
        ]

    def jobs(self) -> dict[str, list[str]]:
        _, inspect = self._inspect()
        if inspect is None:
            return {"active": [], "reserved": [], "scheduled": []}
        return {
            "active": _ids(inspect.active()),
            "reserved": _ids(inspect.reserved()),
            "scheduled": _ids(inspect.scheduled(), nested="request"),
        }

    def _inspect(self) -> tuple[dict[str, dict[str, Any]], Any]:
        """Ping once (waiting ``INSPECT_TIMEOUT``), then ask exactly the workers that
        answered, so each further question returns as soon as they have all replied."""
        pings = self.app.control.inspect(timeout=INSPECT_TIMEOUT).ping() or {}
        if not pings:
            return {}, None
        names = sorted(pings)
        return pings, self.app.control.inspect(destination=names, limit=len(names), timeout=INSPECT_TIMEOUT)


def _ids(replies: dict[str, list[dict[str, Any]]] | None, nested: str | None = None) -> list[str]:
    ids: list[str] = []
    for jobs in (replies or {}).values():
        for job in jobs:
            ids.append(str((job.get(nested) or {}).get("id") if nested else job.get("id")))
    return ids


def _error_text(info: Any) -> str | None:
    if info is None:
        return None
    if isinstance(info, BaseException):
        message = str(info)
        if type(info).__name__ in ("TaskDeadLettered", "TaskRetrying") and message:
            return message
        return f"{type(info).__name__}: {message}" if message else type(info).__name__
    return str(info)
