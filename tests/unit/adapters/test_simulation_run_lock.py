"""One simulation on workers at a time per Redis database (``simulation.run_lock``), on the
in-process lock that keeps the Redis one's contract."""

from __future__ import annotations

import os
import socket
import threading
import time

import pytest

from adolf.adapters.redis.lock import LocalLock
from adolf.entrypoints.simulation.run_lock import KEY, SimulationBusy, one_run_at_a_time

WHERE = "the simulation's Redis database redis://127.0.0.1:6379/8"


def test_a_second_run_waits_for_the_first_to_end_and_says_for_whom() -> None:
    lock = LocalLock()
    told: list[str] = []
    order: list[str] = []
    first_in, second_waiting, second_done = threading.Event(), threading.Event(), threading.Event()
    release_first = threading.Event()

    def first() -> None:
        with one_run_at_a_time(lock, WHERE, told=told.append):
            order.append("first in")
            first_in.set()
            release_first.wait(5)
            order.append("first out")

    def second() -> None:
        def noted(message: str) -> None:
            told.append(message)
            second_waiting.set()

        with one_run_at_a_time(lock, WHERE, poll=0.01, told=noted):
            order.append("second in")
        second_done.set()

    runs = [threading.Thread(target=first), threading.Thread(target=second)]
    runs[0].start()
    assert first_in.wait(5)
    runs[1].start()
    assert second_waiting.wait(5)
    time.sleep(0.2)
    assert order == ["first in"]  # still waiting while the first runs
    release_first.set()
    assert second_done.wait(5)
    for run in runs:
        run.join(5)
    assert order == ["first in", "first out", "second in"]
    [message] = told
    assert message.startswith(f"{WHERE} is in use by another simulation ({socket.gethostname()}:{os.getpid()})")
    assert lock.holder(KEY) is None  # released at the end


def test_the_heartbeat_keeps_a_long_run_s_lock_past_its_ttl() -> None:
    lock = LocalLock()
    with one_run_at_a_time(lock, WHERE, ttl=0.3):
        deadline = time.monotonic() + 1.2
        while time.monotonic() < deadline:
            assert lock.acquire(KEY, 1.0) is None
            time.sleep(0.05)
    assert lock.acquire(KEY, 1.0) is not None


def test_a_run_gives_up_past_its_wait_and_runs_nothing() -> None:
    lock = LocalLock()
    assert lock.acquire(KEY, 60.0, owner="elsewhere:42") is not None
    ran = []
    with (
        pytest.raises(SimulationBusy, match=r"still in use by another simulation \(elsewhere:42\) after 0 s"),
        one_run_at_a_time(lock, WHERE, wait=0.2, poll=0.01, told=lambda _message: None),
    ):
        ran.append(True)
    assert ran == []
    assert lock.holder(KEY) == "elsewhere:42"  # the other run's lock is left alone


def test_a_killed_run_s_lock_lapses_and_a_failed_run_releases_its_own() -> None:
    lock = LocalLock()
    assert lock.acquire(KEY, 0.3, owner="killed:1") is not None  # taken, never extended nor released
    started = time.monotonic()
    with (
        pytest.raises(RuntimeError, match="the run failed"),
        one_run_at_a_time(lock, WHERE, poll=0.01, told=lambda _message: None),
    ):
        assert time.monotonic() - started >= 0.25
        raise RuntimeError("the run failed")
    assert lock.holder(KEY) is None
