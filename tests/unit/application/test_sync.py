"""``marketing.sync_campaigns``: the marketplace's campaigns and keywords, upserted."""

from __future__ import annotations

from adolf.application.marketing.sync import sync_campaigns
from adolf.application.ports.ads_marketplace import RemoteCampaign, RemoteKeyword
from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.campaign import CampaignStatus
from adolf.domain.marketplace import Marketplace
from tests.support.fakes import FakeServices
from tests.unit.application.builders import D


def remote(services: FakeServices) -> None:
    wb = services.market()
    wb.add_campaign(
        RemoteCampaign("c1", "Shoes", "active", D("1000")),
        [
            RemoteKeyword("k1", "c1", "red shoes", D("120"), "active"),
            RemoteKeyword("k2", "c1", "blue shoes", D("80"), "active"),
        ],
    )
    wb.add_campaign(RemoteCampaign("c2", "Bags", "paused", None), [RemoteKeyword("k3", "c2", "bag", D("50"), "active")])


def test_sync_inserts_new_campaigns_as_manual_with_their_keywords(services: FakeServices) -> None:
    remote(services)

    report = sync_campaigns(services)

    assert report == {"wb": {"campaigns": 2, "added": 2, "keywords_added": 3, "skipped_rows": 0, "errors": 0}}
    repo = services.uow().campaigns
    shoes, bags = repo.all(Marketplace.WB)
    assert (shoes.name, shoes.status, shoes.strategy, shoes.brand) == (
        "Shoes",
        CampaignStatus.ACTIVE,
        StrategyType.MANUAL,
        "acme",
    )
    assert (shoes.daily_budget, shoes.max_bid) == (D("1000"), D("120"))
    assert bags.status is CampaignStatus.PAUSED
    keywords = repo.keywords_of([shoes.id, bags.id], active_only=False)
    assert [(k.external_id, k.bid) for k in keywords[shoes.id]] == [("k1", D("120")), ("k2", D("80"))]
    assert services.uow().committed


def test_a_second_sync_updates_in_place_without_duplicates(services: FakeServices) -> None:
    remote(services)
    sync_campaigns(services)
    wb = services.market()
    wb.add_campaign(
        RemoteCampaign("c1", "Shoes 2024", "active", D("1000")),
        [
            RemoteKeyword("k1", "c1", "red shoes", D("130"), "active"),
            RemoteKeyword("k4", "c1", "new", D("10"), "active"),
        ],
    )

    report = sync_campaigns(services)

    assert report["wb"]["added"] == 0 and report["wb"]["keywords_added"] == 1
    repo = services.uow().campaigns
    assert [c.name for c in repo.all()] == ["Shoes 2024", "Bags"]
    shoes = repo.all()[0]
    by_ext = {k.external_id: k.bid for k in repo.keywords_of([shoes.id])[shoes.id]}
    assert by_ext == {"k1": D("130"), "k2": D("80"), "k4": D("10")}


def test_a_campaign_whose_keywords_fail_is_counted_and_its_keywords_left_alone(services: FakeServices) -> None:
    remote(services)
    services.market().fail("list_keywords", "c2")
    services.market().skipped = {"list_campaigns": ("status=None is not a status",)}

    report = sync_campaigns(services)

    assert report["wb"]["errors"] == 1 and report["wb"]["skipped_rows"] == 1
    repo = services.uow().campaigns
    bags = repo.all()[1]
    assert repo.keywords_of([bags.id], active_only=False)[bags.id] == []


def test_a_marketplace_that_cannot_list_campaigns_is_reported_and_the_others_synced(services: FakeServices) -> None:
    remote(services)
    services.market(Marketplace.OZON).fail("list_campaigns")

    report = sync_campaigns(services)

    assert "error" in report["ozon"] and report["wb"]["added"] == 2
    assert services.uow().campaigns.all(Marketplace.OZON) == []
