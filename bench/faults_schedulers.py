"""Scenario ``schedulers``: two schedulers over a simulated day → fires doubled or lost.

Two Celery beats (``GuardedScheduler``, each with its own app, schedule file and owner) or
two RQ cron schedulers (``CatalogueCronScheduler``) run in this process on a fake clock,
each seeing it a random 0–3 s apart (two hosts' clocks), ticking in a random order, the way
their loops do (tick, sleep for what the tick says, capped). They send to the suite's Redis
broker database and claim slots with the real ``FireGuard``. The jobs they queued are then
counted per task, read from the broker, against the fires the catalogue's schedules have in
that day: fires doubled and fires lost (reported as jobs lost). The workers never run: the
schedulers are what is measured. A trial is one simulated day (the next day per trial).
"""

from __future__ import annotations

import json
import random
import tempfile
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from redis import Redis

from adolf.adapters.queues.schedules import fire_times
from adolf.application.tasks_catalogue import build_catalogue
from adolf.container import build_container
from adolf.settings import load_settings
from faults_context import Context
from faults_report import Row
from faults_services import flush

START = datetime(2026, 1, 11, 21, 0, 30, tzinfo=UTC)  # 00:00:30 Moscow, Monday 12 January
MAX_SLEEP = 60.0
MIN_STEP = 0.02  # seconds of the fake clock one pass of both loops takes at least
SKEW = 3.0


class FakeClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self, tz: Any = None) -> datetime:
        return self.at if tz is None else self.at.astimezone(tz)


def expected_fires(start: datetime, end: datetime) -> Counter[str]:
    return Counter(
        {s.name: len(fire_times(s.schedule, start, end)) for s in build_catalogue().scheduled() if s.schedule}
    )


def _walk(
    clock: FakeClock, start: datetime, end: datetime, ticks: list[Callable[[], float]], rng: random.Random
) -> None:
    """Both schedulers' loops, interleaved: each tick at its own skewed view of the clock."""
    skews = [rng.uniform(0, SKEW) for _ in ticks]
    at = start
    while at <= end:
        order = list(range(len(ticks)))
        rng.shuffle(order)
        waits = []
        for i in order:
            clock.at = at + timedelta(seconds=skews[i])
            waits.append(ticks[i]())
        # a loop that is told "0" runs again at once; real time still moves on meanwhile
        at += timedelta(seconds=min(max(min(waits), MIN_STEP), MAX_SLEEP))


def _celery_sent(redis_url: str) -> Counter[str]:
    client = Redis.from_url(redis_url)
    sent: Counter[str] = Counter()
    for key in client.scan_iter():
        if client.type(key) == b"list":
            for raw in client.lrange(key, 0, -1):
                try:
                    sent[json.loads(raw)["headers"]["task"]] += 1
                except (ValueError, KeyError, TypeError):
                    continue
    client.close()
    return sent


def _celery_day(ctx: Context, clock: FakeClock, start: datetime, end: datetime) -> Counter[str]:
    from adolf.adapters.queues.celery_beat import GuardedScheduler

    schedulers = []
    folder = Path(tempfile.mkdtemp(prefix="beats-", dir=ctx.log_dir))
    for n in (1, 2):
        app = build_container(load_settings(redis_url=ctx.redis_url, queue_backend="celery")).celery_app()
        app.now = clock.now  # type: ignore[method-assign]
        schedulers.append(GuardedScheduler(app=app, schedule_filename=str(folder / f"beat-{n}"), lazy=False))

    def ticker(scheduler: Any) -> Callable[[], float]:
        def tick() -> float:
            # beat keeps its entries in a shelve: an entry read back has lost its app and asks
            # the current app for the time, so the ticking beat's app is made current first
            scheduler.app.set_current()
            return float(scheduler.tick())

        return tick

    try:
        clock.at = start
        _walk(clock, start, end, [ticker(s) for s in schedulers], ctx.rng)
    finally:
        for s in schedulers:
            s.close()
            s.app.close()
    return _celery_sent(ctx.redis_url)


def _rq_day(ctx: Context, clock: FakeClock, start: datetime, end: datetime) -> Counter[str]:
    import rq.cron
    from rq import Queue

    from adolf.adapters.queues import rq_cron
    from adolf.adapters.redis.fire_guard import FireGuard

    class FakeDateTime(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            return clock.now(tz)

    rq_cron.set_process_zone()
    saved = (rq.cron.now, rq_cron.datetime)
    rq.cron.now = lambda: clock.now(UTC)  # type: ignore[assignment]
    rq_cron.datetime = FakeDateTime  # type: ignore[misc]
    try:
        clock.at = start
        tasks = build_container(load_settings(redis_url=ctx.redis_url, queue_backend="rq")).task_queue()
        schedulers = [rq_cron.CatalogueCronScheduler(tasks, FireGuard(tasks.redis), name=f"faults-{n}") for n in (1, 2)]

        def ticker(scheduler: Any) -> Callable[[], float]:
            def tick() -> float:
                scheduler.enqueue_jobs()
                return float(scheduler.calculate_sleep_interval())

            return tick

        _walk(clock, start, end, [ticker(s) for s in schedulers], ctx.rng)
    finally:
        rq.cron.now, rq_cron.datetime = saved  # type: ignore[assignment,misc]
    sent: Counter[str] = Counter()
    for name in tasks.catalogue.queues():
        for job in Queue(name, connection=tasks.redis).get_jobs():
            status = tasks.status(job.id)
            sent[status.name or job.func_name] += 1
    return sent


def two_schedulers(ctx: Context, backend: str) -> Row:
    row = Row("schedulers", backend)
    fires = 0
    for trial in range(ctx.trials_or(1)):
        if ctx.out_of_time(needed=60):
            row.notes.append(f"deadline: stopped after {trial} days")
            break
        start = START + timedelta(days=trial)
        end = start + timedelta(days=1)
        flush(ctx.redis_url)
        clock = FakeClock(start)
        sent = (_celery_day if backend == "celery" else _rq_day)(ctx, clock, start, end)
        expected = expected_fires(start, end)
        doubled = sum(max(0, sent[t] - n) for t, n in expected.items())
        lost = sum(max(0, n - sent[t]) for t, n in expected.items())
        row.add(jobs_lost=lost, effects_doubled=doubled)
        row.trials += 1
        if doubled or lost:
            worst = sorted(expected, key=lambda t: abs(sent[t] - expected[t]), reverse=True)[:3]
            row.notes.append(f"day {trial + 1}: " + ", ".join(f"{t} {sent[t]} sent of {expected[t]}" for t in worst))
        fires += sum(expected.values())
    row.notes.insert(0, f"{fires} fires expected in {row.trials} day(s)")
    flush(ctx.redis_url)
    return row
