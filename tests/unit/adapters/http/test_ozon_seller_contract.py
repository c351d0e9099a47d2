"""The real Ozon Seller clients (``OzonFboHttp``, ``OzonReputationHttp``) against the fake Ozon
Seller API in process: request shapes, units both ways (the fake turns the simulated rows into
Ozon's wire, the client turns them back: the same rows as the simulated port's), batches,
quotas with ``Retry-After``, malformed rows skipped and counted, wrong credentials refused.

The world's clock is a ``ManualClock`` the clients' sleeps advance, so a ``Retry-After`` is
waited out on it in no wall time; the clients' own limiter only counts (the fake's quota is
the one met here).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from adolf.adapters.clocks import ManualClock
from adolf.adapters.marketplaces.fake_server import ROUTERS, FakeWorld, build_app, build_world
from adolf.adapters.marketplaces.fake_server import ozon_seller as fake_ozon
from adolf.adapters.marketplaces.fake_server.common import FakeRefusal, refusal_response
from adolf.adapters.marketplaces.http.auth import HeaderAuth, ozon_seller_auth
from adolf.adapters.marketplaces.http.client import MarketplaceHttpClient, RetryPolicy
from adolf.adapters.marketplaces.http.credentials import CabinetCredentials
from adolf.adapters.marketplaces.http.errors import RejectedCall
from adolf.adapters.marketplaces.http.limiter import memory_limiter
from adolf.adapters.marketplaces.http.ozon_fbo import OzonFboHttp, checked_rows
from adolf.adapters.marketplaces.http.ozon_reviews import OzonReputationHttp
from adolf.adapters.marketplaces.http.wire_ozon_seller import (
    SalesWire,
    StockWire,
    rubles,
    to_sales,
    to_stock,
    wire_double,
)
from adolf.adapters.marketplaces.simulated.ozon_fbo import SimulatedOzonFbo
from adolf.adapters.marketplaces.simulated.reputation import (
    Outage,
    PublishFailure,
    ReputationFaults,
    SimulatedReputation,
)
from adolf.application.logistic.ozon_fbo import QuotaExceeded, StockRow
from adolf.application.ports.ads_marketplace import MarketplaceError, MarketplaceRejected, MarketplaceUnauthorised
from adolf.application.reputation.marketplace import PublishOutcome
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import Item, ItemType

from .conftest import CountingLimiter

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)  # a Thursday, 18:00 Moscow
FBO_START = date(2026, 11, 20)
FEED_START = datetime(2026, 12, 2, 21, 0, tzinfo=UTC)  # the Moscow midnight of Dec 3
SEED = 5
ARTICLES = 150


@dataclass
class Rig:
    world: FakeWorld
    clock: ManualClock
    fbo: SimulatedOzonFbo
    sim: SimulatedReputation
    http: TestClient
    sent: list[httpx.Request]
    slept: list[float]

    def client(self, brand: str = "acme", auth: HeaderAuth | None = None) -> MarketplaceHttpClient:
        return MarketplaceHttpClient(
            "http://testserver",
            brand,
            auth or ozon_seller_auth(CabinetCredentials(brand, self.world.credentials[brand])),
            CountingLimiter(),
            # under the analytics' minute: a 429 asking for it raises instead of sleeping
            retry=RetryPolicy(attempts=3, backoff=0.01, backoff_max=0.01, jitter=0, max_retry_after=30),
            http=self.http,
            sleep=self._sleep,
        )

    def reputation(self, max_pages: int = 50) -> OzonReputationHttp:
        return OzonReputationHttp(self.client, max_pages=max_pages)

    def _sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.advance(seconds)

    def requests(self, path: str) -> list[httpx.Request]:
        return [r for r in self.sent if r.url.path == path]


def body(request: httpx.Request) -> object:
    return json.loads(request.content)


def reference_fbo(clock: ManualClock, malformed_rate: float = 0.0) -> SimulatedOzonFbo:
    return SimulatedOzonFbo(SEED, ARTICLES, clock, start=FBO_START, malformed_rate=malformed_rate)


def reference_feed(clock: ManualClock, daily_reviews: float = 300, malformed_rate: float = 0.05) -> SimulatedReputation:
    return SimulatedReputation(
        SEED, clock, start=FEED_START, daily_reviews=daily_reviews, daily_questions=150, malformed_rate=malformed_rate
    )


@pytest.fixture
def rig() -> Rig:
    clock = ManualClock(NOW)
    world = build_world(clock, seed=SEED, brands=("acme", "kids"), campaigns=1, keywords=1, fbo_articles=None)
    world.ozon_fbo = reference_fbo(clock)
    world.reputation = reference_feed(clock)
    app = FastAPI()
    app.add_exception_handler(FakeRefusal, refusal_response)
    app.include_router(fake_ozon.router(world))
    sent: list[httpx.Request] = []
    http = TestClient(app)
    http.event_hooks = {"request": [sent.append], "response": []}
    return Rig(world, clock, world.ozon_fbo, world.reputation, http, sent, [])


# -- units -------------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=Decimal("9999999999.99"), places=2))
def test_rubles_survive_the_double_on_the_wire(value: Decimal) -> None:
    assert rubles(wire_double(value)) == value


def test_rubles_round_a_double_half_up_to_kopecks() -> None:
    assert rubles(12.3) == Decimal("12.30")
    assert rubles(0.125) == Decimal("0.13")
    assert str(rubles(1e-3)) == "0.00"


# -- FBO ---------------------------------------------------------------------------------------------


def test_clusters_request_shape_and_rows(rig: Rig) -> None:
    clusters = OzonFboHttp(rig.client()).clusters()
    assert clusters == reference_fbo(rig.clock).clusters()
    [sent] = rig.requests("/v1/cluster/list")
    assert sent.method == "POST"
    assert sent.headers["Client-Id"] == rig.world.credentials["acme"]["ozon_client_id"]
    assert sent.headers["Api-Key"] == rig.world.credentials["acme"]["ozon_api_key"]
    assert body(sent) == {"cluster_type": "CLUSTER_TYPE_OZON"}


def test_stocks_batch_by_100_and_come_back_as_the_simulated_port_reads_them(rig: Rig) -> None:
    skus = rig.fbo.skus + rig.fbo.skus[:10]  # duplicates are sent once
    page = OzonFboHttp(rig.client()).stocks(skus)
    sent = rig.requests("/v1/analytics/stocks")
    assert [len(body(r)["skus"]) for r in sent] == [100, 50]  # type: ignore[index]
    assert all(isinstance(s, str) for r in sent for s in body(r)["skus"])  # type: ignore[index]
    expected = reference_fbo(rig.clock).stocks(rig.fbo.skus)
    assert page.rows == expected.rows and not page.skipped
    assert all(isinstance(row.ads, Decimal) and row.ads == row.ads.quantize(Decimal("0.01")) for row in page.rows)


def test_stocks_of_some_clusters_and_of_none(rig: Rig) -> None:
    fbo = OzonFboHttp(rig.client())
    wanted = rig.fbo.cluster_ids[:2]
    page = fbo.stocks(rig.fbo.skus[:5], wanted)
    assert {row.cluster_id for row in page.rows} == set(wanted)
    assert body(rig.requests("/v1/analytics/stocks")[0])["cluster_ids"] == [str(c) for c in wanted]  # type: ignore[index]
    assert fbo.stocks(rig.fbo.skus, []).rows == [] and fbo.stocks([]).rows == []
    assert len(rig.requests("/v1/analytics/stocks")) == 1


def test_a_batch_over_100_skus_is_refused_400(rig: Rig) -> None:
    with pytest.raises(MarketplaceRejected, match="at most 100") as refused:
        rig.client().request_json("ozon.stocks", "POST", "/v1/analytics/stocks", json={"skus": rig.fbo.skus[:101]})
    assert isinstance(refused.value, RejectedCall) and refused.value.status == 400


def test_a_malformed_stock_row_is_skipped_with_its_reason_and_row(rig: Rig) -> None:
    rig.world.malform("ozon.stocks")
    page = OzonFboHttp(rig.client()).stocks(rig.fbo.skus[:3])
    [skipped] = page.skipped
    assert "available_stock_count=-7" in skipped.reason and "ozon.stocks" in skipped.reason
    assert isinstance(skipped.raw, dict) and skipped.raw["available_stock_count"] == -7
    expected = reference_fbo(rig.clock).stocks(rig.fbo.skus[:3]).rows
    assert page.rows == [
        r for r in expected if (r.sku, r.cluster_id) != (skipped.raw["sku"], skipped.raw["cluster_id"])
    ]


def test_the_simulations_own_broken_rows_are_skipped_too(rig: Rig) -> None:
    rig.world.ozon_fbo = broken = reference_fbo(rig.clock, malformed_rate=0.05)
    page = OzonFboHttp(rig.client()).stocks(broken.skus)
    expected = reference_fbo(rig.clock, malformed_rate=0.05).stocks(broken.skus)
    assert page.rows == expected.rows
    assert [s.raw for s in page.skipped] == [s.raw for s in expected.skipped] and page.skipped


def test_ordered_units_one_call_with_revenue_in_rubles(rig: Rig) -> None:
    page = OzonFboHttp(rig.client()).ordered_units(date(2026, 11, 28), date(2026, 12, 1))
    [sent] = rig.requests("/v1/analytics/data")
    assert body(sent) == {
        "date_from": "2026-11-28",
        "date_to": "2026-12-01",
        "metrics": ["ordered_units", "revenue"],
        "dimension": ["sku", "day"],
        "filters": [],
        "limit": 1000,
        "offset": 0,
    }
    expected = reference_fbo(rig.clock).ordered_units(date(2026, 11, 28), date(2026, 12, 1))
    assert page == expected and page.rows and page.next_offset is None
    assert all(r.revenue == r.revenue.quantize(Decimal("0.01")) for r in page.rows)


def test_a_full_analytics_page_gives_the_next_offset(rig: Rig) -> None:
    fbo = OzonFboHttp(rig.client())
    first = fbo.ordered_units(date(2026, 11, 20), date(2026, 12, 2))
    assert len(first.rows) == 1000 and first.next_offset == 1000
    rig.clock.advance(60)
    second = fbo.ordered_units(date(2026, 11, 20), date(2026, 12, 2), offset=1000)
    assert body(rig.requests("/v1/analytics/data")[1])["offset"] == 1000  # type: ignore[index]
    assert second.rows and {(r.sku, r.day) for r in first.rows}.isdisjoint({(r.sku, r.day) for r in second.rows})


def test_a_second_analytics_call_within_the_minute_raises_quota_exceeded_without_sleeping(rig: Rig) -> None:
    fbo = OzonFboHttp(rig.client())
    fbo.ordered_units(date(2026, 12, 1), date(2026, 12, 1))
    rig.clock.advance(20)
    with pytest.raises(QuotaExceeded) as exceeded:
        fbo.ordered_units(date(2026, 12, 1), date(2026, 12, 1))
    assert 39 <= exceeded.value.retry_after <= 41
    assert rig.slept == []
    [refused] = [r for r in rig.requests("/v1/analytics/data")][1:]
    assert refused.method == "POST"
    rig.clock.advance(41)
    assert fbo.ordered_units(date(2026, 12, 1), date(2026, 12, 1)).rows


def test_a_malformed_sales_row_is_skipped_and_counted(rig: Rig) -> None:
    rig.world.malform("ozon.analytics")
    page = OzonFboHttp(rig.client()).ordered_units(date(2026, 12, 1), date(2026, 12, 1))
    [skipped] = page.skipped
    assert "'many'" in skipped.reason
    expected = reference_fbo(rig.clock).ordered_units(date(2026, 12, 1), date(2026, 12, 1))
    assert page.rows == expected.rows[1:]


def test_an_analytics_limit_over_1000_is_refused(rig: Rig) -> None:
    with pytest.raises(MarketplaceRejected, match="limit=1001"):
        rig.client().request_json(
            "ozon.analytics",
            "POST",
            "/v1/analytics/data",
            json={"date_from": "2026-12-01", "date_to": "2026-12-01", "metrics": ["revenue"], "limit": 1001},
        )


def test_a_429_past_the_stock_quota_waits_its_retry_after(rig: Rig) -> None:
    fbo = OzonFboHttp(rig.client())
    for _ in range(5):  # 5 calls a second, as the table states
        fbo.stocks(rig.fbo.skus[:1])
    assert rig.slept == []
    page = fbo.stocks(rig.fbo.skus[:1])
    assert page.rows and rig.slept == [1.0]
    assert len(rig.requests("/v1/analytics/stocks")) == 7  # the refused call, then its retry


def test_a_cluster_without_a_name_is_left_out(rig: Rig) -> None:
    rig.world.malform("ozon.clusters")
    clusters = OzonFboHttp(rig.client()).clusters()
    assert clusters == reference_fbo(rig.clock).clusters()[1:]


@pytest.mark.parametrize(
    "headers",
    [
        {"Client-Id": "fake-ozon-client-id-acme", "Api-Key": "wrong"},
        {"Client-Id": "fake-ozon-client-id-kids", "Api-Key": "fake-ozon-api-key-acme"},
        {"Api-Key": "fake-ozon-api-key-acme"},
    ],
)
def test_wrong_credentials_are_unauthorised(rig: Rig, headers: dict[str, str]) -> None:
    client = rig.client(auth=HeaderAuth(headers))
    with pytest.raises(MarketplaceUnauthorised):
        OzonFboHttp(client).clusters()
    with pytest.raises(MarketplaceUnauthorised):
        OzonReputationHttp(lambda _brand: client).fetch(ItemType.REVIEW, "acme", None)


# -- reviews and questions ---------------------------------------------------------------------------


def _same(items: tuple[Item, ...], expected: tuple[Item, ...]) -> None:
    """The wire's items are the simulated port's, less what Ozon's rows do not carry."""

    def key(item: Item) -> tuple[object, ...]:
        return (item.external_id, item.brand, item.product_id, item.text, item.created_at, item.rating)

    assert [key(i) for i in items] == [key(i) for i in expected]


def test_reviews_page_newest_first_and_match_the_feed(rig: Rig) -> None:
    fetched = rig.reputation().fetch(ItemType.REVIEW, "acme", None)
    expected = reference_feed(rig.clock).fetch(Marketplace.OZON, ItemType.REVIEW, "acme", None)
    _same(fetched.items, expected.items)
    assert len(fetched.skipped) == len(expected.skipped) > 0
    assert all(i.platform is Marketplace.OZON and i.item_type is ItemType.REVIEW for i in fetched.items)
    sent = rig.requests("/v2/review/list")
    assert len(sent) == -(-(len(expected.items) + len(expected.skipped)) // 100) > 1
    first, second = body(sent[0]), body(sent[1])
    assert first == {"limit": 100, "sort_dir": "DESC", "status": "UNPROCESSED", "last_id": ""}
    assert second["last_id"] != ""  # type: ignore[index]


def test_reviews_since_stop_at_the_page_that_reaches_it(rig: Rig) -> None:
    since = NOW - timedelta(hours=1)
    fetched = rig.reputation().fetch(ItemType.REVIEW, "acme", since)
    expected = reference_feed(rig.clock).fetch(Marketplace.OZON, ItemType.REVIEW, "acme", since)
    _same(fetched.items, expected.items)
    assert len(rig.requests("/v2/review/list")) == 1


def test_max_pages_keeps_the_newest(rig: Rig) -> None:
    fetched = rig.reputation(max_pages=1).fetch(ItemType.REVIEW, "acme", None)
    expected = reference_feed(rig.clock).fetch(Marketplace.OZON, ItemType.REVIEW, "acme", None)
    assert len(rig.requests("/v2/review/list")) == 1
    assert [i.external_id for i in fetched.items] == [i.external_id for i in expected.items][: len(fetched.items)]


def test_questions_with_since_and_their_authors(rig: Rig) -> None:
    since = NOW - timedelta(hours=6)
    fetched = rig.reputation().fetch(ItemType.QUESTION, "kids", since)
    expected = reference_feed(rig.clock).fetch(Marketplace.OZON, ItemType.QUESTION, "kids", since)
    _same(fetched.items, expected.items)
    assert [i.author for i in fetched.items] == [i.author for i in expected.items]
    assert len(fetched.skipped) == len(expected.skipped)
    sent = rig.requests("/v1/question/list")
    assert body(sent[0]) == {"filter": {"status": "UNPROCESSED", "date_from": since.isoformat()}, "last_id": ""}
    assert sent[0].headers["Client-Id"] == rig.world.credentials["kids"]["ozon_client_id"]


def test_a_malformed_review_is_skipped_and_named(rig: Rig) -> None:
    rig.world.malform("ozon.reviews")
    fetched = rig.reputation().fetch(ItemType.REVIEW, "acme", NOW - timedelta(hours=1))
    assert any("rating='five'" in reason and "ozon.reviews" in reason for reason in fetched.skipped), fetched.skipped


def test_a_question_without_its_sku_is_skipped(rig: Rig) -> None:
    rig.world.malform("ozon.questions")
    fetched = rig.reputation().fetch(ItemType.QUESTION, "acme", None)
    expected = reference_feed(rig.clock).fetch(Marketplace.OZON, ItemType.QUESTION, "acme", None)
    assert len(fetched.skipped) == len(expected.skipped) + 1
    assert any("sku is missing" in reason for reason in fetched.skipped)


def test_publish_a_review_then_again_is_already_answered(rig: Rig) -> None:
    ozon = rig.reputation()
    item = ozon.fetch(ItemType.REVIEW, "acme", NOW - timedelta(hours=1)).items[0]
    assert ozon.publish(ItemType.REVIEW, "acme", item.external_id, "Спасибо за отзыв!") is PublishOutcome.PUBLISHED
    [sent] = rig.requests("/v1/review/comment/create")
    assert body(sent) == {"review_id": item.external_id, "text": "Спасибо за отзыв!", "mark_review_as_processed": True}
    answer = rig.sim.answer_of(Marketplace.OZON, ItemType.REVIEW, item.external_id)
    assert answer is not None and answer.text == "Спасибо за отзыв!"
    again = ozon.publish(ItemType.REVIEW, "acme", item.external_id, "Ещё раз")
    assert again is PublishOutcome.ALREADY_ANSWERED
    assert rig.sim.double_posts == 1
    refetched = ozon.fetch(ItemType.REVIEW, "acme", NOW - timedelta(hours=1))
    assert item.external_id not in {i.external_id for i in refetched.items}


def test_publish_a_question_names_its_sku_and_never_answers_twice(rig: Rig) -> None:
    ozon = rig.reputation()
    item = ozon.fetch(ItemType.QUESTION, "acme", None).items[0]
    assert ozon.publish(ItemType.QUESTION, "acme", item.external_id, "Да, есть.") is PublishOutcome.PUBLISHED
    [info] = rig.requests("/v1/question/info")
    assert body(info) == {"question_id": item.external_id}
    [answer] = rig.requests("/v1/question/answer/create")
    assert body(answer) == {"question_id": item.external_id, "sku": int(item.product_id), "text": "Да, есть."}
    assert ozon.publish(ItemType.QUESTION, "acme", item.external_id, "Да.") is PublishOutcome.ALREADY_ANSWERED
    assert len(rig.requests("/v1/question/answer/create")) == 1  # answers_count said so: no second post


def test_a_second_question_answer_is_refused_409_and_read_as_already_answered(rig: Rig) -> None:
    ozon = rig.reputation()
    item = ozon.fetch(ItemType.QUESTION, "acme", None).items[0]
    json_body = {"question_id": item.external_id, "sku": int(item.product_id), "text": "Да."}
    rig.client().request_json("ozon.questions.answer", "POST", "/v1/question/answer/create", json=json_body)
    with pytest.raises(RejectedCall) as refused:
        rig.client().request_json("ozon.questions.answer", "POST", "/v1/question/answer/create", json=json_body)
    assert refused.value.status == 409


def test_an_unknown_or_bad_answer_is_rejected(rig: Rig) -> None:
    ozon = rig.reputation()
    with pytest.raises(MarketplaceRejected, match="404"):
        ozon.publish(ItemType.REVIEW, "acme", "00000000-0000-0000-0000-000000000000", "Спасибо!")
    item = ozon.fetch(ItemType.REVIEW, "acme", NOW - timedelta(hours=1)).items[0]
    with pytest.raises(MarketplaceRejected, match="400"):
        ozon.publish(ItemType.REVIEW, "acme", item.external_id, "x" * 3001)
    with pytest.raises(MarketplaceRejected):  # another brand's review is not this cabinet's
        ozon.publish(ItemType.REVIEW, "kids", item.external_id, "Спасибо!")


def test_stock_rows_keep_the_ports_types(rig: Rig) -> None:
    row = OzonFboHttp(rig.client()).stocks(rig.fbo.skus[:1]).rows[0]
    assert isinstance(row, StockRow) and isinstance(row.available, int)
    assert row.idc is None or isinstance(row.idc, Decimal)


def test_the_fake_app_serves_ozon_seller() -> None:
    assert fake_ozon.__name__ in ROUTERS
    world = build_world(ManualClock(NOW), fbo_articles=3)
    credentials = world.credentials["acme"]
    reply = TestClient(build_app(world)).post(
        "/v1/cluster/list",
        json={"cluster_type": "CLUSTER_TYPE_OZON"},
        headers={"Client-Id": credentials["ozon_client_id"], "Api-Key": credentials["ozon_api_key"]},
    )
    assert reply.status_code == 200 and reply.json()["clusters"]


def test_an_outage_is_a_5xx_the_client_retries_then_fails_as_a_marketplace_error(rig: Rig) -> None:
    rig.world.reputation = rig.sim = SimulatedReputation(
        SEED,
        rig.clock,
        start=FEED_START,
        faults=ReputationFaults(outages=(Outage(Marketplace.OZON, NOW, NOW + timedelta(hours=1)),)),
    )
    ozon = rig.reputation()
    with pytest.raises(MarketplaceError) as failed:
        ozon.fetch(ItemType.REVIEW, "acme", None)
    assert not isinstance(failed.value, MarketplaceRejected) and "503" in str(failed.value)
    assert len(rig.requests("/v2/review/list")) == 3  # every attempt of the policy
    assert rig.sim.counters()["outage_refusals"] == 3
    with pytest.raises(MarketplaceError, match="503"):
        ozon.publish(ItemType.QUESTION, "acme", "00000000-0000-0000-0000-000000000000", "Да.")


def test_a_planted_publish_failure_is_retried_within_the_send(rig: Rig) -> None:
    item = rig.reputation().fetch(ItemType.REVIEW, "acme", NOW - timedelta(hours=1)).items[0]
    rig.world.reputation = rig.sim = SimulatedReputation(
        SEED,
        rig.clock,
        start=FEED_START,
        daily_reviews=300,
        daily_questions=150,
        malformed_rate=0.05,
        faults=ReputationFaults(
            failing_publishes=(PublishFailure(Marketplace.OZON, ItemType.REVIEW, item.external_id, 2),)
        ),
    )
    assert rig.reputation().publish(ItemType.REVIEW, "acme", item.external_id, "Спасибо!") is PublishOutcome.PUBLISHED
    assert len(rig.requests("/v1/review/comment/create")) == 3
    assert rig.sim.counters()["publish_failures"] == 2


# -- properties --------------------------------------------------------------------------------------


def _rig(daily_reviews: float = 300, daily_questions: float = 150) -> Rig:
    clock = ManualClock(NOW)
    world = build_world(clock, seed=SEED, brands=("acme",), campaigns=1, keywords=1, fbo_articles=None)
    world.ozon_fbo = reference_fbo(clock)
    world.reputation = SimulatedReputation(
        SEED, clock, start=FEED_START, daily_reviews=daily_reviews, daily_questions=daily_questions, malformed_rate=0.05
    )
    world.enforce_quotas = False
    app = FastAPI()
    app.add_exception_handler(FakeRefusal, refusal_response)
    app.include_router(fake_ozon.router(world))
    sent: list[httpx.Request] = []
    http = TestClient(app)
    http.event_hooks = {"request": [sent.append], "response": []}
    return Rig(world, clock, world.ozon_fbo, world.reputation, http, sent, [])


@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=ARTICLES - 1), max_size=260))
def test_stocks_of_any_skus_take_one_call_per_100_distinct(indices: list[int]) -> None:
    rig = _rig()
    skus = [rig.fbo.skus[i] for i in indices]
    page = OzonFboHttp(rig.client()).stocks(skus)
    distinct = list(dict.fromkeys(skus))
    sent = [body(r)["skus"] for r in rig.requests("/v1/analytics/stocks")]  # type: ignore[index]
    assert [s for batch in sent for s in batch] == [str(s) for s in distinct]
    assert len(sent) == -(-len(distinct) // 100) and all(len(batch) <= 100 for batch in sent)
    assert page.rows == reference_fbo(rig.clock).stocks(skus).rows


@settings(max_examples=10, deadline=None)
@given(
    st.sampled_from([ItemType.REVIEW, ItemType.QUESTION]),
    st.one_of(st.none(), st.integers(min_value=0, max_value=20 * 60).map(lambda m: NOW - timedelta(minutes=m))),
)
def test_any_fetch_over_the_wire_is_the_simulated_ports(item_type: ItemType, since: datetime | None) -> None:
    rig = _rig(daily_reviews=300, daily_questions=400)
    fetched = rig.reputation().fetch(item_type, "acme", since)
    reference = SimulatedReputation(
        SEED, ManualClock(NOW), start=FEED_START, daily_reviews=300, daily_questions=400, malformed_rate=0.05
    )
    expected = reference.fetch(Marketplace.OZON, item_type, "acme", since)
    _same(fetched.items, expected.items)
    if since is None:
        assert len(fetched.skipped) == len(expected.skipped)
        path = "/v2/review/list" if item_type is ItemType.REVIEW else "/v1/question/list"
        assert len(rig.requests(path)) > 1  # paged by last_id


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"available_stock_count": 2.5}, "available_stock_count"),
        ({"transit_stock_count": True}, "transit_stock_count"),
        ({"ads_cluster": float("nan")}, "ads_cluster"),
        ({"sku": 0}, "sku"),
        ({"cluster_id": "x1"}, "cluster_id"),
    ],
)
def test_a_stock_row_the_port_cannot_hold_is_skipped_naming_the_field(row: dict[str, object], reason: str) -> None:
    good = {
        "sku": 11,
        "cluster_id": 4001,
        "available_stock_count": 3.0,
        "transit_stock_count": 0,
        "requested_stock_count": 0,
        "ads_cluster": 0.1,
        "idc_cluster": None,
        "turnover_grade": "DEFICIT",
    }
    rows, skipped = checked_rows("ozon.stocks", [good, {**good, **row}], StockWire, to_stock)
    assert rows == [StockRow(11, 4001, 3, 0, 0, Decimal("0.10"), None, "DEFICIT")]
    [bad] = skipped
    assert reason in bad.reason and bad.raw == {**good, **row}


@pytest.mark.parametrize(
    ("dimensions", "metrics", "reason"),
    [
        ([{"id": "12"}, {"id": "2026-13-01"}], [1.0, 10.0], "is not a date"),
        ([{"id": "abc"}, {"id": "2026-12-01"}], [1.0, 10.0], "is not a SKU"),
        ([{"id": "12"}, {"id": "2026-12-01"}], [1.5, 10.0], "ordered_units=1.5"),
        ([{"id": "12"}, {"id": "2026-12-01"}], [-1.0, 10.0], "metrics.0"),
        ([{"id": "2026-12-01"}], [1.0, 10.0], "dimensions"),
    ],
)
def test_a_sales_row_the_port_cannot_hold_is_skipped(dimensions: object, metrics: object, reason: str) -> None:
    rows, skipped = checked_rows(
        "ozon.analytics", [{"dimensions": dimensions, "metrics": metrics}], SalesWire, to_sales
    )
    assert rows == [] and reason in skipped[0].reason


def test_the_shared_limiter_refuses_a_second_analytics_call_before_it_is_sent(rig: Rig) -> None:
    def never(seconds: float) -> None:
        raise AssertionError(f"slept {seconds} s inside a job")

    client = MarketplaceHttpClient(
        "http://testserver",
        "acme",
        ozon_seller_auth(CabinetCredentials("acme", rig.world.credentials["acme"])),
        memory_limiter(sleep=never),
        http=rig.http,
        sleep=never,
    )
    fbo = OzonFboHttp(client)
    fbo.ordered_units(date(2026, 12, 1), date(2026, 12, 1))
    with pytest.raises(QuotaExceeded) as exceeded:
        fbo.ordered_units(date(2026, 12, 1), date(2026, 12, 1))
    assert 50 < exceeded.value.retry_after <= 60
    assert len(rig.requests("/v1/analytics/data")) == 1
