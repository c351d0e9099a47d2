"""Celery beat from the catalogue: crontab schedules in the app's zone, an offset schedule
for the staggered polls, and a scheduler that fires each slot once however many beats run.

Two beat processes (a rolling deploy, an operator starting a second one by mistake) would
each send every due job. ``GuardedScheduler`` claims the slot — the schedule's own fire
time, ``latest_fire(spec.schedule, now)`` — with the Redis ``FireGuard`` before sending,
and skips (with a log line) a slot another beat has already claimed.
"""

from __future__ import annotations

import copy
import logging
import os
import socket
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from celery import Celery
from celery.beat import PersistentScheduler, ScheduleEntry
from celery.schedules import BaseSchedule, crontab, schedstate
from redis import Redis
from redis.exceptions import RedisError

from adolf.adapters.queues.schedules import latest_fire
from adolf.adapters.redis.fire_guard import FireGuard
from adolf.application.catalogue import Catalogue, Schedule
from adolf.application.payload import validate_payload

log = logging.getLogger(__name__)

#: Seconds beat keeps trying to claim a due slot while Redis is away.
CLAIM_PATIENCE = 120


class UnsupportedSchedule(ValueError):
    """A cron expression Celery's crontab would read differently from cron (and croniter)."""


def _fields(cron: str) -> dict[str, str]:
    minute, hour, day_of_month, month_of_year, day_of_week = cron.split()
    if day_of_month != "*" and day_of_week != "*":
        # cron fires when EITHER day field matches; Celery's crontab when BOTH do.
        raise UnsupportedSchedule(
            f"cron={cron!r} restricts both day-of-month and day-of-week; cron ORs them and Celery ANDs "
            "them: split it into two catalogue entries"
        )
    if day_of_week == "7":
        day_of_week = "0"
    return {
        "minute": minute,
        "hour": hour,
        "day_of_month": day_of_month,
        "month_of_year": month_of_year,
        "day_of_week": day_of_week,
    }


class offset_crontab(BaseSchedule):  # lower case like celery's own ``crontab``
    """A crontab fired ``offset`` seconds after each cron time.

    The inner ``crontab`` runs on a clock shifted back by the offset, so Celery's own
    arithmetic (zone, month lengths, DST) decides the cron time and we only add seconds.
    """

    def __init__(
        self, cron: str, offset: int, nowfun: Callable[[], datetime] | None = None, app: Celery | None = None
    ) -> None:
        super().__init__(nowfun=nowfun, app=app)
        self.cron = cron
        self.offset = timedelta(seconds=offset)
        self._inner = crontab(**_fields(cron), nowfun=self._shifted_now, app=app)

    def _shifted_now(self) -> datetime:
        return self.now() - self.offset

    @property
    def app(self) -> Celery:
        return self._inner.app

    @app.setter
    def app(self, app: Celery) -> None:
        self._app = app
        self._inner.app = app

    def remaining_estimate(self, last_run_at: datetime) -> timedelta:
        return self._inner.remaining_estimate(last_run_at - self.offset)

    def is_due(self, last_run_at: datetime) -> tuple[bool, float]:
        due, next_in = self._inner.is_due(last_run_at - self.offset)
        return schedstate(due, next_in)

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.__class__, (self.cron, int(self.offset.total_seconds())))

    def __copy__(self) -> offset_crontab:
        return offset_crontab(self.cron, int(self.offset.total_seconds()), self.nowfun, self._app)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, offset_crontab) and (self.cron, self.offset) == (other.cron, other.offset)

    def __hash__(self) -> int:
        return hash((self.cron, self.offset))

    def __repr__(self) -> str:
        return f"<offset_crontab: {self.cron} +{int(self.offset.total_seconds())}s>"


def celery_schedule(schedule: Schedule, app: Celery, nowfun: Callable[[], datetime] | None = None) -> BaseSchedule:
    if schedule.offset:
        return offset_crontab(schedule.cron, schedule.offset, nowfun=nowfun, app=app)
    return crontab(**_fields(schedule.cron), nowfun=nowfun, app=app)


def beat_schedule(catalogue: Catalogue, app: Celery, priority: Callable[[int], int]) -> dict[str, Any]:
    """``beat_schedule`` derived from the catalogue: one entry per scheduled spec, named
    after the task, sent to the spec's queue with its priority and scheduled payload."""
    entries: dict[str, Any] = {}
    for spec in catalogue.scheduled():
        assert spec.schedule is not None
        entries[spec.name] = {
            "task": spec.name,
            "schedule": celery_schedule(spec.schedule, app),
            "kwargs": validate_payload(catalogue, spec.name, spec.scheduled_payload),  # beat sends it as is
            "options": {"queue": spec.queue, "priority": priority(spec.priority)},
        }
    return entries


class GuardedScheduler(PersistentScheduler):
    """``PersistentScheduler`` that claims each schedule slot in Redis before sending."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._guard: FireGuard | None = None

    @property
    def guard(self) -> FireGuard:
        if self._guard is None:
            self._guard = FireGuard(Redis.from_url(self.app.adolf.settings.redis_url))
        return self._guard

    def apply_entry(self, entry: ScheduleEntry, producer: Any = None) -> None:
        catalogue: Catalogue = self.app.adolf.catalogue
        spec = catalogue.get(entry.task) if entry.task in catalogue else None
        if spec is None or spec.schedule is None:
            super().apply_entry(entry, producer=producer)
            return
        slot = latest_fire(spec.schedule, self.app.now(), self.app.conf.timezone)
        claimed = self._claim(spec.name, slot)
        if claimed is None:
            return
        if not claimed:
            log.info("beat: %s slot %s was already fired by another scheduler; skipped", spec.name, slot.isoformat())
            return
        super().apply_entry(entry, producer=producer)

    def _claim(self, task: str, slot: datetime) -> bool | None:
        """Claim the slot; with Redis away, keep trying for ``CLAIM_PATIENCE`` s (as kombu
        keeps trying to publish) rather than drop the slot: beat has already advanced past
        it and would never fire it again. None: still unreachable, the slot is lost (logged)."""
        deadline = time.monotonic() + CLAIM_PATIENCE
        wait = 1.0
        while True:
            try:
                return self.guard.claim(task, slot, self.owner)
            except RedisError as exc:
                if time.monotonic() + wait > deadline:
                    log.error(
                        "beat: cannot claim %s slot %s for %d s (%s); not firing it",
                        task,
                        slot.isoformat(),
                        CLAIM_PATIENCE,
                        exc,
                    )
                    return None
                log.warning(
                    "beat: cannot claim %s slot %s yet (%s); retrying in %.0f s", task, slot.isoformat(), exc, wait
                )
                time.sleep(wait)
                wait = min(wait * 2, 10.0)


def beat_fire_times(app: Celery, task_name: str, start: datetime, end: datetime) -> list[datetime]:
    """Fire instants in ``(start, end]`` of the app's beat entry for ``task_name``, found by
    walking the entry's own schedule object (``is_due``) on a fake clock the way beat does:
    sleep for the returned interval, fire when due, remember the fire as ``last_run_at``."""
    schedule = app.conf.beat_schedule[task_name]["schedule"]
    clock = [start]
    walker = copy.copy(schedule)  # crontab's copy keeps its fields, not its app or clock
    walker.app = app
    walker.nowfun = lambda: clock[0]
    fires: list[datetime] = []
    last_run = start
    while True:
        due, next_in = walker.is_due(last_run)
        if due:
            fires.append(clock[0])
            last_run = clock[0]
        step = max(float(next_in), 0.001)
        if clock[0] + timedelta(seconds=step) > end:
            return fires
        clock[0] = clock[0] + timedelta(seconds=step)
