"""Fire times of a catalogue ``Schedule``: cron in the catalogue's zone plus an offset.

This is the reference every runtime is checked against (the schedule-parity test), and
what the inline scheduler and the fire guard use.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter

from adolf.application.catalogue import MOSCOW, Schedule


def iter_fires(schedule: Schedule, after: datetime, tz: str = MOSCOW) -> Iterator[datetime]:
    """Fire instants (aware UTC) strictly after ``after``."""
    zone = ZoneInfo(tz)
    offset = timedelta(seconds=schedule.offset)
    # A fire at cron time c happens at c + offset, so start the cron walk offset earlier.
    base = (after - offset).astimezone(zone)
    walker = croniter(schedule.cron, base)
    while True:
        fire: datetime = walker.get_next(datetime)
        yield (fire + offset).astimezone(UTC)


def next_fire(schedule: Schedule, after: datetime, tz: str = MOSCOW) -> datetime:
    return next(iter_fires(schedule, after, tz))


def fire_times(schedule: Schedule, start: datetime, end: datetime, tz: str = MOSCOW) -> list[datetime]:
    """Fires in ``(start, end]``."""
    times = []
    for fire in iter_fires(schedule, start, tz):
        if fire > end:
            break
        times.append(fire)
    return times


def latest_fire(schedule: Schedule, at: datetime, tz: str = MOSCOW) -> datetime:
    """The most recent fire at or before ``at`` (the slot a late fire belongs to)."""
    zone = ZoneInfo(tz)
    offset = timedelta(seconds=schedule.offset)
    walker = croniter(schedule.cron, (at - offset).astimezone(zone) + timedelta(seconds=1))
    fire: datetime = walker.get_prev(datetime)
    return (fire + offset).astimezone(UTC)
