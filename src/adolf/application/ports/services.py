"""Port: what a use case is handed when it runs as a task.

The composition root builds one implementation per process; a use case reads only the
ports it needs from it. Unit tests pass a dataclass of fakes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from adolf.application.ports.alerts import AlertStore, Notifier
from adolf.application.ports.clock import Clock
from adolf.application.ports.dead_letters import DeadLetters
from adolf.application.ports.idempotency import IdempotencyKeys
from adolf.application.ports.lock import Lock
from adolf.application.ports.outbox import Outbox
from adolf.application.ports.tasks import TaskQueue
from adolf.application.ports.unit_of_work import UnitOfWork


class TaskRunLog(Protocol):
    """The in-process runtime's record of runs (Celery and RQ keep their own, with a TTL)."""

    def delete_before(self, cutoff: datetime) -> int: ...


class SystemUnitOfWork(UnitOfWork, Protocol):
    dead_letters: DeadLetters
    alerts: AlertStore
    idempotency: IdempotencyKeys
    outbox: Outbox

    @property
    def task_runs(self) -> TaskRunLog:
        """Read-only here, so an adapter may expose a richer run log under the same name."""


class HealthProbe(Protocol):
    def database(self) -> str:
        """'ok' or the error text."""

    def redis(self) -> str: ...

    def queue_lengths(self) -> dict[str, int]: ...


class Services(Protocol):
    @property
    def clock(self) -> Clock: ...

    @property
    def lock(self) -> Lock: ...

    @property
    def queue(self) -> TaskQueue: ...

    @property
    def notifier(self) -> Notifier: ...

    @property
    def health(self) -> HealthProbe: ...

    def uow(self) -> SystemUnitOfWork: ...
