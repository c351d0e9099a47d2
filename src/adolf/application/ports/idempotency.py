"""Port: idempotency keys for jobs with external effects.

A job in flight when its worker dies runs again (late acknowledgement); the key makes its
effect happen once. ``claim`` is part of the caller's transaction where the store is the
database, so the effect and the key commit together.
"""

from __future__ import annotations

from typing import Protocol


class IdempotencyKeys(Protocol):
    def claim(self, key: str, task_name: str) -> bool:
        """True the first time a key is seen; False if it was already claimed."""
