"""The real YM reviews client against the fake goods-feedback and goods-questions in process:
the simulated items come back through YM's shapes (numeric ids, ``Api-Key`` and the cabinet's
``businessId``, ``page_token`` paging, ``dateTimeFrom`` excluded), quotas answer 429 (waited
out when short, ``QuotaExceeded`` when an hour away), malformed rows are skipped and counted,
a second answer reads ALREADY_ANSWERED."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adolf.adapters.marketplaces.fake_server.ym import business_id, feedback_row, question_row
from adolf.adapters.marketplaces.http.auth import HeaderAuth
from adolf.adapters.marketplaces.http.client import MarketplaceHttpClient
from adolf.adapters.marketplaces.http.errors import FailedCall, UnauthorisedCall
from adolf.adapters.marketplaces.http.quotas import HOUR, QUOTAS, SECOND
from adolf.adapters.marketplaces.http.wire_ym_reviews import (
    YmFeedback,
    YmFeedbackDescription,
    YmQuestion,
    feedback_item,
    question_item,
    review_text,
)
from adolf.adapters.marketplaces.http.ym_reviews import YmReviewsClient, business_ids_from_env, date_time_from
from adolf.application.logistic.ozon_fbo import QuotaExceeded
from adolf.application.ports.ads_marketplace import MarketplaceRejected
from adolf.application.reputation.marketplace import PublishOutcome
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import Item, ItemType

from .reputation_harness import CountingLimiter, Rig, reference, rig

YM = Marketplace.YM


def client(r: Rig, **kwargs: int) -> YmReviewsClient:
    return YmReviewsClient(r, {"acme": business_id("acme")}, **kwargs)


def unnamed(items: tuple[Item, ...]) -> tuple[Item, ...]:
    return tuple(replace(item, product_name="") for item in items)  # YM sends no product name


@pytest.mark.parametrize("item_type", list(ItemType))
def test_fetch_brings_the_simulated_items_and_skips_the_same_malformed_rows(item_type: ItemType) -> None:
    r = rig(enforce_quotas=False)
    fetched = client(r).fetch(item_type, "acme", None)
    expected = reference().fetch(YM, item_type, "acme", None)
    assert fetched.items == unnamed(expected.items) and len(fetched.items) > 5
    assert len(fetched.skipped) == len(expected.skipped) > 0


def test_the_list_request_is_yms() -> None:
    r = rig()
    since = datetime(2026, 12, 3, 10, 30, 15, 250_000, tzinfo=UTC)
    client(r).fetch(ItemType.REVIEW, "acme", since)
    (request,) = r.sent
    assert request.method == "POST"
    assert request.url.path == f"/v2/businesses/{business_id('acme')}/goods-feedback"
    assert request.headers["Api-Key"] == r.credentials["acme"]["ym_api_key"]
    assert dict(request.url.params) == {"limit": "50"}
    assert json.loads(request.content) == {
        "reactionStatus": "NEED_REACTION",
        "dateTimeFrom": "2026-12-03T10:30:14+00:00",
    }
    client(r).fetch(ItemType.QUESTION, "acme", None)
    assert r.sent[-1].url.path == f"/v1/businesses/{business_id('acme')}/goods-questions"
    assert json.loads(r.sent[-1].content) == {"answered": False}
    assert r.limiter.taken == [("ym.feedbacks", "acme"), ("ym.questions", "acme")]


def test_since_is_included_though_yms_date_time_from_is_excluded() -> None:
    r = rig(malformed_rate=0.0)
    everything = client(r).fetch(ItemType.REVIEW, "acme", None).items
    middle = sorted(everything, key=lambda item: item.created_at)[len(everything) // 2].created_at
    for since in (middle, middle + timedelta(microseconds=1)):
        fetched = client(r).fetch(ItemType.REVIEW, "acme", since).items
        assert fetched == tuple(item for item in everything if item.created_at >= since)


def test_pages_follow_next_page_token_to_the_last_page() -> None:
    r = rig(malformed_rate=0.0)
    whole = client(r).fetch(ItemType.REVIEW, "acme", None).items
    r.sent.clear()
    assert client(r, page_size=4).fetch(ItemType.REVIEW, "acme", None).items == whole
    tokens = [request.url.params.get("page_token") for request in r.sent]
    assert tokens == [None, *(str(offset) for offset in range(4, len(whole), 4))]


def test_answers_are_posted_as_ym_takes_them_and_a_second_is_already_answered() -> None:
    r = rig(malformed_rate=0.0)
    ym = client(r)
    review = ym.fetch(ItemType.REVIEW, "acme", None).items[0]
    question = ym.fetch(ItemType.QUESTION, "acme", None).items[0]
    assert ym.publish(ItemType.REVIEW, "acme", review.external_id, "Спасибо!") is PublishOutcome.PUBLISHED
    assert ym.publish(ItemType.QUESTION, "acme", question.external_id, "Да.") is PublishOutcome.PUBLISHED
    assert ym.publish(ItemType.QUESTION, "acme", question.external_id, "Да!") is PublishOutcome.ALREADY_ANSWERED
    business = business_id("acme")
    comment, answer, _ = r.sent[2:]
    assert comment.url.path == f"/v2/businesses/{business}/goods-feedback/comments/update"
    assert json.loads(comment.content) == {"feedbackId": int(review.external_id), "comment": {"text": "Спасибо!"}}
    assert answer.url.path == f"/v1/businesses/{business}/goods-questions/update"
    assert json.loads(answer.content) == {
        "operationType": "CREATE",
        "parentEntityId": {"id": int(question.external_id), "type": "QUESTION"},
        "text": "Да.",
    }
    assert r.sim.double_posts == 1
    assert question.external_id not in {item.external_id for item in ym.fetch(ItemType.QUESTION, "acme", None).items}


def test_ids_and_cabinets_ym_cannot_have_are_refused() -> None:
    r = rig()
    with pytest.raises(MarketplaceRejected, match="external_id='abc'"):
        client(r).publish(ItemType.REVIEW, "acme", "abc", "Спасибо")
    with pytest.raises(MarketplaceRejected, match=r"brand=.other. has no Yandex\.Market businessId"):
        client(r).fetch(ItemType.REVIEW, "other", None)
    assert r.sent == []
    with pytest.raises(UnauthorisedCall) as refused:  # a key without access to that cabinet
        YmReviewsClient(r, {"acme": business_id("acme") + 1}).fetch(ItemType.REVIEW, "acme", None)
    assert refused.value.status == 403


def test_a_wrong_api_key_is_unauthorised() -> None:
    r = rig()
    r.credentials["acme"]["ym_api_key"] = "wrong"
    with pytest.raises(UnauthorisedCall) as refused:
        client(r).publish(ItemType.REVIEW, "acme", "123", "Спасибо")
    assert refused.value.status == 401 and refused.value.endpoint == "ym.feedbacks.answer"


def test_a_limit_over_fifty_is_refused_by_the_fake_and_by_the_client() -> None:
    r = rig()
    key = {"Api-Key": r.credentials["acme"]["ym_api_key"]}
    reply = r.http.post(f"/v1/businesses/{business_id('acme')}/goods-questions?limit=51", json={}, headers=key)
    assert reply.status_code == 400 and reply.json()["status"] == "ERROR"
    with pytest.raises(ValueError, match="page_size=51"):
        client(r, page_size=51)


def test_a_malformed_row_on_demand_is_skipped_and_counted_with_the_rest_kept() -> None:
    r = rig(malformed_rate=0.0)
    clean = client(r).fetch(ItemType.REVIEW, "acme", None)
    r.world.malform("ym.feedbacks")
    spoiled = client(r).fetch(ItemType.REVIEW, "acme", None)
    assert spoiled.items == clean.items
    (reason,) = spoiled.skipped
    assert reason.startswith("ym.feedbacks: ") and "statistics.rating=9" in reason


def test_a_short_429_is_waited_out_and_a_long_one_raises_quota_exceeded() -> None:
    quotas = {
        **QUOTAS,
        "ym.feedbacks": replace(QUOTAS["ym.feedbacks"], calls=1, per=SECOND),
        "ym.questions": replace(QUOTAS["ym.questions"], calls=1, per=HOUR),
    }
    r = rig(malformed_rate=0.0, quotas=quotas)
    ym = client(r)
    ym.fetch(ItemType.REVIEW, "acme", None)
    ym.fetch(ItemType.REVIEW, "acme", None)
    assert r.slept == [1.0] and len(r.sent) == 3  # the second call refused once, then made after the wait
    ym.fetch(ItemType.QUESTION, "acme", None)
    with pytest.raises(QuotaExceeded) as late:
        ym.fetch(ItemType.QUESTION, "acme", None)
    assert late.value.retry_after == pytest.approx(3600, abs=2)


_moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))
_words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)


@settings(max_examples=40, deadline=None)
@given(
    moment=_moments.map(lambda m: m.replace(microsecond=0)),
    rating=st.integers(1, 5),
    text=_words,
    ident=st.integers(1, 2**62),
)
def test_a_review_crosses_the_wire_and_back_unchanged(moment: datetime, rating: int, text: str, ident: int) -> None:
    row = {"id": str(ident), "productId": "ACME-0001", "text": text, "author": "Олег", "rating": rating}
    row["createdAt"] = moment.isoformat().replace("+00:00", "Z")
    item = feedback_item(YmFeedback.model_validate(json.loads(json.dumps(feedback_row(row)))), "acme")
    assert (item.external_id, item.created_at, item.rating, item.text) == (str(ident), moment, rating, text.strip())
    assert (item.product_id, item.author) == ("ACME-0001", "Олег")


@settings(max_examples=40, deadline=None)
@given(
    moment=_moments.map(lambda m: m.replace(microsecond=0)), text=_words.filter(str.strip), ident=st.integers(1, 2**62)
)
def test_a_question_crosses_the_wire_and_back_unchanged(moment: datetime, text: str, ident: int) -> None:
    row = {"id": str(ident), "productId": "ACME-0002", "text": text, "createdAt": moment.isoformat()}
    item = question_item(YmQuestion.model_validate(question_row(row, "acme")), "acme")
    assert (item.external_id, item.created_at, item.text, item.rating) == (str(ident), moment, text, None)


@settings(max_examples=60, deadline=None)
@given(since=_moments)
def test_date_time_from_is_the_latest_whole_second_before_since(since: datetime) -> None:
    bound = datetime.fromisoformat(date_time_from(since))
    assert bound < since <= bound + timedelta(seconds=2) and bound.microsecond == 0


@given(comment=_words, pros=_words, cons=_words)
def test_yms_three_text_fields_join_into_one_keeping_every_word(comment: str, pros: str, cons: str) -> None:
    joined = review_text(YmFeedbackDescription(comment=comment, advantages=pros, disadvantages=cons))
    for part in (comment, pros, cons):
        assert part.strip() in joined
    assert review_text(None) == ""


def test_a_page_token_that_comes_back_again_ends_the_fetch_with_an_error() -> None:
    row = feedback_row({"id": "5", "productId": "A-1", "text": "ok", "rating": 5, "createdAt": "2026-12-03T10:00:00Z"})
    reply = {"status": "OK", "result": {"feedbacks": [row], "paging": {"nextPageToken": "again"}}}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=reply))

    class Looping:
        def client(self, api: str, brand: str) -> MarketplaceHttpClient:
            return MarketplaceHttpClient(
                "http://ym.example", brand, HeaderAuth({"Api-Key": "k-123456"}), CountingLimiter(), transport=transport
            )

    with pytest.raises(FailedCall, match="nextPageToken='again' came back a second time"):
        YmReviewsClient(Looping(), {"acme": 1}).fetch(ItemType.REVIEW, "acme", None)


def test_business_ids_come_from_the_environment_per_brand_or_for_all() -> None:
    env = {"ADOLF_YM_BUSINESS_ID__ACME_HOME": "42", "ADOLF_YM_BUSINESS_ID": "7"}
    assert business_ids_from_env(["acme-home", "other"], env) == {"acme-home": 42, "other": 7}
    assert business_ids_from_env(["acme"], {}) == {}
    with pytest.raises(ValueError, match=r"ADOLF_YM_BUSINESS_ID__ACME='x1'"):
        business_ids_from_env(["acme"], {"ADOLF_YM_BUSINESS_ID__ACME": "x1"})


@given(business=st.integers(1, 10**12), brand=st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True))
def test_a_business_id_set_for_a_brand_is_read_back(business: int, brand: str) -> None:
    env = {f"ADOLF_YM_BUSINESS_ID__{brand.upper().replace('-', '_')}": str(business)}
    assert business_ids_from_env([brand], env) == {brand: business}
