"""Port: idempotency keys for jobs with external effects.

A job in flight when its worker dies runs again (late acknowledgement); the key makes its
effect happen once. ``claim`` is part of the caller's transaction where the store is the
database, so the effect and the key commit together.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol


class IdempotencyKeys(Protocol):
    def claim(self, key: str, task_name: str, at: datetime | None = None) -> bool:
        """True the first time a key is seen; False if it was already claimed."""

    def claim_many(self, keys: Sequence[str], task_name: str, at: datetime | None = None) -> set[str]:
        """``claim`` for many keys in one statement; returns the keys claimed now."""

    def delete_before(self, cutoff: datetime) -> int:
        """Forget keys claimed before ``cutoff``: no redelivery comes that late."""
