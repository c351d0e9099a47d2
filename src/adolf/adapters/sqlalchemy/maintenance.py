"""``DatabaseMaintenance`` on SQLAlchemy: ``VACUUM ANALYZE`` on PostgreSQL, nothing on SQLite.

VACUUM refuses to run inside a transaction block, so it gets a connection of its own in
``AUTOCOMMIT`` (never the unit of work's session). The table must be one of ``metadata``'s:
its name is quoted by the dialect, never pasted in as given.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

from adolf.adapters.sqlalchemy.tables import metadata


class UnknownTable(LookupError):
    pass


class SqlDatabaseMaintenance:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def vacuum_analyze(self, table: str) -> bool:
        if table not in metadata.tables:
            raise UnknownTable(f"table={table!r} is not in the schema")
        if self.engine.dialect.name != "postgresql":
            return False
        quoted = self.engine.dialect.identifier_preparer.quote(table)
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f"VACUUM ANALYZE {quoted}"))
        return True
