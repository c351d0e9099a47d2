"""The real YM sales-boost client against the fake boost API in process: what it sends (path,
method, ``Api-Key``, body, units), and that what it reads back is what the in-process
simulated YM adapter returns — so the round trip through YM's units (bids as percent × 100,
report money in rubles) loses nothing. Also: the bids batch limit of 1500 SKUs, the report's
generate → info → file cycle, a 429 waited out by its Retry-After, a malformed row skipped
and named, a wrong key, and the campaign pause YM does not offer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adolf.adapters.marketplaces.fake_server.ym import business_id
from adolf.adapters.marketplaces.http import wire_ym_boost as w
from adolf.adapters.marketplaces.http.auth import HeaderAuth
from adolf.adapters.marketplaces.http.client import MarketplaceHttpClient
from adolf.adapters.marketplaces.http.ym_boost import REPORT_POLLS, YmBoostAds
from adolf.adapters.marketplaces.simulated.adapter import SimulatedAdsMarketplace
from adolf.application.ports.ads_marketplace import (
    BidChange,
    CampaignBids,
    MarketplaceError,
    MarketplaceRejected,
    MarketplaceUnauthorised,
)
from adolf.domain.marketplace import Marketplace

from .ads_rig import AdsRig, body, fake_ads
from .conftest import CountingLimiter

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # noon in Moscow: half a day of stats accrued
CAMPAIGNS = 6
KEYWORDS = 5


class Rig(AdsRig):
    @property
    def key(self) -> str:
        return self.world.credentials["acme"]["ym_api_key"]

    def client(self, key: str | None = None, business: int | None = None) -> YmBoostAds:
        http = self.http_client(HeaderAuth({"Api-Key": key or self.key}))
        return YmBoostAds(http, business or business_id("acme"))


def make_rig() -> Rig:
    return Rig(*fake_ads(NOW, CAMPAIGNS, KEYWORDS), [], CountingLimiter())


@pytest.fixture
def rig() -> Rig:
    return make_rig()


def sim(rig: Rig) -> SimulatedAdsMarketplace:
    return rig.world.market.adapter(Marketplace.YM)


BIDS_PATH = f"/v2/businesses/{business_id('acme')}/bids"


def test_campaigns_are_the_business_shops_with_their_boost_as_the_market_holds_them(rig: Rig) -> None:
    fetched = rig.client().list_campaigns()
    assert fetched.skipped == ()
    assert fetched.items == sim(rig).list_campaigns().items
    assert len(fetched.items) == CAMPAIGNS and any(c.daily_budget is not None for c in fetched.items)
    [call] = rig.to("/v2/campaigns")
    assert call.method == "GET" and call.headers["Api-Key"] == rig.key
    assert rig.limiter.taken == [("ym.campaigns", "acme")]


def test_keywords_are_the_shops_skus_with_bids_from_percent_times_100(rig: Rig) -> None:
    cid = sim(rig).list_campaigns().items[0].external_id
    fetched = rig.client().list_keywords(cid)
    assert fetched.skipped == ()
    assert fetched.items == sim(rig).list_keywords(cid).items
    [call] = rig.to(f"{BIDS_PATH}/info")
    assert call.method == "POST" and body(call) == {"campaignId": int(cid)}
    raw = rig.http.post(f"{BIDS_PATH}/info", json={"campaignId": int(cid)}, headers={"Api-Key": rig.key}).json()
    first = raw["result"]["bids"][0]
    assert isinstance(first["bid"], int) and Decimal(first["bid"]) / 100 == fetched.items[0].bid


def test_campaign_and_keyword_stats_come_from_one_report_generated_polled_and_read(rig: Rig) -> None:
    ym = rig.client()
    ids = [c.external_id for c in sim(rig).list_campaigns().items]
    day = rig.world.market.today()
    stats = ym.campaign_stats(ids[:4], day)
    assert stats.skipped == () and stats.items == sim(rig).campaign_stats(ids[:4], day).items
    assert any(s.spent > 0 for s in stats.items)
    [generate] = rig.to("/v2/reports/boost-consolidated/generate")
    assert generate.method == "POST" and generate.url.params["format"] == "JSON"
    assert body(generate) == {"businessId": business_id("acme"), "dateFrom": day.isoformat(), "dateTo": day.isoformat()}
    assert [e for e, _ in rig.limiter.taken] == [
        "ym.boost.report",
        "ym.report.info",
        "ym.report.info",
        "ym.report.file",
    ]
    rig.clock.advance(1)  # the report's quota is one a second
    keywords = ym.keyword_stats_batch(ids, day)
    expected = sim(rig).keyword_stats_batch(ids, day)
    assert keywords.skipped == () and keywords.failed == ()
    assert sorted(keywords.items, key=lambda s: s.keyword_external_id) == sorted(
        expected.items, key=lambda s: s.keyword_external_id
    )
    assert len(keywords.items) == CAMPAIGNS * KEYWORDS and any(s.avg_position is not None for s in keywords.items)


def test_a_campaign_the_report_does_not_carry_is_skipped_as_no_stats(rig: Rig) -> None:
    day = rig.world.market.today()
    fetched = rig.client().campaign_stats(["39999999"], day)
    assert fetched.items == () and fetched.skipped == ("campaign 39999999: no stats returned",)
    rig.clock.advance(1)
    keywords = rig.client().keyword_stats_batch(["39999999"], day)
    assert keywords.items == () and keywords.failed == ("39999999",)


def test_bids_go_as_percent_times_100_in_one_put_for_many_shops_and_land_in_the_market(rig: Rig) -> None:
    ym = rig.client()
    updates = []
    for campaign in sim(rig).list_campaigns().items[:3]:
        keywords = sim(rig).list_keywords(campaign.external_id).items
        changes = tuple(BidChange(k.external_id, (k.min_bid or Decimal(0)) + Decimal("1.37")) for k in keywords)
        updates.append(CampaignBids(campaign.external_id, changes, f"key-{campaign.external_id}"))
    results = ym.update_bids_batch(updates)
    [put] = rig.to(BIDS_PATH)
    assert put.method == "PUT"
    sent = body(put)
    assert isinstance(sent, dict) and len(sent["bids"]) == 3 * KEYWORDS
    first = updates[0].changes[0]
    assert sent["bids"][0] == {"sku": first.keyword_external_id, "bid": int(first.bid * 100)}
    for update in updates:
        result = results[update.campaign_external_id]
        assert result.rejected == () and result.error is None
        assert set(result.applied) == {c.keyword_external_id for c in update.changes}
        now = {k.external_id: k.bid for k in sim(rig).list_keywords(update.campaign_external_id).items}
        assert all(now[c.keyword_external_id] == c.bid for c in update.changes)


def test_a_bid_below_the_minimum_is_a_400_and_only_that_bid_is_rejected(rig: Rig) -> None:
    cid = sim(rig).list_campaigns().items[0].external_id
    keywords = sim(rig).list_keywords(cid).items
    low = keywords[2]
    changes = [BidChange(k.external_id, (k.min_bid or Decimal(0)) + Decimal("0.5")) for k in keywords]
    changes[2] = BidChange(low.external_id, Decimal("0.01"))
    result = rig.client().update_bids(cid, changes, "k")
    [(rejected, reason)] = result.rejected
    assert rejected == low.external_id and "bid=1 must be" in reason
    assert set(result.applied) == {c.keyword_external_id for c in changes} - {low.external_id}
    assert len(rig.to(BIDS_PATH)) > 1
    assert {k.external_id: k.bid for k in sim(rig).list_keywords(cid).items}[low.external_id] == low.bid


def test_a_bid_that_is_no_positive_percent_is_rejected_without_a_call(rig: Rig) -> None:
    cid = sim(rig).list_campaigns().items[0].external_id
    kid = sim(rig).list_keywords(cid).items[0].external_id
    result = rig.client().update_bids(cid, [BidChange(kid, Decimal("0.004")), BidChange(kid, Decimal("NaN"))], "k")
    assert result.applied == () and [k for k, _ in result.rejected] == [kid, kid]
    assert rig.to(BIDS_PATH) == []


def test_more_than_1500_skus_go_in_chunks_and_the_fake_refuses_a_bigger_call(rig: Rig) -> None:
    cid = sim(rig).list_campaigns().items[0].external_id
    keyword = sim(rig).list_keywords(cid).items[0]
    bid = (keyword.min_bid or Decimal(0)) + Decimal(1)
    result = rig.client().update_bids(cid, [BidChange(keyword.external_id, bid)] * 1501, "k")
    assert len(result.applied) == 1501 and result.rejected == ()
    assert [len(body(r)["bids"]) for r in rig.to(BIDS_PATH)] == [1500, 1]  # type: ignore[index]
    too_many = {"bids": [{"sku": keyword.external_id, "bid": 500}] * 1501}
    refused = rig.http.put(BIDS_PATH, json=too_many, headers={"Api-Key": rig.key})
    assert refused.status_code == 400 and "at most 1500" in refused.json()["errors"][0]["message"]


def test_pausing_keywords_is_a_bid_of_0_and_pauses_them_in_the_market(rig: Rig) -> None:
    cid = sim(rig).list_campaigns().items[0].external_id
    kids = [k.external_id for k in sim(rig).list_keywords(cid).items[:2]]
    rig.client().pause_keywords(cid, kids)
    [put] = rig.to(BIDS_PATH)
    assert body(put) == {"bids": [{"sku": kid, "bid": 0} for kid in kids]}
    statuses = {k.external_id: k.status for k in sim(rig).list_keywords(cid).items}
    assert [statuses[kid] for kid in kids] == ["paused", "paused"]


def test_a_campaign_pause_or_start_is_refused_as_cabinet_only_without_a_call(rig: Rig) -> None:
    cid = sim(rig).list_campaigns().items[0].external_id
    with pytest.raises(MarketplaceRejected, match="cabinet only"):
        rig.client().pause_campaign(cid)
    with pytest.raises(MarketplaceRejected, match="cabinet only"):
        rig.client().start_campaign(cid)
    assert rig.sent == []


def test_a_second_report_within_its_second_is_waited_out_by_retry_after(rig: Rig) -> None:
    ym = rig.client()
    ids = [c.external_id for c in sim(rig).list_campaigns().items]
    day = rig.world.market.today()
    ym.campaign_stats(ids, day)
    assert len(ym.campaign_stats(ids, day).items) == CAMPAIGNS
    assert len(rig.slept) == 1 and 0 < rig.slept[0] <= 1
    assert len(rig.to("/v2/reports/boost-consolidated/generate")) == 3  # the second answered 429 once


@pytest.mark.parametrize(
    ("endpoint", "call", "named"),
    [
        ("ym.campaigns", "campaigns", "BURNING"),
        ("ym.bids.info", "keywords", "bid='high'"),
        ("ym.report.file", "stats", "shows='many'"),
    ],
)
def test_a_malformed_row_is_skipped_named_and_the_rest_kept(rig: Rig, endpoint: str, call: str, named: str) -> None:
    ym = rig.client()
    ids = [c.external_id for c in sim(rig).list_campaigns().items]
    rig.world.malform(endpoint)
    if call == "campaigns":
        kept, whole, skipped = len((f := ym.list_campaigns()).items), CAMPAIGNS, f.skipped
    elif call == "keywords":
        kept, whole, skipped = len((k := ym.list_keywords(ids[0])).items), KEYWORDS, k.skipped
    else:
        kept, whole, skipped = len((s := ym.campaign_stats(ids, rig.world.market.today())).items), CAMPAIGNS, s.skipped
    assert kept == whole - 1
    [reason] = skipped
    assert named in reason


def test_a_malformed_offer_skips_that_row_and_a_malformed_shop_fails_its_keywords(rig: Rig) -> None:
    ids = [c.external_id for c in sim(rig).list_campaigns().items]
    rig.world.malform("ym.report.file")
    fetched = rig.client().keyword_stats_batch(ids, rig.world.market.today())
    assert fetched.failed == (ids[0],)
    assert len(fetched.items) == (CAMPAIGNS - 1) * KEYWORDS - 1
    assert len(fetched.skipped) == 2 and any("clicks=-3" in reason for reason in fetched.skipped)


def test_a_wrong_key_is_unauthorised_and_another_business_forbidden(rig: Rig) -> None:
    with pytest.raises(MarketplaceUnauthorised, match=r"ym\.campaigns: HTTP 401"):
        rig.client("not-the-key").list_campaigns()
    cid = sim(rig).list_campaigns().items[0].external_id
    with pytest.raises(MarketplaceUnauthorised, match=r"ym\.bids\.info: HTTP 403"):
        rig.client(business=business_id("acme") + 1).list_keywords(cid)


@settings(max_examples=20, deadline=None)
@given(st.data())
def test_any_bids_land_or_are_refused_as_the_simulated_adapter_does_on_a_twin_market(data: st.DataObject) -> None:
    over_http, twin = make_rig(), make_rig()
    cid = "30000002"
    changes = [
        BidChange(keyword.external_id, data.draw(st.decimals(min_value=0, max_value=100, places=2)))
        for keyword in sim(over_http).list_keywords(cid).items
    ]
    got = over_http.client().update_bids(cid, changes, "key")
    expected = sim(twin).update_bids(cid, changes, "key")
    assert sorted(got.applied) == sorted(expected.applied)
    assert sorted(k for k, _ in got.rejected) == sorted(k for k, _ in expected.rejected)
    assert over_http.client().list_keywords(cid).items == sim(twin).list_keywords(cid).items


@given(st.integers(min_value=0, max_value=w.MAX_BID))
def test_a_wire_bid_reads_as_a_percent_and_goes_back_unchanged(wire_bid: int) -> None:
    assert w.percent_to_wire(w.wire_to_percent(wire_bid)) == wire_bid


@given(st.decimals(min_value=0, max_value=100, places=4, allow_nan=False))
def test_a_percent_goes_to_its_nearest_hundredth_half_up(percent: Decimal) -> None:
    wire_bid = w.percent_to_wire(percent)
    assert abs(w.wire_to_percent(wire_bid) - percent) <= Decimal("0.005")
    if percent == percent.quantize(Decimal("0.01")):
        assert w.wire_to_percent(wire_bid) == percent
    assert w.percent_to_wire(Decimal("5.705")) == 571 and w.percent_to_wire(Decimal("5.7")) == 570


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_report_money_goes_as_a_json_number_and_reads_back_to_the_kopeck(amount: Decimal) -> None:
    assert w.money(json.loads(json.dumps(w.wire_rubles(amount)))) == amount


def test_a_report_that_fails_or_never_gets_ready_is_a_retryable_failure_not_an_empty_day() -> None:
    def answer(status: str) -> httpx.MockTransport:
        def handler(request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("/generate"):
                return httpx.Response(200, json={"status": "OK", "result": {"reportId": "r1"}})
            return httpx.Response(200, json={"status": "OK", "result": {"status": status, "subStatus": "NO_DATA"}})

        return httpx.MockTransport(handler)

    for status, said in (("FAILED", "report r1 failed: NO_DATA"), ("PROCESSING", "not ready after")):
        limiter = CountingLimiter()
        http = MarketplaceHttpClient(
            "http://ym.example", "acme", HeaderAuth({"Api-Key": "k"}), limiter, transport=answer(status)
        )
        with pytest.raises(MarketplaceError, match=said) as caught:
            YmBoostAds(http, 1).campaign_stats(["30000001"], NOW.date())
        assert not isinstance(caught.value, MarketplaceRejected)
        polls = sum(endpoint == "ym.report.info" for endpoint, _ in limiter.taken)
        assert polls == (1 if status == "FAILED" else REPORT_POLLS)
