"""``logistic.sync_ozon_analytics`` (05:00; seed 003 §8.4.2, SPEC §3): units ordered per SKU
over the last 28 complete days (``/v1/analytics/data``) → each article's average daily sales.

Ozon allows one analytics call a minute, and a call returns at most 1 000 rows (SKU × day), so
28 days of a large catalogue take many minutes — far past a job's 300 s, and a job must not
sleep (the simulated clock does not move while a job runs). So a run makes **one** call (the
port's rule) and, when Ozon has more rows, chains the next page through the outbox with a
``countdown`` of a minute (``ANALYTICS_INTERVAL``), carrying the window and the units summed so
far (``partial``: SKU → units). Only the last page writes: the velocity table is replaced in one
transaction, so ``generate_supply_tasks`` never reads a half-summed window. A page job run
twice (redelivered) chains the same continuation (the outbox key is the window and offset),
and sums the same rows: idempotent. A call refused over the quota (``QuotaExceeded``: another
caller used the minute) chains the same page after Ozon's ``retry_after``.

Rules:
- the window is the 28 days before today (Moscow: ``services.calendar``), today excluded
  (seed: ``date.today() - 28 … date.today() - 1``);
- velocity = units / 28, half up to 2 places (the port's ``velocity`` rule); every active
  article with an SKU gets a row, 0 when it sold nothing; rows of SKUs that are not ours are
  counted (``unknown_sku``) and dropped; rows Ozon sent malformed are counted (``skipped``).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from adolf.application.bounds import INT64_MAX, Bounds, Day
from adolf.application.logistic import dispatch
from adolf.application.logistic.ozon_fbo import ANALYTICS_INTERVAL, VELOCITY_DAYS, QuotaExceeded
from adolf.application.logistic.ports import ArticleVelocity, LogisticServices
from adolf.application.payload import InvalidPayload

NAME = "logistic.sync_ozon_analytics"
CENT = Decimal("0.01")

Offset = Annotated[int, Bounds(0, INT64_MAX)]
Count = Annotated[int, Bounds(0, INT64_MAX)]


def sync_ozon_analytics(
    services: LogisticServices,
    offset: Offset = 0,
    window_end: Day | None = None,
    partial: dict[str, int] | None = None,
    skipped: Count = 0,
) -> dict[str, Any]:
    now = services.clock.now()
    end = window_end or services.calendar.day(now) - timedelta(days=1)
    start = end - timedelta(days=VELOCITY_DAYS - 1)
    totals = _totals(partial)
    try:
        page = services.ozon_fbo.ordered_units(start, end, offset=offset)
    except QuotaExceeded as exc:
        _chain(services, end, offset, totals, skipped, exc.retry_after, "quota")
        return {"status": "quota", "window": [start.isoformat(), end.isoformat()], "offset": offset}
    for row in page.rows:
        totals[row.sku] = totals.get(row.sku, 0) + row.ordered_units
    skipped += len(page.skipped)
    if page.next_offset is not None:
        _chain(services, end, page.next_offset, totals, skipped, ANALYTICS_INTERVAL, "page")
        return {
            "status": "continuing",
            "window": [start.isoformat(), end.isoformat()],
            "offset": offset,
            "next_offset": page.next_offset,
            "rows": len(page.rows),
            "skipped": skipped,
        }
    with services.uow() as uow:
        articles = [a for a in uow.logistic_articles.all() if a.ozon_sku is not None]
        ours = {a.ozon_sku for a in articles}
        rows = [
            ArticleVelocity(a.id, totals.get(a.ozon_sku or 0, 0), _per_day(totals.get(a.ozon_sku or 0, 0)))
            for a in articles
        ]
        stored = uow.logistic_velocity.replace(rows, now)
        uow.commit()
    return {
        "status": "done",
        "window": [start.isoformat(), end.isoformat()],
        "articles": stored,
        "selling": sum(1 for row in rows if row.ordered_units),
        "ordered_units": sum(row.ordered_units for row in rows),
        "unknown_sku": sum(1 for sku in totals if sku not in ours),
        "skipped": skipped,
    }


def _per_day(units: int) -> Decimal:
    return (Decimal(units) / VELOCITY_DAYS).quantize(CENT, rounding=ROUND_HALF_UP)


def _totals(partial: dict[str, int] | None) -> dict[int, int]:
    totals: dict[int, int] = {}
    for sku, units in (partial or {}).items():
        if not str(sku).isdigit() or isinstance(units, bool) or not isinstance(units, int) or units < 0:
            raise InvalidPayload(f"partial[{sku!r}]={units!r}: SKUs must be digits and units ints >= 0")
        totals[int(sku)] = units
    return totals


def _chain(
    services: LogisticServices,
    end: date,
    offset: int,
    totals: dict[int, int],
    skipped: int,
    countdown: float,
    why: str,
) -> None:
    now = services.clock.now()
    payload = {
        "offset": offset,
        "window_end": end.isoformat(),
        "partial": {str(sku): units for sku, units in sorted(totals.items())},
        "skipped": skipped,
    }
    entry = dispatch.enqueue(
        f"logistic:sync_ozon_analytics:{end.isoformat()}:{offset}:{why}:{now.isoformat() if why == 'quota' else ''}",
        NAME,
        payload,
        now,
        countdown=max(float(countdown), 1.0),
    )
    with services.uow() as uow:
        keys = dispatch.record(uow, [entry])
        uow.commit()
    dispatch.flush(services, keys)
