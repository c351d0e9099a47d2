"""The ``Services`` handed to use cases, assembled by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from adolf.adapters.sqlalchemy.app_unit_of_work import AppSqlUnitOfWork
from adolf.application.ports.alerts import Notifier
from adolf.application.ports.clock import Clock
from adolf.application.ports.lock import Lock
from adolf.application.ports.services import HealthProbe
from adolf.application.ports.tasks import TaskQueue


@dataclass
class AppServices:
    clock: Clock
    lock: Lock
    notifier: Notifier
    health: HealthProbe
    uow_factory: Callable[[], AppSqlUnitOfWork]
    queue_factory: Callable[[], TaskQueue]
    dry_run: bool = False

    @property
    def queue(self) -> TaskQueue:
        # Late: the queue's runner needs these services, so the queue is built after them.
        return self.queue_factory()

    def uow(self) -> AppSqlUnitOfWork:
        return self.uow_factory()
