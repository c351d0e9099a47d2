"""Port: a distributed lock with an owner token.

Only the owner releases; the holder extends it while running; a crashed holder's lock
expires after its TTL.
"""

from __future__ import annotations

from typing import Protocol


class LockHandle(Protocol):
    name: str

    def extend(self, ttl: float) -> bool:
        """Reset the remaining time to ``ttl``; False when the lock is no longer ours."""

    def release(self) -> bool:
        """Release if still ours; False when it had expired or another owner holds it."""


class Lock(Protocol):
    def acquire(self, name: str, ttl: float) -> LockHandle | None:
        """Take the lock without waiting; None when someone else holds it."""
