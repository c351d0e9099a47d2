"""What the agent-protocol tests share: ``AgentFakeServices`` (the ``WatcherServices`` parts the
protocol uses, every one a fake) and a small catalogue with a night of queued tasks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from adolf.application.watcher.agent_tokens import register_agent
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.agents import Agent, AgentStatus
from adolf.domain.watcher.catalog import Competitor, CompetitorProduct, OurProduct, Subscription
from tests.support.fakes.runtime import FakeClock, FakeHealth, FakeLock, FakeNotifier, FakeQueue
from tests.support.fakes.watcher_repos import FakeWatcherUnitOfWork
from tests.support.fakes.watcher_state import FakeIpBlocks, FakeParsingQueue, FakeWatcherState, FakeWatcherStatsStore

NIGHT = date(2024, 5, 10)


@dataclass
class AgentFakeServices:
    """``uow()`` hands out the one ``FakeWatcherUnitOfWork`` (its tables are the database);
    the Redis state runs its TTLs on the fake clock (``clock.advance`` expires an IP block)."""

    clock: FakeClock = field(default_factory=FakeClock)
    lock: FakeLock = field(default_factory=FakeLock)
    queue: FakeQueue = field(default_factory=FakeQueue)
    notifier: FakeNotifier = field(default_factory=FakeNotifier)
    health: FakeHealth = field(default_factory=FakeHealth)
    unit_of_work: FakeWatcherUnitOfWork = field(default_factory=FakeWatcherUnitOfWork)
    state: FakeWatcherState | None = None

    def __post_init__(self) -> None:
        if self.state is None:
            self.state = FakeWatcherState(now=self.clock.perf_counter)

    def uow(self) -> FakeWatcherUnitOfWork:
        return self.unit_of_work

    @property
    def parsing_queue(self) -> FakeParsingQueue:
        assert self.state is not None
        return self.state.queue

    @property
    def ip_blocks(self) -> FakeIpBlocks:
        assert self.state is not None
        return self.state.ip_blocks

    @property
    def watcher_stats(self) -> FakeWatcherStatsStore:
        assert self.state is not None
        return self.state.stats


def add_agent(
    services: AgentFakeServices,
    agent_id: str,
    marketplace: Marketplace | None = Marketplace.WB,
    *,
    status: AgentStatus = AgentStatus.ONLINE,
    ip: str | None = "10.0.0.1",
) -> str:
    """Register an agent (online, just beaten unless told otherwise); its token."""
    beat = services.clock.now() if status is AgentStatus.ONLINE else None
    agent = Agent(agent_id, f"agent {agent_id}", marketplace, ip, status, True, beat)
    return register_agent(services, agent, f"token-of-{agent_id}-" + "x" * 32)  # type: ignore[arg-type]


def add_night(services: AgentFakeServices, products: int = 3, marketplace: Marketplace = Marketplace.WB) -> list[int]:
    """``products`` competitor products, one subscription each, tonight's tasks created and
    pushed to the marketplace's queue; the task ids in queue order."""
    uow = services.unit_of_work
    [ours] = uow.watcher_catalog.add_products(
        [OurProduct(0, "acme", f"sku-{marketplace.value}", "Kettle", marketplace, Decimal("2000"))]
    )
    [rival] = uow.watcher_catalog.add_competitors([Competitor(0, f"rival {marketplace.value}", marketplace)])
    ids = uow.watcher_catalog.add_competitor_products(
        [
            CompetitorProduct(
                0,
                rival,
                marketplace,
                f"{marketplace.value}-{n}",
                f"https://{marketplace.value}.example/{n}",
                None,
                ours,
            )
            for n in range(1, products + 1)
        ]
    )
    uow.watcher_catalog.add_subscriptions([Subscription(0, ours, cp, marketplace) for cp in ids])
    created = uow.watcher_tasks.create_for_date(NIGHT, services.clock.now())[marketplace]
    services.parsing_queue.push(marketplace, created)
    return created
