"""Watcher's outbox: what a job decided to send, recorded with its decision, then sent.

A job writes its decision (tasks created or given back, alerts, a panic) and the effects it
owes in one transaction: ids to push to ``watcher:task_queue:{mp}`` (at the tail, or at the
head for tasks given back), follow-up jobs to enqueue, notifications to send. Only after the
commit are they sent, then marked sent. A job that fails between its commit and the mark
(Redis away, a worker killed) leaves them pending: its retry, or any Watcher job flushing
after ``LEFTOVER_AGE``, sends them. Without this a retried ``generate_daily_tasks`` would find
its tasks created, create none, push none, and the night would never be queued.

Sending twice is harmless by design: a queue may hold an id twice (whoever pops checks the
task's status), the follow-up jobs are idempotent, and a notification's key is the same on
every attempt. Keys are unique (``outbox.key``): recording an entry again records nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from adolf.application.ports.alerts import Notification
from adolf.application.ports.outbox import OutboxEntry
from adolf.application.watcher.ports import WatcherServices, WatcherUnitOfWork
from adolf.domain.alerts.users import User
from adolf.domain.marketplace import Marketplace

TASK = "watcher.dispatch"
PUSH, PUSH_FRONT, ENQUEUE, NOTIFY = "push", "push_front", "enqueue", "notify"
#: A pending entry older than this belongs to a job that died after its commit: whoever
#: flushes next sends it. Younger ones are left to their own job (no two jobs race to send).
LEFTOVER_AGE = timedelta(minutes=2)


def push(
    key: str, marketplace: Marketplace, task_ids: Sequence[int], now: datetime, *, front: bool = False
) -> OutboxEntry:
    """Ids for ``watcher:task_queue:{mp}``: at the tail, or with ``front`` at the head
    (``task_ids[0]`` popped first)."""
    payload = {"mp": marketplace.value, "ids": list(task_ids)}
    return OutboxEntry(key, TASK, PUSH_FRONT if front else PUSH, payload, now)


def enqueue(key: str, name: str, payload: dict[str, Any], now: datetime) -> OutboxEntry:
    return OutboxEntry(key, TASK, ENQUEUE, {"name": name, "payload": payload}, now)


def notify(key: str, people: Sequence[User], subject: str, body: str, now: datetime) -> OutboxEntry:
    """One notification per person, keyed ``{key}:{person}`` (as ``alert_delivery`` keys them)."""
    payload = {"recipients": [person.id for person in people], "subject": subject, "body": body}
    return OutboxEntry(key, TASK, NOTIFY, payload, now)


def record(uow: WatcherUnitOfWork, entries: Sequence[OutboxEntry]) -> list[str]:
    """Claim the entries in the caller's transaction; the keys to ``flush`` after its commit
    (all of them: an entry recorded by an earlier attempt of the same job is still owed)."""
    wanted = [entry for entry in entries if not _empty(entry)]
    if wanted:
        uow.outbox.claim_many(wanted)
    return [entry.key for entry in wanted]


def _empty(entry: OutboxEntry) -> bool:
    if entry.kind in (PUSH, PUSH_FRONT):
        return not entry.payload["ids"]
    return entry.kind == NOTIFY and not entry.payload["recipients"]


@dataclass
class Flushed:
    pushed: dict[str, int] = field(default_factory=dict)  # marketplace → ids pushed
    enqueued: int = 0
    notified: int = 0
    leftovers: int = 0  # entries of earlier jobs sent by this one


def flush(services: WatcherServices, keys: Sequence[str] = ()) -> Flushed:
    """Send the pending entries with ``keys`` and the leftovers of dead jobs; mark them sent."""
    now = services.clock.now()
    mine = set(keys)
    with services.uow() as uow:
        own = uow.outbox.pending(TASK, list(mine)) if mine else []
        leftovers = [e for e in uow.outbox.pending(TASK) if e.key not in mine and e.created_at <= now - LEFTOVER_AGE]
    report = Flushed(leftovers=len(leftovers))
    entries = sorted([*own, *leftovers], key=lambda e: e.id or 0)
    # Heads last, newest first: the earliest given-back tasks end at the very head.
    ordered = [e for e in entries if e.kind != PUSH_FRONT] + [e for e in reversed(entries) if e.kind == PUSH_FRONT]
    sent: list[int] = []
    try:
        for entry in ordered:
            _send(services, entry, report)
            sent.append(entry.id or 0)
    finally:
        if sent:
            with services.uow() as uow:
                uow.outbox.mark_sent(sent, services.clock.now())
                uow.commit()
    return report


def _send(services: WatcherServices, entry: OutboxEntry, report: Flushed) -> None:
    body = entry.payload
    if entry.kind in (PUSH, PUSH_FRONT):
        marketplace = Marketplace(body["mp"])
        ids = [int(task_id) for task_id in body["ids"]]
        if entry.kind == PUSH:
            services.parsing_queue.push(marketplace, ids)
        else:
            services.parsing_queue.push_front(marketplace, ids)
        report.pushed[marketplace.value] = report.pushed.get(marketplace.value, 0) + len(ids)
    elif entry.kind == ENQUEUE:
        services.queue.enqueue(body["name"], body["payload"])
        report.enqueued += 1
    elif entry.kind == NOTIFY:
        people = [str(person) for person in body["recipients"]]
        services.notifier.send(
            [
                Notification(recipient=person, subject=body["subject"], body=body["body"], key=f"{entry.key}:{person}")
                for person in people
            ]
        )
        report.notified += len(people)
    else:
        raise ValueError(f"outbox entry {entry.key!r}: unknown kind {entry.kind!r}")
