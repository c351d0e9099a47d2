"""Deficit, target stock and priority (SPEC §4.4) against formulas written here from the SPEC's words.

The references work in exact fractions (``Fraction``), the implementation in ``Decimal``.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from adolf.domain.logistic.deficit import (
    Need,
    SupplyPriority,
    deficit,
    need_for,
    needs,
    priority_for,
    target_stock,
)
from adolf.domain.logistic.errors import InvalidLogistic
from adolf.domain.logistic.policy import SupplyPolicy
from adolf.domain.logistic.stock import FboStock, days_of_cover

from ..generators import PROPERTY
from .generators import COVERS, T0, UNITS, VELOCITIES, policies, stocks

DAYS = st.integers(min_value=0, max_value=120)


@PROPERTY
@given(target=UNITS, fbo=UNITS, transit=UNITS)
def test_deficit_is_the_spec_formula_and_never_negative(target: int, fbo: int, transit: int) -> None:
    result = deficit(target, fbo, transit)
    assert result == max(0, target - fbo - transit)
    assert result >= 0
    assert result <= target


@pytest.mark.parametrize(("target", "fbo", "transit"), [(-1, 0, 0), (10, -1, 0), (10, 0, -2), (10, True, 0)])
def test_deficit_refuses_negative_or_non_integer_units(target: int, fbo: int, transit: int) -> None:
    with pytest.raises(InvalidLogistic, match="must be an int >= 0"):
        deficit(target, fbo, transit)


@PROPERTY
@given(velocity=VELOCITIES, days=DAYS)
def test_target_stock_is_the_ceiling_of_velocity_times_days(velocity: Decimal, days: int) -> None:
    assert target_stock(velocity, days) == math.ceil(Fraction(velocity) * days)


@PROPERTY
@given(low=VELOCITIES, high=VELOCITIES, short=DAYS, long=DAYS)
def test_target_stock_grows_with_velocity_and_with_days(low: Decimal, high: Decimal, short: int, long: int) -> None:
    low, high = min(low, high), max(low, high)
    short, long = min(short, long), max(short, long)
    assert target_stock(low, short) <= target_stock(high, short)
    assert target_stock(low, short) <= target_stock(low, long)


def test_target_stock_examples() -> None:
    assert target_stock(Decimal("2.5"), 28) == 70
    assert target_stock(Decimal("0.04"), 28) == 2  # 1.12 units: a whole one more
    assert target_stock(Decimal(0), 28) == 0
    with pytest.raises(InvalidLogistic, match="velocity=Decimal\\('-1'\\)"):
        target_stock(Decimal(-1), 28)
    with pytest.raises(InvalidLogistic, match="target_days=-1"):
        target_stock(Decimal(1), -1)


def spec_priority(cover: Decimal | None, policy: SupplyPolicy) -> SupplyPriority | None:
    if cover is None or cover >= policy.recommended_days:
        return None
    if cover >= policy.planned_days:
        return SupplyPriority.RECOMMENDED
    if cover >= policy.urgent_days:
        return SupplyPriority.PLANNED
    return SupplyPriority.URGENT


@PROPERTY
@given(cover=COVERS, policy=policies())
def test_priority_follows_the_bands(cover: Decimal | None, policy: SupplyPolicy) -> None:
    assert priority_for(cover, policy) == spec_priority(cover, policy)


@PROPERTY
@given(policy=policies())
def test_each_bound_belongs_to_the_calmer_side_and_a_tenth_below_to_the_more_pressing(policy: SupplyPolicy) -> None:
    tenth = Decimal("0.1")
    urgent, planned, recommended = (
        Decimal(policy.urgent_days),
        Decimal(policy.planned_days),
        Decimal(policy.recommended_days),
    )
    assert priority_for(urgent - tenth, policy) is SupplyPriority.URGENT
    assert priority_for(urgent, policy) is SupplyPriority.PLANNED
    if policy.planned_days < policy.recommended_days:
        assert priority_for(planned - tenth, policy) is SupplyPriority.PLANNED
        assert priority_for(planned, policy) is SupplyPriority.RECOMMENDED
        assert priority_for(recommended - tenth, policy) is SupplyPriority.RECOMMENDED
    else:
        assert priority_for(planned - tenth, policy) is SupplyPriority.PLANNED
    assert priority_for(recommended, policy) is None
    assert priority_for(Decimal(0), policy) is SupplyPriority.URGENT
    assert priority_for(None, policy) is None


def test_default_bands_by_example() -> None:
    policy = SupplyPolicy()
    cases = {
        "0": "urgent",
        "6.9": "urgent",
        "7.0": "planned",
        "13.9": "planned",
        "14": "recommended",
        "27.9": "recommended",
    }
    for cover, expected in cases.items():
        assert priority_for(Decimal(cover), policy) == SupplyPriority(expected)
    assert priority_for(Decimal(28), policy) is None
    assert [priority.rank for priority in SupplyPriority] == [0, 1, 2]


@PROPERTY
@given(stock=stocks(), policy=policies())
def test_a_need_is_the_composition_of_the_rules(stock: FboStock, policy: SupplyPolicy) -> None:
    cover = days_of_cover(stock.available + stock.in_transit, stock.avg_daily_sales)
    priority = priority_for(cover, policy)
    short = deficit(target_stock(stock.avg_daily_sales, policy.target_days), stock.available, stock.in_transit)
    expected = None
    if priority is not None and short > 0:
        expected = Need(stock.article_id, stock.cluster_id, short, priority, cover, stock.avg_daily_sales)
    assert need_for(stock, policy) == expected


@PROPERTY
@given(stock=stocks(), policy=policies())
def test_every_prioritised_snapshot_has_a_deficit(stock: FboStock, policy: SupplyPolicy) -> None:
    """recommended_days ≤ target_days: a priority is only ever given while a supply can help."""
    cover = days_of_cover(stock.available + stock.in_transit, stock.avg_daily_sales)
    assume(priority_for(cover, policy) is not None)
    need = need_for(stock, policy)
    assert need is not None and need.deficit > 0


@PROPERTY
@given(batch=st.lists(stocks(), max_size=20), policy=policies())
def test_needs_keeps_the_snapshots_with_a_deficit_and_a_priority_in_order(
    batch: list[FboStock], policy: SupplyPolicy
) -> None:
    found = needs(batch, policy)
    expected = [need for need in (need_for(stock, policy) for stock in batch) if need is not None]
    assert found == expected
    assert all(need.deficit > 0 for need in found)


def test_the_supply_on_its_way_counts_and_the_requested_units_do_not() -> None:
    policy = SupplyPolicy()
    base = FboStock(1, 2, available=10, in_transit=0, requested=0, avg_daily_sales=Decimal(5), observed_at=T0)
    need = need_for(base, policy)
    assert need == Need(1, 2, 130, SupplyPriority.URGENT, Decimal("2.0"), Decimal(5))  # 140 − 10
    with_transit = need_for(FboStock(1, 2, 10, 40, 0, Decimal(5), T0), policy)
    assert with_transit == Need(1, 2, 90, SupplyPriority.PLANNED, Decimal("10.0"), Decimal(5))
    with_requested = need_for(FboStock(1, 2, 10, 0, 500, Decimal(5), T0), policy)
    assert with_requested == need
    assert need_for(FboStock(1, 2, 0, 0, 0, Decimal(0), T0), policy) is None  # nothing sells
    assert need_for(FboStock(1, 2, 140, 0, 0, Decimal(5), T0), policy) is None  # 28 days: enough


def test_a_need_refuses_bad_ids_and_negative_deficits_and_reads_a_priority_word() -> None:
    with pytest.raises(InvalidLogistic, match="deficit=-1"):
        Need(1, 2, -1, SupplyPriority.URGENT, None, Decimal(1))
    with pytest.raises(InvalidLogistic, match="article_id=0"):
        Need(0, 2, 1, SupplyPriority.URGENT, None, Decimal(1))
    with pytest.raises(InvalidLogistic, match="priority='soon'"):
        Need(1, 2, 1, "soon", None, Decimal(1))  # type: ignore[arg-type]
    assert Need(1, 2, 1, "Planned", None, Decimal(1)).priority is SupplyPriority.PLANNED  # type: ignore[arg-type]
