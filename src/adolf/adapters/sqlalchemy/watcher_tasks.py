"""``SqlParsingTaskRepository``: parsing tasks (the seed's ``scheduled_date`` is ``task_date``).

``create_for_date(day, now)`` is one statement for the whole night::

    INSERT INTO watcher_parsing_tasks (subscription_id, competitor_product_id, marketplace,
                                       task_date, status, retry_count, created_at, updated_at)
    SELECT s.id, s.competitor_product_id, s.marketplace, :day, 'pending', 0, :now, :now
    FROM watcher_subscriptions s
    JOIN watcher_competitor_products cp ON cp.id = s.competitor_product_id
    JOIN watcher_competitors c ON c.id = cp.competitor_id AND c.active
    JOIN watcher_products p ON p.id = s.our_product_id AND p.active
    WHERE s.active
    ORDER BY cp.priority DESC, s.id
    ON CONFLICT (subscription_id, task_date) DO NOTHING
    RETURNING id, marketplace

A second run for the same night inserts nothing (the unique key). Ids are handed out in the
order the ``SELECT`` yields rows (SQLite's rowid and PostgreSQL's sequence default are taken
row by row as the sorted rows are inserted), so each marketplace's new ids sorted ascending
are its tasks by priority, highest first; ``RETURNING`` itself promises no order.

``save_many`` is ``marketing_bulk.bulk_update`` (one statement per 10 000 tasks on
PostgreSQL, an ``executemany`` on SQLite); ``delete_before`` deletes one bounded batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Date, Integer, String, and_, func, literal, select
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.marketing_bulk import bulk_update, chunks
from adolf.adapters.sqlalchemy.timestamps import as_utc, utc
from adolf.adapters.sqlalchemy.watcher_rows import delete_batch, insert_ignoring, task_from
from adolf.adapters.sqlalchemy.watcher_tables import (
    TS,
    watcher_competitor_products,
    watcher_competitors,
    watcher_parsing_tasks,
    watcher_products,
    watcher_subscriptions,
)
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.tasks import ParsingTask, TaskStatus

_t = watcher_parsing_tasks.c
_SAVED = ("status", "retry_count", "agent_id", "lease_until", "error", "started_at", "completed_at")
_NEW = (
    "subscription_id",
    "competitor_product_id",
    "marketplace",
    "task_date",
    "status",
    "retry_count",
    "created_at",
    "updated_at",
)


class SqlParsingTaskRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def create_for_date(self, day: date, now: datetime) -> dict[Marketplace, list[int]]:
        s, cp = watcher_subscriptions.c, watcher_competitor_products.c
        competitors, products = watcher_competitors.c, watcher_products.c
        at = literal(utc(now), TS)
        due = (
            select(
                s.id,
                s.competitor_product_id,
                s.marketplace,
                literal(day, Date()),
                literal(TaskStatus.PENDING.value, String()),
                literal(0, Integer()),
                at,
                at,
            )
            .select_from(
                watcher_subscriptions.join(watcher_competitor_products, cp.id == s.competitor_product_id)
                .join(watcher_competitors, and_(competitors.id == cp.competitor_id, competitors.active.is_(True)))
                .join(watcher_products, and_(products.id == s.our_product_id, products.active.is_(True)))
            )
            .where(s.active.is_(True))  # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT
            .order_by(cp.priority.desc(), s.id)
        )
        statement = (
            insert_ignoring(self.session, watcher_parsing_tasks, ["subscription_id", "task_date"])
            .from_select(list(_NEW), due)
            .returning(_t.id, _t.marketplace)
        )
        created: dict[Marketplace, list[int]] = {}
        for task_id, marketplace in self.session.execute(statement):
            created.setdefault(Marketplace(marketplace), []).append(int(task_id))
        return {marketplace: sorted(ids) for marketplace, ids in created.items()}

    def get(self, task_id: int) -> ParsingTask | None:
        row = self.session.execute(select(watcher_parsing_tasks).where(_t.id == task_id)).first()
        return task_from(row) if row else None

    def get_many(self, task_ids: Sequence[int]) -> dict[int, ParsingTask]:
        found = {}
        for chunk in chunks(list(dict.fromkeys(task_ids))):
            for row in self.session.execute(select(watcher_parsing_tasks).where(_t.id.in_(chunk))):
                found[row.id] = task_from(row)
        return found

    def save(self, task: ParsingTask) -> None:
        self.save_many([task])

    def save_many(self, tasks: Sequence[ParsingTask]) -> None:
        rows = [
            (
                t.id,
                t.status.value,
                t.retry_count,
                t.agent_id,
                as_utc(t.lease_until),
                t.error,
                as_utc(t.started_at),
                as_utc(t.completed_at),
            )
            for t in {t.id: t for t in tasks}.values()  # the last of one id wins
        ]
        bulk_update(self.session, watcher_parsing_tasks, _SAVED, rows, updated_at=datetime.now(UTC))

    def _tasks(
        self, *conditions: ColumnElement[bool], order: tuple[ColumnElement[Any], ...] = (_t.id,)
    ) -> list[ParsingTask]:
        query = select(watcher_parsing_tasks).where(*conditions).order_by(*order)
        return [task_from(row) for row in self.session.execute(query)]

    def in_progress_of(self, agent_id: str) -> list[ParsingTask]:
        return self._tasks(_t.agent_id == agent_id, _t.status == TaskStatus.IN_PROGRESS.value)

    def expired_leases(self, now: datetime) -> list[ParsingTask]:
        return self._tasks(
            _t.status == TaskStatus.IN_PROGRESS.value, _t.lease_until <= utc(now), order=(_t.lease_until, _t.id)
        )

    def failed_of(self, day: date) -> list[ParsingTask]:
        return self._tasks(_t.task_date == day, _t.status == TaskStatus.FAILED.value)

    def counts(self, day: date) -> dict[tuple[Marketplace, TaskStatus], int]:
        query = (
            select(_t.marketplace, _t.status, func.count())
            .where(_t.task_date == day)
            .group_by(_t.marketplace, _t.status)
        )
        return {(Marketplace(mp), TaskStatus(status)): int(n) for mp, status, n in self.session.execute(query)}

    def done_by_agent(self, day: date) -> dict[str, int]:
        query = (
            select(_t.agent_id, func.count())
            .where(_t.task_date == day, _t.status == TaskStatus.DONE.value, _t.agent_id.is_not(None))
            .group_by(_t.agent_id)
        )
        return {str(agent): int(n) for agent, n in self.session.execute(query)}

    def delete_before(self, day: date, limit: int) -> int:
        return delete_batch(self.session, watcher_parsing_tasks, _t.task_date < day, limit)
