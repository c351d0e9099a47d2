"""What the RQ cron scheduler does with slots that passed while Redis was away: the latest
fires once if within the grace, older ones and a latest past the grace are logged as missed;
a slot it claimed before Redis went away is enqueued on return. Real Redis (a server of the
test's own), the scheduler's own enqueue path."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from redis import Redis

from adolf.adapters.queues.rq_cron import MISSED_FIRE_GRACE, CatalogueCronScheduler, process_zone
from adolf.adapters.queues.rq_queue import RqTaskQueue
from adolf.adapters.queues.schedules import latest_fire
from adolf.adapters.redis.fire_guard import FireGuard
from adolf.application.catalogue import MOSCOW, Catalogue, Schedule, TaskSpec
from tests.support.own_redis import own_redis

QUEUE = "missed.default"


def _noop(services: Any) -> None:
    return None


def _catalogue() -> Catalogue:
    three_hours_ago = datetime.now(ZoneInfo(MOSCOW)) - timedelta(hours=3)
    return Catalogue(
        [
            TaskSpec("missed.minutely", _noop, QUEUE, schedule=Schedule.every(60)),
            TaskSpec(
                "missed.daily",
                _noop,
                QUEUE,
                schedule=Schedule(f"{three_hours_ago.minute} {three_hours_ago.hour} * * *"),
            ),
        ]
    )


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[Redis]:
    with own_redis(tmp_path) as server:
        client = Redis.from_url(server.url)
        yield client
        client.close()


def _scheduler(redis: Redis, catalogue: Catalogue, name: str = "me") -> tuple[CatalogueCronScheduler, RqTaskQueue]:
    tasks = RqTaskQueue(redis, catalogue)
    with process_zone(MOSCOW):
        return CatalogueCronScheduler(tasks, FireGuard(redis), name=name), tasks


def _not_at_a_minute_turn() -> None:
    """The test reads the latest slot and the scheduler reads it again: the same minute."""
    if datetime.now(UTC).second >= 57:
        time.sleep(4)


def _job(scheduler: CatalogueCronScheduler, name: str) -> Any:
    return next(j for j in scheduler.get_jobs() if j.name == name)


def test_only_the_latest_of_several_missed_slots_fires_and_the_rest_are_logged(
    redis: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    _not_at_a_minute_turn()
    scheduler, tasks = _scheduler(redis, _catalogue())
    minutely = _job(scheduler, "missed.minutely")
    latest = latest_fire(minutely.schedule, datetime.now(UTC), MOSCOW)
    minutely.next_enqueue_time = latest - timedelta(minutes=3)  # due 3 slots before Redis came back
    _job(scheduler, "missed.daily").next_enqueue_time = datetime.now(UTC) + timedelta(hours=1)  # not due
    with process_zone(MOSCOW), caplog.at_level(logging.INFO, logger="adolf.adapters.queues.rq_cron"):
        scheduler.enqueue_jobs()
    assert len(tasks.queue(QUEUE).get_job_ids()) == 1
    assert redis.get(f"adolf:fired:missed.minutely:{latest.isoformat()}") == b"me"
    assert (
        "missed.minutely: 3 slot(s) from" in caplog.text
        and f"firing only the latest, {latest.isoformat()}" in caplog.text
    )
    assert minutely.next_enqueue_time > datetime.now(UTC)  # back on schedule


def test_a_latest_slot_past_the_grace_is_logged_as_missed_not_fired(
    redis: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    scheduler, tasks = _scheduler(redis, _catalogue())
    daily = _job(scheduler, "missed.daily")
    slot = latest_fire(daily.schedule, datetime.now(UTC), MOSCOW)
    assert (datetime.now(UTC) - slot).total_seconds() > MISSED_FIRE_GRACE
    daily.next_enqueue_time = slot  # it came while Redis was away
    _job(scheduler, "missed.minutely").next_enqueue_time = datetime.now(UTC) + timedelta(hours=1)
    with process_zone(MOSCOW), caplog.at_level(logging.WARNING, logger="adolf.adapters.queues.rq_cron"):
        scheduler.enqueue_jobs()
    assert tasks.queue(QUEUE).get_job_ids() == []
    assert f"missed.daily: slot {slot.isoformat()} missed" in caplog.text and "past the 3600 s grace" in caplog.text
    assert daily.next_enqueue_time > datetime.now(UTC) + timedelta(hours=20)  # tomorrow's slot


def test_a_slot_claimed_before_redis_went_away_is_enqueued_on_return_but_not_anothers(redis: Redis) -> None:
    _not_at_a_minute_turn()
    catalogue = _catalogue()
    mine, tasks = _scheduler(redis, catalogue, "me")
    theirs, _ = _scheduler(redis, catalogue, "them")
    for scheduler in (mine, theirs):
        _job(scheduler, "missed.daily").next_enqueue_time = datetime.now(UTC) + timedelta(hours=1)
    minutely = _job(mine, "missed.minutely")
    slot = latest_fire(minutely.schedule, datetime.now(UTC), MOSCOW)
    FireGuard(redis).claim("missed.minutely", slot, "me")  # claimed, then Redis went away before the enqueue
    for scheduler in (mine, theirs):
        _job(scheduler, "missed.minutely").next_enqueue_time = slot
        with process_zone(MOSCOW):
            scheduler.enqueue_jobs()
    assert len(tasks.queue(QUEUE).get_job_ids()) == 1
