"""Dead letters waiting in Redis while the database is unreachable (a list, oldest first);
and the same in process memory for the embedded runtime, whose database is a local file."""

from __future__ import annotations

import json
import threading
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from adolf.application.ports.dead_letters import DeadLetter

if TYPE_CHECKING:  # only a type here: the memory spool serves `adolf[core]` without redis
    from redis import Redis

KEY = "adolf:dead_letters:spool"


def _dump(letter: DeadLetter) -> str:
    data = asdict(letter)
    data["failed_at"] = letter.failed_at.isoformat()
    data["retried_at"] = None
    data["id"] = None
    return json.dumps(data, default=str)


def _load(raw: bytes | str) -> DeadLetter:
    data: dict[str, Any] = json.loads(raw)
    data["failed_at"] = datetime.fromisoformat(data["failed_at"])
    return DeadLetter(**data)


class RedisDeadLetterSpool:
    def __init__(self, client: Redis, key: str = KEY) -> None:
        self.client = client
        self.key = key

    def push(self, letter: DeadLetter) -> None:
        self.client.rpush(self.key, _dump(letter))

    def peek(self, limit: int = 50) -> list[DeadLetter]:
        return [_load(raw) for raw in self.client.lrange(self.key, 0, limit - 1)]  # type: ignore[union-attr]

    def drop(self, count: int = 1) -> None:
        self.client.ltrim(self.key, count, -1)


class MemoryDeadLetterSpool:
    def __init__(self) -> None:
        self._letters: list[DeadLetter] = []
        self._guard = threading.Lock()

    def push(self, letter: DeadLetter) -> None:
        with self._guard:
            self._letters.append(letter)

    def peek(self, limit: int = 50) -> list[DeadLetter]:
        with self._guard:
            return self._letters[:limit]

    def drop(self, count: int = 1) -> None:
        with self._guard:
            del self._letters[:count]
