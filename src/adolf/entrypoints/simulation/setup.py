"""A fresh simulated seller: users, configured campaigns, competitor bids.

Campaigns come from the simulated marketplace as a seller's account would list them; each
gets a strategy (round robin over the four) and bounds in the marketplace's own unit
(WB: rubles per 1000 views, Ozon: rubles per click, YM: percent of the price).
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
            campaign = Campaign(
                id=0,
                marketplace=marketplace,
                external_id=remote.external_id,
                name=remote.name,
                brand=brands[index % len(brands)],
                status=CampaignStatus.ACTIVE if remote.status == "active" else CampaignStatus.PAUSED,
                strategy=strategy,
                min_bid=min(minimums).quantize(TWO),
                max_bid=(typical * 4).quantize(TWO),
                daily_budget=remote.daily_budget,
                target_drr=Decimal(12 + index % 4 * 4) if strategy is StrategyType.TARGET_DRR else None,
                target_cpo=Decimal(150 + index % 5 * 50) if strategy is StrategyType.TARGET_CPO else None,
                target_position=Decimal(1 + index % 3) if strategy is StrategyType.TARGET_POSITION else None,
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
