"""Attainment of a target (``adolf.domain.marketing.attainment``): within ±10 %, bound or free."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from adolf.domain.marketing.attainment import TOLERANCE, achieved, attainment, summarise
from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.constraints import FREE, BidConstraint
from adolf.domain.marketing.metrics import StatsTotals

from .generators import PROPERTY, money, stats_totals

RATIO = st.sampled_from([StrategyType.TARGET_DRR, StrategyType.TARGET_CPO])
CONSTRAINT = st.none() | st.sampled_from([c.value for c in BidConstraint])


@PROPERTY
@given(strategy=RATIO, target=money("0.01", "100000"), totals=stats_totals(), constraint=CONSTRAINT)
def test_within_means_the_achieved_ratio_is_within_ten_percent_of_the_target(
    strategy: StrategyType, target: Decimal, totals: StatsTotals, constraint: str | None
) -> None:
    result = attainment(strategy, target, totals, constraint)
    assert result is not None
    value = achieved(strategy, totals)
    assert result.achieved == value
    assert result.within == (value is not None and abs(value - target) <= target * TOLERANCE)
    assert result.bound == (constraint not in {c.value for c in FREE})
    if value is not None:
        expected = totals.drr if strategy is StrategyType.TARGET_DRR else totals.cpo
        assert value == expected and isinstance(value, Decimal)


@PROPERTY
@given(items=st.lists(st.tuples(RATIO, money("0.01", "1000"), stats_totals(), CONSTRAINT), max_size=12))
def test_the_summary_counts_add_up(items: list[tuple[StrategyType, Decimal, StatsTotals, str | None]]) -> None:
    results = [attainment(s, t, totals, c) for s, t, totals, c in items]
    found = [r for r in results if r is not None]
    summary = summarise(found)
    assert summary.campaigns == len(found)
    assert summary.unbound + sum(summary.bound.values()) == summary.campaigns
    assert summary.unbound_within <= min(summary.unbound, summary.within)
    assert summary.within == sum(r.within for r in found)


def test_strategies_without_a_ratio_target_are_not_judged() -> None:
    for strategy in (StrategyType.MANUAL, StrategyType.TARGET_POSITION):
        assert attainment(strategy, Decimal(10), StatsTotals(), "manual") is None
    assert attainment(StrategyType.TARGET_DRR, None, StatsTotals(), None) is None
