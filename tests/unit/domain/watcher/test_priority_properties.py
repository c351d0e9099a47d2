"""Priority scoring (SPEC §4.3) against a formula written here from the SPEC's words alone.

``spec_priority`` shares nothing with the implementation: it works in exact fractions and
divides (the implementation cross-multiplies), and reads the bands as the SPEC states them.
Prices are drawn anywhere and also a few kopecks either side of each band edge.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from itertools import groupby

from hypothesis import given
from hypothesis import strategies as st

from adolf.domain.watcher.priority import PriorityInputs, count_price_changes, priority, score_priority

from ..generators import PROPERTY
from .generators import PRICES, near

SPEC_BANDS_OF_THE_GAP = (Decimal(5), Decimal(15), Decimal(50))


def spec_priority(
    changes: int, discount: Decimal | None, latest: Decimal | None, ours: Decimal | None, dumping: int
) -> int:
    score = 50
    if changes >= 10:
        score += 20
    elif changes >= 5:
        score += 10
    elif changes == 0:
        score -= 10
    if discount is not None and discount >= 30:
        score += 15
    elif discount is not None and discount >= 15:
        score += 5
    if latest and ours:
        diff = abs((Fraction(latest) - Fraction(ours)) / Fraction(ours) * 100)
        if diff <= 5:
            score += 15
        elif diff <= 15:
            score += 5
        elif diff > 50:
            score -= 10
    if dumping >= 2:
        score += 20
    elif dumping == 1:
        score += 10
    return min(100, max(0, score))


CHANGES = st.sampled_from([0, 1, 4, 5, 9, 10, 11]) | st.integers(min_value=0, max_value=500)
ALERTS = st.sampled_from([0, 1, 2, 3]) | st.integers(min_value=0, max_value=100)
DISCOUNTS = (
    st.none()
    | st.sampled_from([Decimal(v) for v in ("14.99", "15", "15.00", "29.99", "30", "30.01")])
    | st.decimals(min_value=-10, max_value=99, places=4, allow_nan=False, allow_infinity=False)
)


@st.composite
def price_pairs(draw: st.DrawFn) -> tuple[Decimal | None, Decimal | None]:
    ours = draw(st.none() | PRICES | st.just(Decimal(0)))
    if ours is None or ours == 0 or draw(st.booleans()):
        return draw(st.none() | PRICES), ours
    edge = draw(st.sampled_from(SPEC_BANDS_OF_THE_GAP))
    return draw(near(ours, edge, draw(st.sampled_from((1, -1))))), ours


@PROPERTY
@given(changes=CHANGES, discount=DISCOUNTS, prices=price_pairs(), dumping=ALERTS)
def test_the_score_is_the_specs_formula(
    changes: int, discount: Decimal | None, prices: tuple[Decimal | None, Decimal | None], dumping: int
) -> None:
    latest, ours = prices
    facts = PriorityInputs(changes, discount, latest, ours, dumping)
    got = priority(facts)
    assert got == spec_priority(changes, discount, latest, ours, dumping)
    assert score_priority(facts).value == got  # the breakdown the CLI shows sums to the same score


@PROPERTY
@given(changes=CHANGES, discount=DISCOUNTS, prices=price_pairs(), dumping=ALERTS)
def test_the_score_is_the_clamped_sum_of_its_parts_and_stays_within_0_and_100(
    changes: int, discount: Decimal | None, prices: tuple[Decimal | None, Decimal | None], dumping: int
) -> None:
    score = score_priority(PriorityInputs(changes, discount, *prices, dumping))
    assert 0 <= score.value <= 100
    assert score.value == min(100, 50 + score.price_changes + score.discount + score.proximity + score.dumping)


@PROPERTY
@given(changes=CHANGES, discount=DISCOUNTS, prices=price_pairs(), dumping=ALERTS, more=st.integers(1, 5))
def test_more_dumping_or_more_discount_never_lowers_the_score(
    changes: int, discount: Decimal | None, prices: tuple[Decimal | None, Decimal | None], dumping: int, more: int
) -> None:
    before = priority(PriorityInputs(changes, discount, *prices, dumping))
    assert priority(PriorityInputs(changes, discount, *prices, dumping + more)) >= before
    if discount is not None:
        assert priority(PriorityInputs(changes, discount + more, *prices, dumping)) >= before


@PROPERTY
@given(prices=st.lists(st.none() | st.sampled_from([Decimal("99.90"), Decimal("100"), Decimal("100.00")]) | PRICES))
def test_price_changes_are_the_runs_of_equal_prices_minus_one(prices: list[Decimal | None]) -> None:
    runs = len([key for key, _ in groupby(price for price in prices if price is not None)])
    assert count_price_changes(prices) == max(0, runs - 1)
