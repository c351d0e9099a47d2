"""RQ cron entries derived from the catalogue: one ``CronJob`` per scheduled spec.

- Time zone: RQ matches cron fields against the *process's* local time
  (``CronJob.get_next_enqueue_time`` uses ``astimezone()``), so the scheduler process runs
  with ``TZ`` set to the catalogue's zone (``set_process_zone``; the entrypoint does it).
  ``CatalogueCronScheduler`` refuses to start in another zone.
- Offsets: a ``Schedule(cron, offset)`` becomes a croniter expression with a sixth,
  seconds field; an offset of a minute or more shifts the minute field
  (``*/5`` + 250 s → ``4-59/5 … 10``). A shift that would carry into the next hour is
  only expressible when every other field is ``*``; otherwise ``CronOffsetError``.
- No double fire: before enqueueing, a job claims its schedule slot with ``FireGuard``
  (SET NX on the slot's reference fire time), so any number of schedulers fire it once.
- Jobs go through ``RqTaskQueue.enqueue``: same job function and options as any job.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from croniter import croniter
from redis import Redis
from rq import cron_job_registry
from rq.cron import CronJob, CronScheduler
from rq.defaults import DEFAULT_CRON_JOB_HISTORY_LIMIT, DEFAULT_CRON_JOB_HISTORY_TTL

from adolf.adapters.queues.rq_jobs import FAILURE_TTL, JOB_FUNCTION, RESULT_TTL, execute
from adolf.adapters.queues.rq_queue import RqTaskQueue
from adolf.adapters.queues.schedules import latest_fire
from adolf.adapters.redis.fire_guard import FireGuard
from adolf.application.catalogue import MOSCOW, Catalogue, CatalogueError, Schedule, TaskSpec

log = logging.getLogger(__name__)


class CronOffsetError(CatalogueError):
    """A schedule offset that a cron expression cannot express."""


class SchedulerZoneError(RuntimeError):
    """The scheduler process does not run in the catalogue's time zone."""


def cron_expression(schedule: Schedule) -> str:
    """The croniter expression (seconds as a sixth field) firing at cron + offset."""
    shift, seconds = divmod(schedule.offset, 60)
    fields = schedule.cron.split()
    if shift:
        fields[0] = _shifted_minutes(schedule, shift)
    return " ".join([*fields, str(seconds)] if seconds else fields)


def _shifted_minutes(schedule: Schedule, shift: int) -> str:
    fields = schedule.cron.split()
    expanded: list[Any] = croniter.expand(schedule.cron)[0][0]
    minutes = list(range(60)) if expanded == ["*"] else [int(m) for m in expanded]
    shifted = [m + shift for m in minutes]
    if max(shifted) > 59:
        if any(field != "*" for field in fields[1:]):
            raise CronOffsetError(
                f"schedule {schedule.describe()!r}: an offset of {schedule.offset} s carries fires into the "
                "next hour, which a cron expression cannot say unless hour, day, month and weekday are '*'"
            )
        shifted = [m % 60 for m in shifted]
    return _minute_field(sorted(set(shifted)))


def _minute_field(minutes: list[int]) -> str:
    if len(minutes) > 1:
        step = minutes[1] - minutes[0]
        if minutes == list(range(minutes[0], 60, step)) and minutes[0] < step:
            start = "*" if minutes[0] == 0 else f"{minutes[0]}-59"
            return start + (f"/{step}" if step > 1 else "")
    return ",".join(str(m) for m in minutes)


def set_process_zone(tz: str = MOSCOW) -> None:
    os.environ["TZ"] = tz
    time.tzset()


@contextmanager
def process_zone(tz: str = MOSCOW) -> Iterator[None]:
    previous = os.environ.get("TZ")
    set_process_zone(tz)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = previous
        time.tzset()


def check_process_zone(tz: str = MOSCOW) -> None:
    now = datetime.now(UTC)
    if now.astimezone().utcoffset() != now.astimezone(ZoneInfo(tz)).utcoffset():
        raise SchedulerZoneError(
            f"the cron scheduler must run with TZ={tz} (RQ matches cron fields against local time); "
            "start it with `python -m adolf.entrypoints.rq_worker scheduler`"
        )


class CatalogueCronJob(CronJob):
    def __init__(self, spec: TaskSpec, tasks: RqTaskQueue, guard: FireGuard, owner: str, tz: str) -> None:
        assert spec.schedule is not None
        super().__init__(
            queue_name=spec.queue,
            func=execute,
            args=(spec.name, dict(spec.scheduled_payload)),
            cron=cron_expression(spec.schedule),
            result_ttl=RESULT_TTL,
            failure_ttl=FAILURE_TTL,
            name=spec.name,
        )
        self.spec = spec
        self.schedule = spec.schedule
        self.tasks = tasks
        self.guard = guard
        self.owner = owner
        self.tz = tz

    def enqueue(self, connection: Redis) -> Any:
        slot = latest_fire(self.schedule, datetime.now(UTC), self.tz)
        if not self.guard.claim(self.spec.name, slot, self.owner):
            log.info("%s: slot %s already fired by another scheduler", self.spec.name, slot.isoformat())
            return None
        task_id = self.tasks.enqueue(self.spec.name, dict(self.spec.scheduled_payload))
        stamp = time.time()
        with connection.pipeline() as pipeline:
            pipeline.zadd(self.job_history_key, {task_id: stamp})
            pipeline.zremrangebyrank(self.job_history_key, 0, -(DEFAULT_CRON_JOB_HISTORY_LIMIT + 1))
            pipeline.expire(self.job_history_key, DEFAULT_CRON_JOB_HISTORY_TTL)
            cron_job_registry.add(self.name, pipeline, enqueue_timestamp=stamp)
            pipeline.execute()
        log.info("%s: fired slot %s as job %s", self.spec.name, slot.isoformat(), task_id)
        return task_id


class CatalogueCronScheduler(CronScheduler):
    """RQ's cron scheduler with one entry per scheduled spec of the catalogue."""

    def __init__(self, tasks: RqTaskQueue, guard: FireGuard, tz: str = MOSCOW, name: str = "") -> None:
        check_process_zone(tz)
        super().__init__(connection=tasks.redis, name=name)
        for spec in tasks.catalogue.scheduled():
            self._cron_jobs.append(CatalogueCronJob(spec, tasks, guard, self.name, tz))


def cron_fire_times(catalogue: Catalogue, task_name: str, start: datetime, end: datetime,
                    tz: str = MOSCOW) -> list[datetime]:
    """Fires in ``(start, end]`` as RQ's own ``CronJob`` computes them (for schedule parity)."""
    spec = catalogue.get(task_name)
    if spec.schedule is None:
        return []
    fires: list[datetime] = []
    with process_zone(tz):
        job = CronJob(queue_name=spec.queue, func_name=JOB_FUNCTION, cron=cron_expression(spec.schedule))
        at = start
        while True:
            job.latest_enqueue_time = at
            at = job.get_next_enqueue_time()
            if at > end:
                return fires
            fires.append(at)
