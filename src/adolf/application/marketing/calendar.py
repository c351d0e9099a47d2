"""Calendar days in the deployment's time zone (``ADOLF_TIMEZONE``, Europe/Moscow by default):
marketplaces reset daily totals at local midnight, and a seller's "today" is that day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Europe/Moscow"
_DEFAULT = ZoneInfo(DEFAULT_ZONE)


@dataclass(frozen=True, slots=True)
class Calendar:
    """Days of one time zone. Stored instants stay UTC; only day boundaries use the zone."""

    zone: ZoneInfo = _DEFAULT

    @classmethod
    def of(cls, name: str) -> Calendar:
        return cls(ZoneInfo(name))

    def day(self, at: datetime) -> date:
        """The local calendar day ``at`` falls in."""
        return at.astimezone(self.zone).date()

    def day_start(self, day: date) -> datetime:
        """The UTC instant the local ``day`` begins."""
        return datetime.combine(day, time.min, self.zone).astimezone(UTC)

    def yesterday(self, at: datetime) -> date:
        return self.day(at) - timedelta(days=1)

    def previous_month(self, at: datetime) -> tuple[int, int]:
        first = self.day(at).replace(day=1)
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
