"""A fresh simulated seller: users, configured campaigns, competitor bids.

Campaigns come from the simulated marketplace as a seller's account would list them; each
gets a strategy (round robin over the four) and bounds in the marketplace's own unit
(WB: rubles per 1000 views, Ozon: rubles per click, YM: percent of the price).

Targets are what a seller sets from its own history: 70–100 % of the DRR or cost per order
the campaign had at the bids it ran on, over the keywords its safety rules keep running (a
seller turning a bidder on asks for the same ratio or a cheaper one, not for a number
unrelated to the campaign; a DRR target at most the 30 % the seller alerts on), a target
position of 1–3.
Bounds: the lowest marketplace minimum up to 10 × the typical minimum for ruble bids, and up
to 25 % of the price for percent bids.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from adolf.adapters.marketplaces.simulated.model import Pricing, hourly_rates, unit_price
from adolf.application.marketing.ports import MarketingServices
from adolf.domain.alerts.users import Role, User
from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.campaign import Campaign, CampaignStatus, Keyword, KeywordStatus
from adolf.domain.marketing.safety_thresholds import SafetyThresholds
from adolf.domain.marketplace import Marketplace

STRATEGIES = (StrategyType.TARGET_DRR, StrategyType.TARGET_CPO, StrategyType.TARGET_POSITION, StrategyType.MANUAL)
TWO = Decimal("0.01")
TENTH = Decimal("0.1")
TARGET_FACTORS = (Decimal("0.7"), Decimal("0.8"), Decimal("0.9"), Decimal("1.0"))
FALLBACK_DRR, FALLBACK_CPO = Decimal(10), Decimal(200)  # a campaign with no history of orders
MAX_DRR_TARGET = Decimal(30)  # never above the seller's own DRR alert (safety max_drr)
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


def history(model: Any) -> tuple[Decimal, Decimal]:
    """(DRR %, cost per order ₽) at the starting bids of the keywords that keep running under
    the seller's safety rules (the defaults): keyword safety pauses, on manual bids as on any
    strategy, the phrases that never sell, those that spend their no-orders limit before a
    typical order, and those far above the DRR limit. Counting them would set targets looser
    than what the same campaign achieves on manual bids."""
    safety = SafetyThresholds()
    no_orders_limit = float(safety.keyword_max_spend_without_orders) * 100  # kopecks
    drr_limit = float(safety.max_drr * safety.keyword_drr_pause_factor)
    spend = orders = revenue = 0.0
    for i in range(model.keyword_count):
        if not model.initially_active_keywords[i]:
            continue
        bid = model.initial_bid[i]
        _position, views, clicks, sold = hourly_rates(model, i, bid)
        volume = {Pricing.CPM: views, Pricing.CPC: clicks, Pricing.CPA: sold}[model.pricing]
        cost = volume * unit_price(model.pricing, bid, model.order_value[i])
        value = sold * model.order_value[i]
        if not sold or cost / sold > no_orders_limit or cost / value * 100 > drr_limit:
            continue
        spend, orders, revenue = spend + cost, orders + sold, revenue + value
    if not orders:
        return FALLBACK_DRR, FALLBACK_CPO
    drr = max(Decimal("0.5"), Decimal(str(round(spend / revenue * 100, 2))))
    cpo = max(Decimal(1), Decimal(str(round(spend / orders / 100, 2))))
    return drr, cpo


def seed_campaigns(
    services: MarketingServices, brands: Sequence[str], market: Any, *, competitor_bids: bool = True
) -> dict[str, int]:
    """Register every campaign of the simulated account, configured; returns counts per
    marketplace. ``competitor_bids``: copy each keyword's competitor bids from the market (a
    run without Watcher; with it, Watcher's agents report them)."""
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
            drr, cpo = history(market.model(remote.external_id))
            factor = TARGET_FACTORS[variant]
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
                target_drr=min(drr * factor, MAX_DRR_TARGET).quantize(TENTH)
                if strategy is StrategyType.TARGET_DRR
                else None,
                target_cpo=(cpo * factor).quantize(Decimal(1)) if strategy is StrategyType.TARGET_CPO else None,
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
            if competitor_bids:
                uow.competitor_bids.replace(marketplace, competitor, now)
            uow.commit()
        counts[marketplace.value] = len(configured)
    return counts


__all__ = ["Marketplace", "seed_campaigns", "seed_users"]
