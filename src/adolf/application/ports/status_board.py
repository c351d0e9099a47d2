"""Port: small shared state with a TTL (Redis hashes in a fleet) — cycle metrics, API status,
the Office Dashboard's digital employees. Every module uses this one port."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class StatusBoard(Protocol):
    """Small shared state with a TTL (Redis hashes in a fleet): cycle metrics, API status."""

    def put(self, key: str, values: Mapping[str, Any], ttl: int | None = None) -> None: ...

    def get(self, key: str) -> dict[str, str]: ...

    def incr(self, key: str, amount: int = 1, ttl: int | None = None) -> int: ...
