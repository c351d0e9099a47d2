"""The endpoint table holds SPEC §6's quotas and batch limits; a bad entry is refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adolf.adapters.marketplaces.http.quotas import (
    APIS,
    HOUR,
    MINUTE,
    QUOTA_TABLE,
    QUOTAS,
    SECOND,
    WB_ADVERT,
    Quota,
    build_quotas,
    quota_of,
)
from adolf.application.logistic.ozon_fbo import ANALYTICS_LIMIT, STOCKS_BATCH
from adolf.domain.marketplace import Marketplace


@pytest.mark.parametrize(
    ("endpoint", "calls", "per", "batch"),
    [
        ("wb.adverts", 5, SECOND, 50),
        ("wb.bids", 5, SECOND, 50),
        ("wb.fullstats", 3, MINUTE, 50),
        ("wb.normquery.stats", 10, MINUTE, None),
        ("wb.normquery.bids", 2, SECOND, None),
        ("wb.pause", 5, SECOND, None),
        ("ym.bids", 1000, MINUTE, 1500),
        ("ym.feedbacks", 1000, HOUR, None),
        ("ym.questions", 10_000, HOUR, None),
        ("ozon.analytics", 1, MINUTE, ANALYTICS_LIMIT),
        ("ozon.stocks", 5, SECOND, STOCKS_BATCH),
    ],
)
def test_spec_quotas_and_batches(endpoint: str, calls: int, per: int, batch: int | None) -> None:
    quota = quota_of(endpoint)
    assert (quota.calls, quota.per, quota.batch) == (calls, per, batch)


def test_wb_feedbacks_and_questions_share_one_quota_of_3_a_second() -> None:
    members = [q for q in QUOTA_TABLE if q.group == "wb.feedbacks_questions"]
    assert {q.endpoint for q in members} == {
        "wb.feedbacks",
        "wb.feedbacks.answer",
        "wb.questions",
        "wb.questions.answer",
    }
    assert {(q.calls, q.per) for q in members} == {(3, SECOND)}


def test_every_other_endpoint_is_its_own_group_on_a_known_host() -> None:
    for quota in QUOTA_TABLE:
        assert quota.api in APIS
        if quota.group != "wb.feedbacks_questions":
            assert quota.group == quota.endpoint
        assert quota.marketplace.value == quota.endpoint.split(".")[0].split("_")[0]


def test_only_figures_spec_gives_are_marked_documented() -> None:
    assumed = {q.endpoint for q in QUOTA_TABLE if not q.documented}
    assert "wb.bids" not in assumed and "ozon.analytics" not in assumed
    assert "ozon_perf.campaigns" in assumed


def test_an_endpoint_listed_twice_or_a_group_stated_two_ways_is_refused() -> None:
    one = Quota("x.a", Marketplace.WB, WB_ADVERT, "GET", "/a", 5, SECOND, group="g")
    with pytest.raises(ValueError, match=r"endpoint 'x\.a' is listed twice"):
        build_quotas((one, one))
    other = Quota("x.b", Marketplace.WB, WB_ADVERT, "GET", "/b", 3, SECOND, group="g")
    with pytest.raises(ValueError, match=r"group 'g': x\.b states a different quota"):
        build_quotas((one, other))


@settings(max_examples=40, deadline=None)
@given(calls=st.integers(-5, 5), per=st.sampled_from([0, 1, 2, 60, 3600, 86400]), batch=st.integers(-2, 2))
def test_a_quota_is_refused_unless_calls_window_and_batch_make_sense(calls: int, per: int, batch: int) -> None:
    valid = calls >= 1 and per in (1, 60, 3600) and batch >= 1
    if valid:
        quota = Quota("x.y", Marketplace.YM, "ym", "GET", "/y", calls, per, batch=batch)
        assert quota.interval == per / calls
    else:
        with pytest.raises(ValueError, match=r"(calls|per|batch)=-?\d+ must be .* \(endpoint x.y\)"):
            Quota("x.y", Marketplace.YM, "ym", "GET", "/y", calls, per, batch=batch)


def test_the_table_is_indexed_by_endpoint() -> None:
    assert len(QUOTAS) == len(QUOTA_TABLE)
    assert quota_of("ym.bids").path == "/v2/businesses/{id}/bids"
