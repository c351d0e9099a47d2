"""Bulk writes that stay fast at bid-cycle scale (500 000 keywords) on both databases.

- ``bulk_insert`` / ``bulk_update`` / ``upsert``: on PostgreSQL one statement per 10 000 rows,
  fed by one array parameter per column (``marketing_pg_arrays``: psycopg2's ``executemany``
  would be one round trip per row, multi-row ``VALUES`` three times slower). On SQLite an
  in-process ``executemany``: there are no round trips to save, and SQLite can neither name
  the columns of a ``VALUES`` alias nor take arrays.
- ``chunks``: ``IN`` lists of at most 1 000 ids, well under every driver's parameter limit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.marketing_pg_arrays import array_params, mapping_params, unnest_source

T = TypeVar("T")

IN_CHUNK = 1000
PG_CHUNK = 10_000


class UnsupportedDialect(RuntimeError):
    """The bulk helpers know PostgreSQL and SQLite only."""


def chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def dialect_name(session: Session) -> str:
    name = session.get_bind().dialect.name
    if name not in ("postgresql", "sqlite"):
        raise UnsupportedDialect(f"bulk writes are implemented for PostgreSQL and SQLite, not {name!r}")
    return name


def bulk_insert(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys)."""
    if not rows:
        return
    if dialect_name(session) == "sqlite":
        session.execute(insert(table), list(rows))
        return
    columns = list(rows[0])
    source = unnest_source(table, columns)
    statement = insert(table).from_select(columns, select(*(source.c[name] for name in columns)))
    for chunk in chunks(rows, PG_CHUNK):
        session.execute(statement, mapping_params(columns, chunk))


def bulk_update(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]], **fixed: Any
) -> None:
    """Set ``columns`` per row (``rows`` are ``(id, *values)``), plus the same ``fixed``
    values on every one of those rows. Rows whose id does not exist are ignored."""
    if not rows:
        return
    if dialect_name(session) == "sqlite":
        statement = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values({**{name: bindparam(f"_{name}") for name in columns}, **fixed})
        )
        keys = ["_id", *(f"_{name}" for name in columns)]
        session.execute(statement, [dict(zip(keys, row, strict=True)) for row in rows])
        return
    # Sorted, each chunk is one id range; the range bound lets the join read just that slice of
    # the primary key. Without it PostgreSQL hash-joined over the whole table before the first
    # ANALYZE, and merge-joined from the table's first id after it (measured on 500 000 rows).
    # A fixed order also makes concurrent writers lock rows in the same order.
    ordered = sorted(rows, key=lambda row: row[0])
    source = unnest_source(table, ["id", *columns])
    statement = (
        update(table)
        .where(table.c.id == source.c.id, table.c.id.between(bindparam("_lo"), bindparam("_hi")))
        .values({**{n: source.c[n] for n in columns}, **fixed})
    )
    for chunk in chunks(ordered, PG_CHUNK):
        params: dict[str, Any] = array_params(["id", *columns], chunk)
        session.execute(statement, {**params, "_lo": chunk[0][0], "_hi": chunk[-1][0]})


def upsert(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    conflict: Sequence[str],
    update_columns: Sequence[str],
) -> None:
    """Insert ``rows``; where one collides on ``conflict``, overwrite ``update_columns``.
    Within ``rows`` the last one of a conflict key wins (PostgreSQL refuses to update a row
    twice in one statement)."""
    if not rows:
        return
    unique = list({tuple(row[c] for c in conflict): row for row in rows}.values())
    if dialect_name(session) == "sqlite":
        lite = sqlite.insert(table)
        statement: Any = lite.on_conflict_do_update(
            index_elements=list(conflict), set_={c: lite.excluded[c] for c in update_columns}
        )
        session.execute(statement, [dict(row) for row in unique])
        return
    columns = list(unique[0])
    source = unnest_source(table, columns)
    pg = postgresql.insert(table).from_select(columns, select(*(source.c[name] for name in columns)))
    statement = pg.on_conflict_do_update(
        index_elements=list(conflict), set_={c: pg.excluded[c] for c in update_columns}
    )
    for chunk in chunks(unique, PG_CHUNK):
        session.execute(statement, mapping_params(columns, chunk))
