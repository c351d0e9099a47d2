"""The archive's 365-day bound (exactly 365 d stays live) and the average minutes to answer."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.domain.reputation.archive import ARCHIVE_AFTER, ARCHIVED_STATUSES, archivable, archive_cutoff
from adolf.domain.reputation.errors import InvalidReputation
from adolf.domain.reputation.items import Item
from adolf.domain.reputation.lifecycle import ItemStatus
from adolf.domain.reputation.response_time import average_minutes

from ..generators import PROPERTY
from .reputation_generators import NOW, items


def test_the_cutoff_is_365_days_back() -> None:
    assert timedelta(days=365) == ARCHIVE_AFTER
    assert archive_cutoff(NOW) == NOW - timedelta(days=365)
    with pytest.raises(InvalidReputation, match="now="):
        archive_cutoff(datetime(2026, 1, 1))


@PROPERTY
@given(items(), st.sampled_from(ItemStatus))
def test_exactly_365_days_stays_a_microsecond_more_goes_if_finished(item: Item, status: ItemStatus) -> None:
    at_bound = replace(item, status=status, created_at=NOW - ARCHIVE_AFTER)
    assert archivable(at_bound, NOW) is False
    older = replace(at_bound, created_at=at_bound.created_at - timedelta(microseconds=1))
    assert archivable(older, NOW) is (status in ARCHIVED_STATUSES)


@PROPERTY
@given(items(), st.integers(0, 3 * 365 * 24 * 60))
def test_unfinished_items_are_never_archived(item: Item, age_minutes: int) -> None:
    for status in set(ItemStatus) - ARCHIVED_STATUSES:
        old = replace(item, status=status, created_at=NOW - timedelta(minutes=age_minutes))
        assert archivable(old, NOW) is False


def test_average_minutes_by_hand() -> None:
    assert average_minutes([]) is None
    assert average_minutes([Decimal("10"), Decimal("20.25")]) == Decimal("15.1")  # 15.125 → 15.1
    assert average_minutes([Decimal("0.05")]) == Decimal("0.1")  # half-up
    assert average_minutes([Decimal("-3"), Decimal("9")]) == Decimal("4.5")  # skew counts as 0


@PROPERTY
@given(st.lists(st.decimals(min_value=0, max_value=100_000, places=3), min_size=1, max_size=50))
def test_the_average_lies_between_the_fastest_and_the_slowest(minutes: list[Decimal]) -> None:
    average = average_minutes(minutes)
    assert average is not None and average == average.quantize(Decimal("0.1"))
    assert min(minutes) - Decimal("0.05") <= average <= max(minutes) + Decimal("0.05")


def test_a_non_decimal_minute_is_refused_by_position() -> None:
    with pytest.raises(InvalidReputation, match=r"minutes\[1\]=nan"):
        average_minutes([Decimal(1), float("nan")])  # type: ignore[list-item]
