"""``WatcherStatsStore`` on Redis hashes. A write is one MULTI: DEL, HSET, EXPIRE, so a hash is
never seen half-written nor without its TTL."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from fnmatch import fnmatchcase
from typing import Any

from redis import Redis

from adolf.application.watcher.state_ports import (
    AGENTS_STATS_KEY,
    AGENTS_STATS_TTL,
    CLEANUP_PATTERNS,
    DAILY_STATS_TTL,
    GENERATION_TTL,
    Fields,
    agent_state_key,
    daily_stats_key,
    fields_text,
    generation_key,
    is_stale,
)

DELETE_BATCH = 500


class RedisWatcherStatsStore:
    def __init__(self, client: Redis, prefix: str = "") -> None:
        self.client = client
        self.prefix = prefix

    def write_generation(self, day: date, fields: Fields) -> None:
        self._write(generation_key(day), fields, GENERATION_TTL)

    def read_generation(self, day: date) -> dict[str, str]:
        return self._read(generation_key(day))

    def write_agents_stats(self, fields: Fields) -> None:
        self._write(AGENTS_STATS_KEY, fields, AGENTS_STATS_TTL)

    def read_agents_stats(self) -> dict[str, str]:
        return self._read(AGENTS_STATS_KEY)

    def write_daily_stats(self, day: date, fields: Fields) -> None:
        self._write(daily_stats_key(day), fields, DAILY_STATS_TTL)

    def read_daily_stats(self, day: date) -> dict[str, str]:
        return self._read(daily_stats_key(day))

    def write_agent_state(self, agent_id: str | int, fields: Fields) -> None:
        self._write(agent_state_key(agent_id), fields, None)

    def read_agent_state(self, agent_id: str | int) -> dict[str, str]:
        return self._read(agent_state_key(agent_id))

    def cleanup(self, existing_agent_ids: Iterable[str | int], today: date) -> int:
        agents = {str(agent_id) for agent_id in existing_agent_ids}
        start = len(self.prefix)
        found: Any = self.client.scan_iter(match=glob_escape(self.prefix) + "watcher:*", count=1000)
        keys = sorted(
            {key for key in map(text, found) if any(fnmatchcase(key[start:], p) for p in CLEANUP_PATTERNS)}
        )  # SCAN may return a key twice
        pipe = self.client.pipeline(transaction=False)
        for key in keys:
            pipe.ttl(key)
        stale = [
            key
            for key, ttl in zip(keys, pipe.execute(), strict=True)
            if ttl != -2 and is_stale(key[start:], expires=ttl >= 0, today=today, agent_ids=agents)
        ]
        deleted = 0
        for i in range(0, len(stale), DELETE_BATCH):
            deleted += int(self.client.delete(*stale[i : i + DELETE_BATCH]))
        return deleted

    def _write(self, key: str, fields: Fields, ttl: int | None) -> None:
        values = fields_text(fields)  # refuses a bad value before anything is deleted
        pipe = self.client.pipeline(transaction=True)
        pipe.delete(self.prefix + key)
        if values:
            pipe.hset(self.prefix + key, mapping=values)  # type: ignore[arg-type]
            if ttl is not None:
                pipe.expire(self.prefix + key, ttl)
        pipe.execute()

    def _read(self, key: str) -> dict[str, str]:
        raw: dict[Any, Any] = self.client.hgetall(self.prefix + key)
        return {text(field): text(value) for field, value in raw.items()}


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def glob_escape(literal: str) -> str:
    """A prefix used inside a SCAN MATCH pattern, its glob characters taken literally."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in literal)
