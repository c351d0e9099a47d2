"""One ``adolf simulate --backend celery|rq`` at a time on a Redis database.

A run on workers owns the Redis database it is given: it publishes the simulated clock there,
purges the queues, and its workers take whatever job those queues hold and run it against
*their* run's database. Two runs on the same Redis database therefore corrupt each other
without an error: each moves the other's clock, and each one's workers run half of the
other's jobs on their own data (a 1C sync that lands in the wrong database leaves the
warehouse empty, a freshness check there raises no DATA_STALE here, and so on).

So the run takes ``KEY`` before it touches anything in the database, keeps it alive while it
runs (a heartbeat thread; the lock of a run that was killed lapses within ``TTL`` s) and
releases it at the end. A second run on the same database says so and waits for the first
to end, at most ``WAIT`` s, then gives up (``SimulationBusy``) rather than share it.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from adolf.application.ports.lock import Lock, LockHandle

log = logging.getLogger(__name__)

KEY = "adolf:sim:run"  # beside the simulated clock's adolf:sim:now
TTL = 30.0
WAIT = 1800.0  # a default run on workers (a week, every module) takes several minutes


class SimulationBusy(RuntimeError):
    """Another simulation held the Redis database for longer than this run would wait."""


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def one_run_at_a_time(
    lock: Lock,
    where: str,
    *,
    wait: float = WAIT,
    ttl: float = TTL,
    poll: float = 0.5,
    told: Callable[[str], None] = _to_stderr,
) -> Iterator[None]:
    """Hold ``KEY`` for the block, waiting up to ``wait`` s for another run to release it;
    ``where`` names the database in what ``told`` is told (no credentials in it)."""
    owner = f"{socket.gethostname()}:{os.getpid()}"
    handle = lock.acquire(KEY, ttl, owner)
    if handle is None:
        holder = lock.holder(KEY) or "a run that is ending"
        told(f"{where} is in use by another simulation ({holder}): waiting for it to end (at most {wait:.0f} s)")
        deadline = time.monotonic() + wait
        while handle is None:
            if time.monotonic() >= deadline:
                raise SimulationBusy(
                    f"{where} was still in use by another simulation ({lock.holder(KEY)}) after {wait:.0f} s; "
                    "give this run a Redis database of its own (--redis)"
                )
            time.sleep(poll)
            handle = lock.acquire(KEY, ttl, owner)
    stop = threading.Event()
    keeper = threading.Thread(target=_keep, args=(handle, ttl, stop), name="simulation-run-lock", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        stop.set()
        keeper.join(timeout=5)
        handle.release()


def _keep(handle: LockHandle, ttl: float, stop: threading.Event) -> None:
    """Reset the lock to its full ``ttl`` every third of it until ``stop``."""
    while not stop.wait(ttl / 3):
        try:
            if not handle.extend(ttl):
                log.warning("the simulation's run lock %s was lost while the run went on", handle.name)
                return
        except Exception:  # Redis away for a beat: the next beat tries again
            log.warning("could not extend the simulation's run lock %s", handle.name, exc_info=True)
