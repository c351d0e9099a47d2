"""Status boards: small shared state with a TTL — bid-cycle metrics, marketplace API status.

``RedisStatusBoard`` keeps the seeds' layout: a hash per key (``marketing:last_bid_cycle``,
``marketing:api_status:{mp}``) and plain counters. ``InMemoryStatusBoard`` has the same
contract inside one process, for the embedded runtime and tests.

Contract:
- ``put`` merges fields into the hash (HSET) and, given a TTL, restarts its expiry: a
  "last cycle" hash disappears one TTL after its last update;
- ``incr`` adds to a counter; a TTL is set only when the counter has none, so the count
  covers a window opened by its first increment ("errors in the last 24 h");
- values are stored as strings (dates and datetimes in ISO format, None as "");
- a key that expired reads as ``{}``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only a type here: the in-memory board serves `adolf[core]` without redis
    from redis import Redis


class WrongKind(TypeError):
    """A counter was read as a hash, or a hash incremented as a counter."""


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


class RedisStatusBoard:
    def __init__(self, client: Redis) -> None:
        self.client = client

    def put(self, key: str, values: Mapping[str, Any], ttl: int | None = None) -> None:
        pipe = self.client.pipeline(transaction=True)
        if values:
            pipe.hset(key, mapping={field: as_text(value) for field, value in values.items()})
        if ttl is not None:
            pipe.expire(key, ttl)
        pipe.execute()

    def get(self, key: str) -> dict[str, str]:
        raw: dict[Any, Any] = self.client.hgetall(key)
        return {_text(field): _text(value) for field, value in raw.items()}

    def incr(self, key: str, amount: int = 1, ttl: int | None = None) -> int:
        pipe = self.client.pipeline(transaction=True)
        pipe.incrby(key, amount)
        if ttl is not None:
            pipe.expire(key, ttl, nx=True)  # Redis >= 7.0
        return int(pipe.execute()[0])


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class InMemoryStatusBoard:
    """Expiry by ``time.monotonic()`` (wall-clock jumps do not expire anything early);
    tests may pass another ``clock``."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._items: dict[str, dict[str, str] | int] = {}
        self._deadlines: dict[str, float] = {}
        self._guard = threading.Lock()

    def put(self, key: str, values: Mapping[str, Any], ttl: int | None = None) -> None:
        with self._guard:
            current = self._live(key)
            if current is None:
                current = {}
            elif not isinstance(current, dict):
                raise WrongKind(f"{key!r} holds a counter, not a hash")
            current.update({field: as_text(value) for field, value in values.items()})
            if not current:
                return  # Redis keeps no empty hash
            self._items[key] = current
            if ttl is not None:
                self._deadlines[key] = self._clock() + ttl

    def get(self, key: str) -> dict[str, str]:
        with self._guard:
            current = self._live(key)
            if current is None:
                return {}
            if not isinstance(current, dict):
                raise WrongKind(f"{key!r} holds a counter, not a hash")
            return dict(current)

    def incr(self, key: str, amount: int = 1, ttl: int | None = None) -> int:
        with self._guard:
            current = self._live(key)
            if isinstance(current, dict):
                raise WrongKind(f"{key!r} holds a hash, not a counter")
            total = (current or 0) + amount
            self._items[key] = total
            if ttl is not None and key not in self._deadlines:
                self._deadlines[key] = self._clock() + ttl
            return total

    def _live(self, key: str) -> dict[str, str] | int | None:
        deadline = self._deadlines.get(key)
        if deadline is not None and deadline <= self._clock():
            self._items.pop(key, None)
            del self._deadlines[key]
        return self._items.get(key)
