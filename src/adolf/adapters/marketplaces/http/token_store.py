"""Ozon Performance bearer tokens, one per cabinet, fetched once and shared until they expire.

Ozon issues a client-credentials token valid 30 minutes (``expires_in``), and counts token
requests: every worker asking for its own would spend them and hold different tokens. So
``get_or_fetch`` returns the cached token; when there is none, one worker (a Redis lock per
cabinet) fetches it while the others wait on the lock, then read what it stored. A token is
kept ``EARLY`` seconds less than Ozon grants (never used in its last minute).

``invalidate(cabinet, token)`` drops the token only if it is still the one that was refused:
when two workers meet a 401 with the same old token, the second does not throw away the new
token the first already fetched.

Redis keys: ``{prefix}marketplace:ozon_performance:token:{cabinet}`` (the token, expiring with
it) and the same with ``:lock``. The token is a credential: Redis holds it as the workers do,
and no log line carries it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from redis import Redis
from redis.exceptions import LockError

from .errors import FailedCall

#: seconds before Ozon's expiry at which a token stops being handed out
EARLY = 60.0
_LOCK_TIMEOUT = 30.0  # above a token request's own timeouts: a holder that died frees it
_COMPARE_AND_DELETE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    value: str
    expires_in: float  # seconds, as the marketplace granted it

    def __repr__(self) -> str:
        return f"IssuedToken(expires_in={self.expires_in})"

    @property
    def keep_for(self) -> float:
        """How long to hand it out: ``EARLY`` less than granted, at least half of a short grant."""
        return max(self.expires_in - EARLY, self.expires_in / 2)


Fetch = Callable[[], IssuedToken]


class TokenStore(Protocol):
    def get_or_fetch(self, cabinet: str, fetch: Fetch) -> str: ...

    def invalidate(self, cabinet: str, token: str) -> bool:
        """Drop ``token`` if it is still the cabinet's; whether it was."""


class RedisTokenStore:
    def __init__(self, client: Redis, prefix: str = "adolf:", wait: float = 30.0) -> None:
        self.client = client
        self.prefix = prefix
        self.wait = wait
        self._drop = client.register_script(_COMPARE_AND_DELETE)

    def key(self, cabinet: str) -> str:
        return f"{self.prefix}marketplace:ozon_performance:token:{cabinet}"

    def _cached(self, key: str) -> str | None:
        value = self.client.get(key)
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    def get_or_fetch(self, cabinet: str, fetch: Fetch) -> str:
        key = self.key(cabinet)
        if (token := self._cached(key)) is not None:
            return token
        lock = self.client.lock(f"{key}:lock", timeout=_LOCK_TIMEOUT, blocking_timeout=self.wait, thread_local=False)
        if not lock.acquire():
            raise FailedCall("ozon_perf.token", None, f"another worker held the token lock over {self.wait:g} s")
        try:
            if (token := self._cached(key)) is not None:
                return token  # fetched by the worker we waited for
            issued = fetch()
            self.client.set(key, issued.value, px=max(1, int(issued.keep_for * 1000)))
            return issued.value
        finally:
            with contextlib.suppress(LockError):  # held past its timeout: the next fetcher has it now
                lock.release()

    def invalidate(self, cabinet: str, token: str) -> bool:
        return bool(self._drop(keys=[self.key(cabinet)], args=[token]))


class MemoryTokenStore:
    """The same for one process (the inline runtime)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._tokens: dict[str, tuple[str, float]] = {}
        self._guard = threading.Lock()
        self._clock = clock

    def get_or_fetch(self, cabinet: str, fetch: Fetch) -> str:
        with self._guard:  # held while fetching: the other threads wait for that token
            held = self._tokens.get(cabinet)
            if held and held[1] > self._clock():
                return held[0]
            issued = fetch()
            self._tokens[cabinet] = (issued.value, self._clock() + issued.keep_for)
            return issued.value

    def invalidate(self, cabinet: str, token: str) -> bool:
        with self._guard:
            held = self._tokens.get(cabinet)
            if not held or held[0] != token:
                return False
            del self._tokens[cabinet]
            return True
