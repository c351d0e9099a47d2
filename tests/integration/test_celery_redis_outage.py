"""Redis goes away across a fire time and comes back: a real ``celery beat`` and ``celery
worker`` stay up, and the next slot fires and runs. A redis-server of the test's own (a
free port, no persistence) is stopped and started again on the same port."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from redis import Redis

from adolf.adapters.queues.celery_beat import GuardedScheduler
from adolf.adapters.redis.fire_guard import FireGuard
from adolf.adapters.sqlalchemy import migrate
from adolf.application.catalogue import Catalogue, Schedule, TaskSpec
from adolf.container import build_container
from adolf.settings import load_settings
from tests.integration.parity.harness_celery import CeleryProcesses, wait_for_worker
from tests.support.own_redis import OwnRedis, own_redis

REPO = Path(__file__).resolve().parents[2]
QUEUE = "celery_outage.default"
TICKS = "ADOLF_TEST_OUTAGE_TICKS"


def _record(name: str) -> dict[str, str]:
    at = datetime.now(UTC).isoformat()
    (Path(os.environ[TICKS]) / f"{name}@{at}").touch()
    return {"ran": at}


def _on_the_minute(services: Any) -> dict[str, str]:
    return _record("on_the_minute")


def _on_the_half(services: Any) -> dict[str, str]:
    return _record("on_the_half")


CATALOGUE = Catalogue(
    [
        TaskSpec("celery_outage.on_the_minute", _on_the_minute, QUEUE, schedule=Schedule.every(60)),
        TaskSpec("celery_outage.on_the_half", _on_the_half, QUEUE, schedule=Schedule.every(60, offset=30)),
    ]
)
NAMES = {0: "on_the_minute", 30: "on_the_half"}


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[OwnRedis]:
    with own_redis(tmp_path) as server:
        yield server


def _next_slot(after: datetime) -> datetime:
    """The first :00 or :30 second at least ``after``."""
    base = after.replace(second=0, microsecond=0)
    return next(base + timedelta(seconds=s) for s in range(0, 150, 30) if base + timedelta(seconds=s) >= after)


def _ran_since(ticks: Path, name: str, since: datetime) -> bool:
    return any(datetime.fromisoformat(p.name.split("@", 1)[1]) >= since for p in ticks.glob(f"{name}@*"))


@pytest.mark.slow
@pytest.mark.timeout(150)
def test_celery_beat_and_worker_outlive_a_redis_outage_across_a_fire_time(
    redis_server: OwnRedis, tmp_path: Path
) -> None:
    ticks = tmp_path / "ticks"
    ticks.mkdir()
    env = {
        "ADOLF_DATABASE_URL": f"sqlite:///{tmp_path / 'outage.sqlite3'}",
        "ADOLF_REDIS_URL": redis_server.url,
        "ADOLF_QUEUE_BACKEND": "celery",
        "ADOLF_LOG_FORMAT": "json",
        "ADOLF_EXTRA_CATALOGUES": "tests.integration.test_celery_redis_outage:CATALOGUE",
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        TICKS: str(ticks),
    }
    container = build_container(
        load_settings(
            database_url=env["ADOLF_DATABASE_URL"],
            redis_url=redis_server.url,
            queue_backend="celery",
            extra_catalogues=env["ADOLF_EXTRA_CATALOGUES"],
        )
    )
    migrate.upgrade(container.engine())
    log_dir = tmp_path / "celery"
    log_dir.mkdir()
    procs = CeleryProcesses(env, log_dir)
    app = container.celery_app()
    try:
        name = f"o{os.getpid()}"
        procs.spawn(
            "worker",
            "-Q",
            QUEUE,
            "-c",
            "1",
            "-n",
            f"{name}@%h",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            label=name,
        )
        wait_for_worker(app, name, procs)
        procs.spawn("beat", "-s", str(log_dir / "schedule"), "--loglevel", "INFO", label="beat")
        time.sleep(3.0)  # beat is up and has read its schedule

        missed = _next_slot(datetime.now(UTC) + timedelta(seconds=3))
        redis_server.stop()  # Redis is away at the fire time `missed`
        time.sleep(max(0.0, (missed + timedelta(seconds=4) - datetime.now(UTC)).total_seconds()))
        assert all(p.poll() is None for p in procs.procs), f"a process died while Redis was away:\n{procs.logs()}"
        redis_server.start()

        following = missed + timedelta(seconds=30)
        next_name = NAMES[following.second]
        deadline = following + timedelta(seconds=25)
        while not _ran_since(ticks, next_name, following) and datetime.now(UTC) < deadline:
            time.sleep(0.25)
        assert _ran_since(ticks, next_name, following), f"the next slot never ran after the outage:\n{procs.logs()}"
        # beat retried sending the slot that fell in the outage and sent it once Redis was back
        assert _ran_since(ticks, NAMES[missed.second], missed), procs.logs()
        assert all(p.poll() is None for p in procs.procs), f"a process died after the outage:\n{procs.logs()}"
    finally:
        procs.stop()
        app.close()
        container.engine().dispose()


def test_beat_keeps_trying_to_claim_a_due_slot_while_redis_is_away_instead_of_dropping_it(
    redis_server: OwnRedis,
) -> None:
    """Beat has already advanced past a due slot when it claims it: a claim given up at the
    first refused connection lost that slot for good."""
    scheduler = GuardedScheduler.__new__(GuardedScheduler)  # only its claim is exercised here
    scheduler.owner = "beat-under-test"
    scheduler._guard = FireGuard(Redis.from_url(redis_server.url, socket_connect_timeout=0.5))
    slot = datetime(2026, 1, 12, 9, 7, tzinfo=UTC)
    redis_server.stop()
    claims: list[bool | None] = []
    claiming = threading.Thread(target=lambda: claims.append(scheduler._claim("marketing.run_bid_cycle", slot)))
    claiming.start()
    time.sleep(3.0)
    redis_server.start()  # (in this thread: the test's process helpers are not thread-safe)
    claiming.join(timeout=60)

    assert claims == [True]
    assert scheduler._claim("marketing.run_bid_cycle", slot) is False  # once: the second is a duplicate
