"""One migration's round trip, as each module's schema test checks its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, inspect

from adolf.adapters.sqlalchemy import migrate
from adolf.adapters.sqlalchemy.engine import build_engine
from adolf.adapters.sqlalchemy.tables import metadata


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def assert_round_trip(database_url: str, before: str, revision: str, tables: set[str]) -> None:
    """Up from ``before`` to ``revision`` adds exactly ``tables``; down takes exactly them away
    and leaves what ``before`` made matching the code; up again adds them again."""
    engine = build_engine(database_url)
    try:
        migrate.upgrade(engine, before)
        earlier_tables = table_names(engine)
        assert not earlier_tables & tables
        migrate.upgrade(engine, revision)
        assert table_names(engine) == earlier_tables | tables
        migrate.downgrade(engine, before)
        assert migrate.current(engine) == before
        assert table_names(engine) == earlier_tables
        # What the earlier revisions left is intact: its tables still match the code's.
        earlier = MetaData()
        for name in earlier_tables - {"alembic_version"}:
            metadata.tables[name].to_metadata(earlier)
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), earlier) == []
        migrate.upgrade(engine, revision)
        assert table_names(engine) == earlier_tables | tables
    finally:
        migrate.downgrade(engine, "base")
        engine.dispose()


CONTRACT_STORES = ["fake", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def contract_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine | None]:
    """For a repository contract fixture parametrised over ``CONTRACT_STORES``: None for the
    in-memory fakes, else an engine migrated to head (SQLite in ``tmp_path`` or the suite's
    PostgreSQL database), taken down to base after the test."""
    if request.param == "fake":
        yield None
        return
    url = (
        f"sqlite:///{tmp_path / 'adolf.sqlite3'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    engine = build_engine(url)
    migrate.upgrade(engine)
    try:
        yield engine
    finally:
        migrate.downgrade(engine, "base")
        engine.dispose()
