"""``reputation.office_heartbeat`` (every 60 s) and Reputation's Office Dashboard employees
(SPEC §5; seed 002 appendix B): one per marketplace, 1.0 FTE each —
``reputation_wb``, ``reputation_ozon``, ``reputation_ym``.

Metrics (seed 002 B.6):
- ``reviews_today``: reviews and questions of that marketplace created today (the calendar's
  day) — what the employee had to handle;
- ``avg_response_min``: average minutes from an item's creation to its answer's publication,
  for that marketplace's answers published today;
- ``queue_size``: that marketplace's items still owed an answer that a person or a send has to
  move: ``pending_review`` + ``approved`` + ``failed``.

The polls report working / idle / error on their marketplace's card as they run; the heartbeat
keeps the three cards alive with fresh metrics.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from adolf.application.office import OfficeEmployee, OfficeReporter
from adolf.application.reputation.ports import ReputationServices
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.lifecycle import ItemStatus
from adolf.domain.reputation.response_time import average_minutes

DEPARTMENT = "reputation"
EMPLOYEES = {
    Marketplace.WB: OfficeEmployee("reputation_wb", DEPARTMENT, "WB отзывы", Decimal("1.0")),
    Marketplace.OZON: OfficeEmployee("reputation_ozon", DEPARTMENT, "Ozon отзывы", Decimal("1.0")),
    Marketplace.YM: OfficeEmployee("reputation_ym", DEPARTMENT, "YM отзывы", Decimal("1.0")),
}
QUEUED = (ItemStatus.PENDING_REVIEW, ItemStatus.APPROVED, ItemStatus.FAILED)


def reporter(services: ReputationServices, platform: Marketplace) -> OfficeReporter:
    return OfficeReporter(EMPLOYEES[platform], services.status_board, services.clock)


def office_heartbeat(services: ReputationServices) -> dict[str, Any]:
    now = services.clock.now()
    today = services.calendar.day(now)
    start = services.calendar.day_start(today)
    end = services.calendar.day_start(today + timedelta(days=1))
    with services.uow() as uow:
        counts = uow.reputation_items.counts()
        facts = uow.reputation_items.facts(start, end)
        minutes = {platform: uow.reputation_responses.answer_minutes(start, end, platform) for platform in EMPLOYEES}
    metrics: dict[str, dict[str, Any]] = {}
    for platform in EMPLOYEES:
        average = average_minutes(minutes[platform])
        metrics[platform.value] = {
            "reviews_today": sum(fact.platform is platform for fact in facts),
            "avg_response_min": str(average) if average is not None else "0",  # JSON: a job's result
            "queue_size": sum(counts.get((platform, status), 0) for status in QUEUED),
        }
        reporter(services, platform).heartbeat(metrics[platform.value])
    return {"agents": len(EMPLOYEES), "metrics": metrics}
