"""A small Watcher world for the use case tests: our products, competitors' listings,
subscriptions, agents, people, observations — written straight into the fake tables (as
committed rows)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from adolf.domain.alerts.users import Role, User
from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.campaign import Campaign, CampaignStatus
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.agents import Agent, AgentStatus
from adolf.domain.watcher.catalog import Competitor, CompetitorProduct, OurProduct, Subscription
from adolf.domain.watcher.observations import PriceObservation
from adolf.domain.watcher.tasks import ParsingTask, claim
from tests.support.fakes.watcher_services import FakeWatcherServices

WB, OZON = Marketplace.WB, Marketplace.OZON
EVENING = datetime(2024, 5, 10, 17, 30, tzinfo=UTC)  # 20:30 in Moscow


def add_listings(
    services: FakeWatcherServices,
    count: int = 3,
    marketplace: Marketplace = WB,
    *,
    brand: str = "acme",
    our_price: Decimal | None = Decimal("1000"),
) -> tuple[int, list[int]]:
    """One product of ours with ``count`` competitor listings, each subscribed; (our id, listing ids)."""
    catalog = services.unit_of_work.watcher_catalog
    n = len(services.unit_of_work.watcher.products)
    [ours] = catalog.add_products([OurProduct(0, brand, f"sku-{marketplace}-{n}", "Kettle", marketplace, our_price)])
    [rival] = catalog.add_competitors([Competitor(0, f"rival {n}", marketplace)])
    listings = catalog.add_competitor_products(
        [CompetitorProduct(0, rival, marketplace, f"{marketplace}-{n}-{i}", None, None, ours) for i in range(count)]
    )
    catalog.add_subscriptions([Subscription(0, ours, listing, marketplace) for listing in listings])
    return ours, listings


def add_agent(
    services: FakeWatcherServices,
    agent_id: str,
    marketplace: Marketplace | None = WB,
    *,
    status: AgentStatus = AgentStatus.ONLINE,
    ip: str | None = "10.0.0.7",
    beat: datetime | None = None,
    cookies_valid: bool = True,
) -> Agent:
    agent = Agent(agent_id, f"agent {agent_id}", marketplace, ip, status, cookies_valid, beat or services.clock.now())
    services.unit_of_work.watcher_agents.add(agent)
    return agent


def claim_next(services: FakeWatcherServices, agent_id: str, count: int, marketplace: Marketplace = WB) -> list[int]:
    """The agent pops and claims ``count`` tasks (as the agent protocol does); their ids."""
    uow = services.unit_of_work
    agent = uow.watcher_agents.get(agent_id)
    assert agent is not None
    taken = []
    for _ in range(count):
        task_id = services.parsing_queue.pop(marketplace)
        assert task_id is not None
        task = uow.watcher_tasks.get(task_id)
        assert task is not None
        uow.watcher_tasks.save(claim(task, agent, services.clock.now()))
        taken.append(task_id)
    return taken


def task(services: FakeWatcherServices, task_id: int) -> ParsingTask:
    found = services.unit_of_work.watcher_tasks.get(task_id)
    assert found is not None
    return found


def queued(services: FakeWatcherServices, marketplace: Marketplace = WB) -> list[int]:
    value = services.state.keys.raw(f"watcher:task_queue:{marketplace.value}")
    assert value is None or isinstance(value, list)
    return list(value or [])


PEOPLE = [
    User("m-acme", "Manager of acme", Role.MANAGER, "acme"),
    User("m-other", "Manager of other", Role.MANAGER, "other"),
    User("m-all", "Manager of every brand", Role.MANAGER, "all"),
    User("senior", "Senior", Role.SENIOR, "all"),
    User("director", "Director", Role.DIRECTOR, "all"),
    User("admin", "Admin", Role.ADMIN, "all"),
    User("admin-gone", "Former admin", Role.ADMIN, "all", active=False),
]


def add_people(services: FakeWatcherServices) -> None:
    for person in PEOPLE:
        services.unit_of_work.users.add(person)


def observe(
    services: FakeWatcherServices,
    listing: int,
    price: str | None,
    *,
    ago: float = 60,
    in_stock: bool = True,
) -> None:
    at = services.clock.now() - timedelta(seconds=ago)
    observation = PriceObservation(listing, Decimal(price) if price else None, in_stock, at)
    services.unit_of_work.watcher_prices.add([observation])


def add_campaign(services: FakeWatcherServices, brand: str = "acme", marketplace: Marketplace = WB) -> int:
    campaign = Campaign(
        0,
        marketplace,
        f"ext-{brand}",
        f"{brand} kettles",
        brand,
        CampaignStatus.ACTIVE,
        StrategyType.MANUAL,
        Decimal("10"),
        Decimal("100"),
    )
    return services.unit_of_work.campaigns.add(campaign).id
