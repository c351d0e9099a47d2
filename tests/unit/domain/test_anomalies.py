"""Anomalies: 7-day baseline, |value − mean| > 1.5 × stdev; flat baseline judged relative to the mean."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.domain.marketing.anomalies import Deviation, InvalidSeries, detect_anomaly

from .generators import PROPERTY, money

WEEK = [Decimal(v) for v in ("100", "110", "90", "105", "95", "100", "100")]


def test_a_spend_spike_is_an_anomaly_upwards() -> None:
    check = detect_anomaly(WEEK, Decimal("160"))
    assert check.is_anomaly
    assert check.direction is Deviation.UP
    assert check.mean == Decimal("100")


def test_a_drop_is_an_anomaly_downwards() -> None:
    assert detect_anomaly(WEEK, Decimal("40")).direction is Deviation.DOWN


def test_an_ordinary_day_is_not_an_anomaly() -> None:
    check = detect_anomaly(WEEK, Decimal("108"))
    assert not check.is_anomaly
    assert check.direction is Deviation.NONE


def test_exactly_at_the_threshold_is_not_an_anomaly() -> None:
    baseline = [Decimal(0), Decimal(2), Decimal(0), Decimal(2)]  # mean 1, sample stdev √(4/3)
    check = detect_anomaly(baseline, Decimal(1) + Decimal("1.5") * check_stdev(baseline))
    assert not check.is_anomaly


def check_stdev(baseline: list[Decimal]) -> Decimal:
    return detect_anomaly(baseline, 0).stdev


def test_only_the_last_seven_days_count() -> None:
    old_spike = [Decimal(10_000), *WEEK]
    assert detect_anomaly(old_spike, Decimal("100")).baseline_days == 7
    assert detect_anomaly(old_spike, Decimal("100")).mean == Decimal("100")


def test_with_fewer_than_three_days_nothing_is_an_anomaly() -> None:
    check = detect_anomaly([Decimal(1), Decimal(1)], Decimal(1000))
    assert not check.is_anomaly
    assert not check.enough_data


def test_spend_appearing_after_a_week_of_zeros_is_an_anomaly() -> None:
    assert detect_anomaly([0] * 7, Decimal("0.01")).is_anomaly
    assert not detect_anomaly([0] * 7, 0).is_anomaly


def test_bad_series_values_are_named() -> None:
    with pytest.raises(InvalidSeries, match=r"baseline\[1\]=1.5"):
        detect_anomaly([Decimal(1), 1.5], Decimal(1))  # type: ignore[list-item]
    with pytest.raises(InvalidSeries, match="threshold=0"):
        detect_anomaly(WEEK, Decimal(1), threshold=Decimal(0))


@PROPERTY
@given(level=money("0", "100000"), value=money("0", "200000"))
def test_a_flat_baseline_flags_deviations_over_half_the_mean(level: Decimal, value: Decimal) -> None:
    check = detect_anomaly([level] * 7, value)
    assert check.is_anomaly == (abs(value - level) > level / 2)


@PROPERTY
@given(baseline=st.lists(money("0", "100000"), min_size=3, max_size=7))
def test_the_baseline_mean_itself_is_never_an_anomaly(baseline: list[Decimal]) -> None:
    mean = sum(baseline, Decimal(0)) / len(baseline)
    assert not detect_anomaly(baseline, mean).is_anomaly


@PROPERTY
@given(baseline=st.lists(money("0", "100000"), min_size=3, max_size=7), value=money("0", "300000"))
def test_an_anomaly_always_points_away_from_the_mean(baseline: list[Decimal], value: Decimal) -> None:
    check = detect_anomaly(baseline, value)
    if check.is_anomaly:
        assert (check.direction is Deviation.UP) == (value > check.mean)
    else:
        assert check.direction is Deviation.NONE
