"""Repositories of the runtime's own records: dead letters, alerts, idempotency keys,
inline task runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.tables import alerts, dead_letters, idempotency_keys, task_runs
from adolf.adapters.sqlalchemy.timestamps import as_utc, utc
from adolf.application.ports.alerts import AlertRecord
from adolf.application.ports.dead_letters import DeadLetter
from adolf.application.ports.tasks import TaskState, TaskStatus


class SqlDeadLetters:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, letter: DeadLetter) -> int:
        row = self.session.execute(
            insert(dead_letters)
            .values(
                task_id=letter.task_id,
                task_name=letter.task_name,
                payload=letter.payload,
                exception=letter.exception,
                traceback=letter.traceback,
                failed_at=letter.failed_at,
                runtime=letter.runtime,
                attempts=letter.attempts,
            )
            .returning(dead_letters.c.id)
        )
        return int(row.scalar_one())

    def list(self, limit: int = 50, include_retried: bool = False) -> list[DeadLetter]:
        query = select(dead_letters).order_by(dead_letters.c.id.desc()).limit(limit)
        if not include_retried:
            query = query.where(dead_letters.c.retried_at.is_(None))
        return [self._letter(r) for r in self.session.execute(query).mappings()]

    def get(self, letter_id: int) -> DeadLetter | None:
        row = self.session.execute(select(dead_letters).where(dead_letters.c.id == letter_id)).mappings().first()
        return self._letter(row) if row else None

    def mark_retried(self, letter_id: int, at: datetime) -> None:
        self.session.execute(update(dead_letters).where(dead_letters.c.id == letter_id).values(retried_at=at))

    @staticmethod
    def _letter(row: Any) -> DeadLetter:
        return DeadLetter(
            id=row["id"],
            task_id=row["task_id"],
            task_name=row["task_name"],
            payload=row["payload"],
            exception=row["exception"],
            traceback=row["traceback"],
            failed_at=utc(row["failed_at"]),
            runtime=row["runtime"],
            attempts=row["attempts"],
            retried_at=as_utc(row["retried_at"]),
        )


class SqlAlertStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, alert: AlertRecord) -> int | None:
        """One row per ``dedupe_key``, enforced by the unique constraint: INSERT … ON
        CONFLICT DO NOTHING, so two deliveries racing for the same alert add one row."""
        values = {
            "module": alert.module,
            "type": alert.type,
            "severity": alert.severity,
            "message": alert.message,
            "brand": alert.brand,
            "campaign_id": alert.campaign_id,
            "details": dict(alert.details),
            "created_at": alert.created_at,
            "dedupe_key": alert.dedupe_key,
            "notified_at": alert.notified_at,
        }
        if alert.dedupe_key is None:
            return int(self.session.execute(insert(alerts).values(**values).returning(alerts.c.id)).scalar_one())
        dialect = self.session.get_bind().dialect.name
        insert_for = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            insert_for(alerts).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
        ).returning(alerts.c.id)
        found = self.session.execute(statement).scalar_one_or_none()
        return int(found) if found is not None else None

    def by_key(self, dedupe_key: str) -> AlertRecord | None:
        row = self.session.execute(select(alerts).where(alerts.c.dedupe_key == dedupe_key)).mappings().first()
        return self._alert(row) if row else None

    def mark_notified(self, alert_id: int, at: datetime) -> None:
        self.session.execute(update(alerts).where(alerts.c.id == alert_id).values(notified_at=at))

    def recent(self, limit: int = 50, module: str | None = None) -> list[AlertRecord]:
        query = select(alerts).order_by(alerts.c.id.desc()).limit(limit)
        if module:
            query = query.where(alerts.c.module == module)
        return [self._alert(r) for r in self.session.execute(query).mappings()]

    @staticmethod
    def _alert(r: Any) -> AlertRecord:
        return AlertRecord(
            id=r["id"],
            module=r["module"],
            type=r["type"],
            severity=r["severity"],
            message=r["message"],
            brand=r["brand"],
            campaign_id=r["campaign_id"],
            details=r["details"],
            created_at=utc(r["created_at"]),
            dedupe_key=r["dedupe_key"],
            notified_at=as_utc(r["notified_at"]),
        )


class SqlIdempotencyKeys:
    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, key: str, task_name: str, at: datetime | None = None) -> bool:
        # A savepoint keeps the caller's transaction usable when the key already exists.
        try:
            with self.session.begin_nested():
                self.session.execute(
                    insert(idempotency_keys).values(key=key, task_name=task_name, created_at=at or datetime.now(UTC))
                )
        except IntegrityError:
            return False
        return True

    def claim_many(self, keys: Sequence[str], task_name: str, at: datetime | None = None) -> set[str]:
        """INSERT … ON CONFLICT DO NOTHING RETURNING key: one statement per chunk, where a
        savepoint per key cost more than the rest of a cycle's writes."""
        if not keys:
            return set()
        dialect = self.session.get_bind().dialect.name
        insert_for = pg_insert if dialect == "postgresql" else sqlite_insert
        stamp = at or datetime.now(UTC)
        claimed: set[str] = set()
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 1000):
            rows = [{"key": k, "task_name": task_name, "created_at": stamp} for k in unique[start : start + 1000]]
            statement = (
                insert_for(idempotency_keys).values(rows).on_conflict_do_nothing().returning(idempotency_keys.c.key)
            )
            claimed.update(self.session.execute(statement).scalars())
        return claimed

    def delete_before(self, cutoff: datetime) -> int:
        done = self.session.execute(delete(idempotency_keys).where(idempotency_keys.c.created_at < cutoff))
        return int(done.rowcount)  # type: ignore[attr-defined]


class SqlTaskRuns:
    """Results of inline runs, so `adolf tasks status ID` works across CLI invocations."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def save(self, status: TaskStatus, payload: dict[str, Any], attempts: int, at: datetime) -> None:
        values = {
            "task_name": status.name or "",
            "state": status.state.value,
            "payload": payload,
            "result": status.result,
            "error": status.error,
            "attempts": attempts,
            "updated_at": at,
        }
        done = self.session.execute(update(task_runs).where(task_runs.c.task_id == status.task_id).values(**values))
        if not done.rowcount:  # type: ignore[attr-defined]
            self.session.execute(insert(task_runs).values(task_id=status.task_id, **values))

    def delete_before(self, cutoff: datetime) -> int:
        done = self.session.execute(delete(task_runs).where(task_runs.c.updated_at < cutoff))
        return int(done.rowcount)  # type: ignore[attr-defined]

    def get(self, task_id: str) -> TaskStatus | None:
        row = self.session.execute(select(task_runs).where(task_runs.c.task_id == task_id)).mappings().first()
        if row is None:
            return None
        return TaskStatus(
            task_id=task_id,
            state=TaskState(row["state"]),
            name=row["task_name"],
            result=row["result"],
            error=row["error"],
        )
