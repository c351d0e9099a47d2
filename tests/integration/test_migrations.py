"""Migrations go up and down cleanly, and the tables the code uses match them."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from adolf.adapters.sqlalchemy import migrate
from adolf.adapters.sqlalchemy.engine import build_engine
from adolf.adapters.sqlalchemy.tables import metadata


def test_migrations_go_up_down_and_up_again(database_url: str) -> None:
    engine = build_engine(database_url)
    try:
        migrate.upgrade(engine)
        head = migrate.current(engine)
        assert head is not None
        assert set(metadata.tables) <= set(inspect(engine).get_table_names())
        migrate.downgrade(engine, "base")
        assert migrate.current(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(engine)
        assert migrate.current(engine) == head
    finally:
        migrate.downgrade(engine, "base")
        engine.dispose()


def test_the_code_tables_match_the_migrated_schema(database_url: str) -> None:
    engine = build_engine(database_url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), metadata)
        assert diff == []
    finally:
        migrate.downgrade(engine, "base")
        engine.dispose()
