"""Port: a distributed lock with an owner token.

Only the owner releases; the holder extends it while running (a heartbeat); a crashed
holder's lock expires after its short TTL. ``owner`` names the job that holds it (its task
id, the same on every delivery of the job), so a redelivered job can tell its own dead
predecessor's lock from another job's.
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
    def acquire(self, name: str, ttl: float, owner: str = "") -> LockHandle | None:
        """Take the lock without waiting; None when someone else holds it."""

    def holder(self, name: str) -> str | None:
        """The ``owner`` the lock was taken for, or None when nobody holds it."""

    def remaining(self, name: str) -> float | None:
        """Seconds the lock has left, or None when nobody holds it. A live holder's
        heartbeat keeps it above two thirds of its TTL; a dead holder's runs down."""
