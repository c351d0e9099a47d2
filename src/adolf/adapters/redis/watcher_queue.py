"""``ParsingQueue`` on Redis lists: ``watcher:task_queue:{mp}``, ids as decimal strings.

One command per call (RPUSH/LPUSH of all ids, LPOP), so a push of 100 000 ids is one round
trip and a pop is atomic however many agents ask at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from redis import Redis

from adolf.application.watcher.state_ports import task_queue_key
from adolf.domain.marketplace import Marketplace


class RedisParsingQueue:
    def __init__(self, client: Redis, prefix: str = "") -> None:
        self.client = client
        self.prefix = prefix  # tests keep their keys apart with one

    def key(self, marketplace: Marketplace) -> str:
        return self.prefix + task_queue_key(marketplace)

    def push(self, marketplace: Marketplace, task_ids: Sequence[int]) -> int:
        if not task_ids:
            return self.length(marketplace)
        return int(self.client.rpush(self.key(marketplace), *_ids(task_ids)))

    def push_front(self, marketplace: Marketplace, task_ids: Sequence[int]) -> int:
        if not task_ids:
            return self.length(marketplace)
        # LPUSH puts each id in front of the one before: reversed, the first given ends first.
        return int(self.client.lpush(self.key(marketplace), *_ids(reversed(task_ids))))

    def pop(self, marketplace: Marketplace) -> int | None:
        value: Any = self.client.lpop(self.key(marketplace))
        return None if value is None else int(value)

    def length(self, marketplace: Marketplace) -> int:
        return int(self.client.llen(self.key(marketplace)))

    def lengths(self) -> dict[Marketplace, int]:
        pipe = self.client.pipeline(transaction=False)
        for marketplace in Marketplace:
            pipe.llen(self.key(marketplace))
        return {mp: int(n) for mp, n in zip(Marketplace, pipe.execute(), strict=True)}

    def remove(self, marketplace: Marketplace, task_id: int) -> int:
        return int(self.client.lrem(self.key(marketplace), 0, str(_task_id(task_id))))

    def clear(self, marketplace: Marketplace) -> int:
        pipe = self.client.pipeline(transaction=True)
        pipe.llen(self.key(marketplace))
        pipe.delete(self.key(marketplace))
        return int(pipe.execute()[0])


def _ids(task_ids: Iterable[int]) -> list[str]:
    """Checked here: a stray "12" or 12.0 is refused at the push, not met by the agent that pops it."""
    return [str(_task_id(task_id)) for task_id in task_ids]


def _task_id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"a parsing task id is an int, not {type(value).__name__}: {value!r}")
    return value
