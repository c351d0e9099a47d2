"""The Celery app derived from the catalogue, its beat fire guard and its ops commands,
checked against real Redis and real ``celery worker`` / ``celery beat`` processes.

Workers load this module's ``CATALOGUE`` through ADOLF_EXTRA_CATALOGUES.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from celery import Celery
from celery.exceptions import SoftTimeLimitExceeded
from celery.schedules import crontab
from redis import Redis

from adolf.adapters.queues.celery_app import build_celery_app, worker_profile
from adolf.adapters.queues.celery_beat import GuardedScheduler, UnsupportedSchedule, offset_crontab
from adolf.adapters.queues.celery_queue import CeleryTaskQueue, CountdownTooLong
from adolf.adapters.queues.schedules import latest_fire
from adolf.adapters.queues.worker_lost import MAX_REDELIVERIES
from adolf.adapters.sqlalchemy import migrate
from adolf.application.catalogue import Catalogue, RetryPolicy, Schedule, TaskSpec, WorkerProfile
from adolf.application.ports.tasks import TaskState
from adolf.application.runtime import TaskRunner
from adolf.application.tasks_catalogue import build_catalogue
from adolf.container import build_container
from adolf.settings import load_settings
from tests.integration.parity.harness import wait_for
from tests.integration.parity.harness_celery import CELERY, CeleryProcesses, wait_for_worker
from tests.support import processes
from tests.support.services import require_redis

REPO = Path(__file__).resolve().parents[2]
QUEUE = "celerytest.default"


def stubborn(services: Any, seconds: float) -> dict[str, Any]:
    """Ignores its soft limit, so only the hard limit stops it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            time.sleep(0.05)
        except SoftTimeLimitExceeded:  # keep going
            continue
    return {"slept": seconds}


def nap(services: Any, seconds: float) -> dict[str, Any]:
    time.sleep(seconds)
    return {"slept": seconds}


def crash(services: Any) -> None:
    """Dies as a job does under the OOM killer, every time it runs."""
    Redis.from_url(os.environ["ADOLF_TEST_REDIS_URL"]).incr("celerytest:crash:runs")
    os.kill(os.getpid(), signal.SIGKILL)


CATALOGUE = Catalogue(
    [
        TaskSpec("celerytest.crash", crash, QUEUE, retry=RetryPolicy(max_retries=2, delay=1), idempotent=True),
        TaskSpec("celerytest.crash_once", crash, QUEUE, retry=RetryPolicy(max_retries=2, delay=1)),
        TaskSpec("celerytest.stubborn", stubborn, QUEUE, soft_time_limit=1, time_limit=2),
        TaskSpec("celerytest.nap", nap, QUEUE, priority=2, time_limit=60),
        TaskSpec(
            "celerytest.urgent",
            nap,
            "celerytest.critical",
            priority=0,
            retry=RetryPolicy(max_retries=3, delay=5, backoff=True),
        ),
        TaskSpec(
            "celerytest.polled",
            nap,
            QUEUE,
            schedule=Schedule("*/5 * * * *", offset=100),
            scheduled_payload={"seconds": 0},
        ),
    ],
    profiles={"celerytest": WorkerProfile(prefetch=3, max_tasks_per_child=77)},
)
EXTRAS = "tests.integration.test_celery_app:CATALOGUE"
REDIS_DB = 12  # flushed around each test: not the parity suite's 15 nor another module's


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    redis_url = require_redis(REDIS_DB)
    values = {
        "ADOLF_DATABASE_URL": f"sqlite:///{tmp_path / 'celery.sqlite3'}",
        "ADOLF_REDIS_URL": redis_url,
        "ADOLF_TEST_REDIS_URL": redis_url,
        "ADOLF_QUEUE_BACKEND": "celery",
        "ADOLF_EXTRA_CATALOGUES": EXTRAS,
        "ADOLF_LOG_FORMAT": "json",
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    Redis.from_url(redis_url).flushdb()
    try:
        yield values
    finally:
        Redis.from_url(redis_url).flushdb()


@pytest.fixture
def procs(env: dict[str, str], tmp_path: Path) -> Iterator[CeleryProcesses]:
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    processes = CeleryProcesses(env, log_dir)
    try:
        yield processes
    finally:
        processes.stop()


@pytest.fixture
def container(env: dict[str, str]) -> Iterator[Any]:
    built = build_container(
        load_settings(
            database_url=env["ADOLF_DATABASE_URL"],
            redis_url=env["ADOLF_REDIS_URL"],
            queue_backend="celery",
            extra_catalogues=EXTRAS,
        )
    )
    migrate.upgrade(built.engine())
    try:
        yield built
    finally:
        built.celery_app().close()
        built.engine().dispose()


def _app(redis_url: str = "redis://127.0.0.1:6379/15", **overrides: Any) -> Celery:
    catalogue = build_catalogue(CATALOGUE)
    settings = load_settings(redis_url=redis_url, queue_backend="celery", **overrides)
    return build_celery_app(catalogue, TaskRunner(catalogue, lambda: None, "celery"), settings)  # type: ignore[arg-type,return-value]


# -- configuration derived from the catalogue -----------------------------------------
def test_every_catalogue_task_is_registered_routed_and_limited_as_its_spec_says() -> None:
    app = _app()
    catalogue = build_catalogue(CATALOGUE)
    assert {q.name for q in app.conf.task_queues} == set(catalogue.queues())
    for spec in catalogue:
        task = app.tasks[spec.name]
        assert app.conf.task_routes[spec.name] == {"queue": spec.queue, "priority": spec.priority}
        assert (task.soft_time_limit, task.time_limit) == (spec.soft_time_limit, spec.time_limit)
        assert task.acks_late is True and task.reject_on_worker_lost is True
        assert task.track_started is True
    route = app.amqp.router.route({}, "celerytest.urgent")
    assert route["queue"].name == "celerytest.critical" and route["priority"] == 0


def test_the_runtime_conventions_are_set_once_for_every_task() -> None:
    conf = _app(visibility_timeout=7200).conf
    assert conf.task_serializer == conf.result_serializer == "json"
    assert conf.accept_content == ["json"] and conf.result_accept_content == ["json"]
    assert conf.result_expires == 3600
    assert conf.result_backend == "redis://127.0.0.1:6379/15"
    assert conf.broker_transport_options["visibility_timeout"] == 7200
    assert conf.timezone == "Europe/Moscow" and conf.enable_utc is True
    assert conf.task_acks_late and conf.task_reject_on_worker_lost and conf.task_track_started
    assert conf.beat_scheduler.endswith(":GuardedScheduler")


def test_beat_entries_are_moscow_crontabs_with_offsets_where_the_spec_has_one() -> None:
    app = _app()
    beat = app.conf.beat_schedule
    catalogue = build_catalogue(CATALOGUE)
    assert set(beat) == {spec.name for spec in catalogue.scheduled()}
    ping = beat["system.ping"]
    assert isinstance(ping["schedule"], crontab)
    assert ping["schedule"].tz == ZoneInfo("Europe/Moscow")
    assert ping["options"] == {"queue": "system.default", "priority": 5}
    polled = beat["celerytest.polled"]
    assert isinstance(polled["schedule"], offset_crontab)
    assert polled["kwargs"] == {"seconds": 0}
    # 12:05 Moscow + 100 s = 09:06:40 UTC
    now = datetime(2025, 6, 2, 9, 5, 30, tzinfo=UTC)
    schedule = offset_crontab("*/5 * * * *", 100, nowfun=lambda: now, app=app)
    assert schedule.remaining_estimate(datetime(2025, 6, 2, 9, 1, 40, tzinfo=UTC)) == timedelta(seconds=70)


def test_a_cron_restricting_both_day_fields_is_refused_rather_than_read_differently() -> None:
    with pytest.raises(UnsupportedSchedule, match="day-of-month and day-of-week"):
        offset_crontab("0 3 1 * 1", 0)


def test_a_worker_takes_the_prefetch_of_the_module_it_serves() -> None:
    catalogue = build_catalogue(CATALOGUE)
    assert worker_profile(catalogue, "celerytest.default,celerytest.critical") == WorkerProfile(3, 77)
    assert worker_profile(catalogue, "system.default") == WorkerProfile(1, 1000)
    assert worker_profile(catalogue, ["system.default", QUEUE]) == WorkerProfile(1, 77)


# -- real worker processes -------------------------------------------------------------
@pytest.mark.slow
def test_a_real_worker_gets_its_modules_prefetch_and_max_tasks_per_child(
    procs: CeleryProcesses, container: Any
) -> None:
    app = container.celery_app()
    name = procs.worker(f"{QUEUE},celerytest.critical", 2)
    wait_for_worker(app, name, procs)
    stats = next(v for k, v in (app.control.inspect(timeout=2).stats() or {}).items() if k.startswith(name))
    assert stats["prefetch_count"] == 3 * 2
    assert stats["pool"]["max-tasks-per-child"] == 77


@pytest.mark.slow
def test_the_hard_time_limit_is_dead_lettered_once_by_the_worker(procs: CeleryProcesses, container: Any) -> None:
    name = procs.worker(QUEUE, 1)
    wait_for_worker(container.celery_app(), name, procs)
    queue = container.task_queue()
    task_id = queue.enqueue("celerytest.stubborn", {"seconds": 20})
    status = wait_for(queue, task_id, timeout=15)
    assert status.state is TaskState.FAILED, status
    assert status.error is not None and "TimeLimitExceeded" in status.error
    time.sleep(1.0)  # the main process records it right after the kill
    with container.uow() as uow:
        letters = [d for d in uow.dead_letters.list(limit=100) if d.task_id == task_id]
        alerts = [a for a in uow.alerts.recent(limit=100, module="system") if a.details.get("task_id") == task_id]
    assert len(letters) == 1, letters
    assert letters[0].runtime == "celery" and letters[0].payload == {"seconds": 20}
    assert "hard time limit" in letters[0].exception
    assert len(alerts) == 1 and alerts[0].severity == "critical"


@pytest.mark.slow
def test_a_job_that_kills_its_process_every_time_is_dead_lettered_instead_of_looping(
    procs: CeleryProcesses, container: Any, env: dict[str, str]
) -> None:
    # Now and then billiard loses track of a killed child's job and Celery never requeues it; the
    # broker's visibility timeout is the net under that, lowered here from hours to seconds.
    procs.env = {**procs.env, "ADOLF_VISIBILITY_TIMEOUT": "10"}
    name = procs.worker(QUEUE, 1)
    wait_for_worker(container.celery_app(), name, procs)
    queue = container.task_queue()
    task_id = queue.enqueue("celerytest.crash")
    status = wait_for(queue, task_id, timeout=90)
    assert status.state is TaskState.FAILED, procs.logs()
    runs = int(Redis.from_url(env["ADOLF_REDIS_URL"]).get("celerytest:crash:runs") or 0)
    assert runs == 1 + MAX_REDELIVERIES  # the first delivery and each redelivery ran; then it stopped
    with container.uow() as uow:
        letters = [d for d in uow.dead_letters.list(limit=100) if d.task_id == task_id]
        alerts = [a for a in uow.alerts.recent(limit=100, module="system") if a.details.get("task_id") == task_id]
    assert len(letters) == 1, letters
    assert letters[0].exception == f"WorkerLost: worker lost {MAX_REDELIVERIES + 1} times while running the job"
    assert letters[0].attempts == 1  # the lost runs are not the policy's retries
    assert len(alerts) == 1 and alerts[0].severity == "critical"
    time.sleep(2)
    assert int(Redis.from_url(env["ADOLF_REDIS_URL"]).get("celerytest:crash:runs") or 0) == runs


@pytest.mark.slow
def test_a_job_that_is_not_idempotent_is_not_run_again_after_its_process_died(
    procs: CeleryProcesses, container: Any, env: dict[str, str]
) -> None:
    procs.env = {**procs.env, "ADOLF_VISIBILITY_TIMEOUT": "10"}
    name = procs.worker(QUEUE, 1)
    wait_for_worker(container.celery_app(), name, procs)
    queue = container.task_queue()
    task_id = queue.enqueue("celerytest.crash_once")
    status = wait_for(queue, task_id, timeout=60)
    assert status.state is TaskState.FAILED, procs.logs()
    assert int(Redis.from_url(env["ADOLF_REDIS_URL"]).get("celerytest:crash:runs") or 0) == 1
    with container.uow() as uow:
        [letter] = [d for d in uow.dead_letters.list(limit=100) if d.task_id == task_id]
    assert letter.exception.startswith("WorkerLost: celerytest.crash_once is not idempotent")


@pytest.mark.slow
def test_ops_commands_show_queues_workers_and_jobs(procs: CeleryProcesses, container: Any) -> None:
    queue = container.task_queue()
    for priority in (0, 4, 9):
        queue.enqueue("celerytest.nap", {"seconds": 0}, priority=priority)
    queue.enqueue("celerytest.urgent", {"seconds": 0})
    lengths = queue.queue_lengths()
    assert lengths[QUEUE] == 3 and lengths["celerytest.critical"] == 1
    assert queue.purge(QUEUE) == 3
    assert queue.queue_lengths()[QUEUE] == 0

    name = procs.worker(QUEUE, 1)
    wait_for_worker(container.celery_app(), name, procs)
    running = queue.enqueue("celerytest.nap", {"seconds": 6})
    later = queue.enqueue("celerytest.nap", {"seconds": 0}, countdown=60)
    deadline = time.monotonic() + 10
    while queue.status(running).state is not TaskState.STARTED and time.monotonic() < deadline:
        time.sleep(0.1)
    assert queue.status(running).state is TaskState.STARTED
    jobs = queue.jobs()
    assert running in jobs["active"]
    assert later in jobs["scheduled"]
    workers = [w for w in queue.workers() if w.name.startswith(f"{name}@")]
    assert len(workers) == 1
    assert workers[0].queues == (QUEUE,) and workers[0].state == "up"
    assert running in workers[0].current_jobs
    finished = wait_for(queue, running, timeout=15)
    assert finished.state is TaskState.SUCCEEDED and finished.result == {"slept": 6}
    assert finished.name == "celerytest.nap"


def test_a_countdown_beyond_the_visibility_timeout_is_refused_on_redis() -> None:
    queue = CeleryTaskQueue(_app(visibility_timeout=600))
    with pytest.raises(CountdownTooLong, match="ADOLF_VISIBILITY_TIMEOUT=600"):
        queue.enqueue("celerytest.nap", {"seconds": 0}, countdown=600)
    with pytest.raises(CountdownTooLong):
        queue.enqueue("celerytest.nap", {"seconds": 0}, eta=datetime.now(UTC) + timedelta(hours=1))


def test_a_missing_setting_stops_the_entrypoint_with_its_name(env: dict[str, str], tmp_path: Path) -> None:
    bad = {k: v for k, v in {**os.environ, **env}.items() if k != "ADOLF_REDIS_URL"}
    done = processes.run(
        [CELERY, "-A", "adolf.entrypoints.celery_app", "inspect", "ping"], env=bad, cwd=tmp_path, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "ADOLF_REDIS_URL is required" in done.stderr
    assert "Traceback" not in done.stderr


# -- beat: one fire per slot, however many beats ------------------------------------------
def test_two_schedulers_due_at_the_same_slot_send_the_job_once(env: dict[str, str], tmp_path: Path) -> None:
    app = _app(env["ADOLF_REDIS_URL"])
    first = GuardedScheduler(app=app, schedule_filename=str(tmp_path / "beat-1"))
    second = GuardedScheduler(app=app, schedule_filename=str(tmp_path / "beat-2"))
    try:
        with app.producer_or_acquire() as producer:
            first.apply_entry(first.schedule["system.ping"], producer=producer)
            second.apply_entry(second.schedule["system.ping"], producer=producer)
        assert CeleryTaskQueue(app).queue_lengths()["system.default"] == 1
        redis = Redis.from_url(env["ADOLF_REDIS_URL"])
        (key,) = redis.keys("adolf:fired:system.ping:*")
        assert redis.get(key) == first.owner.encode()
        ping = build_catalogue().get("system.ping").schedule
        assert ping is not None
        slot = datetime.fromisoformat(key.decode().split(":", 3)[3])
        assert slot == latest_fire(ping, slot) and slot <= datetime.now(UTC)
    finally:
        first.close()
        second.close()
        app.close()


def _pings(redis: Redis) -> list[dict[str, Any]]:
    metas = [json.loads(redis.get(key) or b"{}") for key in redis.scan_iter("celery-task-meta-*")]
    return [m for m in metas if m.get("name") == "system.ping"]


@pytest.mark.slow
def test_worker_and_two_beats_run_system_ping_once_on_its_minute(
    env: dict[str, str], procs: CeleryProcesses, container: Any
) -> None:
    redis = Redis.from_url(env["ADOLF_REDIS_URL"])
    worker = procs.worker("system.default", 1)
    wait_for_worker(container.celery_app(), worker, procs)
    # Both beats must be up well before the minute they are judged on: start them early in a minute,
    # so that minute's end is the first slot either of them can fire.
    while not 1 <= datetime.now(UTC).second <= 25:
        time.sleep(0.2)
    slot = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    for n in (1, 2):
        procs.spawn("beat", "-s", str(procs.log_dir / f"schedule-{n}"), "--loglevel", "INFO", label=f"beat-{n}")
    while datetime.now(UTC) < slot - timedelta(seconds=3) and not all(
        "beat: Starting" in (procs.log_dir / f"beat-{n}.log").read_text(errors="replace") for n in (1, 2)
    ):
        time.sleep(0.2)
    assert datetime.now(UTC) < slot - timedelta(seconds=3), "the beats did not start within 30 s\n" + procs.logs()
    while datetime.now(UTC) < slot + timedelta(seconds=8) and len(_pings(redis)) < 1:
        time.sleep(0.5)
    time.sleep(3)  # a second fire, if any, would arrive within this
    pings = _pings(redis)
    assert len(pings) == 1, procs.logs()
    assert pings[0]["status"] == "SUCCESS" and "pong" in pings[0]["result"]
    beats = [(procs.log_dir / f"beat-{n}.log").read_text(errors="replace") for n in (1, 2)]
    sent = sum(len(re.findall(r"Sending due task system\.ping", log)) for log in beats)
    skipped = sum(len(re.findall(r"system\.ping slot \S+ was already fired", log)) for log in beats)
    assert (sent, skipped) == (1, 1), procs.logs()
    assert redis.exists(f"adolf:fired:system.ping:{slot.isoformat()}")
