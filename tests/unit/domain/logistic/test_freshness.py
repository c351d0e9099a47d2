"""Freshness of the brain_* tables on a fake clock: > 26 h (or never loaded) is stale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.domain.logistic.errors import InvalidLogistic
from adolf.domain.logistic.freshness import BRAIN_TABLES, StaleTable, stale_message, stale_tables
from adolf.domain.logistic.policy import SupplyPolicy

from ..generators import PROPERTY

NOW = datetime(2026, 2, 3, 5, 0, tzinfo=UTC)  # 08:00 Moscow, when check_brain_freshness runs
MAX_AGE = SupplyPolicy().stale_after


def test_the_four_tables_of_the_seed() -> None:
    assert BRAIN_TABLES == (
        "brain_stock_balance",
        "brain_customer_orders",
        "brain_supplier_orders",
        "brain_goods_receipts",
    )


def test_the_boundary_exactly_26_hours_is_fresh_a_second_more_is_stale() -> None:
    exactly = NOW - timedelta(hours=26)
    loaded = dict.fromkeys(BRAIN_TABLES, NOW - timedelta(hours=2))
    assert stale_tables({**loaded, "brain_stock_balance": exactly}, NOW, MAX_AGE) == []
    late = exactly - timedelta(seconds=1)
    assert stale_tables({**loaded, "brain_stock_balance": late}, NOW, MAX_AGE) == [
        StaleTable("brain_stock_balance", late, timedelta(hours=26, seconds=1))
    ]


def test_a_table_never_loaded_is_stale_in_table_order() -> None:
    loaded = {"brain_goods_receipts": NOW - timedelta(days=3), "brain_customer_orders": None}
    assert stale_tables(loaded, NOW, MAX_AGE) == [
        StaleTable("brain_stock_balance", None, None),
        StaleTable("brain_customer_orders", None, None),
        StaleTable("brain_supplier_orders", None, None),
        StaleTable("brain_goods_receipts", NOW - timedelta(days=3), timedelta(days=3)),
    ]


def test_zones_do_not_matter_and_a_clock_ahead_is_fresh() -> None:
    moscow = timezone(timedelta(hours=3))
    loaded = dict.fromkeys(BRAIN_TABLES, datetime(2026, 2, 2, 6, 0, tzinfo=moscow))  # 03:00 UTC, 26 h before
    assert stale_tables(loaded, NOW, MAX_AGE) == []
    ahead = dict.fromkeys(BRAIN_TABLES, NOW + timedelta(minutes=5))
    assert stale_tables(ahead, NOW, MAX_AGE) == []


def test_other_tables_can_be_checked() -> None:
    assert stale_tables({}, NOW, MAX_AGE, tables=("brain_stock_balance",)) == [
        StaleTable("brain_stock_balance", None, None)
    ]


def test_naive_times_and_a_bad_age_are_refused() -> None:
    with pytest.raises(InvalidLogistic, match=r"now=.* time-zone aware"):
        stale_tables({}, datetime(2026, 2, 3), MAX_AGE)
    with pytest.raises(InvalidLogistic, match="loaded_at\\['brain_stock_balance'\\]"):
        stale_tables({"brain_stock_balance": datetime(2026, 2, 3)}, NOW, MAX_AGE)
    with pytest.raises(InvalidLogistic, match=r"max_age=.* must be a timedelta > 0"):
        stale_tables({}, NOW, timedelta(0))


def test_the_message_names_each_stale_table() -> None:
    stale = stale_tables({"brain_stock_balance": NOW - timedelta(hours=30, minutes=59)}, NOW, MAX_AGE)
    assert stale_message(stale[:2]) == (
        "1C data is stale: brain_stock_balance (30 h old), brain_customer_orders (never loaded)"
    )
    assert stale_message([]) == "1C data is fresh"


@PROPERTY
@given(
    ages=st.lists(
        st.none() | st.integers(-3_600, 10 * 86_400).map(lambda s: timedelta(seconds=s)), min_size=4, max_size=4
    ),
    max_hours=st.integers(1, 72),
)
def test_stale_exactly_when_older_than_the_limit_or_never_loaded(ages: list[timedelta | None], max_hours: int) -> None:
    limit = timedelta(hours=max_hours)
    loaded = {table: None if age is None else NOW - age for table, age in zip(BRAIN_TABLES, ages, strict=True)}
    stale = stale_tables(loaded, NOW, limit)
    expected = [table for table, age in zip(BRAIN_TABLES, ages, strict=True) if age is None or age > limit]
    assert [item.table for item in stale] == expected
    for item in stale:
        assert item.age == (None if item.loaded_at is None else NOW - item.loaded_at)
