"""Locks: redis-py's ``Lock`` (owner token, extend, TTL) for a fleet; an in-process one for
the embedded single-process runtime."""

from __future__ import annotations

import threading
import time
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only a type here: the local lock serves `adolf[core]` without redis
    from redis import Redis

KEY_PREFIX = "adolf:lock:"


class RedisLockHandle:
    def __init__(self, name: str, lock: object) -> None:
        self.name = name
        self._lock = lock

    def extend(self, ttl: float) -> bool:
        from redis.exceptions import LockError, LockNotOwnedError

        try:
            self._lock.extend(ttl, replace_ttl=True)  # type: ignore[attr-defined]
        except (LockError, LockNotOwnedError):
            return False
        return True

    def release(self) -> bool:
        from redis.exceptions import LockError, LockNotOwnedError

        try:
            self._lock.release()  # type: ignore[attr-defined]
        except (LockError, LockNotOwnedError):
            return False
        return True


class RedisLock:
    """Names that already look like keys (``marketing:lock:bid_cycle``) are used as they are,
    so the seeds' key names hold."""

    def __init__(self, client: Redis) -> None:
        self.client = client

    def key(self, name: str) -> str:
        return name if ":" in name else KEY_PREFIX + name

    def acquire(self, name: str, ttl: float, owner: str = "") -> RedisLockHandle | None:
        lock = self.client.lock(self.key(name), timeout=ttl, blocking=False, thread_local=False)
        if not lock.acquire(blocking=False, token=_token(owner)):
            return None
        return RedisLockHandle(name, lock)

    def remaining(self, name: str) -> float | None:
        left = int(self.client.pttl(self.key(name)))  # type: ignore[arg-type]
        return left / 1000 if left >= 0 else None

    def holder(self, name: str) -> str | None:
        value = self.client.get(self.key(name))
        if value is None:
            return None
        return _owner_of(value.decode() if isinstance(value, bytes) else str(value))


def _token(owner: str) -> str:
    """Unique per acquisition (two deliveries of one job never share a token), and still
    telling whose it is."""
    return f"{owner}|{uuid.uuid4().hex}"


def _owner_of(token: str) -> str:
    return token.rpartition("|")[0]


class LocalLockHandle:
    def __init__(self, owner: LocalLock, name: str, token: str) -> None:
        self._owner = owner
        self.name = name
        self.token = token

    def extend(self, ttl: float) -> bool:
        return self._owner._extend(self.name, self.token, ttl)

    def release(self) -> bool:
        return self._owner._release(self.name, self.token)


class LocalLock:
    """Same contract as ``RedisLock`` inside one process (tokens, expiry)."""

    def __init__(self) -> None:
        self._held: dict[str, tuple[str, float]] = {}
        self._guard = threading.Lock()

    def acquire(self, name: str, ttl: float, owner: str = "") -> LocalLockHandle | None:
        with self._guard:
            held = self._held.get(name)
            if held and held[1] > time.monotonic():
                return None
            token = _token(owner)
            self._held[name] = (token, time.monotonic() + ttl)
            return LocalLockHandle(self, name, token)

    def holder(self, name: str) -> str | None:
        with self._guard:
            held = self._held.get(name)
            if not held or held[1] <= time.monotonic():
                return None
            return _owner_of(held[0])

    def remaining(self, name: str) -> float | None:
        with self._guard:
            held = self._held.get(name)
            left = held[1] - time.monotonic() if held else 0.0
            return left if left > 0 else None

    def _extend(self, name: str, token: str, ttl: float) -> bool:
        with self._guard:
            held = self._held.get(name)
            if not held or held[0] != token or held[1] <= time.monotonic():
                return False
            self._held[name] = (token, time.monotonic() + ttl)
            return True

    def _release(self, name: str, token: str) -> bool:
        with self._guard:
            held = self._held.get(name)
            if not held or held[0] != token:
                return False
            del self._held[name]
            return held[1] > time.monotonic()
