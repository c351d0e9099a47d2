"""The base client's outcomes: retried transient failures, 429 and Retry-After, 4xx never
retried, every error naming its endpoint, the quota taken before every attempt."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from email.utils import format_datetime

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adolf.adapters.marketplaces.http.client import RetryPolicy, retry_after_seconds
from adolf.adapters.marketplaces.http.errors import FailedCall, RejectedCall, UnauthorisedCall
from adolf.application.logistic.ozon_fbo import QuotaExceeded
from adolf.application.ports.ads_marketplace import MarketplaceError, MarketplaceRejected, MarketplaceUnauthorised

from .conftest import NOW, Harness, harness

OK = httpx.Response(200, json={"adverts": []})


def _call(h: Harness) -> httpx.Response:
    return h.client.request("wb.adverts", "GET", "/api/advert/v2/adverts", params={"ids": "1,2"})


def test_5xx_twice_then_ok_returns_the_reply_after_two_backoffs_that_grow(make: Callable[..., Harness]) -> None:
    h = make([httpx.Response(503), httpx.Response(502), OK], retry=RetryPolicy(jitter=0))
    assert _call(h).json() == {"adverts": []}
    assert len(h.marketplace.seen) == 3
    assert h.slept == [0.5, 1.0]


def test_a_503_with_retry_after_waits_that_and_a_long_one_backs_off(make: Callable[..., Harness]) -> None:
    h = make(
        [httpx.Response(503, headers={"Retry-After": "4"}), httpx.Response(503, headers={"Retry-After": "900"}), OK],
        retry=RetryPolicy(jitter=0),
    )
    assert _call(h).status_code == 200
    assert h.slept == [4.0, 1.0]


def test_timeouts_and_refused_connections_are_retried(make: Callable[..., Harness]) -> None:
    h = make([httpx.ConnectTimeout("slow"), httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), OK])
    assert _call(h).status_code == 200
    assert len(h.marketplace.seen) == 4


def test_a_5xx_that_lasts_fails_after_the_bounded_attempts_naming_the_endpoint(make: Callable[..., Harness]) -> None:
    h = make([httpx.Response(500, json={"message": "internal"})], retry=RetryPolicy(attempts=3))
    with pytest.raises(FailedCall) as failed:
        _call(h)
    assert isinstance(failed.value, MarketplaceError) and not isinstance(failed.value, MarketplaceRejected)
    assert failed.value.endpoint == "wb.adverts" and failed.value.status == 500
    assert str(failed.value).startswith("wb.adverts: HTTP 500: internal (after 3 attempts)")
    assert len(h.marketplace.seen) == 3 and len(h.slept) == 2


def test_a_timeout_that_lasts_is_a_failed_call_with_no_status(make: Callable[..., Harness]) -> None:
    h = make([httpx.ReadTimeout("read timed out")], retry=RetryPolicy(attempts=2))
    with pytest.raises(FailedCall, match=r"^wb.adverts: no answer: ReadTimeout") as failed:
        _call(h)
    assert failed.value.status is None


def test_every_attempt_takes_the_quota_first(make: Callable[..., Harness]) -> None:
    h = make([httpx.Response(503), httpx.Response(429, headers={"Retry-After": "1"}), OK])
    _call(h)
    assert h.limiter.taken == [("wb.adverts", "acme")] * 3


@pytest.mark.parametrize(
    ("headers", "waited"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"Retry-After": "2.5"}, 2.5),
        ({"Retry-After": format_datetime(NOW + timedelta(seconds=12), usegmt=True)}, 12.0),
        ({"X-Ratelimit-Retry": "3"}, 3.0),
        ({"Retry-After": format_datetime(NOW - timedelta(seconds=5), usegmt=True)}, 0.0),
    ],
)
def test_429_waits_what_the_marketplace_asks_then_tries_again(
    make: Callable[..., Harness], headers: dict[str, str], waited: float
) -> None:
    h = make([httpx.Response(429, headers=headers), OK])
    assert _call(h).status_code == 200
    assert h.slept == [waited]


def test_429_without_retry_after_backs_off(make: Callable[..., Harness]) -> None:
    h = make([httpx.Response(429), OK], retry=RetryPolicy(jitter=0))
    _call(h)
    assert h.slept == [0.5]


def test_429_asking_longer_than_the_bound_raises_quota_exceeded_at_once(make: Callable[..., Harness]) -> None:
    h = make([httpx.Response(429, headers={"Retry-After": "600"}, json={"detail": "slow down"})])
    with pytest.raises(QuotaExceeded, match=r"^wb.adverts: HTTP 429: slow down") as failed:
        _call(h)
    assert failed.value.retry_after == 600
    assert len(h.marketplace.seen) == 1 and h.slept == []


def test_429_that_lasts_is_quota_exceeded_after_the_attempts(make: Callable[..., Harness]) -> None:
    h = make([httpx.Response(429, headers={"Retry-After": "1"})], retry=RetryPolicy(attempts=3))
    with pytest.raises(QuotaExceeded, match="after 3 attempts") as failed:
        _call(h)
    assert failed.value.retry_after == 1
    assert h.slept == [1.0, 1.0]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"title": "Bad request", "detail": "advert 12 is archived"}, "advert 12 is archived"),  # WB
        ({"code": 3, "message": "sku 99 not found"}, "sku 99 not found"),  # Ozon
        ({"status": "ERROR", "errors": [{"code": "BAD_BID", "message": "bid 12 below 50"}]}, "bid 12 below 50"),  # YM
        ({"error": "wrong ids"}, "wrong ids"),
    ],
)
def test_a_400_is_rejected_with_the_marketplace_message_and_never_retried(
    make: Callable[..., Harness], body: dict[str, object], message: str
) -> None:
    h = make([httpx.Response(400, json=body), OK])
    with pytest.raises(RejectedCall) as rejected:
        _call(h)
    assert str(rejected.value) == f"wb.adverts: HTTP 400: {message}"
    assert rejected.value.detail == message and rejected.value.status == 400
    assert len(h.marketplace.seen) == 1 and h.slept == []


def test_a_plain_text_refusal_is_quoted_as_text(make: Callable[..., Harness]) -> None:
    h = make([httpx.Response(404, text="no such\n  path")])
    with pytest.raises(RejectedCall, match=r"^wb.adverts: HTTP 404: no such path$"):
        _call(h)


@pytest.mark.parametrize("status", [401, 403])
def test_401_and_403_are_unauthorised_and_never_retried(make: Callable[..., Harness], status: int) -> None:
    h = make([httpx.Response(status, json={"message": "token expired"}), OK])
    with pytest.raises(UnauthorisedCall, match=rf"^wb.adverts: HTTP {status}: token expired$") as refused:
        _call(h)
    assert isinstance(refused.value, MarketplaceUnauthorised)
    assert len(h.marketplace.seen) == 1


def test_a_secret_echoed_by_the_marketplace_is_masked_in_the_error(make: Callable[..., Harness]) -> None:
    h = make([httpx.Response(400, json={"message": "token wb-token-0123456789 lacks the scope"})])
    with pytest.raises(RejectedCall) as rejected:
        _call(h)
    assert "wb-token-0123456789" not in str(rejected.value)
    assert "lacks the scope" in str(rejected.value)


def test_a_long_message_is_cut(make: Callable[..., Harness]) -> None:
    h = make([httpx.Response(400, text="x" * 5000)])
    with pytest.raises(RejectedCall) as rejected:
        _call(h)
    assert len(rejected.value.detail) == 300 and rejected.value.detail.endswith("...")


def test_a_reply_that_is_not_json_is_a_failed_call(make: Callable[..., Harness]) -> None:
    h = make([httpx.Response(200, text="<html>maintenance</html>", headers={"content-type": "text/html"})])
    with pytest.raises(FailedCall, match=r"^wb.adverts: HTTP 200: the reply is not JSON \(text/html\)"):
        h.client.request_json("wb.adverts", "GET", "/api/advert/v2/adverts")


def test_the_wrong_method_for_an_endpoint_is_refused_before_any_call(make: Callable[..., Harness]) -> None:
    h = make([OK])
    with pytest.raises(ValueError, match=r"wb.adverts is called with GET, not method='POST'"):
        h.client.request("wb.adverts", "POST", "/api/advert/v2/adverts")
    with pytest.raises(KeyError, match=r"endpoint='wb\.nothing' has no quota"):
        h.client.request("wb.nothing", "GET", "/x")
    assert h.marketplace.seen == [] and h.limiter.taken == []


def test_the_request_goes_to_the_base_url_with_params_body_and_headers(make: Callable[..., Harness]) -> None:
    h = make([httpx.Response(200, json={})])
    h.client.request("wb.bids", "PATCH", "/api/advert/v1/bids", json={"bids": [1]}, headers={"X-Request-Id": "r1"})
    sent = h.marketplace.seen[0]
    assert (sent.method, str(sent.url)) == ("PATCH", "https://advert-api.example/api/advert/v1/bids")
    assert sent.headers["Authorization"] == "wb-token-0123456789" and sent.headers["X-Request-Id"] == "r1"
    assert sent.content == b'{"bids":[1]}'


_4XX = st.integers(400, 499).filter(lambda s: s not in (401, 403, 408, 429))


@settings(max_examples=25, deadline=None)
@given(status=_4XX)
def test_any_other_4xx_is_rejected_after_exactly_one_call(status: int) -> None:
    h = harness([httpx.Response(status), OK])
    with pytest.raises(RejectedCall) as rejected:
        _call(h)
    assert rejected.value.status == status and len(h.marketplace.seen) == 1


@settings(max_examples=25, deadline=None)
@given(status=st.integers(500, 599) | st.just(408), attempts=st.integers(1, 6))
def test_any_5xx_is_tried_exactly_the_bounded_number_of_times(status: int, attempts: int) -> None:
    h = harness([httpx.Response(status)], retry=RetryPolicy(attempts=attempts))
    with pytest.raises(FailedCall):
        _call(h)
    assert len(h.marketplace.seen) == attempts and len(h.slept) == attempts - 1


@settings(max_examples=50, deadline=None)
@given(seconds=st.integers(0, 10**6), as_date=st.booleans())
def test_retry_after_reads_seconds_and_http_dates_alike(seconds: int, as_date: bool) -> None:
    value = format_datetime(NOW + timedelta(seconds=seconds), usegmt=True) if as_date else str(seconds)
    assert retry_after_seconds(value, NOW) == seconds


@pytest.mark.parametrize("value", [None, "", "soon", "nan", "inf", "Mon, 99 Foo"])
def test_an_unreadable_retry_after_is_none(value: str | None) -> None:
    assert retry_after_seconds(value, NOW) is None
