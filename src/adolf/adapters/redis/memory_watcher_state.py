"""In-memory ``ParsingQueue``, ``IpBlocks`` and ``WatcherStatsStore``: the same keys as Redis
(``watcher_queue``, ``watcher_ip_blocks``, ``watcher_stats``) in one ``MemoryKeyspace`` whose
TTLs run on the clock it is handed (``now``, ``time.monotonic`` by default).

The embedded default (no ``ADOLF_REDIS_URL``) keeps Watcher's state here, inside its one
process, as ``InMemoryStatusBoard`` does for the status board; tests build them on a fake
clock (``tests/support/fakes/watcher_state.py``) so a use case test can expire an IP block or
a stats hash by moving it. One contract suite runs these and the Redis adapters
(tests/integration/watcher/test_state_contract.py).

``MemoryWatcherState(now=...)`` builds all three on one keyspace; ``state.keys`` (``ttl``,
``names``, ``raw``) shows them as Redis would.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from fnmatch import fnmatchcase

from adolf.application.watcher.state_ports import (
    AGENTS_STATS_KEY,
    AGENTS_STATS_TTL,
    CLEANUP_PATTERNS,
    DAILY_STATS_TTL,
    GENERATION_TTL,
    IP_BLOCK_TTL,
    IP_BLOCKED_PREFIX,
    Fields,
    agent_state_key,
    daily_stats_key,
    fields_text,
    generation_key,
    ip_blocked_key,
    is_stale,
    task_queue_key,
)
from adolf.domain.marketplace import Marketplace

Value = list[int] | dict[str, str] | str


class WrongKind(TypeError):
    """A key holds another kind of value (Redis's WRONGTYPE)."""


class MemoryKeyspace:
    """Keys, values and deadlines; an expired key is gone the moment it is looked at."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self.now = now
        self.values: dict[str, Value] = {}
        self.deadlines: dict[str, float] = {}
        self.guard = threading.RLock()

    def raw(self, key: str) -> Value | None:
        with self.guard:
            deadline = self.deadlines.get(key)
            if deadline is not None and deadline <= self.now():
                self.delete(key)
            return self.values.get(key)

    def put(self, key: str, value: Value, ttl: float | None = None) -> None:
        """Write a list or hash, with or without expiry (also how a test plants a key "written
        by someone else", e.g. a stats hash with no TTL); an empty one removes the key."""
        with self.guard:
            if not value:  # Redis keeps no empty list or hash
                self.delete(key)
                return
            self.values[key] = value
            if ttl is None:
                self.deadlines.pop(key, None)
            else:
                self.deadlines[key] = self.now() + ttl

    def delete(self, key: str) -> bool:
        with self.guard:
            self.deadlines.pop(key, None)
            return self.values.pop(key, None) is not None

    def ttl(self, key: str) -> float | None:
        """Seconds left; None for a key without expiry; KeyError for no key."""
        with self.guard:
            if self.raw(key) is None:
                raise KeyError(key)
            deadline = self.deadlines.get(key)
            return None if deadline is None else deadline - self.now()

    def names(self, pattern: str = "*") -> list[str]:
        with self.guard:
            return sorted(key for key in list(self.values) if fnmatchcase(key, pattern) and self.raw(key) is not None)


class MemoryParsingQueue:
    def __init__(self, keys: MemoryKeyspace | None = None) -> None:
        self.keys = keys or MemoryKeyspace()

    def push(self, marketplace: Marketplace, task_ids: Sequence[int]) -> int:
        with self.keys.guard:
            return self._put(marketplace, [*self._list(marketplace), *_checked(task_ids)])

    def push_front(self, marketplace: Marketplace, task_ids: Sequence[int]) -> int:
        with self.keys.guard:
            return self._put(marketplace, [*_checked(task_ids), *self._list(marketplace)])

    def pop(self, marketplace: Marketplace) -> int | None:
        with self.keys.guard:
            ids = self._list(marketplace)
            if not ids:
                return None
            self._put(marketplace, ids[1:])
            return ids[0]

    def length(self, marketplace: Marketplace) -> int:
        return len(self._list(marketplace))

    def lengths(self) -> dict[Marketplace, int]:
        return {marketplace: self.length(marketplace) for marketplace in Marketplace}

    def remove(self, marketplace: Marketplace, task_id: int) -> int:
        with self.keys.guard:
            ids = self._list(marketplace)
            kept = [i for i in ids if i != _checked([task_id])[0]]
            self._put(marketplace, kept)
            return len(ids) - len(kept)

    def clear(self, marketplace: Marketplace) -> int:
        with self.keys.guard:
            held = self.length(marketplace)
            self.keys.delete(task_queue_key(marketplace))
            return held

    def _list(self, marketplace: Marketplace) -> list[int]:
        value = self.keys.raw(task_queue_key(marketplace))
        if value is not None and not isinstance(value, list):
            raise WrongKind(f"{task_queue_key(marketplace)} is not a list")
        return list(value or [])

    def _put(self, marketplace: Marketplace, ids: list[int]) -> int:
        with self.keys.guard:
            self.keys.put(task_queue_key(marketplace), ids)
            return len(ids)


def _checked(task_ids: Iterable[int]) -> list[int]:
    ids = list(task_ids)
    for task_id in ids:
        if isinstance(task_id, bool) or not isinstance(task_id, int):
            raise TypeError(f"a parsing task id is an int, not {type(task_id).__name__}: {task_id!r}")
    return ids


class MemoryIpBlocks:
    def __init__(self, keys: MemoryKeyspace | None = None, *, now: Callable[[], float] = time.monotonic) -> None:
        self.keys = keys or MemoryKeyspace(now)

    def block(self, ip: str, seconds: int = IP_BLOCK_TTL, reason: str = "") -> None:
        if seconds < 1:
            raise ValueError(f"an IP block lasts at least 1 s, not {seconds}")
        with self.keys.guard:  # not ``put``: Redis keeps an empty string value
            self.keys.values[ip_blocked_key(ip)] = reason
            self.keys.deadlines[ip_blocked_key(ip)] = self.keys.now() + seconds

    def is_blocked(self, ip: str) -> bool:
        return self.keys.raw(ip_blocked_key(ip)) is not None

    def blocked(self) -> list[str]:
        return [key[len(IP_BLOCKED_PREFIX) :] for key in self.keys.names(IP_BLOCKED_PREFIX + "*")]

    def unblock(self, ip: str) -> bool:
        return self.is_blocked(ip) and self.keys.delete(ip_blocked_key(ip))


class MemoryWatcherStatsStore:
    def __init__(self, keys: MemoryKeyspace | None = None, *, now: Callable[[], float] = time.monotonic) -> None:
        self.keys = keys or MemoryKeyspace(now)

    def write_generation(self, day: date, fields: Fields) -> None:
        self.keys.put(generation_key(day), fields_text(fields), GENERATION_TTL)

    def read_generation(self, day: date) -> dict[str, str]:
        return self._read(generation_key(day))

    def write_agents_stats(self, fields: Fields) -> None:
        self.keys.put(AGENTS_STATS_KEY, fields_text(fields), AGENTS_STATS_TTL)

    def read_agents_stats(self) -> dict[str, str]:
        return self._read(AGENTS_STATS_KEY)

    def write_daily_stats(self, day: date, fields: Fields) -> None:
        self.keys.put(daily_stats_key(day), fields_text(fields), DAILY_STATS_TTL)

    def read_daily_stats(self, day: date) -> dict[str, str]:
        return self._read(daily_stats_key(day))

    def write_agent_state(self, agent_id: str | int, fields: Fields) -> None:
        self.keys.put(agent_state_key(agent_id), fields_text(fields))

    def read_agent_state(self, agent_id: str | int) -> dict[str, str]:
        return self._read(agent_state_key(agent_id))

    def cleanup(self, existing_agent_ids: Iterable[str | int], today: date) -> int:
        agents = {str(agent_id) for agent_id in existing_agent_ids}
        with self.keys.guard:
            judged = [key for key in self.keys.names() if any(fnmatchcase(key, p) for p in CLEANUP_PATTERNS)]
            stale = [
                key
                for key in judged
                if is_stale(key, expires=key in self.keys.deadlines, today=today, agent_ids=agents)
            ]
            return sum(self.keys.delete(key) for key in stale)

    def _read(self, key: str) -> dict[str, str]:
        value = self.keys.raw(key)
        if value is not None and not isinstance(value, dict):
            raise WrongKind(f"{key} is not a hash")
        return dict(value or {})


class MemoryWatcherState:
    """The three stores on one keyspace and one clock."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self.keys = MemoryKeyspace(now)
        self.queue = MemoryParsingQueue(self.keys)
        self.ip_blocks = MemoryIpBlocks(self.keys)
        self.stats = MemoryWatcherStatsStore(self.keys)
