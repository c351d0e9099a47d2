from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

import pytest

from adolf.application.ports.ads_marketplace import Fetched
from adolf.application.reputation.marketplace import PublishOutcome
from adolf.domain.alerts.users import Role, User
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import Item, ItemType
from adolf.domain.reputation.lifecycle import ItemStatus
from tests.support.fakes.reputation_services import FakeReputationServices

ADMIN = User("u-admin", "Админ", Role.ADMIN, "all")


class Killed(BaseException):
    """The worker died here (not an ``Exception``: nothing in the job catches it)."""


class ScriptedMarketplace:
    """A marketplace a test scripts: ``pages`` served in turn per fetch (the last one again
    when they run out), every ``since`` asked recorded; publishes recorded."""

    def __init__(self, pages: Sequence[Fetched[Item]] = ()) -> None:
        self.pages = list(pages)
        self.fetches: list[tuple[Marketplace, ItemType, str, datetime | None]] = []
        self.published: list[tuple[str, str]] = []
        self.failure: Exception | None = None

    def fetch(self, platform: Marketplace, item_type: ItemType, brand: str, since: datetime | None) -> Fetched[Item]:
        self.fetches.append((platform, item_type, brand, since))
        if self.failure is not None:
            raise self.failure
        page = self.pages.pop(0) if len(self.pages) > 1 else (self.pages[0] if self.pages else Fetched(()))
        return Fetched(tuple(i for i in page.items if i.brand == brand), page.skipped)

    def publish(
        self, platform: Marketplace, item_type: ItemType, brand: str, external_id: str, text: str
    ) -> PublishOutcome:
        if self.failure is not None:
            raise self.failure
        if any(ext == external_id for ext, _ in self.published):
            return PublishOutcome.ALREADY_ANSWERED
        self.published.append((external_id, text))
        return PublishOutcome.PUBLISHED


def review(
    external_id: str,
    at: datetime,
    rating: int = 5,
    text: str = "Отличное платье, спасибо",
    brand: str = "ohana_market",
    platform: Marketplace = Marketplace.WB,
) -> Item:
    return Item(0, platform, ItemType.REVIEW, external_id, brand, "1001", text, at, rating=rating, author="Анна")


def stored(services: FakeReputationServices, item: Item, status: ItemStatus = ItemStatus.NEW) -> int:
    """``item`` in the fake database (committed), moved straight to ``status``."""
    items = services.unit_of_work.reputation_items
    (item_id,) = items.add_new([item], services.clock.now())
    row = services.unit_of_work.reputation.items[item_id]
    services.unit_of_work.reputation.items[item_id] = replace(row, item=replace(row.item, status=status))
    return item_id


@pytest.fixture
def services() -> FakeReputationServices:
    return FakeReputationServices()
