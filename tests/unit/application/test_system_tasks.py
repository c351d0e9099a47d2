"""System use cases: retention of the runtime's own records."""

from __future__ import annotations

from datetime import timedelta

from adolf.application.ports.outbox import OutboxEntry
from adolf.application.system.tasks import cleanup_runtime_records
from tests.support.fakes import FakeServices


def test_runtime_records_older_than_a_week_are_forgotten_and_newer_ones_kept(services: FakeServices) -> None:
    now = services.clock.now()
    uow = services.uow()
    uow.idempotency.claim("old", "t", now - timedelta(days=7, seconds=1))
    uow.idempotency.claim("edge", "t", now - timedelta(days=7))
    uow.idempotency.claim("new", "t", now - timedelta(days=1))
    uow.task_runs.updated.update({"r-old": now - timedelta(days=8), "r-new": now})
    week_old = now - timedelta(days=8)
    uow.outbox.claim_many(
        [
            OutboxEntry("sent-old", "t", "k", {}, week_old),
            OutboxEntry("pending-old", "t", "k", {}, week_old),
            OutboxEntry("sent-new", "t", "k", {}, now),
        ]
    )
    sent = [e.id or 0 for e in uow.outbox.entries.values() if e.key.startswith("sent")]
    uow.outbox.mark_sent(sent, now)

    assert cleanup_runtime_records(services) == {"idempotency_keys": 1, "task_runs": 1, "outbox": 1}

    assert set(uow.idempotency.keys) == {"edge", "new"}
    assert set(uow.task_runs.updated) == {"r-new"}
    assert {e.key for e in uow.outbox.entries.values()} == {"pending-old", "sent-new"}  # pending ones wait to be sent
    assert uow.committed
