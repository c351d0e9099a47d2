"""The real Ozon Performance client against the fake Performance API in process: what it sends
(path, method, bearer header, body, units), and that what it reads back is what the simulated
Ozon market holds — the same items the in-process simulated adapter returns, so the round
trip through millionths of a ruble and rubles as strings loses nothing. Also: the token
fetched once and renewed once on a 401, a 429 waited out by its Retry-After, a malformed row
skipped and named, a wrong secret, batch limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adolf.adapters.marketplaces.http import wire_ozon_performance as w
from adolf.adapters.marketplaces.http.auth import NO_AUTH, OzonPerformanceAuth
from adolf.adapters.marketplaces.http.ozon_performance import OzonPerformanceAds
from adolf.adapters.marketplaces.http.token_store import MemoryTokenStore
from adolf.application.ports.ads_marketplace import BidChange, CampaignBids, MarketplaceUnauthorised
from adolf.domain.marketplace import Marketplace

from .ads_rig import AdsRig, any_bids_land_as_sent, body, fake_ads
from .conftest import CountingLimiter

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
CAMPAIGNS = 12  # two statistics calls of 10
KEYWORDS = 4
TOKEN = "/api/client/token"
STATS = "/api/client/statistics/campaign/product/json"


class Rig(AdsRig):
    def client(self, secret: str | None = None) -> OzonPerformanceAds:
        creds = self.world.credentials["acme"]
        auth = OzonPerformanceAuth(
            "acme",
            creds["ozon_performance_client_id"],
            secret or creds["ozon_performance_client_secret"],
            MemoryTokenStore(clock=lambda: self.clock.now().timestamp()),
            self.http_client(NO_AUTH),
        )
        return OzonPerformanceAds(self.http_client(auth))

    def bearer(self) -> dict[str, str]:
        self.clock.advance(1)  # past the token call's 1 a second
        creds = self.world.credentials["acme"]
        reply = self.http.post(
            TOKEN,
            json={
                "client_id": creds["ozon_performance_client_id"],
                "client_secret": creds["ozon_performance_client_secret"],
                "grant_type": "client_credentials",
            },
        )
        return {"Authorization": "Bearer " + reply.json()["access_token"]}


def make_rig() -> Rig:
    return Rig(*fake_ads(NOW, CAMPAIGNS, KEYWORDS), [], CountingLimiter())


@pytest.fixture
def rig() -> Rig:
    return make_rig()


def sim(rig: Rig):  # type: ignore[no-untyped-def]
    return rig.world.market.adapter(Marketplace.OZON)


def test_campaigns_are_listed_with_budgets_from_millionths_as_the_market_holds_them(rig: Rig) -> None:
    ozon = rig.client()
    fetched = ozon.list_campaigns()
    assert fetched.skipped == ()
    assert fetched.items == sim(rig).list_campaigns().items
    assert len(fetched.items) == CAMPAIGNS and any(c.daily_budget for c in fetched.items)
    [token] = rig.to(TOKEN)
    assert token.method == "POST" and body(token) == {
        "client_id": rig.world.credentials["acme"]["ozon_performance_client_id"],
        "client_secret": rig.world.credentials["acme"]["ozon_performance_client_secret"],
        "grant_type": "client_credentials",
    }
    [listing] = rig.to("/api/client/campaign")
    assert listing.method == "GET" and listing.headers["Authorization"].startswith("Bearer fake-perf-")
    raw = rig.http.get("/api/client/campaign", headers=rig.bearer()).json()["list"]
    budgets = {c.external_id: c.daily_budget for c in fetched.items}
    for row in raw:
        wire_budget = int(row["dailyBudget"])
        assert (Decimal(wire_budget) / 1_000_000 if wire_budget else None) == budgets[row["id"]]


def test_keywords_are_the_campaigns_products_with_bids_and_minimums_from_millionths(rig: Rig) -> None:
    ozon = rig.client()
    cid = sim(rig).list_campaigns().items[0].external_id
    fetched = ozon.list_keywords(cid)
    assert fetched.skipped == ()
    assert fetched.items == sim(rig).list_keywords(cid).items
    [products] = rig.to(f"/api/client/campaign/{cid}/v2/products")
    assert products.method == "GET"
    raw = rig.http.get(f"/api/client/campaign/{cid}/v2/products", headers=rig.bearer()).json()["products"]
    assert [Decimal(row["bid"]) / 1_000_000 for row in raw] == [k.bid for k in fetched.items]
    assert all(isinstance(row["bid"], str) for row in raw)


def test_campaign_and_keyword_stats_come_from_product_stats_per_10_campaigns_in_rubles(rig: Rig) -> None:
    ozon = rig.client()
    ids = [c.external_id for c in sim(rig).list_campaigns().items]
    day = rig.world.market.today()
    campaigns = ozon.campaign_stats(ids, day)
    assert campaigns.skipped == ()
    assert campaigns.items == sim(rig).campaign_stats(ids, day).items
    assert any(s.spent > 0 for s in campaigns.items)
    keywords = ozon.keyword_stats_batch(ids, day)
    expected = sim(rig).keyword_stats_batch(ids, day)
    assert keywords.skipped == () and keywords.failed == ()
    assert sorted(keywords.items, key=lambda s: s.keyword_external_id) == sorted(
        expected.items, key=lambda s: s.keyword_external_id
    )
    calls = rig.to(STATS)
    sizes = [len(r.url.params.get_list("campaigns")) for r in calls]
    # one call a second: a call past it is answered 429, waited out by Retry-After, sent again
    assert rig.slept and all(0 < s <= 1 for s in rig.slept)
    assert len(calls) == 4 + len(rig.slept) and sorted(set(sizes)) == [2, 10]
    assert all(r.url.params["dateFrom"] == r.url.params["dateTo"] == day.isoformat() for r in calls)


def test_bids_go_in_millionths_as_strings_one_put_per_campaign_and_land_in_the_market(rig: Rig) -> None:
    ozon = rig.client()
    campaigns = sim(rig).list_campaigns().items[:2]
    updates = []
    for campaign in campaigns:
        keywords = sim(rig).list_keywords(campaign.external_id).items
        changes = tuple(BidChange(k.external_id, (k.min_bid or Decimal(0)) + Decimal("12.37")) for k in keywords)
        updates.append(CampaignBids(campaign.external_id, changes, f"key-{campaign.external_id}"))
    results = ozon.update_bids_batch(updates)
    puts = [r for r in rig.sent if r.method == "PUT"]
    assert [r.url.path for r in puts] == [f"/api/client/campaign/{c.external_id}/products" for c in campaigns]
    first = updates[0].changes[0]
    assert body(puts[0])["bids"][0] == {"sku": first.keyword_external_id, "bid": str(int(first.bid * 1_000_000))}  # type: ignore[index]
    for update in updates:
        result = results[update.campaign_external_id]
        assert result.rejected == () and result.error is None
        assert set(result.applied) == {c.keyword_external_id for c in update.changes}
        now = {k.external_id: k.bid for k in sim(rig).list_keywords(update.campaign_external_id).items}
        assert all(now[c.keyword_external_id] == c.bid for c in update.changes)


def test_a_bid_below_the_minimum_is_a_400_and_only_that_bid_is_rejected(rig: Rig) -> None:
    ozon = rig.client()
    cid = sim(rig).list_campaigns().items[0].external_id
    low, good, *_ = sim(rig).list_keywords(cid).items
    assert low.min_bid is not None and good.min_bid is not None
    result = ozon.update_bids(
        cid, [BidChange(low.external_id, low.min_bid - 1), BidChange(good.external_id, good.min_bid + 1)], "k"
    )
    assert result.applied == (good.external_id,)
    [(refused, reason)] = result.rejected
    assert refused == low.external_id and "below the minimum" in reason
    assert len(rig.to(f"/api/client/campaign/{cid}/products")) == 3  # the pair, then each alone
    now = {k.external_id: k.bid for k in sim(rig).list_keywords(cid).items}
    assert now[low.external_id] == low.bid and now[good.external_id] == good.min_bid + 1


def test_pausing_keywords_is_a_bid_of_0_and_campaigns_pause_and_start(rig: Rig) -> None:
    ozon = rig.client()
    cid = next(c.external_id for c in sim(rig).list_campaigns().items if c.status == "active")
    first = sim(rig).list_keywords(cid).items[0]
    ozon.pause_keywords(cid, [first.external_id])
    [put] = rig.to(f"/api/client/campaign/{cid}/products")
    assert body(put) == {"bids": [{"sku": first.external_id, "bid": "0"}]}
    assert {k.external_id: k.status for k in ozon.list_keywords(cid).items}[first.external_id] == "paused"
    ozon.pause_campaign(cid)
    assert {c.external_id: c.status for c in ozon.list_campaigns().items}[cid] == "paused"
    ozon.start_campaign(cid)
    assert {c.external_id: c.status for c in sim(rig).list_campaigns().items}[cid] == "active"
    assert [r.method for r in rig.to(f"/api/client/campaign/{cid}/deactivate")] == ["POST"]
    assert len(rig.to(f"/api/client/campaign/{cid}/activate")) == 1


def test_competitive_bids_are_the_top_competitor_bid_from_millionths(rig: Rig) -> None:
    ozon = rig.client()
    cid = sim(rig).list_campaigns().items[1].external_id
    skus = [k.external_id for k in sim(rig).list_keywords(cid).items]
    fetched = ozon.competitive_bids(cid, skus)
    assert fetched.skipped == ()
    assert dict(fetched.items) == {sku: max(rig.world.market.competitor_bids(sku)) for sku in skus}
    [call] = rig.to(f"/api/client/campaign/{cid}/products/bids/competitive")
    assert call.url.params.get_list("skus") == skus


def test_the_token_is_fetched_once_and_renewed_once_after_a_401(rig: Rig) -> None:
    ozon = rig.client()
    for _ in range(3):
        ozon.list_campaigns()
    assert len(rig.to(TOKEN)) == 1
    rig.clock.advance(timedelta(minutes=31).total_seconds())  # Ozon forgets it; the store still holds it
    assert len(ozon.list_campaigns().items) == CAMPAIGNS
    assert len(rig.to(TOKEN)) == 2
    statuses = [r.headers["Authorization"] for r in rig.to("/api/client/campaign")]
    assert len(set(statuses)) == 2 and statuses[-1] != statuses[-2]


def test_a_token_refused_when_the_secret_no_longer_holds_ends_unauthorised_after_one_renewal(rig: Rig) -> None:
    ozon = rig.client()
    ozon.list_campaigns()
    rig.world.credentials["acme"]["ozon_performance_client_secret"] = "rotated"
    rig.world.bearer_tokens.clear()  # Ozon forgot the token before its time
    with pytest.raises(MarketplaceUnauthorised, match=r"ozon_perf\.token: HTTP 401"):
        ozon.list_campaigns()
    assert len(rig.to(TOKEN)) == 2 and len(rig.to("/api/client/campaign")) == 2


def test_a_wrong_secret_is_unauthorised(rig: Rig) -> None:
    with pytest.raises(MarketplaceUnauthorised, match=r"ozon_perf\.token: HTTP 401"):
        rig.client("not-the-secret").list_campaigns()
    assert rig.to("/api/client/campaign") == []


def test_a_call_without_a_known_bearer_is_401(rig: Rig) -> None:
    assert rig.http.get("/api/client/campaign", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert rig.http.get("/api/client/campaign").json() == {
        "error": "unauthorized: the token is missing, wrong or expired"
    }


@pytest.mark.parametrize(
    ("endpoint", "call", "named"),
    [
        ("ozon_perf.campaigns", "campaigns", "CAMPAIGN_STATE_BURNING"),
        ("ozon_perf.products", "keywords", "bid='lots'"),
        ("ozon_perf.stats.products", "stats", "views='many'"),
        ("ozon_perf.bids.competitive", "competitive", "sku='first'"),
    ],
)
def test_a_malformed_row_is_skipped_named_and_the_rest_kept(rig: Rig, endpoint: str, call: str, named: str) -> None:
    ozon = rig.client()
    ids = [c.external_id for c in sim(rig).list_campaigns().items[:3]]
    rig.world.malform(endpoint)
    if call == "campaigns":
        fetched_c = ozon.list_campaigns()
        kept, whole, skipped = len(fetched_c.items), CAMPAIGNS, fetched_c.skipped
    elif call == "keywords":
        fetched_k = ozon.list_keywords(ids[0])
        kept, whole, skipped = len(fetched_k.items), KEYWORDS, fetched_k.skipped
    elif call == "stats":
        fetched_s = ozon.keyword_stats_batch(ids, rig.world.market.today())
        kept, whole, skipped = len(fetched_s.items), 3 * KEYWORDS, fetched_s.skipped
    else:
        skus = [k.external_id for k in sim(rig).list_keywords(ids[0]).items]
        fetched_b = ozon.competitive_bids(ids[0], skus)
        kept, whole, skipped = len(fetched_b.items), KEYWORDS, fetched_b.skipped
    assert kept == whole - 1
    [reason] = skipped
    assert endpoint in reason and named in reason


def test_the_fake_refuses_batches_over_their_limits(rig: Rig) -> None:
    bearer = rig.bearer()
    day = rig.world.market.today().isoformat()
    campaigns = [str(20_000_001 + i) for i in range(w.STATS_BATCH + 1)]
    reply = rig.http.get(STATS, params={"campaigns": campaigns, "dateFrom": day, "dateTo": day}, headers=bearer)
    assert reply.status_code == 400 and "at most 10" in reply.json()["error"]
    cid = "20000001"
    skus = [str(10**10 + i) for i in range(w.COMPETITIVE_BATCH + 1)]
    path = f"/api/client/campaign/{cid}/products/bids/competitive"
    assert rig.http.get(path, params={"skus": skus}, headers=bearer).status_code == 400
    bids = {"bids": [{"sku": s, "bid": "1000000"} for s in skus]}
    assert rig.http.put(f"/api/client/campaign/{cid}/products", json=bids, headers=bearer).status_code == 400


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_any_bid_to_the_kopeck_lands_in_the_market_as_sent(data: st.DataObject) -> None:
    rig = make_rig()
    any_bids_land_as_sent(data, sim(rig), rig.client(), "20000002", KEYWORDS)


# -- units -----------------------------------------------------------------------------------

kopeck_amounts = st.decimals(min_value=0, max_value=Decimal("9999999999.99"), places=2)


@settings(max_examples=60, deadline=None)
@given(kopeck_amounts)
def test_rubles_round_trip_through_millionths_as_a_json_string(rubles: Decimal) -> None:
    sent = json.loads(json.dumps(w.wire_micros(rubles)))
    assert isinstance(sent, str) and int(sent) == rubles * 1_000_000
    assert w.micros_to_rubles(w.micros(sent)) == rubles


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**16))
def test_millionths_read_to_the_kopeck_half_up(micros: int) -> None:
    rubles = w.micros_to_rubles(micros)
    assert abs(rubles * 1_000_000 - micros) <= 5_000
    assert w.micros_to_rubles(w.rubles_to_micros(rubles)) == rubles


@settings(max_examples=60, deadline=None)
@given(kopeck_amounts)
def test_statistics_money_round_trips_through_a_ruble_string(rubles: Decimal) -> None:
    assert w.money(json.loads(json.dumps(w.wire_rubles(rubles)))) == rubles


def test_what_is_no_amount_is_refused() -> None:
    for junk in ("abc", "-1", -1, True, None, "1.5", "١٢"):
        with pytest.raises(ValueError):
            w.micros(junk)
    for junk in ("abc", -1, True, None, float("nan")):
        with pytest.raises(ValueError):
            w.money(junk)
