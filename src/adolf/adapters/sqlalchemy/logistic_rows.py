"""What the Logistic repositories share: set-based writes on both dialects, rounding, brands.

Every write here is a constant number of statements whatever the number of rows (a morning's
``generate_supply_tasks`` writes up to 300 000 of them):

- PostgreSQL: one statement per ``PG_CHUNK`` (10 000) rows, fed by one array parameter per
  column (``marketing_pg_arrays.unnest_source``; psycopg2's ``executemany`` is a round trip
  per row). ``INSERT … SELECT … FROM unnest(…) ON CONFLICT …``, ``UPDATE … FROM unnest(…)``,
  ``… WHERE id = ANY(CAST(:ids AS BIGINT[]))``.
- SQLite: one ``executemany`` (in process, no round trips to save; SQLite takes no arrays). An
  ``executemany`` with ``RETURNING`` goes through SQLAlchemy's "insertmanyvalues", which
  batches 1 000 rows (or 32 766 parameters) to a statement.

Within one call, a key given twice is written once (which one: each method says): PostgreSQL
refuses to update a row twice in one ``ON CONFLICT DO UPDATE``, and a ``DO NOTHING`` would keep
whichever came first on one dialect and not say so on the other.

Numbers are rounded here, ROUND_HALF_UP, to the column's places (velocity 2, days of cover 1)
before they are stored: PostgreSQL would round a further place itself, SQLite keep a float; a
value rounded first reads back the same on both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, bindparam, cast, func, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.marketing_bulk import PG_CHUNK, chunks, dialect_name
from adolf.adapters.sqlalchemy.marketing_pg_arrays import array_literal, mapping_params, unnest_source
from adolf.adapters.sqlalchemy.watcher_rows import rowcount

RATE = Decimal("0.01")  # units a day
TENTH = Decimal("0.1")  # days of cover


def rounded(value: Decimal | None, places: Decimal) -> Decimal | None:
    return None if value is None else value.quantize(places, rounding=ROUND_HALF_UP)


def rate(value: Decimal) -> Decimal:
    return value.quantize(RATE, rounding=ROUND_HALF_UP)


def of_brand(column: Any, brand: str | None) -> ColumnElement[bool]:
    """``column = brand``, or no condition for every brand (None)."""
    return true() if brand is None else column == brand


def last_per_key(rows: Sequence[Mapping[str, Any]], key: Sequence[str]) -> list[Mapping[str, Any]]:
    """One row per ``key``, the last given, in the order keys first appeared."""
    return list({tuple(row[c] for c in key): row for row in rows}.values())


def first_per_key(rows: Sequence[Mapping[str, Any]], key: Sequence[str]) -> list[Mapping[str, Any]]:
    """One row per ``key``, the first given."""
    unique: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for row in rows:
        unique.setdefault(tuple(row[c] for c in key), row)
    return list(unique.values())


def insert_returning(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    conflict: Sequence[str],
    returning: Sequence[str],
    update_columns: Sequence[str] = (),
    increments: Mapping[str, int] | None = None,
    coalesce: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """``INSERT rows ON CONFLICT (conflict)`` then ``DO NOTHING`` (nothing to update) or
    ``DO UPDATE`` setting ``update_columns`` from the new row, ``coalesce`` columns from the
    new row unless it has NULL or '' there (then the stored value stays), and adding ``increments`` to the stored value; the
    ``returning`` columns of every row written (inserted, or updated), in no promised order.
    ``rows`` all have the same keys and no conflict key twice."""
    if not rows:
        return []
    columns = list(rows[0])
    out = [table.c[name] for name in returning]
    found: list[tuple[Any, ...]] = []
    if dialect_name(session) == "sqlite":
        statement: Any = _on_conflict(sqlite.insert(table), table, conflict, update_columns, increments or {}, coalesce)
        result = session.execute(statement.returning(*out), [dict(row) for row in rows])
        return [tuple(row) for row in result]
    source = unnest_source(table, columns)
    pg = postgresql.insert(table).from_select(columns, select(*(source.c[name] for name in columns)))
    statement = _on_conflict(pg, table, conflict, update_columns, increments or {}, coalesce).returning(*out)
    for chunk in chunks(rows, PG_CHUNK):
        found.extend(tuple(row) for row in session.execute(statement, mapping_params(columns, chunk)))
    return found


def _on_conflict(
    insert: Any,
    table: Table,
    conflict: Sequence[str],
    update_columns: Sequence[str],
    increments: Mapping[str, int],
    coalesce: Sequence[str],
) -> Any:
    if not update_columns and not increments and not coalesce:
        return insert.on_conflict_do_nothing(index_elements=list(conflict))
    values: dict[str, Any] = {c: insert.excluded[c] for c in update_columns}
    values |= {c: func.coalesce(func.nullif(insert.excluded[c], ""), table.c[c]) for c in coalesce}
    values |= {c: table.c[c] + step for c, step in increments.items()}
    return insert.on_conflict_do_update(index_elements=list(conflict), set_=values)


def update_ids(session: Session, table: Table, ids: Sequence[int], values: Mapping[str, Any]) -> int:
    """Set the same ``values`` on the rows of ``ids``, one statement (PostgreSQL: ``id =
    ANY(array)`` per ``PG_CHUNK`` ids; SQLite: an ``executemany``); how many rows changed."""
    unique = list(dict.fromkeys(ids))
    if not unique:
        return 0
    if dialect_name(session) == "sqlite":
        statement = update(table).where(table.c.id == bindparam("_id")).values(dict(values))
        return rowcount(session.execute(statement, [{"_id": i} for i in unique]))
    wanted = cast(bindparam("_ids"), ARRAY(table.c.id.type))
    statement = update(table).where(table.c.id == wanted.any_()).values(dict(values))
    return sum(
        rowcount(session.execute(statement, {"_ids": array_literal(chunk)})) for chunk in chunks(unique, PG_CHUNK)
    )


def update_matching(
    session: Session,
    table: Table,
    keys: Sequence[str],
    rows: Sequence[Sequence[Any]],
    values: Mapping[str, Any],
    condition: ColumnElement[bool] | None = None,
) -> int:
    """Set the same ``values`` on every row whose ``keys`` equal one of ``rows`` (tuples in
    ``keys`` order) and which meet ``condition``: PostgreSQL ``UPDATE … FROM unnest(…)`` per
    ``PG_CHUNK`` rows, SQLite an ``executemany``. How many rows changed."""
    unique = list(dict.fromkeys(tuple(row) for row in rows))
    if not unique:
        return 0
    extra = true() if condition is None else condition
    if dialect_name(session) == "sqlite":
        match = and_(*(table.c[k] == bindparam(f"_{k}") for k in keys))
        statement = update(table).where(match, extra).values(dict(values))
        return rowcount(
            session.execute(statement, [dict(zip([f"_{k}" for k in keys], row, strict=True)) for row in unique])
        )
    source = unnest_source(table, keys)
    statement = update(table).where(and_(*(table.c[k] == source.c[k] for k in keys)), extra).values(dict(values))
    total = 0
    for chunk in chunks(unique, PG_CHUNK):
        params = {f"_{k}": array_literal(row[n] for row in chunk) for n, k in enumerate(keys)}
        total += rowcount(session.execute(statement, params))
    return total
