"""Marketing's side of Watcher's dumping hand-off (``MarketingHandoff``, issue 10).

Told that a competitor dumps on one of our products, Marketing records a recommendation
(kind ``dumping``) for each active campaign of the product's brand on that marketplace, the
competitor's price beside ours, for the manager (and ``adolf journal``) to act on. Bids are
not changed here: the bid cycle's strategies decide bids, and a recommendation is what
Marketing already keeps for findings that call for a person.

Idempotent per alert: the alert's key (``watcher:dumping:{alert_id}``) is claimed in the
same transaction as the recommendations, so a redelivered hand-off adds none. An alert on a
competitor product tied to no product of ours (brand ``all``) names no brand: no campaign
is touched.
"""

from __future__ import annotations

from adolf.application.marketing.ports import MarketingServices, Recommendation
from adolf.application.watcher.ports import DumpingHandoff
from adolf.domain.alerts.users import ALL_BRANDS

KIND = "dumping"
TASK = "watcher.process_dumping_alert"


class DumpingRecommendations:
    def __init__(self, services: MarketingServices) -> None:
        self.services = services

    def dumping_detected(self, handoff: DumpingHandoff) -> int:
        brand = handoff.brand.strip().casefold()
        if brand == ALL_BRANDS:
            return 0
        now = self.services.clock.now()
        day = self.services.calendar.day(now)
        with self.services.uow() as uow:
            if not uow.idempotency.claim(f"watcher:dumping:{handoff.alert_id}", TASK, now):
                return 0
            campaigns = [c for c in uow.campaigns.active(handoff.marketplace) if c.brand.strip().casefold() == brand]
            message = _message(handoff)
            uow.recommendations.add_many([Recommendation(c.id, day, KIND, message, now) for c in campaigns])
            uow.commit()
        return len(campaigns)


def _message(handoff: DumpingHandoff) -> str:
    said = [f"competitor product {handoff.competitor_product_id} is dumping on {handoff.marketplace.value}"]
    if handoff.competitor_price is not None:
        said.append(f"at {handoff.competitor_price}")
    if handoff.our_price is not None:
        said.append(f"against our {handoff.our_price}")
    reason = handoff.details.get("reason")
    tail = f" ({reason})" if reason else ""
    return (
        " ".join(said)
        + tail
        + f": review the bids of this campaign for the product (Watcher alert {handoff.alert_id}, "
        + f"observed {handoff.observed_at.isoformat()})"
    )
