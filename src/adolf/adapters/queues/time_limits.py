"""Hard time limit for in-process runs: SIGALRM interrupts the job in the main thread.

Celery and RQ enforce limits themselves (child process kill, RQ's death penalty); the
inline runtime uses the same Unix mechanism RQ does. Off the main thread no limit is set.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class HardTimeLimitExceeded(Exception):
    """The job ran past its hard time limit and was stopped."""


@contextmanager
def hard_time_limit(seconds: float | None, task: str) -> Iterator[None]:
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def _expired(_signum: int, _frame: FrameType | None) -> None:
        raise HardTimeLimitExceeded(f"{task} exceeded its hard time limit of {seconds} s")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
