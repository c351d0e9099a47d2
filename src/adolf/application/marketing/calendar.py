"""Moscow calendar days: marketplaces reset daily totals at Moscow midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MOSCOW = ZoneInfo("Europe/Moscow")


def moscow_day(at: datetime) -> date:
    return at.astimezone(MOSCOW).date()


def day_start(day: date) -> datetime:
    """The UTC instant a Moscow day begins."""
    return datetime.combine(day, time.min, MOSCOW).astimezone(UTC)


def yesterday(at: datetime) -> date:
    return moscow_day(at) - timedelta(days=1)


def previous_month(at: datetime) -> tuple[int, int]:
    first = moscow_day(at).replace(day=1)
    last_of_previous = first - timedelta(days=1)
    return last_of_previous.year, last_of_previous.month


def month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def slot_of(at: datetime, minutes: int) -> str:
    """The ``minutes``-long slot ``at`` falls in, as text: every run, retry and redelivery
    of a periodic job inside one slot shares it (the window of its idempotency keys)."""
    start = at.replace(minute=at.minute - at.minute % minutes, second=0, microsecond=0)
    return start.strftime("%Y%m%dT%H%M")
