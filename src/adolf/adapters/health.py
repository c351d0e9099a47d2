"""Health probe over the real stores."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text

if TYPE_CHECKING:  # only a type here: `adolf[core]` checks health without redis installed
    from redis import Redis


class StoreHealthProbe:
    def __init__(self, engine: Engine, redis: Redis | None, queue_lengths: Callable[[], dict[str, int]]) -> None:
        self.engine = engine
        self._redis = redis
        self._queue_lengths = queue_lengths

    def database(self) -> str:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 — a probe reports every failure
            return f"error: {type(exc).__name__}: {exc}"
        return "ok"

    def redis(self) -> str:
        if self._redis is None:
            return "not used"
        try:
            self._redis.ping()
        except Exception as exc:  # noqa: BLE001 — a probe reports every failure
            return f"error: {type(exc).__name__}: {exc}"
        return "ok"

    def queue_lengths(self) -> dict[str, int]:
        return self._queue_lengths()
