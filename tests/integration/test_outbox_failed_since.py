"""``Outbox.failed_since`` on SQLite and PostgreSQL: the refused effects of some tasks and kinds
since an instant, and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from adolf.adapters.sqlalchemy.app_unit_of_work import AppSqlUnitOfWork
from adolf.adapters.sqlalchemy.engine import build_session_factory
from adolf.application.ports.outbox import OutboxEntry

DAY_START = datetime(2026, 3, 9, 21, 0, tzinfo=UTC)


def _entry(key: str, task: str = "bids", kind: str = "pause_campaign", hours: float = 2) -> OutboxEntry:
    return OutboxEntry(key, task, kind, {"campaign_id": 1}, DAY_START + timedelta(hours=hours))


def test_only_final_failures_of_the_tasks_and_kinds_since_the_instant_come_back(migrated_engine: Engine) -> None:
    factory = build_session_factory(migrated_engine)
    entries = [
        _entry("refused"),
        _entry("refused-other-task", task="budgets", kind="start_campaign", hours=3),
        _entry("refused-yesterday", hours=-1),
        _entry("refused-alert", kind="alert"),
        _entry("refused-elsewhere", task="reviews"),
        _entry("failed-transiently"),
        _entry("sent"),
    ]
    with AppSqlUnitOfWork(factory) as uow:
        uow.outbox.claim_many(entries)
        ids = {e.key: e.id for e in uow.outbox.pending("bids") + uow.outbox.pending("budgets")}
        ids |= {e.key: e.id for e in uow.outbox.pending("reviews")}
        final = [ids[k] for k in ids if k.startswith("refused")]
        uow.outbox.mark_failed([i for i in final if i is not None], "MarketplaceRejected: cabinet only", final=True)
        uow.outbox.mark_failed([ids["failed-transiently"] or 0], "MarketplaceError: 503", final=False)
        uow.outbox.mark_sent([ids["sent"] or 0], DAY_START + timedelta(hours=2))
        uow.commit()

    with AppSqlUnitOfWork(factory) as uow:
        found = uow.outbox.failed_since(("bids", "budgets"), ("pause_campaign", "start_campaign"), DAY_START)

    assert [(e.key, e.status, e.last_error) for e in found] == [
        ("refused", "failed", "MarketplaceRejected: cabinet only"),
        ("refused-other-task", "failed", "MarketplaceRejected: cabinet only"),
    ]
    assert found[0].payload == {"campaign_id": 1} and found[0].created_at == DAY_START + timedelta(hours=2)
