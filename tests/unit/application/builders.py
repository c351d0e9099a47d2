"""Campaigns, keywords and stats for the use-case tests, with sensible defaults, and the
steps a worker would take between jobs (draining queued alerts)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from adolf.application.marketing.alerting import send_alert
from adolf.application.payload import bind_payload
from adolf.application.ports.ads_marketplace import CampaignStats, KeywordStats, RemoteCampaign, RemoteKeyword
from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.campaign import Campaign, CampaignStatus, Keyword, KeywordStatus
from adolf.domain.marketplace import Marketplace
from tests.support.fakes import FakeServices

D = Decimal
DAY = date(2024, 5, 10)  # FakeClock's default instant (2024-05-10 09:07 UTC) is 12:07 in Moscow


def campaign(cid: int = 1, **overrides: Any) -> Campaign:
    values: dict[str, Any] = {
        "id": cid,
        "marketplace": Marketplace.WB,
        "external_id": f"c{cid}",
        "name": f"Campaign {cid}",
        "brand": "acme",
        "status": CampaignStatus.ACTIVE,
        "strategy": StrategyType.TARGET_DRR,
        "min_bid": D("10"),
        "max_bid": D("500"),
        "daily_budget": D("10000"),
        "target_drr": D("20"),
    }
    values.update(overrides)
    return Campaign(**values)


def keyword(kid: int, cid: int = 1, bid: Decimal = D("100"), **overrides: Any) -> Keyword:
    values: dict[str, Any] = {
        "id": kid,
        "campaign_id": cid,
        "external_id": f"k{kid}",
        "phrase": f"phrase {kid}",
        "bid": bid,
        "status": KeywordStatus.ACTIVE,
    }
    values.update(overrides)
    return Keyword(**values)


def cstats(
    external_id: str = "c1", spent: str = "1000", revenue: str = "20000", day: date = DAY, **counts: int
) -> CampaignStats:
    return CampaignStats(
        campaign_external_id=external_id,
        day=day,
        views=counts.get("views", 10000),
        clicks=counts.get("clicks", 500),
        orders=counts.get("orders", 20),
        spent=D(spent),
        revenue=D(revenue),
    )


def kstats(
    external_id: str,
    spent: str = "300",
    revenue: str = "3000",
    clicks: int = 50,
    orders: int = 3,
    views: int = 2000,
    day: date = DAY,
    avg_position: Decimal | None = None,
) -> KeywordStats:
    """Defaults: DRR 10 % with enough data — a target_drr campaign (target 20 %) raises the bid."""
    return KeywordStats(
        keyword_external_id=external_id,
        day=day,
        views=views,
        clicks=clicks,
        orders=orders,
        spent=D(spent),
        revenue=D(revenue),
        avg_position=avg_position,
    )


def seed(services: FakeServices, camp: Campaign, *keywords: Keyword) -> Campaign:
    """The campaign and its keywords, locally and at the marketplace (same bids and status)."""
    stored = services.uow().campaigns.add(camp, keywords)
    services.market(camp.marketplace).add_campaign(
        RemoteCampaign(camp.external_id, camp.name, camp.status.value, camp.daily_budget),
        [RemoteKeyword(k.external_id, camp.external_id, k.phrase, k.bid, k.status.value) for k in keywords],
    )
    return stored


def deliver_alerts(services: FakeServices) -> list[dict[str, Any]]:
    """Run the queued ``marketing.send_alert`` jobs as a worker would (payload bound at the edge)."""
    return [
        send_alert(services, **bind_payload(send_alert, payload, "marketing.send_alert"))
        for payload in services.queue.take("marketing.send_alert")
    ]


def alert_types(services: FakeServices) -> list[str]:
    return [payload["type"] for payload in services.queue.payloads("marketing.send_alert")]
