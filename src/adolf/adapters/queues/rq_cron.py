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
- Redis away: the scheduler does not die (RQ's own loop would, on the first
  ``ConnectionError``). It logs one warning, retries with a backoff of 1 s doubling up to
  ``MAX_BACKOFF`` s, and logs once when Redis is back. A slot whose fire time passed while
  Redis was away fires when Redis returns if it is at most ``MISSED_FIRE_GRACE`` (1 h) late,
  once, for the schedule's most recent slot only (the slot key the fire guard claims, so
  a scheduler or beat that did fire it is not doubled); older slots of the same schedule,
  and a latest slot later than the grace, are logged as missed. Why: a Redis restart or
  failover (seconds to minutes) must not lose a nightly job, and Celery beat does the same
  (it retries the send until the broker is back, then the overdue entry goes once; see
  ``test_celery_redis_outage``); after a longer outage, firing hours-old slots — a
  midnight budget reset at noon — would act on a stale moment, so an operator decides
  (``adolf tasks run``) and the log says what was missed. The periodic bid and stats jobs
  just go on at their next slot.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from croniter import croniter
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import cron_job_registry
from rq.cron import CronJob, CronScheduler
from rq.defaults import DEFAULT_CRON_JOB_HISTORY_LIMIT, DEFAULT_CRON_JOB_HISTORY_TTL
from rq.exceptions import StopRequested

from adolf.adapters.queues.rq_jobs import FAILURE_TTL, JOB_FUNCTION, RESULT_TTL, execute
from adolf.adapters.queues.rq_queue import RqTaskQueue
from adolf.adapters.queues.schedules import fire_times, latest_fire
from adolf.adapters.redis.fire_guard import KEY as FIRE_KEY
from adolf.adapters.redis.fire_guard import FireGuard
from adolf.application.catalogue import MOSCOW, Catalogue, CatalogueError, Schedule, TaskSpec

log = logging.getLogger(__name__)

#: A slot that passed while Redis was away still fires if Redis is back within this many s.
MISSED_FIRE_GRACE = 3600
#: The longest wait between two attempts to reach Redis again.
MAX_BACKOFF = 10.0
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)


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
        at = datetime.now(UTC)
        slot = latest_fire(self.schedule, at, self.tz)
        if not self._still_due(slot, at):
            return None
        if not self.guard.claim(self.spec.name, slot, self.owner) and not self._claimed_by_us(slot):
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

    def _still_due(self, slot: datetime, at: datetime) -> bool:
        """Log the slots a Redis outage made us miss; False when even the latest is too late."""
        due = self.next_enqueue_time
        if due is not None and due < slot - timedelta(seconds=1):
            skipped = fire_times(self.schedule, due - timedelta(seconds=1), slot - timedelta(seconds=1), self.tz)
            log.warning(
                "%s: %d slot(s) from %s missed while Redis was unreachable; firing only the latest, %s",
                self.spec.name,
                len(skipped),
                due.isoformat(),
                slot.isoformat(),
            )
        late = (at - slot).total_seconds()
        if late > MISSED_FIRE_GRACE:
            log.warning(
                "%s: slot %s missed: Redis came back %.0f s after it, past the %d s grace; "
                "run it by hand if it is still wanted",
                self.spec.name,
                slot.isoformat(),
                late,
                MISSED_FIRE_GRACE,
            )
            return False
        return True

    def _claimed_by_us(self, slot: datetime) -> bool:
        """We claimed the slot but Redis went away before the job was enqueued: enqueue it now."""
        owner = self.guard.client.get(FIRE_KEY.format(task=self.spec.name, slot=slot.isoformat()))
        return owner is not None and (owner.decode() if isinstance(owner, bytes) else str(owner)) == self.owner


class CatalogueCronScheduler(CronScheduler):
    """RQ's cron scheduler with one entry per scheduled spec of the catalogue."""

    def __init__(self, tasks: RqTaskQueue, guard: FireGuard, tz: str = MOSCOW, name: str = "") -> None:
        check_process_zone(tz)
        super().__init__(connection=tasks.redis, name=name)
        for spec in tasks.catalogue.scheduled():
            self._cron_jobs.append(CatalogueCronJob(spec, tasks, guard, self.name, tz))
        self._redis_down_since: float | None = None
        self._backoff = 1.0

    def start(self) -> None:
        """RQ's loop (fire what is due, save, heartbeat, sleep until the next fire), made to
        outlive Redis: a lost connection is waited out with a backoff, never fatal."""
        self.log.info("CronScheduler %s: starting...", self.name)
        self._install_signal_handlers()  # type: ignore[no-untyped-call]
        born = False
        try:
            while True:
                try:
                    if not born:
                        self.register_birth()
                        born = True
                    if self.enqueue_jobs():
                        self.save()
                    self.heartbeat()
                except REDIS_DOWN as exc:
                    time.sleep(self._redis_lost(exc))
                    continue
                self._redis_back()
                pause = self.calculate_sleep_interval()
                if pause > 0:
                    time.sleep(pause)
        except KeyboardInterrupt:
            self.log.info("CronScheduler %s: received KeyboardInterrupt", self.name)
        except StopRequested:
            self.log.info("CronScheduler %s: stop requested", self.name)
        finally:
            try:
                self.register_death()
            except REDIS_DOWN:
                log.warning("CronScheduler %s: Redis unreachable at shutdown; its entry expires on its own", self.name)
            self.log.info("CronScheduler %s: shutdown complete", self.name)

    def _redis_lost(self, exc: Exception) -> float:
        """One warning per outage; the seconds to wait before the next attempt."""
        if self._redis_down_since is None:
            self._redis_down_since = time.monotonic()
            log.warning(
                "CronScheduler %s: Redis unreachable (%s: %s); retrying with a backoff up to %.0f s",
                self.name,
                type(exc).__name__,
                exc,
                MAX_BACKOFF,
            )
            self._backoff = 1.0
        wait = self._backoff
        self._backoff = min(self._backoff * 2, MAX_BACKOFF)
        return wait

    def _redis_back(self) -> None:
        if self._redis_down_since is not None:
            log.warning(
                "CronScheduler %s: Redis reachable again after %.0f s",
                self.name,
                time.monotonic() - self._redis_down_since,
            )
            self._redis_down_since = None


def cron_fire_times(
    catalogue: Catalogue, task_name: str, start: datetime, end: datetime, tz: str = MOSCOW
) -> list[datetime]:
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
