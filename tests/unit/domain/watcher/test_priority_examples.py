"""Priority scoring (SPEC §4.3), by example: each threshold met and missed, one factor at a time.

The neutral inputs score exactly the base: 1…4 price changes, no discount, no price to compare,
no dumping alert. Every case changes one factor, so the score is 50 + that factor's points.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from adolf.domain.watcher.priority import (
    InvalidPriorityInputs,
    PriorityInputs,
    count_price_changes,
    price_gap_percent,
    priority,
    score_priority,
)

D = Decimal


def inputs(
    changes: int = 3,
    discount: str | None = None,
    latest: str | None = None,
    ours: str | None = None,
    dumping: int = 0,
) -> PriorityInputs:
    return PriorityInputs(
        changes_30d=changes,
        avg_discount=None if discount is None else D(discount),
        latest_price=None if latest is None else D(latest),
        our_price=None if ours is None else D(ours),
        dumping_alerts_30d=dumping,
    )


def test_neutral_inputs_score_the_base_of_50() -> None:
    assert priority(inputs()) == 50


@pytest.mark.parametrize(
    ("changes", "points"),
    [(0, -10), (1, 0), (4, 0), (5, 10), (9, 10), (10, 20), (11, 20), (1000, 20)],
)
def test_price_changes_in_30_days_score_at_5_and_10_and_cost_at_none(changes: int, points: int) -> None:
    assert priority(inputs(changes=changes)) == 50 + points


@pytest.mark.parametrize(
    ("discount", "points"),
    [
        ("0", 0),
        ("14.99", 0),
        ("15", 5),
        ("15.00", 5),
        ("29.99", 5),
        ("29.999999", 5),
        ("30", 15),
        ("75", 15),
        ("-5", 0),
    ],
)
def test_an_average_discount_scores_from_15_and_from_30_percent(discount: str, points: int) -> None:
    assert priority(inputs(discount=discount)) == 50 + points


def test_no_average_discount_scores_nothing() -> None:
    assert score_priority(inputs(discount=None)).discount == 0


@pytest.mark.parametrize(
    ("latest", "points"),
    [
        ("100", 15),  # same price
        ("105", 15),  # +5 % exactly: still "≤ 5"
        ("95", 15),  # −5 % exactly: the absolute gap counts
        ("105.01", 5),
        ("94.99", 5),
        ("115", 5),  # 15 % exactly
        ("85", 5),
        ("115.01", 0),
        ("84.99", 0),
        ("150", 0),  # 50 % exactly is not "> 50"
        ("50", 0),
        ("150.01", -10),
        ("49.99", -10),
        ("1000", -10),
    ],
)
def test_the_gap_to_our_price_scores_within_5_and_15_percent_and_costs_beyond_50(latest: str, points: int) -> None:
    assert priority(inputs(latest=latest, ours="100")) == 50 + points


def test_the_gap_is_relative_to_our_price_not_the_competitors() -> None:
    # 95 vs ours 100: 5 % of ours (but 5.26 % of theirs) → the closest band.
    assert score_priority(inputs(latest="95", ours="100")).proximity == 15
    # 100 vs ours 95: 5.26 % of ours (but only 5 % of theirs) → the next band.
    assert score_priority(inputs(latest="100", ours="95")).proximity == 5


def test_a_gap_that_does_not_divide_evenly_is_judged_exactly() -> None:
    # 1/3 of a kopeck above 5 %: 3 × 1.05 = 3.15 is the band's edge, 3.16 is past it.
    assert score_priority(inputs(latest="3.16", ours="3")).proximity == 5
    assert score_priority(inputs(latest="3.15", ours="3")).proximity == 15


@pytest.mark.parametrize(("latest", "ours"), [(None, "100"), ("100", None), (None, None), ("0", "100"), ("100", "0")])
def test_without_both_prices_proximity_scores_nothing(latest: str | None, ours: str | None) -> None:
    assert score_priority(inputs(latest=latest, ours=ours)).proximity == 0


@pytest.mark.parametrize(("alerts", "points"), [(0, 0), (1, 10), (2, 20), (30, 20)])
def test_dumping_alerts_score_10_for_one_and_20_from_two(alerts: int, points: int) -> None:
    assert priority(inputs(dumping=alerts)) == 50 + points


def test_everything_at_its_best_is_clamped_to_100() -> None:
    score = score_priority(inputs(changes=10, discount="30", latest="100", ours="100", dumping=2))
    assert (score.price_changes, score.discount, score.proximity, score.dumping) == (20, 15, 15, 20)
    assert score.value == 100  # 120 before the clamp


def test_everything_at_its_worst_scores_30() -> None:
    # The seed's factors can take away at most 20, so the lower clamp never bites in practice.
    assert priority(inputs(changes=0, discount="0", latest="1000", ours="100", dumping=0)) == 30


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("changes_30d", -1),
        ("dumping_alerts_30d", -1),
        ("changes_30d", True),
        ("changes_30d", 1.0),
        ("our_price", -1),
        ("latest_price", "-0.01"),
        ("avg_discount", 15.5),
        ("avg_discount", "NaN"),
        ("our_price", "abc"),
    ],
)
def test_bad_inputs_are_refused_naming_the_field(field: str, value: object) -> None:
    values: dict[str, object] = {
        "changes_30d": 1,
        "avg_discount": None,
        "latest_price": None,
        "our_price": None,
        "dumping_alerts_30d": 0,
    }
    values[field] = value
    with pytest.raises(InvalidPriorityInputs, match=field):
        PriorityInputs(**values)  # type: ignore[arg-type]


def test_amounts_from_the_database_may_arrive_as_strings_or_ints() -> None:
    parsed = PriorityInputs(1, "15", 100, "100.00", 0)  # type: ignore[arg-type]
    assert parsed.avg_discount == D("15") and isinstance(parsed.latest_price, Decimal)
    assert priority(parsed) == 50 + 5 + 15


def test_a_price_change_is_a_new_price_after_a_different_one_ignoring_missing_prices() -> None:
    assert count_price_changes([]) == 0
    assert count_price_changes([D("100")]) == 0
    assert count_price_changes([D("100"), D("100.00"), D("100")]) == 0
    assert count_price_changes([D("100"), None, D("90"), D("90"), D("100"), None]) == 2


def test_the_displayed_gap_is_a_percentage_of_our_price_to_2_places() -> None:
    assert price_gap_percent(D("90"), D("100")) == D("-10.00")
    assert price_gap_percent(D("100"), D("3")) == D("3233.33")
    assert price_gap_percent(None, D("3")) is None
    assert price_gap_percent(D("1"), D("0")) is None
