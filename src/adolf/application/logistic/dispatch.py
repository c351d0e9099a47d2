"""Logistic's outbox: the shared one (``application/outbox_dispatch``) under the topic
``logistic.dispatch``.

A Logistic job records the jobs it chains (``sync_ozon_stocks`` → ``generate_alerts``, an
analytics page → the next) and the notifications of its new alerts in the transaction that
stores its decision; they are sent after the commit, and a job dying in between leaves them
for the next Logistic job that flushes (``outbox_dispatch.LEFTOVER_AGE``). Logistic has no
kind of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from adolf.application import outbox_dispatch
from adolf.application.outbox_dispatch import Flushed
from adolf.application.ports.outbox import OutboxEntry
from adolf.application.ports.services import Services, SystemUnitOfWork
from adolf.domain.alerts.users import User

TOPIC = "logistic.dispatch"


def enqueue(
    key: str, name: str, payload: dict[str, Any], now: datetime, *, countdown: float | None = None
) -> OutboxEntry:
    return outbox_dispatch.enqueue(TOPIC, key, name, payload, now, countdown=countdown)


def notify(key: str, people: Sequence[User], subject: str, body: str, now: datetime) -> OutboxEntry:
    return outbox_dispatch.notify(TOPIC, key, people, subject, body, now)


def record(uow: SystemUnitOfWork, entries: Sequence[OutboxEntry]) -> list[str]:
    return outbox_dispatch.record(uow, entries)


def flush(services: Services, keys: Sequence[str] = ()) -> Flushed:
    return outbox_dispatch.flush(services, TOPIC, keys)
