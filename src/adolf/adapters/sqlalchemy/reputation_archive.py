"""``SqlArchiveRepository``: published and skipped items older than the cutoff move to
``reputation_items_archive`` with their analysis and answer, and leave the live tables, in the
caller's transaction (SPEC §3 ``archive_old_items``: moves, never loses).

``move_before`` picks a batch of ids, oldest first (``FOR UPDATE`` on PostgreSQL: a second
archiver waits, then finds the rows gone), copies them with ``INSERT INTO archive SELECT …
FROM items LEFT JOIN analyses LEFT JOIN responses`` and deletes the answers, analyses and items
of those ids: four statements a batch whatever its size. The seed's ``DELETE … RETURNING *``
into ``INSERT`` needs the two tables to have the same columns; here the archive flattens three
tables, and SQLite has no data-modifying CTE. A key archived already (an item re-polled after
it was archived is refused by ``add_new``, so only a row written by hand) keeps its first
archived row (``ON CONFLICT DO NOTHING``). Live + archived count the same before and after.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.marketing_bulk import dialect_name
from adolf.adapters.sqlalchemy.reputation_rows import id_batches
from adolf.adapters.sqlalchemy.reputation_tables import (
    KEY,
    TS,
    reputation_analyses,
    reputation_items,
    reputation_items_archive,
    reputation_responses,
)
from adolf.adapters.sqlalchemy.timestamps import utc
from adolf.adapters.sqlalchemy.watcher_rows import rowcount
from adolf.domain.reputation.lifecycle import ItemStatus

_i, _a, _r = reputation_items.c, reputation_analyses.c, reputation_responses.c
ARCHIVABLE = (ItemStatus.PUBLISHED.value, ItemStatus.SKIPPED.value)
_ITEM = [c.name for c in reputation_items.columns if c.name != "id"]
_ANALYSIS = ["sentiment", "urgency", "topics", "model", "analyzed_at"]
_RESPONSE = ["text", "source", "status", "attempts", "last_error", "published_at", "created_at", "instructions"]
_TARGET = ["item_id", *_ITEM, *_ANALYSIS, *(f"response_{name}" for name in _RESPONSE), "archived_at"]


class SqlArchiveRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def move_before(self, cutoff: datetime, limit: int) -> int:
        if limit <= 0:
            return 0
        batch = (
            select(_i.id)
            .where(_i.status.in_(ARCHIVABLE), _i.created_at < utc(cutoff))
            .order_by(_i.created_at, _i.id)
            .limit(limit)
            .with_for_update()
        )
        ids = [int(item_id) for item_id in self.session.execute(batch).scalars()]
        now = datetime.now(UTC)
        dialect = postgresql if dialect_name(self.session) == "postgresql" else sqlite
        moved = 0
        for chosen in id_batches(self.session, _i.id, ids):
            source = (
                select(
                    _i.id,
                    *(_i[name] for name in _ITEM),
                    *(_a[name] for name in _ANALYSIS),
                    *(_r[name] for name in _RESPONSE),
                    literal(now, TS),
                )
                .select_from(
                    reputation_items.outerjoin(reputation_analyses, _a.item_id == _i.id).outerjoin(
                        reputation_responses, _r.item_id == _i.id
                    )
                )
                .where(chosen)
            )
            copy = dialect.insert(reputation_items_archive).from_select(_TARGET, source)
            self.session.execute(copy.on_conflict_do_nothing(index_elements=list(KEY)))
        for table, column in ((reputation_responses, _r.item_id), (reputation_analyses, _a.item_id)):
            for chosen in id_batches(self.session, column, ids):
                self.session.execute(delete(table).where(chosen))
        for chosen in id_batches(self.session, _i.id, ids):
            moved += rowcount(self.session.execute(delete(reputation_items).where(chosen)))
        return moved

    def counts(self) -> tuple[int, int]:
        live = self.session.execute(select(func.count()).select_from(reputation_items)).scalar_one()
        archived = self.session.execute(select(func.count()).select_from(reputation_items_archive)).scalar_one()
        return int(live), int(archived)
