"""The real WB feedbacks client against the fake feedbacks-api in process: the simulated
reviews and questions come back through the wire as the simulated port gives them, the
requests are WB's (paths, methods, the token header, parameters, bodies), times cross in
Moscow's offset and come back UTC, the shared 3 requests/s quota answers 429 and is waited
out, malformed rows are skipped and counted, a second answer reads ALREADY_ANSWERED."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adolf.adapters.marketplaces.fake_server.wb_feedbacks import feedback_row, question_row, wb_time
from adolf.adapters.marketplaces.http.errors import RejectedCall, UnauthorisedCall
from adolf.adapters.marketplaces.http.wb_feedbacks import WbFeedbacksClient
from adolf.adapters.marketplaces.http.wire_wb_feedbacks import (
    WbFeedback,
    WbQuestion,
    feedback_item,
    joined_text,
    question_item,
)
from adolf.adapters.marketplaces.simulated.timeline import MOSCOW
from adolf.application.ports.ads_marketplace import MarketplaceRejected
from adolf.application.reputation.marketplace import PublishOutcome
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import ItemType

from .reputation_harness import NOW, reference, rig

WB = Marketplace.WB


@pytest.mark.parametrize("item_type", list(ItemType))
def test_fetch_brings_the_simulated_items_and_skips_the_same_malformed_rows(item_type: ItemType) -> None:
    r = rig()
    fetched = WbFeedbacksClient(r).fetch(item_type, "acme", None)
    expected = reference().fetch(WB, item_type, "acme", None)
    assert fetched.items == expected.items and len(fetched.items) > 5
    assert len(fetched.skipped) == len(expected.skipped) > 0
    assert all(
        reason.startswith(f"wb.{'feedbacks' if item_type is ItemType.REVIEW else 'questions'}:")
        for reason in fetched.skipped
    )


def test_the_list_request_is_wbs() -> None:
    r = rig()
    since = NOW - timedelta(hours=3, microseconds=400)
    WbFeedbacksClient(r).fetch(ItemType.REVIEW, "acme", since)
    (request,) = r.requests("/api/v1/feedbacks")
    assert request.method == "GET" and request.url.path == "/api/v1/feedbacks"
    assert request.headers["Authorization"] == r.credentials["acme"]["wb_api_token"]
    assert dict(request.url.params) == {
        "isAnswered": "false",
        "take": "5000",
        "order": "dateDesc",
        "dateFrom": str(int(since.timestamp())),
        "skip": "0",
    }
    assert r.limiter.taken == [("wb.feedbacks", "acme")]


def test_since_keeps_items_at_or_after_it_though_wb_takes_whole_seconds() -> None:
    r = rig(malformed_rate=0.0)
    everything = WbFeedbacksClient(r).fetch(ItemType.REVIEW, "acme", None).items
    middle = sorted(everything, key=lambda item: item.created_at)[len(everything) // 2].created_at
    since = middle + timedelta(microseconds=1)  # the row of that very second is before it
    fetched = WbFeedbacksClient(r).fetch(ItemType.REVIEW, "acme", since).items
    assert fetched == tuple(item for item in everything if item.created_at >= since)
    assert middle not in {item.created_at for item in fetched}


def test_pages_through_with_take_and_skip_until_a_short_page() -> None:
    r = rig(malformed_rate=0.0, enforce_quotas=False)
    whole = WbFeedbacksClient(r).fetch(ItemType.QUESTION, "acme", None).items
    r.sent.clear()
    paged = WbFeedbacksClient(r, page_size=3).fetch(ItemType.QUESTION, "acme", None).items
    assert paged == whole
    skips = [int(request.url.params["skip"]) for request in r.sent]
    assert skips == list(range(0, 3 * (len(whole) // 3 + 1), 3))
    assert {request.url.params["take"] for request in r.sent} == {"3"}


def test_answers_are_posted_as_wb_takes_them_and_a_second_is_already_answered() -> None:
    r = rig(malformed_rate=0.0)
    client = WbFeedbacksClient(r)
    review = client.fetch(ItemType.REVIEW, "acme", None).items[0]
    question = client.fetch(ItemType.QUESTION, "acme", None).items[0]
    r.clock.advance(1)  # the quota's second
    assert client.publish(ItemType.REVIEW, "acme", review.external_id, "Спасибо за отзыв!") is PublishOutcome.PUBLISHED
    assert client.publish(ItemType.QUESTION, "acme", question.external_id, "Да, есть.") is PublishOutcome.PUBLISHED
    r.clock.advance(1)
    assert client.publish(ItemType.REVIEW, "acme", review.external_id, "Ещё раз") is PublishOutcome.ALREADY_ANSWERED
    (posted, _) = r.requests("/api/v1/feedbacks/answer")
    assert posted.method == "POST" and json.loads(posted.content) == {
        "id": review.external_id,
        "text": "Спасибо за отзыв!",
    }
    (patched,) = [request for request in r.requests("/api/v1/questions") if request.method == "PATCH"]
    assert json.loads(patched.content) == {"id": question.external_id, "answer": {"text": "Да, есть."}, "state": "wb"}
    assert r.sim.answer_of(WB, ItemType.REVIEW, review.external_id).text == "Спасибо за отзыв!"  # type: ignore[union-attr]
    assert r.sim.double_posts == 1
    r.clock.advance(1)
    remaining = client.fetch(ItemType.REVIEW, "acme", None).items
    assert review.external_id not in {item.external_id for item in remaining}


def test_an_id_the_brand_never_had_is_rejected() -> None:
    r = rig()
    with pytest.raises(RejectedCall) as refused:
        WbFeedbacksClient(r).publish(ItemType.REVIEW, "acme", "ffffffffffffffff", "Спасибо")
    assert refused.value.status == 404 and refused.value.endpoint == "wb.feedbacks.answer"


def test_the_shared_quota_answers_429_and_the_client_waits_retry_after() -> None:
    r = rig(malformed_rate=0.0)
    client = WbFeedbacksClient(r)
    for item_type in (ItemType.REVIEW, ItemType.QUESTION, ItemType.REVIEW, ItemType.QUESTION):
        client.fetch(item_type, "acme", None)  # four calls of one shared 3/s quota
    assert len(r.sent) == 5  # the fourth was refused once, then made after the wait
    assert r.slept == [1.0]


def test_a_wrong_token_is_unauthorised() -> None:
    r = rig()
    r.credentials["acme"]["wb_api_token"] = "not-the-token"
    with pytest.raises(UnauthorisedCall) as refused:
        WbFeedbacksClient(r).fetch(ItemType.REVIEW, "acme", None)
    assert refused.value.status == 401 and len(r.sent) == 1


def test_a_malformed_row_on_demand_is_skipped_and_counted_with_the_rest_kept() -> None:
    r = rig(malformed_rate=0.0)
    clean = WbFeedbacksClient(r).fetch(ItemType.REVIEW, "acme", None)
    r.world.malform("wb.feedbacks")
    r.clock.advance(1)
    spoiled = WbFeedbacksClient(r).fetch(ItemType.REVIEW, "acme", None)
    assert spoiled.items == clean.items
    (reason,) = spoiled.skipped
    assert "productValuation=7" in reason and "id='malformed'" in reason


def test_a_take_over_the_batch_is_refused_by_the_fake_and_by_the_client() -> None:
    r = rig()
    token = {"Authorization": r.credentials["acme"]["wb_api_token"]}
    reply = r.http.get("/api/v1/questions", params={"isAnswered": "false", "take": 5001, "skip": 0}, headers=token)
    assert reply.status_code == 400 and "5000" in reply.json()["detail"]
    with pytest.raises(ValueError, match="page_size=5001"):
        WbFeedbacksClient(r, page_size=5001)


def test_a_rejected_refusal_that_is_not_already_answered_stays_rejected() -> None:
    r = rig()
    with pytest.raises(MarketplaceRejected):
        WbFeedbacksClient(r).publish(ItemType.QUESTION, "acme", "0", "Да")


_moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)).map(
    lambda moment: moment.replace(microsecond=0)
)
_words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)


@settings(max_examples=40, deadline=None)
@given(moment=_moments, rating=st.integers(1, 5), text=_words, nm=st.integers(1, 10**9))
def test_a_review_crosses_the_wire_and_back_unchanged(moment: datetime, rating: int, text: str, nm: int) -> None:
    row = {"id": "abc", "productId": str(nm), "productName": "Платье", "text": text, "author": "Анна", "rating": rating}
    row["createdAt"] = moment.isoformat().replace("+00:00", "Z")
    wire = json.loads(json.dumps(feedback_row(row, "acme")))
    assert datetime.fromisoformat(wire["createdDate"]).utcoffset() == moment.astimezone(MOSCOW).utcoffset()
    item = feedback_item(WbFeedback.model_validate(wire), "acme")
    assert (item.created_at, item.rating, item.text, item.product_id) == (moment, rating, text.strip(), str(nm))
    assert item.created_at.tzinfo is UTC


@settings(max_examples=40, deadline=None)
@given(moment=_moments, text=_words.filter(lambda t: t.strip() != ""))
def test_a_question_crosses_the_wire_and_back_unchanged(moment: datetime, text: str) -> None:
    row = {"id": "q1", "productId": "123", "text": text, "createdAt": moment.isoformat().replace("+00:00", "Z")}
    item = question_item(WbQuestion.model_validate(question_row(row, "acme")), "acme")
    assert (item.created_at, item.text, item.rating) == (moment, text, None)
    assert datetime.fromisoformat(wb_time(row["createdAt"])) == moment


@given(text=_words, pros=_words, cons=_words)
def test_wbs_three_text_fields_join_into_one_keeping_every_word(text: str, pros: str, cons: str) -> None:
    joined = joined_text(text, pros, cons)
    for part in (text, pros, cons):
        assert part.strip() in joined
    assert joined_text(text, "", None) == text.strip()


def test_the_fake_lists_oldest_first_on_date_asc_and_refuses_other_orders() -> None:
    r = rig(malformed_rate=0.0, enforce_quotas=False)
    token = {"Authorization": r.credentials["acme"]["wb_api_token"]}
    params = {"isAnswered": "false", "take": 5000, "skip": 0}
    newest = r.http.get("/api/v1/feedbacks", params={**params, "order": "dateDesc"}, headers=token).json()
    oldest = r.http.get("/api/v1/feedbacks", params={**params, "order": "dateAsc"}, headers=token).json()
    assert newest["data"]["feedbacks"] == oldest["data"]["feedbacks"][::-1]
    assert r.http.get("/api/v1/feedbacks", params={**params, "order": "x"}, headers=token).status_code == 400
