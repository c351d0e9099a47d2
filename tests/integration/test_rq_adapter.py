"""The RQ adapter: job options and retry intervals derived from the catalogue, cron entries
(offsets, time zone, no double fire), redelivery of a dead worker's job, and a real
scheduler + worker firing ``system.ping``. Real Redis (the parity suite's db), no mocks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from rq.job import Job, JobStatus

from adolf.adapters.queues import rq_jobs
from adolf.adapters.queues.rq_cron import (
    CatalogueCronScheduler,
    CronOffsetError,
    SchedulerZoneError,
    cron_expression,
    cron_fire_times,
    process_zone,
)
from adolf.adapters.queues.rq_jobs import FAILURE_TTL, SERIALIZER, RunnerNotInstalled, job_options, retry_intervals
from adolf.adapters.queues.rq_queue import RqTaskQueue
from adolf.adapters.queues.rq_workers import (
    MAX_REDELIVERIES,
    PUBSUB_POLL,
    REDELIVERIES,
    AdolfWorker,
    build_worker,
    ordered_queues,
    recover_failed_abandoned,
    redeliver_abandoned,
    requeue_undelivered,
)
from adolf.adapters.queues.schedules import fire_times
from adolf.adapters.redis.fire_guard import FireGuard
from adolf.adapters.sqlalchemy import migrate
from adolf.application.catalogue import MOSCOW, Catalogue, RetryPolicy, Schedule, TaskSpec
from adolf.application.payload import InvalidPayload
from adolf.application.ports.tasks import TaskState
from adolf.application.tasks_catalogue import build_catalogue
from adolf.container import build_container
from adolf.settings import load_settings
from tests.integration.parity.harness_rq import REPO
from tests.support import processes
from tests.support.services import require_redis

QUEUE = "rqtest.default"
REDIS_DB = 11  # flushed around each test: not the parity suite's 15 nor another module's


def _noop(services: Any, n: int = 0) -> dict[str, int]:
    return {"n": n}


def _crash(services: Any) -> None:
    os.kill(os.getpid(), signal.SIGKILL)  # what the OOM killer does to a work horse


CATALOGUE = Catalogue(
    [
        TaskSpec("rqtest.plain", _noop, QUEUE),
        TaskSpec(
            "rqtest.limited",
            _noop,
            QUEUE,
            soft_time_limit=20,
            time_limit=30,
            priority=1,
            retry=RetryPolicy(max_retries=3, delay=2.0, backoff=True),
        ),
        TaskSpec("rqtest.tick", _noop, QUEUE, schedule=Schedule.every(60)),
        TaskSpec("rqtest.crash", _crash, QUEUE, retry=RetryPolicy(max_retries=1, delay=0)),
    ]
)


@pytest.fixture
def redis() -> Iterator[Redis]:
    client = Redis.from_url(require_redis(REDIS_DB))
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def tasks(redis: Redis) -> RqTaskQueue:
    return RqTaskQueue(redis, CATALOGUE)


# -- options derived from the spec ---------------------------------------------------


def test_retry_intervals_follow_the_exponential_policy_up_to_its_cap_plus_the_scheduler_second() -> None:
    policy = RetryPolicy(max_retries=5, delay=10, backoff=True, max_delay=60)
    assert retry_intervals(policy) == [11.0, 21.0, 41.0, 61.0, 61.0]
    assert retry_intervals(RetryPolicy(max_retries=2, delay=0.5)) == [1.5, 1.5]
    assert retry_intervals(RetryPolicy(max_retries=2, delay=0)) == [0.0, 0.0]


def test_jittered_intervals_stay_within_the_policy_band() -> None:
    policy = RetryPolicy(max_retries=4, delay=60, backoff=True, jitter=0.5)
    for _ in range(50):
        for n, wait in enumerate(retry_intervals(policy), start=1):
            base = policy.base_delay(n)
            assert base * 0.5 + 1 <= wait <= base + 1


def test_job_options_come_from_the_spec() -> None:
    limited = job_options(CATALOGUE.get("rqtest.limited"))
    assert limited["job_timeout"] == 30
    assert limited["failure_ttl"] == FAILURE_TTL == 24 * 3600
    assert limited["result_ttl"] == 3600
    assert limited["retry"].max == 3
    assert limited["retry"].intervals == [3.0, 5.0, 9.0]
    plain = job_options(CATALOGUE.get("rqtest.plain"))
    assert plain["job_timeout"] == rq_jobs.DEFAULT_TIME_LIMIT
    assert "retry" not in plain


def test_an_enqueued_job_carries_the_options_in_redis(tasks: RqTaskQueue, redis: Redis) -> None:
    task_id = tasks.enqueue("rqtest.limited", {"n": 3})
    job = Job.fetch(task_id, connection=redis, serializer=SERIALIZER)
    assert job.func_name == rq_jobs.JOB_FUNCTION
    assert job.args == ["rqtest.limited", {"n": 3}]
    assert (job.timeout, job.failure_ttl, job.result_ttl) == (30, FAILURE_TTL, 3600)
    assert (job.retries_left, job.retry_intervals) == (3, [3.0, 5.0, 9.0])
    assert tasks.status(task_id).state is TaskState.PENDING
    assert tasks.status(task_id).name == "rqtest.limited"


def test_urgent_jobs_go_to_the_head_of_their_queue(tasks: RqTaskQueue) -> None:
    first = tasks.enqueue("rqtest.plain")
    urgent = tasks.enqueue("rqtest.limited")  # spec priority 1
    demoted = tasks.enqueue("rqtest.limited", priority=5)
    promoted = tasks.enqueue("rqtest.plain", priority=0)
    assert tasks.queue(QUEUE).get_job_ids() == [promoted, urgent, first, demoted]


def test_a_countdown_is_scheduled_never_early_and_listed_as_scheduled(tasks: RqTaskQueue) -> None:
    before = time.time()
    task_id = tasks.enqueue("rqtest.plain", countdown=30.2)
    at = tasks.queue(QUEUE).scheduled_job_registry.get_scheduled_time(task_id).timestamp()
    assert before + 30.2 <= at <= time.time() + 31.2
    eta = datetime(2030, 1, 1, 12, 0, 0, 400_000, tzinfo=UTC)
    later = tasks.enqueue("rqtest.plain", eta=eta)
    assert tasks.queue(QUEUE).scheduled_job_registry.get_scheduled_time(later) == eta.replace(second=1, microsecond=0)
    assert tasks.jobs() == {"active": [], "reserved": [], "scheduled": [task_id, later]}
    assert tasks.status(task_id).state is TaskState.PENDING


def test_a_payload_that_is_not_json_is_refused_at_enqueue(tasks: RqTaskQueue) -> None:
    with pytest.raises(InvalidPayload, match=r"rqtest\.plain: payload must be JSON"):
        tasks.enqueue("rqtest.plain", {"n": datetime.now(UTC)})


def test_unknown_ids_lengths_and_purge(tasks: RqTaskQueue) -> None:
    assert tasks.status("no-such-job").state is TaskState.UNKNOWN
    for _ in range(3):
        tasks.enqueue("rqtest.plain")
    assert tasks.queue_lengths() == {QUEUE: 3}
    assert tasks.purge(QUEUE) == 3
    assert tasks.queue_lengths() == {QUEUE: 0}
    with pytest.raises(LookupError, match="unknown queue 'nope'"):
        tasks.purge("nope")


def test_a_process_without_an_installed_runner_fails_jobs_with_a_clear_error() -> None:
    rq_jobs.uninstall_runner()
    with pytest.raises(RunnerNotInstalled, match=r"adolf.entrypoints.rq_worker worker"):
        rq_jobs.execute("rqtest.plain", {})


def test_workers_serve_the_most_urgent_queues_first() -> None:
    catalogue = Catalogue(
        [
            TaskSpec("a.slow", _noop, "a.low", priority=8),
            TaskSpec("a.fast", _noop, "a.high", priority=0),
            TaskSpec("a.mid", _noop, "a.default"),
            TaskSpec("a.other", _noop, "a.low", priority=4),
        ]
    )
    assert ordered_queues(catalogue) == ["a.high", "a.low", "a.default"]


# -- redelivery of a dead worker's job -------------------------------------------------


def _taken_by_a_worker_that_died(tasks: RqTaskQueue, redis: Redis, lapsed_ago: float = 1.0) -> str:
    task_id = tasks.enqueue("rqtest.plain")
    queue = tasks.queue(QUEUE)
    redis.lrem(queue.key, 1, task_id)
    job = Job.fetch(task_id, connection=redis, serializer=SERIALIZER)
    job.set_status(JobStatus.STARTED)
    redis.zadd(queue.started_job_registry.key, {f"{task_id}:dead-execution": time.time() - lapsed_ago})
    return task_id


def test_the_heartbeat_lapses_seconds_after_a_worker_dies_not_a_minute() -> None:
    job = Job(id="x", connection=Redis.from_url(require_redis(REDIS_DB)))
    job.timeout = 60
    worker = AdolfWorker.__new__(AdolfWorker)
    worker.job_monitoring_interval = 5
    assert worker.get_heartbeat_ttl(job) == 15
    job.timeout = 2
    assert worker.get_heartbeat_ttl(job, working_time=1.5) == 10


def test_a_worker_stops_its_command_thread_within_a_poll_even_when_the_thread_saw_the_unsubscribe_first(
    redis: Redis,
) -> None:
    # The interleaving that hung 1 burst worker in 5 for a minute at teardown: the pub/sub
    # thread handles the UNSUBSCRIBE reply before the worker tells it to stop, so it goes
    # back to waiting for a subscription for its whole poll (RQ's 60 s) while redis-py's
    # stop() joins it without a bound.
    worker = build_worker(redis, [QUEUE])
    worker.subscribe()
    worker.pubsub.unsubscribe()
    deadline = time.monotonic() + 5
    while worker.pubsub.subscribed and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not worker.pubsub.subscribed, "the pub/sub thread never handled the UNSUBSCRIBE reply"
    time.sleep(0.1)  # the thread is back in get_message, waiting for a subscription
    stopping = threading.Thread(target=worker.unsubscribe, daemon=True)
    started = time.monotonic()
    stopping.start()
    stopping.join(timeout=PUBSUB_POLL + 4)
    assert not stopping.is_alive(), "unsubscribe() still waiting for the pub/sub thread"
    assert time.monotonic() - started < PUBSUB_POLL + 1
    assert not worker.pubsub_thread.is_alive()


def test_a_job_whose_worker_stopped_heartbeating_is_requeued_at_the_head(tasks: RqTaskQueue, redis: Redis) -> None:
    waiting = tasks.enqueue("rqtest.plain")
    task_id = _taken_by_a_worker_that_died(tasks, redis)
    running = _taken_by_a_worker_that_died(tasks, redis, lapsed_ago=-15)  # a live worker's job
    queue = tasks.queue(QUEUE)
    assert redeliver_abandoned(queue) == [task_id]
    assert redeliver_abandoned(queue) == []  # claimed once
    assert queue.get_job_ids() == [task_id, waiting]
    assert Job.fetch(task_id, connection=redis, serializer=SERIALIZER).meta[REDELIVERIES] == 1
    assert tasks.status(task_id).state is TaskState.PENDING
    assert tasks.status(running).state is TaskState.STARTED


def test_a_job_taken_off_its_queue_by_a_worker_that_never_started_it_is_put_back(
    tasks: RqTaskQueue, redis: Redis
) -> None:
    """RQ's dequeue moves a job to an intermediate list, then to the started registry: a
    worker that dies (or loses Redis) between the two left it there, queued for no one."""
    waiting = tasks.enqueue("rqtest.plain")
    stranded = tasks.enqueue("rqtest.plain")
    queue = tasks.queue(QUEUE)
    redis.lrem(queue.key, 1, stranded)
    redis.lpush(queue.intermediate_queue.key, stranded)
    now = time.time()

    assert requeue_undelivered(queue, at=now) == []  # first seen now: maybe a live worker's
    assert requeue_undelivered(queue, at=now + 10) == [stranded]
    assert requeue_undelivered(queue, at=now + 20) == []  # once
    assert queue.get_job_ids() == [stranded, waiting]
    assert queue.intermediate_queue.get_job_ids() == []
    assert REDELIVERIES not in Job.fetch(stranded, connection=redis, serializer=SERIALIZER).meta


def test_a_job_rq_failed_as_abandoned_before_we_looked_is_taken_back(tasks: RqTaskQueue, redis: Redis) -> None:
    task_id = _taken_by_a_worker_that_died(tasks, redis)
    queue = tasks.queue(QUEUE)
    queue.started_job_registry.cleanup()  # what `rq info` or a dashboard does when it counts
    assert tasks.status(task_id).state is TaskState.FAILED
    assert recover_failed_abandoned(queue) == [task_id]
    assert queue.get_job_ids() == [task_id]
    assert tasks.status(task_id).state is TaskState.PENDING


def test_a_job_that_keeps_killing_its_worker_is_given_up(tasks: RqTaskQueue, redis: Redis) -> None:
    task_id = _taken_by_a_worker_that_died(tasks, redis)
    job = Job.fetch(task_id, connection=redis, serializer=SERIALIZER)
    job.meta[REDELIVERIES] = MAX_REDELIVERIES
    job.save_meta()
    lost: list[tuple[str, str]] = []
    assert redeliver_abandoned(tasks.queue(QUEUE), on_lost=lambda j, why: lost.append((j.id, why))) == []
    assert lost == [(task_id, f"worker lost {MAX_REDELIVERIES + 1} times while running the job")]
    status = tasks.status(task_id)
    assert status.state is TaskState.FAILED and status.error is not None and "WorkerLost" in status.error


# -- cron ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cron", "offset", "expected"),
    [
        ("*/5 * * * *", 0, "*/5 * * * *"),
        ("*/5 * * * *", 50, "*/5 * * * * 50"),
        ("*/5 * * * *", 100, "1-59/5 * * * * 40"),
        ("*/5 * * * *", 250, "4-59/5 * * * * 10"),
        ("*/5 * * * *", 420, "2-59/5 * * * *"),
        ("* * * * *", 90, "* * * * * 30"),
        ("*/5 * * * *", 300, "*/5 * * * *"),
        ("*/15 * * * *", 300, "5-59/15 * * * *"),
        ("7,22,37,52 * * * *", 120, "9-59/15 * * * *"),
        ("7,22,37 * * * *", 120, "9,24,39 * * * *"),
        ("30 20 * * *", 90, "31 20 * * * 30"),
        ("0 8-18/2 * * 1-5", 600, "10 8-18/2 * * 1-5"),
    ],
)
def test_cron_strings_carry_the_offset_in_seconds_and_minutes(cron: str, offset: int, expected: str) -> None:
    assert cron_expression(Schedule(cron, offset)) == expected


def test_an_offset_carrying_into_the_next_hour_of_a_fixed_hour_is_refused() -> None:
    with pytest.raises(CronOffsetError, match="next hour"):
        cron_expression(Schedule("55 9 * * *", 600))


def _week() -> tuple[datetime, datetime]:
    start = datetime(2025, 3, 27, 0, 0, 30, tzinfo=UTC)  # the week crosses April 1st
    return start, start + timedelta(days=7)


STAGGERED = Catalogue(
    TaskSpec(f"stagger.poll{offset}", _noop, QUEUE, schedule=Schedule("*/5 * * * *", offset))
    for offset in (0, 50, 100, 150, 200, 250)
)
PARITY = build_catalogue(STAGGERED)


@pytest.mark.parametrize("name", [spec.name for spec in PARITY.scheduled()])
def test_rq_cron_fires_at_the_reference_instants_over_a_week(name: str) -> None:
    start, end = _week()
    schedule = PARITY.get(name).schedule
    assert schedule is not None
    expected = fire_times(schedule, start, end)
    assert expected
    assert cron_fire_times(PARITY, name, start, end) == expected


def test_the_fire_time_walk_leaves_the_process_zone_as_it_was() -> None:
    before = (os.environ.get("TZ"), time.tzname)
    cron_fire_times(PARITY, "system.ping", *_week())
    assert (os.environ.get("TZ"), time.tzname) == before


def test_a_scheduler_outside_the_schedule_zone_refuses_to_start(tasks: RqTaskQueue, redis: Redis) -> None:
    with process_zone("UTC"), pytest.raises(SchedulerZoneError, match="TZ=Europe/Moscow"):
        CatalogueCronScheduler(tasks, FireGuard(redis))


def test_two_schedulers_due_on_the_same_slot_enqueue_once(tasks: RqTaskQueue, redis: Redis) -> None:
    if datetime.now(UTC).second >= 58:
        time.sleep(3)  # both must see the same minute
    with process_zone(MOSCOW):
        schedulers = [CatalogueCronScheduler(tasks, FireGuard(redis), name=n) for n in ("one", "two")]
    for scheduler in schedulers:
        for job in scheduler.get_jobs():
            job.next_enqueue_time = datetime.now(UTC) - timedelta(seconds=1)
        scheduler.enqueue_jobs()
    ids = tasks.queue(QUEUE).get_job_ids()
    assert len(ids) == 1
    assert tasks.status(ids[0]).name == "rqtest.tick"
    slot = datetime.now(UTC).replace(second=0, microsecond=0)
    assert redis.get(f"adolf:fired:rqtest.tick:{slot.isoformat()}") == b"one"


# -- the real thing -------------------------------------------------------------------


def _worker_env(url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "ADOLF_DATABASE_URL": f"sqlite:///{tmp_path / 'rq.sqlite3'}",
        "ADOLF_REDIS_URL": url,
        "ADOLF_QUEUE_BACKEND": "rq",
        "ADOLF_LOG_FORMAT": "json",
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        **extra,
    }


def _migrated_container(env: dict[str, str], **overrides: Any) -> Any:
    settings = load_settings(
        database_url=env["ADOLF_DATABASE_URL"], redis_url=env["ADOLF_REDIS_URL"], queue_backend="rq", **overrides
    )
    container = build_container(settings)
    migrate.upgrade(container.engine())
    return container


@pytest.mark.slow
def test_a_work_horse_that_dies_is_a_failed_attempt_then_a_dead_letter(redis: Redis, tmp_path: Path) -> None:
    env = _worker_env(
        require_redis(REDIS_DB), tmp_path, ADOLF_EXTRA_CATALOGUES="tests.integration.test_rq_adapter:CATALOGUE"
    )
    container = _migrated_container(env, extra_catalogues=env["ADOLF_EXTRA_CATALOGUES"])
    tasks: RqTaskQueue = container.task_queue()
    task_id = tasks.enqueue("rqtest.crash")
    # the burst worker, its horses and its scheduler are killed as a whole on a timeout
    burst = processes.run(
        [sys.executable, "-m", "adolf.entrypoints.rq_worker", "worker", "-q", QUEUE, "--burst"],
        env=env,
        cwd=REPO,
        timeout=60,
    )
    assert burst.returncode == 0, burst.stderr
    status = tasks.status(task_id)
    assert status.state is TaskState.FAILED, status
    with container.uow() as uow:
        letters = [d for d in uow.dead_letters.list(limit=10) if d.task_id == task_id]
    assert len(letters) == 1
    assert letters[0].attempts == 2 and letters[0].exception.startswith("WorkerLost: work horse died")
    container.engine().dispose()


@pytest.mark.slow
def test_a_real_scheduler_and_worker_run_system_ping_every_minute(redis: Redis, tmp_path: Path) -> None:
    env = _worker_env(require_redis(REDIS_DB), tmp_path)
    container = _migrated_container(env)
    tasks: RqTaskQueue = container.task_queue()
    entry = [sys.executable, "-m", "adolf.entrypoints.rq_worker"]
    procs = []
    try:
        for cmd in (["scheduler"], ["worker", "-q", "system.default"]):
            with (tmp_path / f"{cmd[0]}.log").open("wb") as log:
                procs.append(processes.spawn([*entry, *cmd], env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT))
        deadline = time.monotonic() + 80
        done = None
        while time.monotonic() < deadline and done is None:
            time.sleep(0.5)
            for task_id in redis.zrange("rq:cron_job:system.ping:jobs", 0, -1):
                status = tasks.status(task_id.decode())
                if status.state is TaskState.SUCCEEDED:
                    done = status
        logs = "\n".join(p.read_text()[-1500:] for p in tmp_path.glob("*.log"))
        assert done is not None, f"system.ping never ran:\n{logs}"
        assert "pong" in done.result
        fired = [key.decode() for key in redis.scan_iter("adolf:fired:system.ping:*")]
        assert fired and all(key.endswith(":00+00:00") for key in fired), fired
    finally:
        processes.stop_tree(procs, grace=0)  # worker, horse and scheduler sessions, at once
        container.engine().dispose()
