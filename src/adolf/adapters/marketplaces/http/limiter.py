"""Each endpoint's quota, kept by every worker at once: a moving window per (quota, cabinet).

``acquire(endpoint, cabinet)`` takes one call of the endpoint's quota for that cabinet (a
brand's credentials), waiting while the window is full; a wait longer than ``max_wait``
raises ``QuotaWaitExceeded`` (a ``MarketplaceError``, and the Logistic port's
``QuotaExceeded``) with ``retry_after`` at once, without sleeping in vain.

Why the ``limits`` library (moving window over ``RedisStorage``) and not ``pyrate-limiter``
(``RedisBucket``), both read in their docs and source:

- **exact, for any window.** ``limits``' moving window is one Lua script per hit that admits a
  call only if the ``calls``-th newest one is older than the window, then pushes it and trims
  the list to ``calls`` entries: no two processes can both take the last slot, and no window
  of ``per`` seconds ever holds more than ``calls`` — what the marketplaces count. A fixed
  window would let 2× through across a boundary.
- **bounded state, nothing running in the background.** One Redis list of at most ``calls``
  timestamps per key, expiring with the window. ``pyrate-limiter`` routes names to buckets
  through a ``BucketFactory`` whose leaking runs on a background thread — one more thread
  in every Celery prefork child and RQ work horse, for state a trim already bounds.
- **the wait is ours to bound.** ``get_window_stats`` says when the oldest call leaves the
  window, so ``acquire`` knows the wait before it sleeps and can refuse a wait past
  ``max_wait`` (Ozon's analytics, 1 call a minute: the use case comes back later instead of
  holding a worker). The same code runs over ``MemoryStorage`` for the in-process runtime.
- its ``[redis]`` extra pins ``redis<8``; the project installs ``limits`` alone and gives it
  our Redis client's connection pool.

Clocks: ``limits`` stamps each call with the worker's ``time.time()`` just before its script
runs in Redis; workers on several hosts need their clocks in step (NTP) — a skew of ``d``
seconds can let ``calls`` more through in a window shortened by ``d`` — and a worker stalled
between the stamp and the script stamps its call early by the stall.

A Redis error propagates: a call is never made without its quota taken (the job fails and its
runtime retries it, as with every Redis-backed adapter here).

Keys: ``{prefix}marketplace:quota:LIMITER/{group}/{cabinet}/{calls}/1/{second|minute|hour}``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from typing import Protocol

from limits import RateLimitItem, RateLimitItemPerHour, RateLimitItemPerMinute, RateLimitItemPerSecond
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter
from redis import Redis

from adolf.application.logistic.ozon_fbo import QuotaExceeded

from .quotas import HOUR, MINUTE, QUOTAS, Quota, quota_of

DEFAULT_MAX_WAIT = 30.0
#: a freed slot may be taken by another worker first: try again after this at least
MIN_PAUSE = 0.005
#: spread the workers that wake for one freed slot
JITTER = 0.02


class QuotaWaitExceeded(QuotaExceeded):
    """The endpoint's quota for the cabinet frees later than the caller may wait."""

    def __init__(self, endpoint: str, cabinet: str, retry_after: float, max_wait: float) -> None:
        super().__init__(
            f"{endpoint}: quota wait exceeded for cabinet {cabinet!r}: the next call is allowed in "
            f"{retry_after:.2f} s, more than max_wait={max_wait:g} s",
            retry_after,
        )
        self.endpoint = endpoint
        self.cabinet = cabinet


class RateLimiter(Protocol):
    def acquire(self, endpoint: str, cabinet: str, max_wait: float | None = None) -> float:
        """Take one call of the endpoint's quota for ``cabinet``; the seconds waited for it."""


def _item(quota: Quota) -> RateLimitItem:
    kind = {HOUR: RateLimitItemPerHour, MINUTE: RateLimitItemPerMinute}.get(quota.per, RateLimitItemPerSecond)
    return kind(quota.calls)


class QuotaLimiter:
    """A ``RateLimiter`` over any ``limits`` storage (``redis_limiter``, ``memory_limiter``)."""

    def __init__(
        self,
        storage: Storage,
        quotas: Mapping[str, Quota] = QUOTAS,
        max_wait: float = DEFAULT_MAX_WAIT,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_wait < 0:
            raise ValueError(f"max_wait={max_wait} must be >= 0 seconds")
        self._window = MovingWindowRateLimiter(storage)
        self._quotas = dict(quotas)
        self._items = {name: _item(quota) for name, quota in self._quotas.items()}
        self.max_wait = max_wait
        self._sleep = sleep

    def acquire(self, endpoint: str, cabinet: str, max_wait: float | None = None) -> float:
        quota = quota_of(endpoint, self._quotas)
        item = self._items[endpoint]
        limit = self.max_wait if max_wait is None else max_wait
        started = time.monotonic()
        while True:
            if self._window.hit(item, quota.group, cabinet):
                return time.monotonic() - started
            stats = self._window.get_window_stats(item, quota.group, cabinet)
            if stats.remaining > 0:
                continue  # the window moved between the hit and the look: try at once
            wait = max(stats.reset_time - time.time(), MIN_PAUSE)
            if time.monotonic() - started + wait > limit:
                raise QuotaWaitExceeded(endpoint, cabinet, wait, limit)
            self._sleep(wait + random.uniform(0, JITTER))


def redis_limiter(
    client: Redis,
    prefix: str = "adolf:",
    quotas: Mapping[str, Quota] = QUOTAS,
    max_wait: float = DEFAULT_MAX_WAIT,
    sleep: Callable[[float], None] = time.sleep,
) -> QuotaLimiter:
    """Shared by every worker that talks to the same Redis: ``client``'s connection pool."""
    storage = RedisStorage("redis://", connection_pool=client.connection_pool, key_prefix=f"{prefix}marketplace:quota")
    return QuotaLimiter(storage, quotas, max_wait, sleep)


def memory_limiter(
    quotas: Mapping[str, Quota] = QUOTAS,
    max_wait: float = DEFAULT_MAX_WAIT,
    sleep: Callable[[float], None] = time.sleep,
) -> QuotaLimiter:
    """One process's own: the inline runtime, where every worker is this process."""
    return QuotaLimiter(MemoryStorage(), quotas, max_wait, sleep)
