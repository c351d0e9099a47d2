"""Which night an instant belongs to. Tasks are generated at 20:30 on day D for D and worked
through the night into D + 1, so from local noon on an instant belongs to the night of its
local day, and before noon to the night of the day before."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from adolf.application.marketing.calendar import Calendar

NIGHT_STARTS_AT_HOUR = 12


def night_of(calendar: Calendar, at: datetime) -> date:
    local = at.astimezone(calendar.zone)
    day = local.date()
    return day if local.hour >= NIGHT_STARTS_AT_HOUR else day - timedelta(days=1)
