"""The polls: dedupe across polls (one set-based insert, analyze_item only for new items), the
circuit breaker in front of the marketplace, malformed rows counted, where a poll starts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adolf.application.ports.ads_marketplace import Fetched, MarketplaceError
from adolf.application.reputation.polling import LOOK_BACK, poll, poll_wb_reviews
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.circuit import BreakerPolicy, BreakerState
from adolf.domain.reputation.items import ItemType
from tests.support.fakes.reputation_services import FakeReputationServices
from tests.unit.application.reputation.conftest import ScriptedMarketplace, review

ANALYZE = "reputation.analyze_item"


def test_a_second_poll_of_the_same_page_finds_no_new_item_and_analyses_nothing_twice(
    services: FakeReputationServices,
) -> None:
    first = poll_wb_reviews(services)
    queued = services.queue.payloads(ANALYZE)

    second = poll_wb_reviews(services)

    assert first["status"] == "ok" and first["fetched"] > 0
    assert (first["new"], first["duplicates"]) == (first["fetched"], 0)
    assert sorted(p["item_id"] for p in queued) == sorted(services.unit_of_work.reputation.items)
    assert (second["new"], second["duplicates"]) == (0, second["fetched"])
    assert services.queue.payloads(ANALYZE) == queued  # nothing queued by the second poll
    assert services.unit_of_work.reputation.calls["items.add_new"] == 2  # one insert per poll


def test_malformed_items_are_skipped_and_counted_the_rest_kept(services: FakeReputationServices) -> None:
    now = services.clock.now()
    services.reputation_marketplace = ScriptedMarketplace(
        [Fetched((review("a", now), review("b", now)), skipped=("rating=6 must be 1 … 5",))]
    )

    found = poll(services, "wb", "review")

    assert (found["fetched"], found["new"], found["skipped"]) == (2, 2, 2)  # one bad row per brand asked


def test_a_poll_starts_a_day_before_the_newest_item_it_has_seen(services: FakeReputationServices) -> None:
    now = services.clock.now()
    newest = now - timedelta(hours=2)
    market = ScriptedMarketplace([Fetched((review("a", newest - timedelta(hours=5)), review("b", newest)))])
    services.reputation_marketplace = market

    poll(services, Marketplace.WB, ItemType.REVIEW)
    poll(services, Marketplace.WB, ItemType.REVIEW)

    first, second = market.fetches[0], market.fetches[2]  # two brands a poll
    assert first[3] is None
    assert second[3] == newest - LOOK_BACK


def test_a_failing_marketplace_opens_the_breaker_and_an_open_breaker_calls_nothing() -> None:
    services = FakeReputationServices(breaker_policy=BreakerPolicy(failure_threshold=2))
    market = ScriptedMarketplace()
    market.failure = MarketplaceError("503 Service Unavailable")
    services.reputation_marketplace = market

    for _ in range(2):
        with pytest.raises(MarketplaceError):
            poll_wb_reviews(services)
    calls = len(market.fetches)
    refused = poll_wb_reviews(services)

    assert refused == {"status": "circuit_open", "platform": "wb", "item_type": "review", "breaker": "open"}
    assert len(market.fetches) == calls
    assert services.circuit_breaker.state("wb:review") is BreakerState.OPEN
    assert services.status_board.counters["reputation:breaker_transitions:wb:review"] == 1
    market.failure = None
    assert poll(services, "wb", "question")["status"] == "ok"  # another (platform, type) is not affected


def test_after_the_cool_down_one_probe_goes_through_and_its_success_closes_the_breaker() -> None:
    policy = BreakerPolicy(failure_threshold=1, cool_down=timedelta(minutes=15))
    services = FakeReputationServices(breaker_policy=policy)
    market = ScriptedMarketplace()
    market.failure = MarketplaceError("503")
    services.reputation_marketplace = market
    with pytest.raises(MarketplaceError):
        poll_wb_reviews(services)

    services.clock.advance(15 * 60)
    market.failure = None
    probed = poll_wb_reviews(services)

    assert probed["status"] == "ok" and probed["breaker"] == "closed"
    assert [(t.before, t.after) for t in services.circuit_breaker.transitions("wb:review")] == [
        (BreakerState.CLOSED, BreakerState.OPEN),
        (BreakerState.OPEN, BreakerState.HALF_OPEN),
        (BreakerState.HALF_OPEN, BreakerState.CLOSED),
    ]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.sampled_from("abcdefgh"), max_size=6), min_size=1, max_size=5))
def test_across_any_polls_each_item_is_new_once_and_analysed_once(pages: list[list[str]]) -> None:
    services = FakeReputationServices(brands=("ohana_market",))
    at = services.clock.now()
    services.reputation_marketplace = ScriptedMarketplace(
        [Fetched(tuple(review(ext, at) for ext in page)) for page in pages] + [Fetched(())]
    )
    news = 0
    for page in pages:
        found = poll_wb_reviews(services)
        assert found["new"] + found["duplicates"] == found["fetched"] == len(page)
        news += found["new"]

    distinct = {ext for page in pages for ext in page}
    assert news == len(distinct) == len(services.unit_of_work.reputation.items)
    queued = [p["item_id"] for p in services.queue.payloads(ANALYZE)]
    assert sorted(queued) == sorted(set(queued)) == sorted(services.unit_of_work.reputation.items)
