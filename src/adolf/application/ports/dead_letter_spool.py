"""Port: where a dead letter waits when the database that keeps them is unreachable.

A job that fails for good while PostgreSQL is down must not vanish: its letter is spooled
(Redis in a fleet) and written to the table when the database is back. A letter leaves the
spool only after it was written (``peek`` then ``drop``): a flusher killed half-way writes a
letter twice at worst, never loses one.
"""

from __future__ import annotations

from typing import Protocol

from adolf.application.ports.dead_letters import DeadLetter


class DeadLetterSpool(Protocol):
    def push(self, letter: DeadLetter) -> None: ...

    def peek(self, limit: int = 50) -> list[DeadLetter]:
        """The spooled letters, oldest first, left in place."""

    def drop(self, count: int = 1) -> None:
        """Remove the ``count`` oldest letters (written to the table)."""
