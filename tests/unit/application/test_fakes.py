"""The fakes are real in-memory implementations: their own contracts, checked once here."""

from __future__ import annotations

from typing import Generic, Protocol

import pytest

from adolf.application.marketing import ports
from adolf.application.ports.ads_marketplace import AdsMarketplace, BidChange, MarketplaceError
from adolf.application.ports.alerts import AlertRecord
from tests.support.fakes import (
    FakeAlertQueries,
    FakeAlertStore,
    FakeBidHistory,
    FakeCampaignRepository,
    FakeClock,
    FakeCompetitorBids,
    FakeMarketplace,
    FakeRecommendations,
    FakeServices,
    FakeStatsRepository,
    FakeStatusBoard,
    FakeUnitOfWork,
    FakeUsers,
)
from tests.unit.application.builders import D, campaign, keyword, seed


def test_the_unit_of_work_keeps_only_what_was_committed() -> None:
    uow = FakeUnitOfWork()
    with uow:
        uow.idempotency.claim("kept", "t")
        uow.commit()
        uow.idempotency.claim("dropped", "t")
    assert uow.idempotency.keys == {"kept": "t"} and uow.commits == 1

    with pytest.raises(RuntimeError), uow:
        uow.campaigns.add(campaign(1))
        raise RuntimeError("boom")
    assert uow.campaigns.all() == []


def test_alert_queries_see_and_delete_the_alert_store_rows_through_a_rollback() -> None:
    uow = FakeUnitOfWork()
    at = FakeClock().now()
    uow.alerts.add(AlertRecord("marketing", "low_ctr", "info", "m", at, campaign_id="1"))
    with uow:
        assert uow.alert_queries.delete_before("marketing", at.replace(year=2100)) == 1
        assert not uow.alert_queries.exists_since("marketing", "low_ctr", "1", at)
    assert uow.alert_queries.exists_since("marketing", "low_ctr", "1", at)


def test_the_marketplace_records_calls_fails_on_demand_and_honours_idempotency_keys() -> None:
    services = FakeServices()
    seed(services, campaign(1), keyword(11, 1))
    market: FakeMarketplace = services.market()

    first = market.update_bids("c1", [BidChange("k11", D("120"))], "key")
    replay = market.update_bids("c1", [BidChange("k11", D("999"))], "key")
    market.fail("keyword_stats", "c1")
    with pytest.raises(MarketplaceError):
        market.keyword_stats("c1", services.clock.now().date())

    assert first == replay and first.applied == ("k11",)
    assert market.remote_bid("c1", "k11") == D("120") and market.bid_updates_applied == 1
    assert [name for name, _ in market.calls] == ["update_bids", "update_bids", "keyword_stats"]


def _members(protocol: type) -> set[str]:
    names: set[str] = set()
    for klass in protocol.__mro__:
        if klass in (object, Protocol, Generic) or klass.__module__ == "typing":
            continue
        names |= {n for n in vars(klass) if not n.startswith("_")} | set(getattr(klass, "__annotations__", {}))
    return names


@pytest.mark.parametrize(
    ("protocol", "fake"),
    [
        (ports.CampaignRepository, FakeCampaignRepository()),
        (ports.BidHistoryRepository, FakeBidHistory()),
        (ports.StatsRepository, FakeStatsRepository()),
        (ports.AlertQueries, FakeAlertQueries(FakeAlertStore())),
        (ports.CompetitorBidsSource, FakeCompetitorBids()),
        (ports.UserDirectory, FakeUsers()),
        (ports.RecommendationStore, FakeRecommendations()),
        (ports.StatusBoard, FakeStatusBoard()),
        (ports.MarketingUnitOfWork, FakeUnitOfWork()),
        (ports.MarketingServices, FakeServices()),
        (AdsMarketplace, FakeMarketplace()),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_every_fake_has_every_member_of_its_port(protocol: type, fake: object) -> None:
    """Ports grow; a fake that lags behind would pass tests the real adapters fail."""
    assert sorted(name for name in _members(protocol) if not hasattr(fake, name)) == []
