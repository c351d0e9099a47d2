"""A module's outbox: what a job decided to send, recorded with its decision, then sent.

A job writes its decision (rows created, alerts raised) and the effects it owes in one
transaction: follow-up jobs to enqueue (a chain: ``logistic.sync_ozon_stocks`` →
``logistic.generate_alerts``), notifications to send. Only after the commit are they sent,
then marked sent. A job that fails between its commit and the mark (Redis away, a worker
killed) leaves them pending: its retry, or any job of the same *topic* flushing after
``LEFTOVER_AGE``, sends them. So a chain works the same on the inline runtime, Celery and RQ,
and survives a worker dying after the commit.

Sending twice is harmless by design: follow-up jobs are idempotent and a notification's key is
the same on every attempt (``{entry key}:{person}``, as ``alert_delivery`` keys them). Keys are
unique (``outbox.key``): recording an entry again records nothing.

Each module has its topic (the outbox entry's ``task``: ``watcher.dispatch``,
``logistic.dispatch``), so a module's job sends only its module's leftovers. A module may add
kinds of its own (Watcher pushes task ids to its parsing queues): ``flush_into`` takes a hook
that sends them, one that orders the batch, and ``record`` one that tells an empty entry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from adolf.application.ports.alerts import Notification
from adolf.application.ports.outbox import OutboxEntry
from adolf.application.ports.services import Services, SystemUnitOfWork
from adolf.domain.alerts.users import User

ENQUEUE, NOTIFY = "enqueue", "notify"
#: A pending entry older than this belongs to a job that died after its commit: whoever
#: flushes next sends it. Younger ones are left to their own job (no two jobs race to send).
LEFTOVER_AGE = timedelta(minutes=2)


def enqueue(
    topic: str, key: str, name: str, payload: dict[str, Any], now: datetime, *, countdown: float | None = None
) -> OutboxEntry:
    """Run the task ``name`` with ``payload`` once the caller's transaction has committed (and
    ``countdown`` seconds after it is sent, when given: a job continuing after a quota)."""
    body: dict[str, Any] = {"name": name, "payload": payload}
    if countdown:
        body["countdown"] = countdown
    return OutboxEntry(key, topic, ENQUEUE, body, now)


def notify(topic: str, key: str, people: Sequence[User], subject: str, body: str, now: datetime) -> OutboxEntry:
    """One notification per person, keyed ``{key}:{person}`` (as ``alert_delivery`` keys them)."""
    payload = {"recipients": [person.id for person in people], "subject": subject, "body": body}
    return OutboxEntry(key, topic, NOTIFY, payload, now)


def is_empty(entry: OutboxEntry) -> bool:
    """A notification to nobody: nothing to record."""
    return entry.kind == NOTIFY and not entry.payload["recipients"]


def record(
    uow: SystemUnitOfWork, entries: Sequence[OutboxEntry], empty: Callable[[OutboxEntry], bool] = is_empty
) -> list[str]:
    """Claim the entries in the caller's transaction; the keys to ``flush`` after its commit
    (all of them: an entry recorded by an earlier attempt of the same job is still owed).
    Entries ``empty`` says carry nothing are left out."""
    wanted = [entry for entry in entries if not empty(entry)]
    if wanted:
        uow.outbox.claim_many(wanted)
    return [entry.key for entry in wanted]


@dataclass
class Flushed:
    enqueued: int = 0
    notified: int = 0
    leftovers: int = 0  # entries of earlier jobs sent by this one


R = TypeVar("R", bound=Flushed)
#: Sends an entry of a module's own kind, counting it in the report; False: not its kind.
SendOwn = Callable[[OutboxEntry, R], bool]


def _in_id_order(entries: list[OutboxEntry]) -> list[OutboxEntry]:
    return entries


def flush(services: Services, topic: str, keys: Sequence[str] = ()) -> Flushed:
    """Send the pending entries of ``topic`` with ``keys`` and the leftovers of dead jobs;
    mark them sent."""
    return flush_into(services, topic, keys, Flushed())


def flush_into(
    services: Services,
    topic: str,
    keys: Sequence[str],
    report: R,
    send_own: SendOwn[R] | None = None,
    order: Callable[[list[OutboxEntry]], list[OutboxEntry]] = _in_id_order,
) -> R:
    """``flush`` with a module's hooks: ``send_own`` for its own kinds, ``order`` to arrange
    the batch (given in the order the entries were recorded). Entries sent before a failure
    are marked sent; the one that failed and the rest stay pending for the next flush."""
    now = services.clock.now()
    mine = set(keys)
    with services.uow() as uow:
        own = uow.outbox.pending(topic, list(mine)) if mine else []
        leftovers = [e for e in uow.outbox.pending(topic) if e.key not in mine and e.created_at <= now - LEFTOVER_AGE]
    report.leftovers = len(leftovers)
    entries = order(sorted([*own, *leftovers], key=lambda e: e.id or 0))
    sent: list[int] = []
    try:
        for entry in entries:
            _send(services, entry, report, send_own)
            sent.append(entry.id or 0)
    finally:
        if sent:
            with services.uow() as uow:
                uow.outbox.mark_sent(sent, services.clock.now())
                uow.commit()
    return report


def _send(services: Services, entry: OutboxEntry, report: R, send_own: SendOwn[R] | None) -> None:
    body = entry.payload
    if entry.kind == ENQUEUE:
        countdown = body.get("countdown")
        if countdown:
            services.queue.enqueue(body["name"], body["payload"], countdown=float(countdown))
        else:
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
    elif send_own is None or not send_own(entry, report):
        raise ValueError(f"outbox entry {entry.key!r}: unknown kind {entry.kind!r}")
