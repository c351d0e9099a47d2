"""Simulated time: 15-minute steps and the Moscow calendar.

The market moves in whole steps of 15 minutes, numbered from the Unix epoch (step ``s``
covers ``[s * 900 s, (s + 1) * 900 s)`` UTC). A step belongs to the Moscow day and hour in
which it starts; Moscow days start on a step boundary, so a day is a whole number of steps.
Only *completed* steps are accrued: at 10:07 the step 10:00–10:15 has not happened yet.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

STEP = timedelta(minutes=15)
MOSCOW = ZoneInfo("Europe/Moscow")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class NaiveDatetimeError(ValueError):
    """The clock gave a datetime without a time zone; the market needs aware UTC times."""


def step_at(moment: datetime) -> int:
    """The number of the step that contains ``moment`` (the current, incomplete step)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetimeError(f"the clock must give aware datetimes, got {moment!r}")
    return (moment - _EPOCH) // STEP


def step_start(step: int) -> datetime:
    """The UTC instant at which ``step`` starts."""
    return _EPOCH + step * STEP


@lru_cache(maxsize=16384)
def step_calendar(step: int) -> tuple[date, int]:
    """The Moscow day and hour (0–23) in which ``step`` starts."""
    local = step_start(step).astimezone(MOSCOW)
    return local.date(), local.hour


def day_of(step: int) -> date:
    return step_calendar(step)[0]


def first_step_of(day: date) -> int:
    """The first step of a Moscow day (the step that starts at its midnight)."""
    return step_at(datetime.combine(day, time(), MOSCOW))
