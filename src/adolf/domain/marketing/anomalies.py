"""Anomaly detection for a daily metric (spend, CTR, CPO, DRR, …).

Rule (SPEC §3 Marketing ``calculate_analytics``; seed 001 §7.3.6
``detect_anomalies(period_days=7, threshold=1.5)``): today's value is an anomaly when it is
further from the mean of the last 7 days than ``threshold`` standard deviations:

    |value − mean| > threshold × stdev          (threshold 1.5, strictly greater)

Choices where the seed is silent:
- stdev is the *sample* standard deviation (n − 1): the 7 days are a sample of the metric's
  behaviour, not the whole population.
- A flat baseline (stdev = 0) would make any change infinitely many deviations away, so there
  the rule is relative instead: an anomaly when |value − mean| > 50 % of |mean|. A baseline of
  all zeros therefore flags any non-zero value (spend appearing from nothing is worth a look).
- Fewer than 3 baseline days: not enough to call anything unusual → never an anomaly.
- Only the last ``window`` (7) values of a longer series are used.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from adolf.domain.errors import DomainError

ANOMALY_THRESHOLD = Decimal("1.5")
BASELINE_DAYS = 7
MIN_BASELINE_DAYS = 3
FLAT_BASELINE_TOLERANCE = Decimal("0.5")


class InvalidSeries(DomainError):
    """A series or a parameter of an analysis is unusable."""


class Deviation(StrEnum):
    """Which way an anomaly left its baseline (``none`` when it is not one)."""

    UP = "up"
    DOWN = "down"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class AnomalyCheck:
    """The verdict on today's value: the baseline's ``mean`` and ``stdev``, whether it is an anomaly
    and which way; with fewer than 3 baseline days ``enough_data`` is False and it never is one."""

    value: Decimal
    mean: Decimal
    stdev: Decimal
    is_anomaly: bool
    direction: Deviation  # which way today's value left the baseline; NONE when not an anomaly
    baseline_days: int
    enough_data: bool


def as_decimals(series: Sequence[Decimal | int], field: str) -> list[Decimal]:
    """Exact decimals; ints are lifted (``statistics`` would turn ints into floats)."""
    result: list[Decimal] = []
    for index, item in enumerate(series):
        if isinstance(item, bool) or not isinstance(item, Decimal | int):
            raise InvalidSeries(f"{field}[{index}]={item!r} must be a Decimal or int")
        value = Decimal(item)
        if not value.is_finite():
            raise InvalidSeries(f"{field}[{index}]={item!r} must be finite")
        result.append(value)
    return result


def detect_anomaly(
    baseline: Sequence[Decimal | int],
    value: Decimal | int,
    *,
    threshold: Decimal = ANOMALY_THRESHOLD,
    window: int = BASELINE_DAYS,
    flat_tolerance: Decimal = FLAT_BASELINE_TOLERANCE,
) -> AnomalyCheck:
    """Is ``value`` (today) unusual against ``baseline`` (the previous days, oldest first)?"""
    if threshold <= 0:
        raise InvalidSeries(f"threshold={threshold} must be > 0")
    if window < MIN_BASELINE_DAYS:
        raise InvalidSeries(f"window={window} must be >= {MIN_BASELINE_DAYS}")
    days = as_decimals(baseline, "baseline")[-window:]
    today = as_decimals([value], "value")[0]
    if len(days) < MIN_BASELINE_DAYS:
        return AnomalyCheck(today, Decimal(0), Decimal(0), False, Deviation.NONE, len(days), False)
    mean = sum(days, Decimal(0)) / len(days)
    stdev = statistics.stdev(days, xbar=mean)
    distance = abs(today - mean)
    # A flat baseline has no spread to measure against: judge relative to the mean instead.
    limit = flat_tolerance * abs(mean) if stdev == 0 else threshold * stdev
    is_anomaly = distance > limit
    direction = Deviation.NONE
    if is_anomaly:
        direction = Deviation.UP if today > mean else Deviation.DOWN
    return AnomalyCheck(today, mean, stdev, is_anomaly, direction, len(days), True)
