"""``SqlItemRepository``: reviews and questions, one per (platform, item_type, external_id).

``add_new`` takes a poll's page (WB: up to 5 000 items) in one statement: ``INSERT … SELECT …
FROM unnest(arrays) ON CONFLICT (platform, item_type, external_id) DO NOTHING RETURNING id,
platform, item_type, external_id`` on PostgreSQL, one array parameter per column (per
``PG_CHUNK`` items); on SQLite (≥ 3.35: ``RETURNING`` and ``ON CONFLICT``) the same ``INSERT …
VALUES`` through SQLAlchemy's "insertmanyvalues", 1 000 rows to a statement. A key given twice
in one page is inserted once, the first given. A key already archived is known too, not new
(a marketplace keeps serving an unanswered item it still has, e.g. one skipped a year ago): on
PostgreSQL a ``NOT EXISTS`` on the archive inside the same INSERT, on SQLite one read of the
archive's keys first. The answer is the ids inserted now, in the order given, without reading
the rows back. The arrays are built a column at a time, each escaped in one pass over the
joined column, and the page's one ``fetched_at`` goes once, not once an item:
``bench/polling.py`` measures the page against a per-item select-then-insert.

``move`` is a compare-and-set: ``UPDATE … SET status = target WHERE id = ? AND status =
expected``; of two workers moving one item, one gets the row, the other False.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, exists, func, select, tuple_, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.logistic_rows import insert_returning
from adolf.adapters.sqlalchemy.marketing_bulk import PG_CHUNK, chunks, dialect_name
from adolf.adapters.sqlalchemy.marketing_pg_arrays import unnest_source
from adolf.adapters.sqlalchemy.reputation_rows import id_batches, item_from
from adolf.adapters.sqlalchemy.reputation_tables import (
    KEY,
    TS,
    reputation_analyses,
    reputation_items,
    reputation_responses,
)
from adolf.adapters.sqlalchemy.reputation_tables import reputation_items_archive as archive
from adolf.adapters.sqlalchemy.timestamps import utc
from adolf.adapters.sqlalchemy.watcher_rows import rowcount
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.analytics import ItemFact
from adolf.domain.reputation.items import Item, ItemType, ResponseStatus, Sentiment
from adolf.domain.reputation.lifecycle import ItemStatus

_i = reputation_items.c
_a = archive.c
Key = tuple[Marketplace, ItemType, str]

_COLUMNS = (
    "platform",
    "item_type",
    "external_id",
    "brand",
    "product_id",
    "product_name",
    "text",
    "author",
    "rating",
    "status",
    "created_at",
)
_SOURCE = unnest_source(reputation_items, _COLUMNS)
_AT = bindparam("_at", type_=TS)  # one stamp for the page: sent once, not once an item
_NOT_ARCHIVED = ~exists().where(
    _a.platform == _SOURCE.c.platform,
    _a.item_type == _SOURCE.c.item_type,
    _a.external_id == _SOURCE.c.external_id,
)
_PG_INSERT = (
    postgresql.insert(reputation_items)
    .from_select(
        [*_COLUMNS, "fetched_at", "status_changed_at"],
        select(*(_SOURCE.c[name] for name in _COLUMNS), _AT, _AT).where(_NOT_ARCHIVED),
    )
    .on_conflict_do_nothing(index_elements=list(KEY))
    .returning(_i.id, _i.platform, _i.item_type, _i.external_id)
)


def _row(item: Item, stamp: datetime) -> dict[str, Any]:
    return {
        "platform": item.platform.value,
        "item_type": item.item_type.value,
        "external_id": item.external_id,
        "brand": item.brand,
        "product_id": item.product_id,
        "product_name": item.product_name,
        "text": item.text,
        "author": item.author,
        "rating": item.rating,
        "status": item.status.value,
        "created_at": utc(item.created_at),
        "fetched_at": stamp,
        "status_changed_at": stamp,
    }


def _texts(values: Sequence[str]) -> str:
    """PostgreSQL's array text of ``values`` (strings, no NULL), escaped in one pass over the
    column rather than a value at a time (a page's 5 000 texts: a third of the poll's time).
    Joined on NUL, which no PostgreSQL text may hold: a value holding one is refused here, as
    PostgreSQL would, before it could split into two elements."""
    joined = "\x00".join(values)
    if joined.count("\x00") != max(len(values) - 1, 0):
        bad = next(value for value in values if "\x00" in value)
        raise ValueError(f"{bad!r} holds a NUL character, which PostgreSQL text cannot store")
    if not values:
        return "{}"
    return '{"' + joined.replace("\\", "\\\\").replace('"', '\\"').replace("\x00", '","') + '"}'


_RATING = {None: "NULL"} | {n: str(n) for n in range(1, 6)}


def _params(items: Sequence[Item], stamp: datetime) -> dict[str, Any]:
    """The parameters of ``_PG_INSERT`` for ``items``: an array a column, the page's stamp.
    Enumerations go as they are (a ``StrEnum`` is its value's string); times as ISO 8601 with
    their offset, which PostgreSQL reads as the same instant."""
    return {
        "_at": stamp,
        "_platform": _texts([item.platform for item in items]),
        "_item_type": _texts([item.item_type for item in items]),
        "_external_id": _texts([item.external_id for item in items]),
        "_brand": _texts([item.brand for item in items]),
        "_product_id": _texts([item.product_id for item in items]),
        "_product_name": _texts([item.product_name for item in items]),
        "_text": _texts([item.text for item in items]),
        "_author": _texts([item.author for item in items]),
        "_rating": "{" + ",".join([_RATING[item.rating] for item in items]) + "}",
        "_status": _texts([item.status for item in items]),
        "_created_at": _texts([item.created_at.isoformat() for item in items]),
    }


# By value, without the enumerations' own lookup (a Python call a row; a page returns 5 000).
_PLATFORMS = {member.value: member for member in Marketplace}
_TYPES = {member.value: member for member in ItemType}


def _key(platform: str, item_type: str, external_id: str) -> Key:
    return (_PLATFORMS[platform], _TYPES[item_type], external_id)


class SqlItemRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_new(self, items: Sequence[Item], at: datetime) -> list[int]:
        unique: dict[Key, Item] = {}
        for item in items:
            unique.setdefault(item.key, item)
        if not unique:
            return []
        stamp = utc(at)
        inserted: list[Any] = []
        if dialect_name(self.session) == "sqlite":
            archived = self._archived(list(unique))
            rows = [_row(item, stamp) for key, item in unique.items() if key not in archived]
            inserted = insert_returning(self.session, reputation_items, rows, KEY, ("id", *KEY))
        else:
            for chunk in chunks(list(unique.values()), PG_CHUNK):
                inserted.extend(self.session.execute(_PG_INSERT, _params(chunk, stamp)))
        ids = {_key(platform, kind, external): int(item_id) for item_id, platform, kind, external in inserted}
        return [ids[key] for key in unique if key in ids]

    def _archived(self, keys: Sequence[Key]) -> set[Key]:
        found: set[Key] = set()
        for chunk in chunks(keys):  # 3 000 parameters, under SQLite's 32 766
            wanted = [(platform.value, kind.value, external) for platform, kind, external in chunk]
            query = select(_a.platform, _a.item_type, _a.external_id).where(
                tuple_(_a.platform, _a.item_type, _a.external_id).in_(wanted)
            )
            found.update(_key(*row) for row in self.session.execute(query))
        return found

    def get(self, item_id: int) -> Item | None:
        return self.get_many([item_id]).get(item_id)

    def get_many(self, item_ids: Sequence[int]) -> dict[int, Item]:
        found = {}
        for condition in id_batches(self.session, _i.id, item_ids):
            for row in self.session.execute(select(reputation_items).where(condition)):
                found[int(row.id)] = item_from(row)
        return found

    def move(self, item_id: int, expected: ItemStatus, target: ItemStatus, at: datetime) -> bool:
        statement = (
            update(reputation_items)
            .where(_i.id == item_id, _i.status == ItemStatus(expected).value)
            .values(status=ItemStatus(target).value, status_changed_at=utc(at))
        )
        return rowcount(self.session.execute(statement)) == 1

    def listing(
        self,
        status: ItemStatus | None = None,
        brands: Sequence[str] | None = None,
        platform: Marketplace | None = None,
        limit: int = 100,
    ) -> list[Item]:
        conditions: list[ColumnElement[bool]] = []
        if status is not None:
            conditions.append(_i.status == ItemStatus(status).value)
        if brands is not None:
            conditions.append(_i.brand.in_(list(brands)))
        if platform is not None:
            conditions.append(_i.platform == Marketplace(platform).value)
        query = select(reputation_items).where(*conditions).order_by(_i.created_at, _i.id).limit(max(limit, 0))
        return [item_from(row) for row in self.session.execute(query)]

    def counts(self) -> dict[tuple[Marketplace, ItemStatus], int]:
        query = select(_i.platform, _i.status, func.count()).group_by(_i.platform, _i.status)
        return {
            (Marketplace(platform), ItemStatus(status)): int(n) for platform, status, n in self.session.execute(query)
        }

    def facts(self, start: datetime, end: datetime) -> list[ItemFact]:
        a, r = reputation_analyses.c, reputation_responses.c
        query = (
            select(_i.platform, _i.brand, _i.item_type, _i.rating, _i.status, a.sentiment, r.status.label("answer"))
            .select_from(
                reputation_items.outerjoin(reputation_analyses, a.item_id == _i.id).outerjoin(
                    reputation_responses, r.item_id == _i.id
                )
            )
            .where(_i.created_at >= utc(start), _i.created_at < utc(end))
            .order_by(_i.created_at, _i.id)
        )
        published = (ItemStatus.PUBLISHED.value, ResponseStatus.PUBLISHED.value)
        return [
            ItemFact(
                platform=Marketplace(row.platform),
                brand=row.brand,
                item_type=ItemType(row.item_type),
                rating=None if row.rating is None else int(row.rating),
                sentiment=None if row.sentiment is None else Sentiment(row.sentiment),
                published=row.status == published[0] or row.answer == published[1],
            )
            for row in self.session.execute(query)
        ]
