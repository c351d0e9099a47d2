"""An RQ worker that outlives a Redis outage.

RQ's worker retries a lost connection only while it waits for a job. When Redis is away at
any other moment — a job finishing and being reported, the heartbeat after it, the
suspension check — its loop logs "found an unhandled exception, quitting", and its own
teardown then fails on the same lost connection: the process dies with a traceback and
serves nothing when Redis returns.

``serve_through_outages`` runs the worker; when it stops because Redis is unreachable
(and not because it was asked to stop, nor because a burst ran dry), it logs one warning,
waits for Redis with a backoff of 1 s doubling up to ``MAX_BACKOFF`` s, logs when Redis is
back and starts a fresh worker (same name, queues and options). A job whose outcome could
not be reported while Redis was away stays in the started registry; the redelivery of
``rq_workers`` takes it once its heartbeat lapses, so it runs again (jobs are idempotent).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Worker
from rq.exceptions import StopRequested

log = logging.getLogger(__name__)

MAX_BACKOFF = 10.0
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)


def redis_reachable(redis: Redis) -> bool:
    try:
        redis.ping()
    except REDIS_DOWN:
        return False
    return True


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise StopRequested()


def wait_for_redis(redis: Redis, max_backoff: float = MAX_BACKOFF) -> float:
    """Block until Redis answers a PING; the seconds waited. SIGINT/SIGTERM raise
    ``StopRequested`` meanwhile (the worker that installed RQ's handlers is gone)."""
    started = time.monotonic()
    backoff = 1.0
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not redis_reachable(redis):
            time.sleep(backoff)
            backoff = min(backoff * 2, max_backoff)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return time.monotonic() - started


def _forget(worker: Worker) -> None:
    """Best effort once Redis is back: mark the dead worker dead (so a worker of the same
    name may register) and stop its pub/sub thread."""
    with contextlib.suppress(Exception):
        worker.register_death()  # type: ignore[no-untyped-call]
    with contextlib.suppress(Exception):
        worker.unsubscribe()  # type: ignore[no-untyped-call]


def serve_through_outages(make_worker: Callable[[], Worker], redis: Redis, *, burst: bool = False, **work: Any) -> bool:
    """``make_worker().work(burst=burst, **work)``, started again after each Redis outage
    that stopped it; returns whether any job ran."""
    worked = False
    while True:
        worker: Worker | None = None
        lost: Exception | None = None
        try:
            worker = make_worker()  # RQ's Worker() talks to Redis already
            worked = bool(worker.work(burst=burst, **work)) or worked
        except REDIS_DOWN as exc:  # at start, or RQ's teardown after its loop gave up
            lost = exc
        if burst:
            if lost is not None:
                raise lost
            return worked
        if worker is not None and worker._stop_requested:
            return worked
        if lost is None and redis_reachable(redis):
            return worked  # it stopped for another reason: as RQ would
        name = worker.name if worker is not None else "(starting)"
        log.warning(
            "RQ worker %s stopped: Redis unreachable (%s); waiting for it, retrying with a backoff up to %.0f s",
            name,
            lost or "no answer to PING",
            MAX_BACKOFF,
        )
        try:
            waited = wait_for_redis(redis)
        except StopRequested:
            log.warning("RQ worker %s: stop requested while Redis was unreachable", name)
            return worked
        log.warning("RQ worker %s: Redis reachable again after %.0f s; starting the worker again", name, waited)
        if worker is not None:
            _forget(worker)
