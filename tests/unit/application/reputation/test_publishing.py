"""Publishing exactly once: a redelivered send, a worker killed after the claim or after the
call, failures kept with their attempts, a refusal never retried, ``retry_failed_publish``
never resending a published answer and stopping at 5 attempts."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adolf.application.ports.ads_marketplace import MarketplaceError, MarketplaceRejected
from adolf.application.reputation.manager_actions import approve
from adolf.application.reputation.marketplace import PublishOutcome
from adolf.application.reputation.polling import poll_wb_reviews
from adolf.application.reputation.publishing import (
    MAX_ATTEMPTS,
    PUBLISH,
    publish_key,
    retry_failed_publish,
    send_response,
)
from adolf.domain.reputation.items import Response, ResponseSource, ResponseStatus
from adolf.domain.reputation.lifecycle import ItemStatus
from tests.support.fakes.reputation_services import FakeReputationServices, drain
from tests.unit.application.reputation.conftest import ADMIN, Killed, ScriptedMarketplace, review, stored

SEND = "reputation.send_response"


class Dying:
    """Passes calls to ``inner``; the worker dies once before (``when="before"``) or after
    (``when="after"``) the marketplace takes the answer."""

    def __init__(self, inner: Any, when: str) -> None:
        self.inner, self.when = inner, when

    def fetch(self, *args: Any) -> Any:
        return self.inner.fetch(*args)

    def publish(self, *args: Any) -> PublishOutcome:
        when, self.when = self.when, ""
        if when == "before":
            raise Killed
        outcome: PublishOutcome = self.inner.publish(*args)
        if when == "after":
            raise Killed
        return outcome


def approved(
    services: FakeReputationServices, external_id: str = "r1", status: ItemStatus = ItemStatus.APPROVED
) -> int:
    item_id = stored(services, review(external_id, services.clock.now()), status)
    answer = ResponseStatus.FAILED if status is ItemStatus.FAILED else ResponseStatus.APPROVED
    services.unit_of_work.reputation_responses.save(
        Response(item_id, "Спасибо за отзыв!", ResponseSource.MODEL, answer, services.clock.now())
    )
    return item_id


@pytest.fixture
def market(services: FakeReputationServices) -> ScriptedMarketplace:
    services.reputation_marketplace = ScriptedMarketplace()
    return services.reputation_marketplace


def state(services: FakeReputationServices, item_id: int) -> tuple[ItemStatus, ResponseStatus, int]:
    item = services.unit_of_work.reputation_items.get(item_id)
    answer = services.unit_of_work.reputation_responses.get(item_id)
    assert item is not None and answer is not None
    return item.status, answer.status, answer.attempts


def test_a_send_run_twice_publishes_once(services: FakeReputationServices, market: ScriptedMarketplace) -> None:
    item_id = approved(services)

    first = send_response(services, item_id)
    second = send_response(services, item_id)

    assert first["status"] == "published" and second["status"] == "already_published"
    assert market.published == [("r1", "Спасибо за отзыв!")]
    assert state(services, item_id) == (ItemStatus.PUBLISHED, ResponseStatus.PUBLISHED, 1)
    claim = services.unit_of_work.outbox.entries[publish_key(item_id)]
    assert claim.status == "sent"


def test_a_worker_killed_between_claim_and_call_publishes_once_on_the_rerun(
    services: FakeReputationServices, market: ScriptedMarketplace
) -> None:
    item_id = approved(services)
    services.reputation_marketplace = Dying(market, "before")
    with pytest.raises(Killed):
        send_response(services, item_id)
    assert services.unit_of_work.outbox.pending(PUBLISH) != []  # the claim committed

    rerun = send_response(services, item_id)

    assert rerun["outcome"] == "published"
    assert market.published == [("r1", "Спасибо за отзыв!")]
    assert state(services, item_id)[0] is ItemStatus.PUBLISHED


def test_a_worker_killed_after_the_call_records_the_answer_already_there_once(
    services: FakeReputationServices,
) -> None:
    simulated = services.reputation_marketplace
    poll_wb_reviews(services)
    drain(services)
    item_id = min(services.unit_of_work.reputation.items)
    approve(services, item_id, ADMIN)
    services.queue.take(SEND)
    services.reputation_marketplace = Dying(simulated, "after")
    with pytest.raises(Killed):
        send_response(services, item_id)
    assert state(services, item_id)[0] is ItemStatus.APPROVED  # the call's record died with the worker

    rerun = send_response(services, item_id)

    assert rerun["outcome"] == PublishOutcome.ALREADY_ANSWERED.value
    assert state(services, item_id)[:2] == (ItemStatus.PUBLISHED, ResponseStatus.PUBLISHED)
    assert len(simulated.answers()) == 1
    assert simulated.counters()["already_answered"] == 1


def test_a_failed_send_is_kept_failed_with_its_error_and_attempts_then_retried(
    services: FakeReputationServices, market: ScriptedMarketplace
) -> None:
    item_id = approved(services)
    market.failure = MarketplaceError("502 Bad Gateway")

    for attempt in (1, 2):
        with pytest.raises(MarketplaceError):
            send_response(services, item_id)
        assert state(services, item_id) == (ItemStatus.FAILED, ResponseStatus.FAILED, attempt)
    answer = services.unit_of_work.reputation_responses.get(item_id)
    assert answer is not None and answer.last_error == "MarketplaceError: 502 Bad Gateway"

    market.failure = None
    assert send_response(services, item_id)["status"] == "published"
    assert state(services, item_id) == (ItemStatus.PUBLISHED, ResponseStatus.PUBLISHED, 3)


def test_a_refused_answer_fails_for_good_and_is_never_sent_again(
    services: FakeReputationServices, market: ScriptedMarketplace
) -> None:
    item_id = approved(services)
    market.failure = MarketplaceRejected("400 text too long")

    refused = send_response(services, item_id)
    market.failure = None
    retried = retry_failed_publish(services)

    assert refused["status"] == "rejected"
    assert state(services, item_id) == (ItemStatus.FAILED, ResponseStatus.FAILED, 1)
    assert retried["retried"] == 0 and services.queue.payloads(SEND) == []
    assert send_response(services, item_id)["status"] == "rejected" and market.published == []


def test_retry_failed_publish_resends_failed_answers_never_a_published_one(
    services: FakeReputationServices, market: ScriptedMarketplace
) -> None:
    failing, done = approved(services, "r1"), approved(services, "r2")
    send_response(services, done)
    market.failure = MarketplaceError("503")
    with pytest.raises(MarketplaceError):
        send_response(services, failing)
    market.failure = None

    found = retry_failed_publish(services)
    again = retry_failed_publish(services)  # the same hour, run twice: queued once

    assert found["retried"] == 1 and again["enqueued"] == 0
    assert services.queue.payloads(SEND) == [{"item_id": failing}]


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=1, max_value=8))
def test_retry_failed_publish_stops_at_five_attempts(failures: int) -> None:
    services = FakeReputationServices()
    market = ScriptedMarketplace()
    services.reputation_marketplace = market
    item_id = approved(services)
    market.failure = MarketplaceError("503")
    for _ in range(failures):
        with pytest.raises(MarketplaceError):
            send_response(services, item_id)

    retried = retry_failed_publish(services)

    assert retried["retried"] == (1 if failures < MAX_ATTEMPTS else 0)
    assert state(services, item_id)[2] == failures


def test_send_leaves_an_item_not_approved_alone(services: FakeReputationServices, market: ScriptedMarketplace) -> None:
    item_id = stored(services, review("r1", services.clock.now()), ItemStatus.PENDING_REVIEW)
    services.unit_of_work.reputation_responses.save(
        Response(item_id, "Спасибо!", ResponseSource.MODEL, ResponseStatus.DRAFT, services.clock.now())
    )

    assert send_response(services, item_id)["status"] == "not_approved"
    assert market.published == [] and services.unit_of_work.outbox.entries == {}
    assert send_response(services, 999)["status"] == "missing"
