"""Port: where a dead letter waits when the database that keeps them is unreachable.

A job that fails for good while PostgreSQL is down must not vanish: its letter is spooled
(Redis in a fleet) and written to the table when the database is back. ``take`` hands the
oldest letters over; ``give_back`` returns those that could not be written yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from adolf.application.ports.dead_letters import DeadLetter


class DeadLetterSpool(Protocol):
    def push(self, letter: DeadLetter) -> None: ...

    def peek(self, limit: int = 50) -> list[DeadLetter]:
        """The spooled letters, oldest first, left in place."""

    def take(self, limit: int = 100) -> list[DeadLetter]:
        """Remove and return up to ``limit`` letters, oldest first."""

    def give_back(self, letters: Sequence[DeadLetter]) -> None:
        """Put letters taken but not written back at the head, in their order."""
