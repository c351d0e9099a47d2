"""``logistic.check_brain_freshness`` (08:00; seed 003 §8.4.4a): any of the 1C extract's
tables (``brain_stock_balance``, ``brain_customer_orders``, ``brain_supplier_orders``,
``brain_goods_receipts``) last loaded more than ``stale_after`` ago (26 h by default; never
loaded counts as stale) → a ``DATA_STALE`` alert (high), the domain's ``stale_tables`` deciding.

One alert per stale table per day (the seed raises one listing them all; one per table lets a
person see which load failed, and each clears on its own — choice): its dedupe key is the table
and the Moscow day, so a retried or repeated check alerts once a day. It concerns every brand
(the 1C extract is the seller's, not a brand's), so routing sends it to every brand's people.
"""

from __future__ import annotations

from typing import Any

from adolf.application.logistic import dispatch
from adolf.application.logistic.alert_raising import raise_alerts
from adolf.application.logistic.alert_text import new_alert
from adolf.application.logistic.ports import LogisticServices
from adolf.domain.logistic.alerts import StockAlertKind, dedupe_key
from adolf.domain.logistic.freshness import stale_tables


def check_brain_freshness(services: LogisticServices) -> dict[str, Any]:
    now = services.clock.now()
    day = services.calendar.day(now)
    max_age = services.supply_policy.stale_after
    with services.uow() as uow:
        loaded = uow.logistic_brain.loaded_at()
        stale = stale_tables(loaded, now, max_age)
        alerts = []
        for table in stale:
            when = table.loaded_at.isoformat() if table.loaded_at else "never"
            hours = f"{table.age.total_seconds() / 3600:.1f} h ago" if table.age is not None else "never loaded"
            alerts.append(
                new_alert(
                    StockAlertKind.DATA_STALE,
                    f"1C data is stale: {table.table} last loaded {hours}",
                    now,
                    dedupe_key(StockAlertKind.DATA_STALE, None, None, day, scope=table.table),
                    details={"table": table.table, "loaded_at": when},
                )
            )
        raised = raise_alerts(uow, alerts, now)
        uow.commit()
    flushed = dispatch.flush(services, raised.keys)
    return {
        "stale": [table.table for table in stale],
        "all_fresh": not stale,
        "alerts_created": len(raised.alerts),
        "notified": flushed.notified,
    }
