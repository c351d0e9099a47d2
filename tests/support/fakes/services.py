"""``FakeServices``: what a Marketing use case is handed, every port a fake."""

from __future__ import annotations

from dataclasses import dataclass, field

from adolf.application.marketing.calendar import Calendar
from adolf.application.marketing.severities import AlertSeverities
from adolf.domain.marketplace import Marketplace
from tests.support.fakes.marketplace import FakeMarketplace
from tests.support.fakes.runtime import (
    FakeClock,
    FakeHealth,
    FakeLanguageModel,
    FakeLock,
    FakeNotifier,
    FakeQueue,
    FakeStatusBoard,
)
from tests.support.fakes.unit_of_work import FakeUnitOfWork


@dataclass
class FakeServices:
    """Satisfies ``MarketingServices`` (and so ``Services``). ``uow()`` hands out the one
    ``FakeUnitOfWork``: its repositories are the database."""

    clock: FakeClock = field(default_factory=FakeClock)
    lock: FakeLock = field(default_factory=FakeLock)
    queue: FakeQueue = field(default_factory=FakeQueue)
    notifier: FakeNotifier = field(default_factory=FakeNotifier)
    health: FakeHealth = field(default_factory=FakeHealth)
    status_board: FakeStatusBoard = field(default_factory=FakeStatusBoard)
    language_model: FakeLanguageModel = field(default_factory=FakeLanguageModel)
    unit_of_work: FakeUnitOfWork = field(default_factory=FakeUnitOfWork)
    markets: dict[Marketplace, FakeMarketplace] = field(
        default_factory=lambda: {Marketplace.WB: FakeMarketplace(Marketplace.WB)}
    )
    dry_run: bool = False
    brands: tuple[str, ...] = ("acme",)
    calendar: Calendar = field(default_factory=Calendar)
    severities: AlertSeverities = field(default_factory=AlertSeverities)

    def uow(self) -> FakeUnitOfWork:
        return self.unit_of_work

    def marketplace(self, marketplace: Marketplace) -> FakeMarketplace:
        return self.markets[marketplace]

    @property
    def marketplaces(self) -> tuple[Marketplace, ...]:
        return tuple(self.markets)

    def market(self, marketplace: Marketplace = Marketplace.WB) -> FakeMarketplace:
        return self.markets.setdefault(marketplace, FakeMarketplace(marketplace))
