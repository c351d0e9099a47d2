"""Redis goes away and comes back: the RQ cron scheduler and worker outlive it.

A Redis server of the test's own (a free port, no persistence) is stopped across a fire
time and started again on the same port. The scheduler must stay up, fire the slot that
passed while Redis was away (it is within the grace), fire the next slot on time, and the
worker must come back and run both. The shared Redis on 6379 is never touched.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from rq.cron import CronScheduler

from adolf.adapters.queues.rq_queue import RqTaskQueue
from adolf.adapters.sqlalchemy import migrate
from adolf.application.catalogue import Catalogue, Schedule, TaskSpec
from adolf.application.ports.tasks import TaskState
from adolf.container import build_container
from adolf.settings import load_settings
from tests.support import processes
from tests.support.own_redis import OwnRedis
from tests.support.own_redis import own_redis as own_redis_server

REPO = Path(__file__).resolve().parents[2]
QUEUE = "outage.default"


def _tick(services: Any) -> dict[str, str]:
    return {"tick": "ok"}


def _slow(services: Any, seconds: float = 4.0) -> dict[str, str]:
    time.sleep(seconds)
    return {"slept": str(seconds)}


#: Two every-minute schedules half a minute apart, so that "a slot during the outage, then
#: the next slot" fits in well under a minute and a half.
CATALOGUE = Catalogue(
    [
        TaskSpec("outage.on_the_minute", _tick, QUEUE, schedule=Schedule.every(60)),
        TaskSpec("outage.on_the_half", _tick, QUEUE, schedule=Schedule.every(60, offset=30)),
        TaskSpec("outage.slow", _slow, QUEUE),
        TaskSpec("outage.plain", _tick, QUEUE),
    ]
)
NAMES = {0: "outage.on_the_minute", 30: "outage.on_the_half"}


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    with own_redis_server(tmp_path) as server:
        yield server


def _next_slot(after: datetime) -> datetime:
    """The first :00 or :30 second at least ``after``."""
    base = after.replace(second=0, microsecond=0)
    for step in range(0, 150, 30):
        slot = base + timedelta(seconds=step)
        if slot >= after:
            return slot
    raise AssertionError("unreachable")


def _sleep_until(moment: datetime) -> None:
    time.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()))


def _env(url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ADOLF_DATABASE_URL": f"sqlite:///{tmp_path / 'outage.sqlite3'}",
        "ADOLF_REDIS_URL": url,
        "ADOLF_QUEUE_BACKEND": "rq",
        "ADOLF_LOG_FORMAT": "json",
        "ADOLF_EXTRA_CATALOGUES": "tests.integration.test_rq_redis_outage:CATALOGUE",
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }


def _container(env: dict[str, str]) -> Any:
    settings = load_settings(
        database_url=env["ADOLF_DATABASE_URL"],
        redis_url=env["ADOLF_REDIS_URL"],
        queue_backend="rq",
        extra_catalogues=env["ADOLF_EXTRA_CATALOGUES"],
    )
    container = build_container(settings)
    migrate.upgrade(container.engine())
    return container


def _wait(predicate: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except Exception:  # noqa: BLE001 — Redis may be coming back
            pass
        time.sleep(0.2)
    return bool(predicate())


@pytest.mark.slow
@pytest.mark.timeout(150)
def test_the_rq_scheduler_and_worker_outlive_a_redis_outage_across_a_fire_time(
    own_redis: OwnRedis, tmp_path: Path
) -> None:
    url = f"redis://127.0.0.1:{own_redis.port}/0"
    env = _env(url, tmp_path)
    container = _container(env)
    entry = [sys.executable, "-m", "adolf.entrypoints.rq_worker"]
    procs: list[subprocess.Popen[Any]] = []
    logs = {name: tmp_path / f"{name}.log" for name in ("scheduler", "worker")}
    client = Redis.from_url(url, socket_connect_timeout=0.5)

    def log_tail() -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-2500:]}" for p in logs.values() if p.exists())

    def ran(task: str, slot: datetime) -> bool:
        owner = client.get(f"adolf:fired:{task}:{slot.isoformat()}")
        if owner is None:
            return False
        tasks = RqTaskQueue(client, container.catalogue())
        ids = [i.decode() for i in client.zrange(f"rq:cron_job:{task}:jobs", 0, -1)]
        return any(tasks.status(i).state is TaskState.SUCCEEDED for i in ids)

    try:
        for name, cmd in (("scheduler", ["scheduler"]), ("worker", ["worker", "-q", QUEUE])):
            with logs[name].open("wb") as out:
                procs.append(processes.spawn([*entry, *cmd], env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT))
        deadline = time.monotonic() + 20
        while not CronScheduler.all(client) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert CronScheduler.all(client), f"the scheduler never registered:\n{log_tail()}"
        time.sleep(1.0)  # the worker is up too

        missed = _next_slot(datetime.now(UTC) + timedelta(seconds=3))
        own_redis.stop()  # Redis is away at the fire time `missed`
        _sleep_until(missed + timedelta(seconds=4))
        assert all(p.poll() is None for p in procs), f"a process died while Redis was away:\n{log_tail()}"
        own_redis.start()  # same port, empty: every fired key below is written after the outage

        following = missed + timedelta(seconds=30)
        missed_task, next_task = NAMES[missed.second], NAMES[following.second]
        while not ran(missed_task, missed) and datetime.now(UTC) < following:
            time.sleep(0.25)
        assert ran(missed_task, missed), f"the slot missed during the outage never ran:\n{log_tail()}"

        deadline_next = following + timedelta(seconds=15)
        while not ran(next_task, following) and datetime.now(UTC) < deadline_next:
            time.sleep(0.25)
        assert ran(next_task, following), f"the next slot never ran after the outage:\n{log_tail()}"
        assert all(p.poll() is None for p in procs), f"a process died after the outage:\n{log_tail()}"
        scheduler_log = logs["scheduler"].read_text()
        assert scheduler_log.count("Redis unreachable") == 1, scheduler_log[-2500:]
        assert "Redis reachable again" in scheduler_log
        assert "Traceback" not in scheduler_log
    finally:
        processes.stop_tree(procs, grace=0)
        client.close()
        container.engine().dispose()


@pytest.mark.slow
@pytest.mark.timeout(90)
def test_an_rq_worker_whose_job_ends_while_redis_is_away_serves_again_when_it_returns(
    own_redis: OwnRedis, tmp_path: Path
) -> None:
    url = f"redis://127.0.0.1:{own_redis.port}/0"
    env = _env(url, tmp_path)
    container = _container(env)
    log = tmp_path / "worker.log"
    client = Redis.from_url(url, socket_connect_timeout=0.5)
    tasks = RqTaskQueue(client, container.catalogue())
    procs: list[subprocess.Popen[Any]] = []
    try:
        with log.open("wb") as out:
            procs.append(
                processes.spawn(
                    [sys.executable, "-m", "adolf.entrypoints.rq_worker", "worker", "-q", QUEUE],
                    env=env,
                    cwd=REPO,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
        slow = tasks.enqueue("outage.slow", {"seconds": 4.0})
        assert _wait(lambda: tasks.status(slow).state is TaskState.STARTED, 20), log.read_text()[-2500:]
        own_redis.stop()  # the job finishes, and the worker reports it, while Redis is away
        time.sleep(7)
        own_redis.start()
        plain = tasks.enqueue("outage.plain")
        assert _wait(lambda: tasks.status(plain).state is TaskState.SUCCEEDED, 45), (
            f"the worker did not serve again after Redis came back:\n{log.read_text()[-3000:]}"
        )
        assert procs[0].poll() is None, log.read_text()[-3000:]
    finally:
        processes.stop_tree(procs, grace=0)
        client.close()
        container.engine().dispose()


@pytest.mark.slow
@pytest.mark.timeout(90)
def test_an_rq_worker_and_scheduler_started_while_redis_is_down_serve_once_it_is_up(
    own_redis: OwnRedis, tmp_path: Path
) -> None:
    url = f"redis://127.0.0.1:{own_redis.port}/0"
    env = _env(url, tmp_path)
    container = _container(env)
    logs = {name: tmp_path / f"{name}.log" for name in ("scheduler", "worker")}
    procs: list[subprocess.Popen[Any]] = []
    own_redis.stop()
    try:
        for name, cmd in (("scheduler", ["scheduler"]), ("worker", ["worker", "-q", QUEUE])):
            with logs[name].open("wb") as out:
                procs.append(
                    processes.spawn(
                        [sys.executable, "-m", "adolf.entrypoints.rq_worker", *cmd],
                        env=env,
                        cwd=REPO,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
        time.sleep(5)
        tails = "\n".join(p.read_text()[-2000:] for p in logs.values())
        assert all(p.poll() is None for p in procs), f"a process died while Redis was down:\n{tails}"
        own_redis.start()
        client = Redis.from_url(url, socket_connect_timeout=0.5)
        try:
            task_id = RqTaskQueue(client, container.catalogue()).enqueue("outage.plain")
            tasks = RqTaskQueue(client, container.catalogue())
            assert _wait(lambda: tasks.status(task_id).state is TaskState.SUCCEEDED, 30), logs["worker"].read_text()
            assert _wait(lambda: bool(CronScheduler.all(client)), 20), logs["scheduler"].read_text()
        finally:
            client.close()
        assert all(p.poll() is None for p in procs)
    finally:
        processes.stop_tree(procs, grace=0)
        container.engine().dispose()
