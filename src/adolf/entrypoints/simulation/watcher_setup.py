"""A fresh simulated seller for Watcher: our products, the competitors' listings tracked
against them, subscriptions, and a small fleet of parsing agents with their tokens.

Sizes follow the Marketing setup: per marketplace as many of our products as there are
campaigns (at least 3), each watched against 4–7 competitor listings (a few hundred
subscriptions at the default 50 campaigns); one subscription in 25 is paused, so tonight's
tasks are the active ones. A product's brand is one its marketplace's campaigns carry, so a
dumping alert on it reaches campaigns (Marketing's hand-off acts on the brand's campaigns).
Prices come from ``simulated.competitor_prices`` (ours fixed, the listings' moving).

The fleet is two agents per marketplace, registered through ``register_agent`` (each with its
own token, shown here once as an operator would see it). One WB agent will go silent on the
run's last night, one Ozon agent will meet a captcha that night, one YM agent will send a
malformed price and a result for a task that does not exist on the first night
(``watcher_agents``).

The agents also read search pages: each keyword of the seller's campaigns is assigned to one
listing of its marketplace with an active subscription (round robin), and the agent parsing
that listing reports the competitor bids the keyword's search page shows (``search_pages``).
So each night's finished tasks cover every keyword once.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from adolf.adapters.marketplaces.simulated.competitor_prices import listing_number, our_price, product_number
from adolf.adapters.marketplaces.simulated.model import mix
from adolf.application.watcher.agent_tokens import register_agent
from adolf.application.watcher.ports import WatcherServices
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.agents import Agent
from adolf.domain.watcher.catalog import Competitor, CompetitorProduct, OurProduct, Subscription

SELLERS = ("ТехноДом", "Уютная лавка", "MegaKids", "Пижамный рай", "HomeStar", "Север-Опт", "Kids&Co", "Ярмарка")
GOODS = ("пижама", "плед", "кружка", "рюкзак", "футболка", "игрушка", "лампа", "носки", "шапка", "подушка")
LISTINGS = (4, 7)  # per product of ours, inclusive
PAUSED_EVERY = 25  # one subscription in 25 is paused
SILENT, PANICKY, CLUMSY, STEADY = "silent", "panicky", "clumsy", "steady"
ROLES = {("wb", 1): SILENT, ("ozon", 1): PANICKY, ("ym", 1): CLUMSY}


@dataclass(frozen=True, slots=True)
class FleetMember:
    id: str
    name: str
    marketplace: Marketplace
    ip: str
    token: str
    role: str  # steady | silent | panicky | clumsy


@dataclass(frozen=True)
class WatcherWorld:
    seed: int
    agents: tuple[FleetMember, ...]
    search_pages: Mapping[str, tuple[str, ...]]  # listing external id → keyword external ids
    counts: dict[str, int] = field(default_factory=dict)
    nightly: Mapping[Marketplace, int] = field(default_factory=dict)  # active subscriptions per marketplace

    def summary(self) -> dict[str, Any]:
        return {**self.counts, "agents": len(self.agents)}


def seed_watcher(
    services: WatcherServices, brands: Sequence[str], market: Any, seed: int, products_per_marketplace: int
) -> WatcherWorld:
    """Our products, competitors, listings, subscriptions and agents; what the fleet needs."""
    per_marketplace = max(3, products_per_marketplace)
    counts = {"products": 0, "competitors": 0, "competitor_products": 0, "subscriptions": 0, "paused_subscriptions": 0}
    search_pages: dict[str, tuple[str, ...]] = {}
    nightly: dict[Marketplace, int] = {}
    for marketplace in Marketplace:
        with services.uow() as uow:
            carried = _campaign_brands(uow, marketplace) or list(brands) or ["all"]
        products = [
            OurProduct(
                0,
                carried[i % len(carried)],
                f"{marketplace.value}-{product_number(marketplace, i)}",
                f"{carried[i % len(carried)]} · {GOODS[i % len(GOODS)]}",
                marketplace,
                our_price(seed, product_number(marketplace, i)),
            )
            for i in range(per_marketplace)
        ]
        with services.uow() as uow:
            product_ids = uow.watcher_catalog.add_products(products)
            seller_ids = uow.watcher_catalog.add_competitors([Competitor(0, name, marketplace) for name in SELLERS])
            listings: list[CompetitorProduct] = []
            for i, ours in enumerate(product_ids):
                number = product_number(marketplace, i)
                rng = random.Random(mix(seed, number))
                for k in range(rng.randint(*LISTINGS)):
                    external = str(listing_number(number, k))
                    seller = seller_ids[mix(seed, int(external)) % len(seller_ids)]
                    url = f"https://{marketplace.value}.example/catalog/{external}"
                    listings.append(CompetitorProduct(0, seller, marketplace, external, url, None, ours))
            listing_ids = uow.watcher_catalog.add_competitor_products(listings)
            first = counts["subscriptions"] + 1  # counted over all marketplaces
            subscriptions = [
                Subscription(0, listing.our_product_id or 0, listing_id, marketplace, active=n % PAUSED_EVERY != 0)
                for n, (listing, listing_id) in enumerate(zip(listings, listing_ids, strict=True), start=first)
            ]
            uow.watcher_catalog.add_subscriptions(subscriptions)
            uow.commit()
        watched = [listing.external_id for listing, sub in zip(listings, subscriptions, strict=True) if sub.active]
        search_pages.update(_search_pages(watched, _keywords(market, marketplace)))
        counts["products"] += len(products)
        counts["competitors"] += len(SELLERS)
        counts["competitor_products"] += len(listings)
        counts["subscriptions"] += len(subscriptions)
        counts["paused_subscriptions"] += sum(1 for s in subscriptions if not s.active)
        nightly[marketplace] = sum(1 for s in subscriptions if s.active)
    return WatcherWorld(seed, tuple(_register_fleet(services)), search_pages, counts, nightly)


def _campaign_brands(uow: Any, marketplace: Marketplace) -> list[str]:
    return sorted({campaign.brand for campaign in uow.campaigns.all(marketplace)})


def _keywords(market: Any, marketplace: Marketplace) -> list[str]:
    found = []
    for campaign_id in market.campaign_ids(marketplace):
        model = market.model(campaign_id)
        found += [model.keyword_id(i) for i in range(model.keyword_count)]
    return found


def _search_pages(listings: Sequence[str], keywords: Sequence[str]) -> dict[str, tuple[str, ...]]:
    pages: dict[str, list[str]] = {listing: [] for listing in listings}
    ordered = sorted(listings)
    for n, keyword in enumerate(keywords):
        pages[ordered[n % len(ordered)]].append(keyword)
    return {listing: tuple(found) for listing, found in pages.items()}


def _register_fleet(services: WatcherServices) -> list[FleetMember]:
    members = []
    for m, marketplace in enumerate(Marketplace):
        for n in (1, 2):
            agent_id = f"{marketplace.value}-agent-{n}"
            name = f"night parser {marketplace.value.upper()} #{n}"
            ip = f"10.{20 + m}.0.{n}"
            token = register_agent(services, Agent(agent_id, name, marketplace, ip))
            members.append(
                FleetMember(agent_id, name, marketplace, ip, token, ROLES.get((marketplace.value, n), STEADY))
            )
    return members
