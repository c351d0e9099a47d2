"""``SqlSupplyTaskRepository``: supply tasks, one per day × article × cluster.

``create_many`` is one ``INSERT … SELECT … FROM unnest(arrays) ON CONFLICT (task_date,
article_id, cluster_id) DO NOTHING RETURNING id, task_date, article_id, cluster_id`` per
``PG_CHUNK`` tasks (SQLite: one "insertmanyvalues" batch per 1 000): ``generate_supply_tasks``
run twice on a day (a retry, a manual run after the 07:00 one) creates nothing twice and leaves
the tasks a person has already accepted as they are. A key given twice in one call is created
once, the first given (as a second run would). It answers id → the task given for the rows
inserted now, in the order given, the skipped ones left out: the caller's summary needs nothing
read back (a morning creates ~100 000 tasks). On PostgreSQL the arrays are built a column at a
time straight from the tasks, each distinct text, day or timestamp encoded once (a column
holds a handful: one day, one ``created_at``, three priorities), not through a dict per row.

``save_many`` writes what a transition changes: the status, ``updated_at`` and the status' own
time (``accepted_at``, ``shipped_at``, ``cancelled_at``), as one UPDATE per status
(``id = ANY(:ids)`` on PostgreSQL, an ``executemany`` on SQLite) — at most four statements
whatever the number of tasks (``auto_cancel_expired`` cancels a day's worth at once). The
other columns (quantity, allocation, priority) are the generation's, never rewritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.logistic_rows import TENTH, insert_returning, rounded, update_ids
from adolf.adapters.sqlalchemy.logistic_tables import logistic_supply_tasks
from adolf.adapters.sqlalchemy.marketing_bulk import PG_CHUNK, chunks, dialect_name
from adolf.adapters.sqlalchemy.marketing_pg_arrays import array_literal, unnest_source
from adolf.adapters.sqlalchemy.timestamps import as_utc, utc
from adolf.adapters.sqlalchemy.watcher_rows import delete_batch
from adolf.application.logistic.ports import NewSupplyTask
from adolf.domain.logistic.allocation import Coverage
from adolf.domain.logistic.deficit import SupplyPriority
from adolf.domain.logistic.supply_tasks import SupplyTask, SupplyTaskStatus

_t = logistic_supply_tasks.c
_KEY = ("task_date", "article_id", "cluster_id")
_OPEN = (SupplyTaskStatus.NEW.value, SupplyTaskStatus.ACCEPTED.value)
_FINISHED = (SupplyTaskStatus.SHIPPED.value, SupplyTaskStatus.CANCELLED.value)
_STAMP = {
    SupplyTaskStatus.ACCEPTED: "accepted_at",
    SupplyTaskStatus.SHIPPED: "shipped_at",
    SupplyTaskStatus.CANCELLED: "cancelled_at",
}


_COLUMNS = (
    "article_id",
    "cluster_id",
    "brand",
    "task_date",
    "status",
    "priority",
    "coverage",
    "quantity",
    "allocated",
    "days_of_cover",
    "created_at",
    "updated_at",
)
_SOURCE = unnest_source(logistic_supply_tasks, _COLUMNS)
_PG_INSERT = (
    postgresql.insert(logistic_supply_tasks)
    .from_select(list(_COLUMNS), select(*(_SOURCE.c[name] for name in _COLUMNS)))
    .on_conflict_do_nothing(index_elements=list(_KEY))
    .returning(_t.id, _t.task_date, _t.article_id, _t.cluster_id)
)


def _row(task: NewSupplyTask) -> dict[str, Any]:
    return {
        "article_id": task.article_id,
        "cluster_id": task.cluster_id,
        "brand": task.brand,
        "task_date": task.task_date,
        "status": SupplyTaskStatus.NEW.value,
        "priority": task.priority.value,
        "coverage": task.coverage.value,
        "quantity": task.quantity,
        "allocated": task.allocated,
        "days_of_cover": rounded(task.days_of_cover, TENTH),
        "created_at": utc(task.created_at),
        "updated_at": utc(task.created_at),
    }


def _ints(values: Sequence[int]) -> str:
    return "{" + ",".join(map(str, values)) + "}"


def _repeated(values: Sequence[Any]) -> str:
    """``array_literal(values)`` encoding each distinct value once (a column of few values)."""
    codes = {value: array_literal([value])[1:-1] for value in dict.fromkeys(values)}
    return "{" + ",".join([codes[value] for value in values]) + "}"


def _arrays(tasks: Sequence[NewSupplyTask]) -> dict[str, str]:
    """The parameters of ``_PG_INSERT`` for ``tasks``, a column at a time."""
    created = _repeated([utc(task.created_at) for task in tasks])
    covers = [task.days_of_cover for task in tasks]
    return {
        "_article_id": _ints([task.article_id for task in tasks]),
        "_cluster_id": _ints([task.cluster_id for task in tasks]),
        "_brand": _repeated([task.brand for task in tasks]),
        "_task_date": _repeated([task.task_date for task in tasks]),
        "_status": _repeated([SupplyTaskStatus.NEW.value] * len(tasks)),
        "_priority": _repeated([task.priority.value for task in tasks]),
        "_coverage": _repeated([task.coverage.value for task in tasks]),
        "_quantity": _ints([task.quantity for task in tasks]),
        "_allocated": _ints([task.allocated for task in tasks]),
        "_days_of_cover": array_literal(rounded(cover, TENTH) for cover in covers),
        "_created_at": created,
        "_updated_at": created,
    }


def task_from(row: Any) -> SupplyTask:
    return SupplyTask(
        id=int(row.id),
        article_id=int(row.article_id),
        cluster_id=int(row.cluster_id),
        brand=row.brand,
        quantity=int(row.quantity),
        allocated=int(row.allocated),
        priority=SupplyPriority(row.priority),
        coverage=Coverage(row.coverage),
        status=SupplyTaskStatus(row.status),
        created_at=utc(row.created_at),
        task_date=row.task_date,
        days_of_cover=row.days_of_cover,
        accepted_at=as_utc(row.accepted_at),
        shipped_at=as_utc(row.shipped_at),
        cancelled_at=as_utc(row.cancelled_at),
    )


class SqlSupplyTaskRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def create_many(self, tasks: Sequence[NewSupplyTask]) -> dict[int, NewSupplyTask]:
        unique: dict[tuple[date, int, int], NewSupplyTask] = {}
        for task in tasks:
            unique.setdefault((task.task_date, task.article_id, task.cluster_id), task)
        if not unique:
            return {}
        given = list(unique.values())
        if dialect_name(self.session) == "sqlite":
            rows = [_row(task) for task in given]
            inserted = insert_returning(self.session, logistic_supply_tasks, rows, _KEY, ("id", *_KEY))
        else:
            inserted = []
            for chunk in chunks(given, PG_CHUNK):
                inserted.extend(self.session.execute(_PG_INSERT, _arrays(chunk)))
        ids = {(day, int(article), int(cluster)): int(task_id) for task_id, day, article, cluster in inserted}
        return {ids[key]: task for key, task in unique.items() if key in ids}

    def get(self, task_id: int) -> SupplyTask | None:
        return self.get_many([task_id]).get(task_id)

    def get_many(self, task_ids: Sequence[int]) -> dict[int, SupplyTask]:
        found = {}
        for chunk in chunks(list(dict.fromkeys(task_ids))):
            for row in self.session.execute(select(logistic_supply_tasks).where(_t.id.in_(chunk))):
                found[int(row.id)] = task_from(row)
        return found

    def save(self, task: SupplyTask, at: datetime) -> None:
        self.save_many([task], at)

    def save_many(self, tasks: Sequence[SupplyTask], at: datetime) -> None:
        stamp = utc(at)
        by_status: dict[SupplyTaskStatus, list[int]] = {}
        for task in {t.id: t for t in tasks}.values():  # the last of one id wins
            by_status.setdefault(task.status, []).append(task.id)
        for status, ids in by_status.items():
            values: dict[str, Any] = {"status": status.value, "updated_at": stamp}
            if status in _STAMP:
                values[_STAMP[status]] = stamp
            update_ids(self.session, logistic_supply_tasks, ids, values)

    def _tasks(
        self, *conditions: ColumnElement[bool], order: Sequence[Any], limit: int | None = None
    ) -> list[SupplyTask]:
        query = select(logistic_supply_tasks).where(*conditions).order_by(*order)
        if limit is not None:
            query = query.limit(max(limit, 0))
        return [task_from(row) for row in self.session.execute(query).all()]

    def open_tasks(self, brand: str | None = None) -> list[SupplyTask]:
        conditions: list[ColumnElement[bool]] = [_t.status.in_(_OPEN)]
        if brand is not None:
            conditions.append(_t.brand == brand)
        return self._tasks(*conditions, order=(_t.id,))

    def listing(
        self,
        status: SupplyTaskStatus | None = None,
        brand: str | None = None,
        day: date | None = None,
        limit: int = 100,
    ) -> list[SupplyTask]:
        conditions: list[ColumnElement[bool]] = []
        if status is not None:
            conditions.append(_t.status == status.value)
        if brand is not None:
            conditions.append(_t.brand == brand)
        if day is not None:
            conditions.append(_t.task_date == day)
        return self._tasks(*conditions, order=(_t.created_at.desc(), _t.id.desc()), limit=limit)

    def new_before(self, cutoff: datetime) -> list[SupplyTask]:
        conditions = (_t.status == SupplyTaskStatus.NEW.value, _t.created_at < utc(cutoff))
        return self._tasks(*conditions, order=(_t.created_at, _t.id))

    def counts(self, day: date | None = None) -> dict[tuple[SupplyTaskStatus, SupplyPriority], int]:
        query = select(_t.status, _t.priority, func.count()).group_by(_t.status, _t.priority)
        if day is not None:
            query = query.where(_t.task_date == day)
        return {
            (SupplyTaskStatus(status), SupplyPriority(priority)): int(n)
            for status, priority, n in self.session.execute(query)
        }

    def delete_finished_before(self, cutoff: datetime, limit: int) -> int:
        condition = _t.status.in_(_FINISHED) & (_t.created_at < utc(cutoff))
        return delete_batch(self.session, logistic_supply_tasks, condition, limit)
