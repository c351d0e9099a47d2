"""Two ``adolf simulate --backend rq`` given the same Redis database at the same time: the
second waits for the first, so each report is the inline one (sharing it, each run's workers
took the other's jobs and ran them on their own database: both reports wrong, no error)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from redis import Redis

from adolf.adapters.redis.sim_clock import KEY as CLOCK
from tests.e2e.conftest import Run
from tests.e2e.test_simulate_logistic import WORKERS_REDIS_DB, report_of
from tests.support.services import require_redis


@pytest.mark.slow
@pytest.mark.timeout(420, func_only=True)
def test_two_runs_on_one_redis_database_take_turns_and_both_report_what_inline_does(adolf: Run, tmp_path: Path) -> None:
    sim_redis = require_redis(WORKERS_REDIS_DB)  # the Logistic rq test's: the lock is what lets them share it

    def one_day(backend: str, name: str) -> Any:
        return adolf(
            "simulate", "--days", "1", "--campaigns", "3", "--keywords", "4", "--modules", "logistic",
            "--backend", backend, "--redis", sim_redis, "--workers", "2", "--json",
            "--database", f"sqlite:///{tmp_path / name}.sqlite3", timeout=200,
        )  # fmt: skip

    inline = report_of(one_day("inline", "inline").stdout)["logistic"]
    done: dict[str, Any] = {}
    failed: list[BaseException] = []

    def run(name: str) -> None:
        try:
            done[name] = one_day("rq", name)
        except BaseException as error:  # noqa: BLE001 — re-raised by the test below
            failed.append(error)

    redis = Redis.from_url(sim_redis)
    first = threading.Thread(target=run, args=("first",))
    first.start()
    # the second starts once the first moves its clock, mid-run
    deadline = time.monotonic() + 60
    while not redis.exists(CLOCK) and first.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    second = threading.Thread(target=run, args=("second",))
    second.start()
    for thread in (first, second):
        thread.join(300)
    if failed:
        raise failed[0]

    for name in ("first", "second"):
        report = report_of(done[name].stdout)
        assert (report["backend"], report["dead_letters"]) == ("rq", 0)
        assert report["logistic"] == inline, name
    # one of them waited for the other (the second, unless a clock a killed run left started it early)
    assert any("is in use by another simulation" in done[name].stderr for name in ("first", "second"))
