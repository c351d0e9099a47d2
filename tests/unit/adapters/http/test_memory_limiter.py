"""The in-process limiter: a quota's calls go at once, the next waits for the window or, past
``max_wait``, raises at once with the time it would take. Quotas are per cabinet and group."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adolf.adapters.marketplaces.http.limiter import QuotaWaitExceeded, memory_limiter
from adolf.adapters.marketplaces.http.quotas import MINUTE, SECOND, WB_ADVERT, WB_FEEDBACKS, Quota, build_quotas
from adolf.application.logistic.ozon_fbo import QuotaExceeded
from adolf.application.ports.ads_marketplace import MarketplaceError
from adolf.domain.marketplace import Marketplace


def _quotas(calls: int, per: int = SECOND) -> dict[str, Quota]:
    return build_quotas(
        (
            Quota("t.one", Marketplace.WB, WB_ADVERT, "GET", "/one", calls, per),
            Quota("t.read", Marketplace.WB, WB_FEEDBACKS, "GET", "/r", calls, per, group="shared"),
            Quota("t.write", Marketplace.WB, WB_FEEDBACKS, "POST", "/w", calls, per, group="shared"),
        )
    )


@settings(max_examples=15, deadline=None)
@given(calls=st.integers(1, 20), per=st.sampled_from([SECOND, MINUTE]))
def test_a_quota_admits_its_calls_at_once_and_refuses_the_next_beyond_max_wait(calls: int, per: int) -> None:
    slept: list[float] = []
    limiter = memory_limiter(_quotas(calls, per), max_wait=0, sleep=slept.append)
    cabinet = uuid.uuid4().hex
    for _ in range(calls):
        assert limiter.acquire("t.one", cabinet) < 0.5
    with pytest.raises(QuotaWaitExceeded) as refused:
        limiter.acquire("t.one", cabinet)
    assert isinstance(refused.value, QuotaExceeded) and isinstance(refused.value, MarketplaceError)
    assert 0 < refused.value.retry_after <= per
    assert str(refused.value).startswith(f"t.one: quota wait exceeded for cabinet '{cabinet}'")
    assert slept == []


def test_cabinets_have_quotas_of_their_own_and_a_group_is_one_quota() -> None:
    limiter = memory_limiter(_quotas(2, MINUTE), max_wait=0)
    limiter.acquire("t.read", "acme")
    limiter.acquire("t.write", "acme")
    with pytest.raises(QuotaWaitExceeded):
        limiter.acquire("t.read", "acme")
    limiter.acquire("t.read", "globex")
    limiter.acquire("t.one", "acme")


def test_a_full_window_is_waited_out_within_max_wait() -> None:
    limiter = memory_limiter(_quotas(2, SECOND), max_wait=5)
    limiter.acquire("t.one", "acme")
    limiter.acquire("t.one", "acme")
    waited = limiter.acquire("t.one", "acme")
    assert 0.5 < waited < 3


def test_max_wait_given_per_call_overrides_the_limiters() -> None:
    limiter = memory_limiter(_quotas(1, MINUTE), max_wait=120)
    limiter.acquire("t.one", "acme")
    with pytest.raises(QuotaWaitExceeded, match=r"more than max_wait=1 s"):
        limiter.acquire("t.one", "acme", max_wait=1)


def test_a_negative_max_wait_is_refused() -> None:
    with pytest.raises(ValueError, match=r"max_wait=-1 must be >= 0"):
        memory_limiter(max_wait=-1)
