"""The real WB advert client against the fake advert-api in process: what it sends (path,
method, headers, body, units), and that what it reads back is what the simulated market holds —
the same items the in-process simulated adapter returns, so the round trip through WB's
units (kopecks, whole rubles, rubles as JSON numbers) loses nothing. Also: batches split at
50, a 429 waited out by its Retry-After, a malformed row skipped and named, a wrong token."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adolf.adapters.marketplaces.http import wire_wb_advert as w
from adolf.adapters.marketplaces.http.auth import HeaderAuth
from adolf.adapters.marketplaces.http.wb_advert import WbAdsMarketplace
from adolf.application.ports.ads_marketplace import (
    BidChange,
    CampaignBids,
    MarketplaceUnauthorised,
)
from adolf.domain.marketplace import Marketplace

from .ads_rig import AdsRig, any_bids_land_as_sent, body, fake_ads
from .conftest import CountingLimiter

#: 12:00 in Moscow: the market has accrued half a day of stats since its midnight
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
CAMPAIGNS = 60  # two chunks of 50
KEYWORDS = 4


class Rig(AdsRig):
    def client(self, token: str | None = None) -> WbAdsMarketplace:
        auth = HeaderAuth({"Authorization": token or self.world.credentials["acme"]["wb_api_token"]})
        http = self.http_client(auth)
        return WbAdsMarketplace(http)


def make_rig() -> Rig:
    return Rig(*fake_ads(NOW, CAMPAIGNS, KEYWORDS), [], CountingLimiter())


@pytest.fixture
def rig() -> Rig:
    return make_rig()


def sim(rig: Rig):  # type: ignore[no-untyped-def]
    return rig.world.market.adapter(Marketplace.WB)


def test_campaigns_are_listed_by_count_then_adverts_in_chunks_of_50_as_the_market_holds_them(rig: Rig) -> None:
    wb = rig.client()
    fetched = wb.list_campaigns()
    assert fetched.skipped == ()
    assert fetched.items == sim(rig).list_campaigns().items
    assert len(fetched.items) == CAMPAIGNS
    [count] = rig.to("/adv/v1/promotion/count")
    assert count.method == "GET" and count.headers["Authorization"] == rig.world.credentials["acme"]["wb_api_token"]
    adverts = rig.to("/api/advert/v2/adverts")
    assert [len(r.url.params["ids"].split(",")) for r in adverts] == [50, 10]
    assert all(r.method == "GET" for r in adverts)
    assert [e for e, _ in rig.limiter.taken] == ["wb.adverts.count", "wb.adverts", "wb.adverts"]


def test_keywords_are_the_adverts_products_with_bids_from_kopecks_and_minimum_bids(rig: Rig) -> None:
    wb = rig.client()
    cid = sim(rig).list_campaigns().items[0].external_id
    fetched = wb.list_keywords(cid)
    assert fetched.skipped == ()
    assert fetched.items == sim(rig).list_keywords(cid).items
    [minimum] = rig.to("/api/advert/v1/bids/min")
    assert minimum.method == "POST"
    assert body(minimum) == {
        "advert_id": int(cid),
        "nm_ids": [int(k.external_id) for k in fetched.items],
        "payment_type": "cpm",
        "placement_types": ["search"],
    }
    raw = rig.http.get(
        "/api/advert/v2/adverts",
        params={"ids": cid},
        headers={"Authorization": rig.world.credentials["acme"]["wb_api_token"]},
    ).json()
    kopecks = raw["adverts"][0]["nm_settings"][0]["bids_kopecks"]["search"]
    assert Decimal(kopecks) / 100 == fetched.items[0].bid


def test_campaign_stats_come_from_fullstats_per_50_in_rubles(rig: Rig) -> None:
    wb = rig.client()
    ids = [c.external_id for c in sim(rig).list_campaigns().items]
    day = rig.world.market.today()
    fetched = wb.campaign_stats(ids, day)
    assert fetched.skipped == ()
    assert fetched.items == sim(rig).campaign_stats(ids, day).items
    assert any(s.spent > 0 for s in fetched.items)
    calls = rig.to("/adv/v3/fullstats")
    assert [len(r.url.params["ids"].split(",")) for r in calls] == [50, 10]
    assert all(r.url.params["beginDate"] == r.url.params["endDate"] == day.isoformat() for r in calls)


def test_keyword_stats_come_from_the_clusters_of_50_campaigns_a_call_with_avg_pos(rig: Rig) -> None:
    wb = rig.client()
    ids = [c.external_id for c in sim(rig).list_campaigns().items]
    day = rig.world.market.today()
    fetched = wb.keyword_stats_batch(ids, day)
    expected = sim(rig).keyword_stats_batch(ids, day)
    assert fetched.skipped == () and fetched.failed == ()
    assert sorted(fetched.items, key=lambda s: s.keyword_external_id) == sorted(
        expected.items, key=lambda s: s.keyword_external_id
    )
    assert any(s.avg_position is not None for s in fetched.items)
    calls = rig.to("/adv/v0/normquery/stats")
    assert len(calls) == 2 and len(rig.to("/api/advert/v2/adverts")) == 2  # the products, once
    first = body(calls[0])
    assert isinstance(first, dict) and first["from"] == first["to"] == day.isoformat()
    assert len(first["items"]) == 50 * KEYWORDS
    wb.keyword_stats_batch(ids, day)
    assert len(rig.to("/api/advert/v2/adverts")) == 2  # known products are not listed again


def test_bids_go_in_kopecks_one_patch_for_many_campaigns_and_land_in_the_market(rig: Rig) -> None:
    wb = rig.client()
    campaigns = sim(rig).list_campaigns().items[:2]
    updates = []
    for campaign in campaigns:
        keywords = sim(rig).list_keywords(campaign.external_id).items
        changes = tuple(BidChange(k.external_id, (k.min_bid or Decimal(0)) + Decimal("12.37")) for k in keywords)
        updates.append(CampaignBids(campaign.external_id, changes, f"key-{campaign.external_id}"))
    results = wb.update_bids_batch(updates)
    [patch] = rig.to("/api/advert/v1/bids")
    assert patch.method == "PATCH"
    sent = body(patch)
    assert isinstance(sent, dict)
    first = sent["bids"][0]
    assert first["advert_id"] == int(campaigns[0].external_id)
    assert first["nm_bids"][0] == {
        "nm_id": int(updates[0].changes[0].keyword_external_id),
        "bid_kopecks": int(updates[0].changes[0].bid * 100),
        "placement": "search",
    }
    for update in updates:
        result = results[update.campaign_external_id]
        assert result.rejected == () and result.error is None
        assert set(result.applied) == {c.keyword_external_id for c in update.changes}
        now = {k.external_id: k.bid for k in sim(rig).list_keywords(update.campaign_external_id).items}
        assert all(now[c.keyword_external_id] == c.bid for c in update.changes)


def test_a_bid_below_the_minimum_is_a_400_and_only_that_bid_is_rejected(rig: Rig) -> None:
    wb = rig.client()
    campaigns = sim(rig).list_campaigns().items[:2]
    [low, good, *_] = sim(rig).list_keywords(campaigns[0].external_id).items
    other = sim(rig).list_keywords(campaigns[1].external_id).items[0]
    assert low.min_bid is not None and good.min_bid is not None and other.min_bid is not None
    results = wb.update_bids_batch(
        [
            CampaignBids(
                campaigns[0].external_id,
                (BidChange(low.external_id, low.min_bid - 1), BidChange(good.external_id, good.min_bid + 1)),
                "k1",
            ),
            CampaignBids(campaigns[1].external_id, (BidChange(other.external_id, other.min_bid + 2),), "k2"),
        ]
    )
    mixed = results[campaigns[0].external_id]
    assert mixed.applied == (good.external_id,)
    [(rejected, reason)] = mixed.rejected
    assert rejected == low.external_id and "below the minimum" in reason
    assert results[campaigns[1].external_id].applied == (other.external_id,)
    assert rig.to("/api/advert/v1/bids")[0].method == "PATCH"
    assert {k.external_id: k.bid for k in sim(rig).list_keywords(campaigns[0].external_id).items}[
        low.external_id
    ] == low.bid


def test_pausing_keywords_is_a_cluster_bid_of_0_and_cluster_bids_go_in_whole_rubles(rig: Rig) -> None:
    wb = rig.client()
    cid = sim(rig).list_campaigns().items[3].external_id
    first, second, *_ = sim(rig).list_keywords(cid).items
    wb.pause_keywords(cid, [first.external_id])
    wb.set_cluster_bids(cid, {second.external_id: Decimal("173.50")})
    pause, bid = rig.to("/adv/v0/normquery/bids")
    assert body(pause) == {
        "bids": [{"advert_id": int(cid), "nm_id": int(first.external_id), "norm_query": first.phrase, "bid": 0}]
    }
    assert body(bid) == {
        "bids": [{"advert_id": int(cid), "nm_id": int(second.external_id), "norm_query": second.phrase, "bid": 174}]
    }
    now = {k.external_id: k for k in wb.list_keywords(cid).items}
    assert now[first.external_id].status == "paused"
    assert now[second.external_id].bid == Decimal("174.00")


def test_pause_and_start_a_campaign_by_id(rig: Rig) -> None:
    wb = rig.client()
    cid = next(c.external_id for c in sim(rig).list_campaigns().items if c.status == "active")
    wb.pause_campaign(cid)
    assert {c.external_id: c.status for c in wb.list_campaigns().items}[cid] == "paused"
    wb.start_campaign(cid)
    assert {c.external_id: c.status for c in wb.list_campaigns().items}[cid] == "active"
    [pause] = rig.to("/adv/v0/pause")
    assert pause.method == "GET" and pause.url.params["id"] == cid


def test_fullstats_past_its_3_a_minute_is_waited_out_by_retry_after(rig: Rig) -> None:
    wb = rig.client()
    ids = [c.external_id for c in sim(rig).list_campaigns().items[:10]]
    day = rig.world.market.today()
    for _ in range(4):
        assert len(wb.campaign_stats(ids, day).items) == 10
    assert len(rig.slept) == 1 and 0 < rig.slept[0] <= 60
    assert len(rig.to("/adv/v3/fullstats")) == 5  # the fourth call was answered 429 once


@pytest.mark.parametrize(
    ("endpoint", "call", "named"),
    [
        ("wb.fullstats", "stats", "views='many'"),
        ("wb.normquery.stats", "keywords", "clicks=-3"),
        ("wb.adverts", "campaigns", "status"),
        ("wb.bids.min", "keyword_list", "nm_id='first'"),
    ],
)
def test_a_malformed_row_is_skipped_named_and_the_rest_kept(rig: Rig, endpoint: str, call: str, named: str) -> None:
    wb = rig.client()
    ids = [c.external_id for c in sim(rig).list_campaigns().items[:5]]
    day = rig.world.market.today()
    rig.world.malform(endpoint)
    if call == "stats":
        fetched = wb.campaign_stats(ids, day)
        kept, whole = len(fetched.items), 5
    elif call == "keywords":
        fetched_k = wb.keyword_stats_batch(ids, day)
        fetched, kept, whole = fetched_k, len(fetched_k.items), 5 * KEYWORDS  # type: ignore[assignment]
    elif call == "campaigns":
        fetched_c = wb.list_campaigns()
        fetched, kept, whole = fetched_c, len(fetched_c.items), CAMPAIGNS  # type: ignore[assignment]
    else:
        fetched_l = wb.list_keywords(ids[0])
        fetched = fetched_l  # type: ignore[assignment]
        kept, whole = sum(k.min_bid is not None for k in fetched_l.items), KEYWORDS
    assert kept == whole - 1
    [reason] = fetched.skipped
    assert endpoint in reason and named in reason


def test_a_wrong_token_is_unauthorised(rig: Rig) -> None:
    with pytest.raises(MarketplaceUnauthorised, match=r"wb\.adverts\.count: HTTP 401"):
        rig.client("not-the-token").list_campaigns()


def test_the_fake_refuses_a_batch_over_50_and_a_day_it_does_not_keep(rig: Rig) -> None:
    token = {"Authorization": rig.world.credentials["acme"]["wb_api_token"]}
    ids = ",".join(str(10_000_001 + i) for i in range(51))
    assert rig.http.get("/api/advert/v2/adverts", params={"ids": ids}, headers=token).status_code == 400
    patch = {"bids": [{"advert_id": 10_000_001 + i, "nm_bids": []} for i in range(51)]}
    assert rig.http.patch("/api/advert/v1/bids", json=patch, headers=token).status_code == 400
    old = (rig.world.market.today() - timedelta(days=5)).isoformat()
    reply = rig.http.get(
        "/adv/v3/fullstats", params={"ids": "10000001", "beginDate": old, "endDate": old}, headers=token
    )
    assert reply.status_code == 400 and "keeps today" in reply.json()["detail"]


@settings(max_examples=20, deadline=None)
@given(st.data())
def test_any_bid_to_the_kopeck_lands_in_the_market_as_sent(data: st.DataObject) -> None:
    rig = make_rig()
    any_bids_land_as_sent(data, sim(rig), rig.client(), "10000002", KEYWORDS)


# -- units -----------------------------------------------------------------------------------

kopeck_amounts = st.decimals(min_value=0, max_value=Decimal("9999999999.99"), places=2)


@settings(max_examples=60, deadline=None)
@given(kopeck_amounts)
def test_rubles_round_trip_through_kopecks(rubles: Decimal) -> None:
    kopecks = w.rubles_to_kopecks(rubles)
    assert isinstance(kopecks, int) and w.kopecks_to_rubles(kopecks) == rubles


@settings(max_examples=60, deadline=None)
@given(kopeck_amounts)
def test_money_round_trips_through_a_json_number(rubles: Decimal) -> None:
    assert w.money(json.loads(json.dumps(w.wire_rubles(rubles)))) == rubles


@settings(max_examples=60, deadline=None)
@given(st.decimals(min_value=0, max_value=Decimal("99999.99"), places=2))
def test_cluster_bids_are_whole_rubles_half_up(rubles: Decimal) -> None:
    whole = w.rubles_to_cluster_bid(rubles)
    assert abs(Decimal(whole) - rubles) <= Decimal("0.5")
    assert w.cluster_bid_to_rubles(whole) == Decimal(whole)
    assert w.rubles_to_cluster_bid(w.cluster_bid_to_rubles(whole)) == whole


def test_money_refuses_what_is_no_amount() -> None:
    for junk in ("abc", -1, True, None, float("nan")):
        with pytest.raises(ValueError):
            w.money(junk)
