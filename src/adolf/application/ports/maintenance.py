"""Port: database housekeeping a use case may ask for after a large delete.

``VACUUM ANALYZE`` (PostgreSQL) gives the space of deleted rows back to the table and
refreshes the planner's statistics; it cannot run inside a transaction, so it is not a
repository method (a repository lives in the unit of work's transaction). The SQL adapter
(``adapters/sqlalchemy/maintenance.py``) runs it on a connection of its own in autocommit;
on SQLite it does nothing and says so.
"""

from __future__ import annotations

from typing import Protocol


class DatabaseMaintenance(Protocol):
    def vacuum_analyze(self, table: str) -> bool:
        """Vacuum and analyze ``table`` outside any transaction; False when the database
        has no such operation (SQLite). ``table`` must be one of the schema's tables."""
