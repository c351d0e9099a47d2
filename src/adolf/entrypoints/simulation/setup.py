"""A fresh simulated seller: users, configured campaigns, competitor bids.

Campaigns come from the simulated marketplace as a seller's account would list them; each
gets a strategy (round robin over the four) and bounds in the marketplace's own unit
(WB: rubles per 1000 views, Ozon: rubles per click, YM: percent of the price).

Targets are what a seller would set: a DRR of 6–12 %, a cost per order of 10–25 % of what
the campaign's goods sell for (the seller knows its own prices), a target position of
1–3. Bounds: the lowest marketplace minimum up to 10 × the typical minimum for ruble bids,
and up to 25 % of the price for percent bids.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from adolf.application.marketing.ports import MarketingServices
from adolf.domain.alerts.users import Role, User
from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.campaign import Campaign, CampaignStatus, Keyword, KeywordStatus
from adolf.domain.marketplace import Marketplace

STRATEGIES = (StrategyType.TARGET_DRR, StrategyType.TARGET_CPO, StrategyType.TARGET_POSITION, StrategyType.MANUAL)
TWO = Decimal("0.01")
TEN = Decimal(10)
DRR_TARGETS = (Decimal(6), Decimal(8), Decimal(10), Decimal(12))
CPO_SHARES = (Decimal("0.10"), Decimal("0.15"), Decimal("0.20"), Decimal("0.25"))
MAX_BID_FACTOR = 10  # × the typical marketplace minimum, ruble bids
MAX_PERCENT_BID = Decimal(25)  # percent-of-price bids


def seed_users(services: MarketingServices, brands: Sequence[str]) -> int:
    people = [User(f"manager-{b}", f"Manager of {b}", Role.MANAGER, b) for b in brands]
    people += [
        User("senior", "Senior manager", Role.SENIOR, "all"),
        User("director", "Director", Role.DIRECTOR, "all"),
        User("admin", "Administrator", Role.ADMIN, "all"),
        User("former", "Former manager", Role.MANAGER, "all", active=False),
    ]
    with services.uow() as uow:
        for person in people:
            uow.users.add(person)
        uow.commit()
    return len(people)


def seed_campaigns(services: MarketingServices, brands: Sequence[str], market: Any) -> dict[str, int]:
    """Register every campaign of the simulated account, configured; returns counts per marketplace."""
    counts: dict[str, int] = {}
    now = services.clock.now()
    index = 0
    for marketplace in services.marketplaces:
        api = services.marketplace(marketplace)
        configured: list[tuple[Campaign, list[Keyword]]] = []
        competitor: dict[str, list[Decimal]] = {}
        for remote in api.list_campaigns().items:
            keywords = list(api.list_keywords(remote.external_id).items)
            minimums = [k.min_bid for k in keywords if k.min_bid is not None] or [Decimal(1)]
            typical = Decimal(statistics.median(minimums))
            strategy = STRATEGIES[index % len(STRATEGIES)]
            variant = index // len(STRATEGIES) % 4
            price = Decimal(statistics.median(market.model(remote.external_id).order_value)) / 100
            percent = marketplace is Marketplace.YM
            campaign = Campaign(
                id=0,
                marketplace=marketplace,
                external_id=remote.external_id,
                name=remote.name,
                brand=brands[index % len(brands)],
                status=CampaignStatus.ACTIVE if remote.status == "active" else CampaignStatus.PAUSED,
                strategy=strategy,
                min_bid=min(minimums).quantize(TWO),
                max_bid=MAX_PERCENT_BID if percent else (typical * MAX_BID_FACTOR).quantize(TWO),
                daily_budget=remote.daily_budget,
                target_drr=DRR_TARGETS[variant] if strategy is StrategyType.TARGET_DRR else None,
                target_cpo=(
                    max(TEN, (price * CPO_SHARES[variant] / TEN).quantize(Decimal(1)) * TEN)
                    if strategy is StrategyType.TARGET_CPO
                    else None
                ),
                target_position=Decimal(1 + variant % 3) if strategy is StrategyType.TARGET_POSITION else None,
            )
            configured.append(
                (
                    campaign,
                    [
                        Keyword(
                            id=0,
                            campaign_id=0,
                            external_id=k.external_id,
                            phrase=k.phrase,
                            bid=k.bid,
                            status=KeywordStatus.ACTIVE if k.status == "active" else KeywordStatus.PAUSED,
                            marketplace_min_bid=k.min_bid,
                        )
                        for k in keywords
                    ],
                )
            )
            for k in keywords:
                competitor[k.external_id] = list(market.competitor_bids(k.external_id))
            index += 1
        with services.uow() as uow:
            uow.campaigns.add_many(configured)
            uow.competitor_bids.replace(marketplace, competitor, now)
            uow.commit()
        counts[marketplace.value] = len(configured)
    return counts


__all__ = ["Marketplace", "seed_campaigns", "seed_users"]
