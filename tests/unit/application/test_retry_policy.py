"""``RetryPolicy``: exponential backoff with a cap and jitter (SPEC §2)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adolf.application.catalogue import CatalogueError, RetryPolicy

PROPERTY = settings(max_examples=200, deadline=None)

delays = st.floats(min_value=0, max_value=10_000, allow_nan=False, allow_infinity=False)
retries = st.integers(min_value=1, max_value=60)


@st.composite
def policies(draw: st.DrawFn, jitter: bool = True) -> RetryPolicy:
    return RetryPolicy(
        max_retries=draw(st.integers(0, 10)),
        delay=draw(delays),
        backoff=draw(st.booleans()),
        max_delay=draw(delays),
        jitter=draw(st.floats(0, 1)) if jitter else 0.0,
    )


@PROPERTY
@given(policies(), retries, st.integers(0, 2**32))
def test_a_delay_never_exceeds_max_delay(policy: RetryPolicy, retry: int, seed: int) -> None:
    assert 0 <= policy.delay_for(retry, random.Random(seed)) <= policy.max_delay


@PROPERTY
@given(policies(), retries, st.integers(0, 2**32))
def test_a_jittered_delay_stays_within_its_share_of_the_base(policy: RetryPolicy, retry: int, seed: int) -> None:
    base = policy.base_delay(retry)
    assert (1 - policy.jitter) * base <= policy.delay_for(retry, random.Random(seed)) <= base


@PROPERTY
@given(policies(jitter=False), retries)
def test_without_jitter_the_delay_is_the_capped_exponential(policy: RetryPolicy, retry: int) -> None:
    raw = policy.delay * 2 ** (retry - 1) if policy.backoff else policy.delay
    assert policy.delay_for(retry) == min(raw, policy.max_delay)
    assert policy.delay_for(retry + 1) >= policy.delay_for(retry)  # never shrinks


@PROPERTY
@given(policies(), st.integers(0, 2**32))
def test_intervals_list_one_wait_per_retry(policy: RetryPolicy, seed: int) -> None:
    intervals = policy.intervals(random.Random(seed))
    assert len(intervals) == policy.max_retries
    assert all(0 <= wait <= policy.max_delay for wait in intervals)


def test_backoff_doubles_from_the_delay_until_the_cap() -> None:
    policy = RetryPolicy(max_retries=6, delay=60, backoff=True, max_delay=600)
    assert policy.intervals() == [60, 120, 240, 480, 600, 600]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_retries": -1}, "max_retries=-1"),
        ({"delay": -1.0}, "delay=-1.0"),
        ({"max_delay": -5.0}, "max_delay=-5.0"),
        ({"jitter": 1.5}, "jitter=1.5"),
    ],
)
def test_an_impossible_policy_is_a_catalogue_error_naming_the_value(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(CatalogueError, match=message):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
