"""Watcher's outbox: the shared one (``application/outbox_dispatch``) under the topic
``watcher.dispatch``, plus Watcher's own kind: ids to push to ``watcher:task_queue:{mp}``
(at the tail, or at the head for tasks given back).

A job writes its decision (tasks created or given back, alerts, a panic) and the effects it
owes in one transaction; only after the commit are they sent, then marked sent (see
``outbox_dispatch`` for why and for the leftovers of a job that died after its commit).
Without this a retried ``generate_daily_tasks`` would find its tasks created, create none,
push none, and the night would never be queued.

Sending twice is harmless by design: a queue may hold an id twice (whoever pops checks the
task's status), the follow-up jobs are idempotent, and a notification's key is the same on
every attempt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from adolf.application import outbox_dispatch
from adolf.application.outbox_dispatch import ENQUEUE as ENQUEUE  # re-exported: Watcher's kinds and age
from adolf.application.outbox_dispatch import LEFTOVER_AGE as LEFTOVER_AGE
from adolf.application.outbox_dispatch import NOTIFY as NOTIFY
from adolf.application.ports.outbox import OutboxEntry
from adolf.application.watcher.ports import WatcherServices, WatcherUnitOfWork
from adolf.domain.alerts.users import User
from adolf.domain.marketplace import Marketplace

TASK = "watcher.dispatch"
PUSH, PUSH_FRONT = "push", "push_front"


def push(
    key: str, marketplace: Marketplace, task_ids: Sequence[int], now: datetime, *, front: bool = False
) -> OutboxEntry:
    """Ids for ``watcher:task_queue:{mp}``: at the tail, or with ``front`` at the head
    (``task_ids[0]`` popped first)."""
    payload = {"mp": marketplace.value, "ids": list(task_ids)}
    return OutboxEntry(key, TASK, PUSH_FRONT if front else PUSH, payload, now)


def enqueue(key: str, name: str, payload: dict[str, Any], now: datetime) -> OutboxEntry:
    return outbox_dispatch.enqueue(TASK, key, name, payload, now)


def notify(key: str, people: Sequence[User], subject: str, body: str, now: datetime) -> OutboxEntry:
    """One notification per person, keyed ``{key}:{person}`` (as ``alert_delivery`` keys them)."""
    return outbox_dispatch.notify(TASK, key, people, subject, body, now)


def record(uow: WatcherUnitOfWork, entries: Sequence[OutboxEntry]) -> list[str]:
    """Claim the entries in the caller's transaction; the keys to ``flush`` after its commit."""
    return outbox_dispatch.record(uow, entries, _empty)


def _empty(entry: OutboxEntry) -> bool:
    if entry.kind in (PUSH, PUSH_FRONT):
        return not entry.payload["ids"]
    return outbox_dispatch.is_empty(entry)


@dataclass
class Flushed(outbox_dispatch.Flushed):
    pushed: dict[str, int] = field(default_factory=dict)  # marketplace → ids pushed


def flush(services: WatcherServices, keys: Sequence[str] = ()) -> Flushed:
    """Send the pending entries with ``keys`` and the leftovers of dead jobs; mark them sent."""

    def send_own(entry: OutboxEntry, report: Flushed) -> bool:
        if entry.kind not in (PUSH, PUSH_FRONT):
            return False
        marketplace = Marketplace(entry.payload["mp"])
        ids = [int(task_id) for task_id in entry.payload["ids"]]
        if entry.kind == PUSH:
            services.parsing_queue.push(marketplace, ids)
        else:
            services.parsing_queue.push_front(marketplace, ids)
        report.pushed[marketplace.value] = report.pushed.get(marketplace.value, 0) + len(ids)
        return True

    return outbox_dispatch.flush_into(services, TASK, keys, Flushed(), send_own, _heads_last)


def _heads_last(entries: list[OutboxEntry]) -> list[OutboxEntry]:
    """Heads last, newest first: the earliest given-back tasks end at the very head."""
    return [e for e in entries if e.kind != PUSH_FRONT] + [e for e in reversed(entries) if e.kind == PUSH_FRONT]
