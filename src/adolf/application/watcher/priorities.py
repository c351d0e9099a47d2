"""``watcher.calculate_priorities`` (04:00, heavy): the monitoring priority of every active
competitor product (SPEC §4.3, the domain's ``priority``), set-based.

The seed runs four queries per competitor; here ``priority_inputs`` reads every product's
30-day aggregates in a few queries for all at once, the domain scores them in memory, and
``set_priorities`` writes them in bulk — the number of statements does not grow with the
catalogue.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from adolf.application.watcher.office import reporter
from adolf.application.watcher.ports import WatcherServices
from adolf.domain.watcher.priority import PRIORITY_WINDOW_DAYS, priority

BANDS = ((0, 19), (20, 39), (40, 59), (60, 79), (80, 100))


def calculate_priorities(services: WatcherServices) -> dict[str, Any]:
    now = services.clock.now()
    office = reporter(services, "competitor_scan")
    office.report_working("scoring the competitors' priorities")
    try:
        with services.uow() as uow:
            inputs = uow.watcher_catalog.priority_inputs(now - timedelta(days=PRIORITY_WINDOW_DAYS))
            scores = {product_id: priority(facts) for product_id, facts in inputs.items()}
            uow.watcher_catalog.set_priorities(scores, now)
            uow.commit()
    except Exception as exc:
        office.report_error(f"priority scoring failed: {exc}")
        raise
    bands = {f"{low}-{high}": sum(low <= s <= high for s in scores.values()) for low, high in BANDS}
    office.report_idle({"competitors_scored": len(scores)})
    return {
        "scored": len(scores),
        "average": round(sum(scores.values()) / len(scores), 1) if scores else None,
        "bands": bands,
    }
