"""``marketing.apply_bid_change``: one bid change, once per idempotency key, within bounds."""

from __future__ import annotations

import pytest

from adolf.application.marketing.bids import BidChangeRefused, apply_bid_change
from adolf.application.ports.ads_marketplace import BidChange, MarketplaceError
from tests.support.fakes import FakeServices
from tests.unit.application.builders import D, campaign, keyword, seed


@pytest.fixture
def world(services: FakeServices) -> FakeServices:
    seed(services, campaign(1, min_bid=D("10"), max_bid=D("500")), keyword(11, 1, bid=D("100")))
    return services


def local_bid(services: FakeServices) -> D:
    kw = services.uow().campaigns.get_keyword(11)
    assert kw is not None
    return kw.bid


def test_a_bid_change_is_applied_once_per_idempotency_key(world: FakeServices) -> None:
    first = apply_bid_change(world, 11, D("150"), "change-1")
    again = apply_bid_change(world, 11, D("150"), "change-1")

    assert first == {"applied": True, "keyword_id": 11, "old_bid": "100", "new_bid": "150"}
    assert again == {"applied": False, "skipped": "duplicate", "idempotency_key": "change-1"}
    assert world.market().calls_of("update_bids") == [("c1", (BidChange("k11", D("150")),), "change-1")]
    assert local_bid(world) == D("150") == world.market().remote_bid("c1", "k11")
    [record] = world.uow().bid_history.records
    assert (record.old_bid, record.new_bid, record.source, record.idempotency_key) == (
        D("100"),
        D("150"),
        "manual",
        "change-1",
    )
    assert world.uow().idempotency.keys == {"change-1": "marketing.apply_bid_change"}


@pytest.mark.parametrize("bid", [D("9.99"), D("500.01"), D("-1")])
def test_a_bid_outside_the_campaigns_bounds_is_refused_naming_value_and_keyword(world: FakeServices, bid: D) -> None:
    with pytest.raises(BidChangeRefused) as refused:
        apply_bid_change(world, 11, bid, "change-2")

    assert f"bid={bid}" in str(refused.value) and "keyword_id=11" in str(refused.value)
    assert world.market().calls == [] and world.uow().idempotency.keys == {}
    assert local_bid(world) == D("100")


def test_a_bid_below_the_marketplaces_minimum_is_refused_before_anything_is_sent(services: FakeServices) -> None:
    seed(
        services,
        campaign(1, min_bid=D("10"), max_bid=D("500")),
        keyword(11, 1, bid=D("100"), marketplace_min_bid=D("30")),
    )

    with pytest.raises(BidChangeRefused, match=r"bid=29\.99 for keyword_id=11 is below the marketplace's minimum 30"):
        apply_bid_change(services, 11, D("29.99"), "change-min")

    assert services.market().calls == [] and services.uow().idempotency.keys == {}
    assert apply_bid_change(services, 11, D("30"), "change-min")["applied"] is True


def test_an_unknown_keyword_is_refused_by_its_id(world: FakeServices) -> None:
    with pytest.raises(BidChangeRefused, match="keyword_id=404"):
        apply_bid_change(world, 404, D("50"), "change-3")


def test_a_bid_the_marketplace_rejects_writes_nothing_and_leaves_the_key_free(world: FakeServices) -> None:
    world.market().reject["k11"] = "below the marketplace minimum"

    with pytest.raises(BidChangeRefused, match="below the marketplace minimum"):
        apply_bid_change(world, 11, D("20"), "change-4")

    assert world.uow().idempotency.keys == {} and world.uow().bid_history.records == []
    assert local_bid(world) == D("100")


def test_a_marketplace_error_rolls_the_claim_back_so_the_retry_applies_it(world: FakeServices) -> None:
    world.market().fail("update_bids", "c1")
    with pytest.raises(MarketplaceError):
        apply_bid_change(world, 11, D("200"), "change-5")
    assert world.uow().idempotency.keys == {} and not world.uow().committed

    world.market().heal()
    retried = apply_bid_change(world, 11, D("200"), "change-5")

    assert retried["applied"] is True and local_bid(world) == D("200")
    assert len(world.uow().bid_history.records) == 1
