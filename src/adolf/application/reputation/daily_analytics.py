"""``reputation.calculate_daily_analytics(date=None)`` (01:00; SPEC §3, seed 002): per platform ×
brand, one day's total, reviews, questions, positive, negative, average rating and published.

The day is yesterday in the calendar's time zone (Moscow) unless given; its items are those
created in ``[start of day, start of next day)`` as UTC instants. The counting is the domain's
(``daily_analytics``), over the configured brands: a brand with no item that day gets its zero
rows, so a chart shows a quiet day instead of a gap. The day's rows are replaced whole, so a
rerun (a retry, a late item, a run by hand) never doubles them.
"""

from __future__ import annotations

from datetime import date as Date
from datetime import timedelta
from typing import Any

from adolf.application.bounds import Day
from adolf.application.reputation.ports import ReputationServices
from adolf.domain.reputation.analytics import daily_analytics


def calculate_daily_analytics(services: ReputationServices, date: Day | None = None) -> dict[str, Any]:
    calendar = services.calendar
    day: Date = date if date is not None else calendar.yesterday(services.clock.now())
    start, end = calendar.day_start(day), calendar.day_start(day + timedelta(days=1))
    with services.uow() as uow:
        facts = uow.reputation_items.facts(start, end)
        rows = daily_analytics(day, facts, services.brands)
        uow.reputation_analytics.replace_day(day, rows)
        uow.commit()
    return {"day": day.isoformat(), "items": len(facts), "rows": len(rows)}
