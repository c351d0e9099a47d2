"""``HttpReputationMarketplace``: the Reputation port over the WB and YM clients against the
fake marketplace, dispatched by platform — a platform without a client refused as such, an
outage a retryable failure, a planted publish failure retried into a publish."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adolf.adapters.marketplaces.fake_server.ym import business_id
from adolf.adapters.marketplaces.http.errors import FailedCall
from adolf.adapters.marketplaces.http.ozon_reviews import OzonReputationHttp
from adolf.adapters.marketplaces.http.quotas import OZON_SELLER
from adolf.adapters.marketplaces.http.reputation_router import HttpReputationMarketplace
from adolf.adapters.marketplaces.http.wb_feedbacks import WbFeedbacksClient
from adolf.adapters.marketplaces.http.ym_reviews import YmReviewsClient
from adolf.adapters.marketplaces.simulated.reputation import Outage, PublishFailure, ReputationFaults
from adolf.application.ports.ads_marketplace import Fetched, MarketplaceError, MarketplaceRejected
from adolf.application.reputation.marketplace import PublishOutcome, ReputationMarketplace
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import Item, ItemType

from .reputation_harness import NOW, Rig, reference, rig


def over(r: Rig) -> ReputationMarketplace:
    return HttpReputationMarketplace(
        {Marketplace.WB: WbFeedbacksClient(r), Marketplace.YM: YmReviewsClient(r, {"acme": business_id("acme")})}
    )


@pytest.mark.parametrize("platform", [Marketplace.WB, Marketplace.YM])
@pytest.mark.parametrize("item_type", list(ItemType))
def test_each_platform_brings_what_the_simulated_port_brings(platform: Marketplace, item_type: ItemType) -> None:
    fetched = over(rig(enforce_quotas=False)).fetch(platform, item_type, "acme", None)
    expected = reference().fetch(platform, item_type, "acme", None)
    named = expected.items if platform is Marketplace.WB else tuple(replace(i, product_name="") for i in expected.items)
    assert fetched.items == named and len(fetched.skipped) == len(expected.skipped)


def test_all_three_platforms_through_one_router_bring_what_the_simulated_port_brings() -> None:
    r = rig(enforce_quotas=False)
    ozon = OzonReputationHttp(lambda brand: r.client(OZON_SELLER, brand))
    marketplace = HttpReputationMarketplace(
        {
            Marketplace.WB: WbFeedbacksClient(r),
            Marketplace.OZON: ozon,
            Marketplace.YM: YmReviewsClient(r, {"acme": business_id("acme")}),
        }
    )
    simulated = reference()
    for platform in Marketplace:
        for item_type in ItemType:
            fetched = marketplace.fetch(platform, item_type, "acme", None)
            expected = simulated.fetch(platform, item_type, "acme", None)
            assert [i.external_id for i in fetched.items] == [i.external_id for i in expected.items], (
                platform,
                item_type,
            )
            assert len(fetched.skipped) == len(expected.skipped)
    business = business_id("acme")
    assert {request.url.path for request in r.sent} >= {
        "/api/v1/feedbacks",
        "/api/v1/questions",
        "/v2/review/list",
        "/v1/question/list",
        f"/v2/businesses/{business}/goods-feedback",
        f"/v1/businesses/{business}/goods-questions",
    }


def test_publish_lands_on_the_platform_it_names() -> None:
    r = rig(malformed_rate=0.0)
    marketplace = over(r)
    for platform in (Marketplace.WB, Marketplace.YM):
        item = marketplace.fetch(platform, ItemType.REVIEW, "acme", None).items[0]
        outcome = marketplace.publish(platform, ItemType.REVIEW, "acme", item.external_id, f"Спасибо ({platform})")
        assert outcome is PublishOutcome.PUBLISHED
        answer = r.sim.answer_of(platform, ItemType.REVIEW, item.external_id)
        assert answer is not None and answer.text == f"Спасибо ({platform})"


def test_a_platform_without_a_client_is_rejected_naming_it() -> None:
    r = rig()
    with pytest.raises(MarketplaceRejected, match=r"platform='ozon' has no Reputation HTTP client \(served: wb, ym\)"):
        over(r).fetch(Marketplace.OZON, ItemType.REVIEW, "acme", None)
    with pytest.raises(MarketplaceRejected, match="platform='ozon'"):
        over(r).publish(Marketplace.OZON, ItemType.QUESTION, "acme", "1", "Да")
    assert r.sent == []


def test_an_outage_is_a_retryable_failure_of_that_platform_only() -> None:
    faults = ReputationFaults(outages=(Outage(Marketplace.WB, NOW - timedelta(hours=1), NOW + timedelta(hours=1)),))
    r = rig(faults=faults, enforce_quotas=False)
    with pytest.raises(FailedCall) as failed:
        over(r).fetch(Marketplace.WB, ItemType.REVIEW, "acme", None)
    assert isinstance(failed.value, MarketplaceError) and not isinstance(failed.value, MarketplaceRejected)
    assert failed.value.status == 503 and len(r.sent) == 3  # every attempt of the client
    assert over(r).fetch(Marketplace.YM, ItemType.REVIEW, "acme", None).items


def test_a_planted_publish_failure_is_retried_by_the_client_into_one_answer() -> None:
    item = reference(malformed_rate=0.0).fetch(Marketplace.WB, ItemType.QUESTION, "acme", None).items[0]
    failing = PublishFailure(Marketplace.WB, ItemType.QUESTION, item.external_id, times=2)
    r = rig(malformed_rate=0.0, faults=ReputationFaults(failing_publishes=(failing,)), enforce_quotas=False)
    outcome = over(r).publish(Marketplace.WB, ItemType.QUESTION, "acme", item.external_id, "Да, есть в наличии.")
    assert outcome is PublishOutcome.PUBLISHED
    assert r.sim.counters()["publish_failures"] == 2 and len(r.sent) == 3 and r.sim.double_posts == 0


@dataclass
class Recording:
    name: str
    calls: list[tuple[object, ...]] = field(default_factory=list)

    def fetch(self, item_type: ItemType, brand: str, since: datetime | None) -> Fetched[Item]:
        self.calls.append(("fetch", item_type, brand, since))
        return Fetched((), (self.name,))

    def publish(self, item_type: ItemType, brand: str, external_id: str, text: str) -> PublishOutcome:
        self.calls.append(("publish", item_type, brand, external_id, text))
        return PublishOutcome.PUBLISHED


@settings(max_examples=50, deadline=None)
@given(
    served=st.sets(st.sampled_from(list(Marketplace))),
    platform=st.sampled_from(list(Marketplace)),
    item_type=st.sampled_from(list(ItemType)),
    brand=st.text(min_size=1, max_size=8),
    since=st.none() | st.datetimes(timezones=st.just(UTC)),
)
def test_every_call_reaches_its_platforms_client_unchanged_or_is_rejected(
    served: set[Marketplace], platform: Marketplace, item_type: ItemType, brand: str, since: datetime | None
) -> None:
    clients = {p: Recording(str(p)) for p in served}
    marketplace = HttpReputationMarketplace({str(p): c for p, c in clients.items()})  # type: ignore[misc]
    if platform not in served:
        with pytest.raises(MarketplaceRejected, match=f"platform='{platform}'"):
            marketplace.fetch(platform, item_type, brand, since)
        return
    assert marketplace.fetch(platform, item_type, brand, since).skipped == (str(platform),)
    assert marketplace.publish(platform, item_type, brand, "7", "ok") is PublishOutcome.PUBLISHED
    assert clients[platform].calls == [("fetch", item_type, brand, since), ("publish", item_type, brand, "7", "ok")]
    assert all(not c.calls for p, c in clients.items() if p is not platform)
