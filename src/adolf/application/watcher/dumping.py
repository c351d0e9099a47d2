"""``watcher.process_dumping_alert(alert_id)``: the hand-off of a ``dumping_detected`` alert
to Marketing (SPEC §3; the seed leaves a commented-out ``create_bid_adjustment_task``).

Watcher tells Marketing through its port (``MarketingHandoff``) what it saw: the product of
ours, the brand and marketplace, the competitor's price and ours. What Marketing does with it
is Marketing's (a recommendation for the campaigns advertising the product); the port is
idempotent per alert, so a redelivered job hands the alert over once.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from adolf.application.bounds import Id
from adolf.application.watcher.ports import DumpingHandoff, WatcherServices
from adolf.domain.watcher.alerts import AlertKind


def process_dumping_alert(services: WatcherServices, alert_id: Id) -> dict[str, Any]:
    with services.uow() as uow:
        alert = uow.watcher_alerts.get(alert_id)
        if alert is None or alert.kind is not AlertKind.DUMPING_DETECTED:
            return {"alert_id": alert_id, "status": "not_dumping_alert"}
        products = uow.watcher_catalog.products([alert.our_product_id]) if alert.our_product_id is not None else {}
    product = products.get(alert.our_product_id) if alert.our_product_id is not None else None
    details = dict(alert.details)
    handoff = DumpingHandoff(
        alert_id=alert.id,
        our_product_id=alert.our_product_id,
        brand=alert.brand,
        marketplace=alert.marketplace,
        competitor_product_id=alert.competitor_product_id,
        competitor_price=_amount(details.get("new_price")),
        our_price=_amount(details.get("our_price")) or (product.price if product is not None else None),
        observed_at=_instant(details.get("observed_at")) or alert.created_at,
        details=details,
    )
    campaigns = services.marketing_handoff.dumping_detected(handoff)
    return {"alert_id": alert_id, "status": "handed_off", "campaigns": campaigns}


def _amount(text: str | None) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
