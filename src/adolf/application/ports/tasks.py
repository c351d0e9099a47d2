"""Port: the task queue, as use cases and the CLI see it (enqueue by name, look up by id)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol


class TaskState(StrEnum):
    PENDING = "pending"  # queued or scheduled, not started
    STARTED = "started"
    RETRYING = "retrying"
    SUCCEEDED = "succeeded"
    SKIPPED = "skipped"  # e.g. lock_not_acquired, duplicate_fire
    FAILED = "failed"  # dead-lettered
    UNKNOWN = "unknown"  # the backend does not know the id (expired or never existed)


@dataclass(frozen=True, slots=True)
class TaskStatus:
    task_id: str
    state: TaskState
    name: str | None = None
    result: Any = None
    error: str | None = None


class TaskQueue(Protocol):
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
        """Queue the named task with a JSON payload; return its id."""

    def status(self, task_id: str) -> TaskStatus: ...


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    name: str
    queues: tuple[str, ...]
    state: str
    current_jobs: tuple[str, ...] = field(default=())


class QueueAdmin(Protocol):
    """What a deployer asks of a backend (SPEC §2 ops commands)."""

    def queue_lengths(self) -> dict[str, int]: ...

    def purge(self, queue: str) -> int: ...

    def workers(self) -> list[WorkerInfo]: ...

    def jobs(self) -> dict[str, list[str]]:
        """Ids of active / reserved / scheduled jobs, by that state."""
