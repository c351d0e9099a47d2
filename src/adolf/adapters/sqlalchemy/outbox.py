"""The outbox table: effects recorded with their decision, sent afterwards."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.tables import outbox
from adolf.adapters.sqlalchemy.timestamps import as_utc, utc
from adolf.application.ports.outbox import EXPIRED, FAILED, PENDING, SENT, OutboxEntry

BATCH = 1000


class SqlOutbox:
    def __init__(self, session: Session) -> None:
        self.session = session

    def claim_many(self, entries: Sequence[OutboxEntry]) -> set[str]:
        """INSERT … ON CONFLICT (key) DO NOTHING RETURNING key: one statement per batch."""
        if not entries:
            return set()
        insert_for = pg_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        claimed: set[str] = set()
        unique = list({e.key: e for e in entries}.values())
        for start in range(0, len(unique), BATCH):
            rows = [
                {
                    "key": e.key,
                    "task": e.task,
                    "kind": e.kind,
                    "payload": e.payload,
                    "status": PENDING,
                    "created_at": e.created_at,
                    "attempts": 0,
                }
                for e in unique[start : start + BATCH]
            ]
            statement = insert_for(outbox).values(rows).on_conflict_do_nothing(index_elements=["key"])
            claimed.update(self.session.execute(statement.returning(outbox.c.key)).scalars())
        return claimed

    def pending(self, task: str, keys: Sequence[str] | None = None, limit: int = 10_000) -> list[OutboxEntry]:
        query = select(outbox).where(outbox.c.task == task, outbox.c.status == PENDING).order_by(outbox.c.id)
        if keys is None:
            return [_entry(r) for r in self.session.execute(query.limit(limit)).mappings()]
        found: list[OutboxEntry] = []
        wanted = list(dict.fromkeys(keys))
        for start in range(0, len(wanted), BATCH):
            chunk = query.where(outbox.c.key.in_(wanted[start : start + BATCH]))
            found.extend(_entry(r) for r in self.session.execute(chunk).mappings())
        return sorted(found, key=lambda e: e.id or 0)[:limit]

    def mark_sent(self, ids: Sequence[int], at: datetime) -> None:
        for start in range(0, len(ids), BATCH):
            self.session.execute(
                update(outbox).where(outbox.c.id.in_(ids[start : start + BATCH])).values(status=SENT, sent_at=at)
            )

    def mark_failed(self, ids: Sequence[int], error: str, final: bool) -> None:
        values: dict[str, Any] = {"attempts": outbox.c.attempts + 1, "last_error": error[:2000]}
        if final:
            values["status"] = FAILED
        for start in range(0, len(ids), BATCH):
            self.session.execute(update(outbox).where(outbox.c.id.in_(ids[start : start + BATCH])).values(**values))

    def failed_since(self, tasks: Sequence[str], kinds: Sequence[str], since: datetime) -> list[OutboxEntry]:
        """On the (task, status) index: failed entries are few, whatever the outbox holds."""
        query = (
            select(outbox)
            .where(
                outbox.c.task.in_(list(tasks)),
                outbox.c.status == FAILED,
                outbox.c.kind.in_(list(kinds)),
                outbox.c.created_at >= since,
            )
            .order_by(outbox.c.id)
        )
        return [_entry(r) for r in self.session.execute(query).mappings()]

    def expire_before(self, task: str, cutoff: datetime) -> int:
        result = self.session.execute(
            update(outbox)
            .where(outbox.c.task == task, outbox.c.status == PENDING, outbox.c.created_at < cutoff)
            .values(status=EXPIRED)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def delete_before(self, cutoff: datetime) -> int:
        result = self.session.execute(delete(outbox).where(outbox.c.status != PENDING, outbox.c.created_at < cutoff))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _entry(row: Any) -> OutboxEntry:
    return OutboxEntry(
        id=row["id"],
        key=row["key"],
        task=row["task"],
        kind=row["kind"],
        payload=row["payload"],
        status=row["status"],
        created_at=utc(row["created_at"]),
        sent_at=as_utc(row["sent_at"]),
        attempts=row["attempts"],
        last_error=row["last_error"],
    )
