"""What the Reputation repositories share: rows to domain values and back, writes by item and
by batches of ids on both dialects.

- ``upsert_by_item``: an analysis or an answer is one per item; saving one is ``INSERT … ON
  CONFLICT (item_id) DO UPDATE`` (a redelivered task saving the same answer twice changes
  nothing; a regenerated draft replaces the last).
- ``id_batches``: conditions ``column IN ids`` that together cover ``ids``: one ``= ANY(array)``
  on PostgreSQL (one statement whatever the number of ids), ``IN`` lists of at most 1 000 ids
  on SQLite (in process: no round trips to save, and a bounded number of parameters).
- ``minutes_between``: minutes to 2 places from exact microseconds, computed here rather than
  in SQL so SQLite (``julianday`` floats) and PostgreSQL (``EXTRACT(EPOCH …)``) agree.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, Table, Text, bindparam, cast
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.marketing_bulk import chunks, dialect_name
from adolf.adapters.sqlalchemy.marketing_pg_arrays import array_literal
from adolf.adapters.sqlalchemy.timestamps import as_utc, utc
from adolf.domain.reputation.items import Item

CENT = Decimal("0.01")


def item_from(row: Any) -> Item:
    return Item(
        id=int(row.id),
        platform=row.platform,
        item_type=row.item_type,
        external_id=row.external_id,
        brand=row.brand,
        product_id=row.product_id,
        text=row.text,
        created_at=utc(row.created_at),
        status=row.status,
        rating=None if row.rating is None else int(row.rating),
        author=row.author,
        product_name=row.product_name,
        fetched_at=as_utc(row.fetched_at),
    )


def topics_text(topics: Sequence[str]) -> str:
    """Topics as a JSON array (a topic may hold a comma; Cyrillic kept readable)."""
    return json.dumps(list(topics), ensure_ascii=False)


def topics_from(text: str | None) -> tuple[str, ...]:
    return () if not text else tuple(json.loads(text))


def minutes_between(start: datetime, end: datetime) -> Decimal:
    micros = (utc(end) - utc(start)) // timedelta(microseconds=1)
    return (Decimal(micros) / Decimal(60_000_000)).quantize(CENT, rounding=ROUND_HALF_UP)


def upsert_by_item(session: Session, table: Table, values: Mapping[str, Any]) -> None:
    dialect = postgresql if dialect_name(session) == "postgresql" else sqlite
    statement = dialect.insert(table).values(dict(values))
    changed = {name: statement.excluded[name] for name in values if name != "item_id"}
    session.execute(statement.on_conflict_do_update(index_elements=["item_id"], set_=changed))


def id_batches(session: Session, column: Any, ids: Sequence[int]) -> Iterator[ColumnElement[bool]]:
    unique = list(dict.fromkeys(ids))
    if not unique:
        return
    if dialect_name(session) == "sqlite":
        for chunk in chunks(unique):
            yield column.in_(chunk)
        return
    array = cast(bindparam(None, array_literal(unique), type_=Text()), ARRAY(column.type))
    yield column == array.any_()
