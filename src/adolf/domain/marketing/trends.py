"""The direction of a daily metric over the last 14 days.

Rule (SPEC §3 Marketing ``calculate_analytics``: "trends (14 d)"; seed 001 §7.3.6
``analyze_trends(period_days=14)``). The seed does not say how; this project fits a straight
line by ordinary least squares (x = day index 0…n−1) and reads the sign of its slope:

    slope = Σ (x − x̄)(y − ȳ) / Σ (x − x̄)²

The slope is judged relative to the series' mean, so "up 3 rubles a day" means a lot for a
keyword spending 20 a day and nothing for a campaign spending 20 000: the trend is ``flat`` when
|slope| ≤ tolerance × |mean| (default tolerance 0.01 = 1 % of the mean per day, about 13 % over
14 days). A mean of 0 has no scale; there any non-zero slope counts. Fewer than 3 days → ``flat``
with ``enough_data = False``. Only the last ``window`` (14) values are used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from adolf.domain.marketing.anomalies import InvalidSeries, as_decimals

TREND_DAYS = 14
MIN_TREND_DAYS = 3
TREND_TOLERANCE = Decimal("0.01")


class TrendDirection(StrEnum):
    """Up, down, or flat within the tolerance."""

    UP = "up"
    DOWN = "down"
    FLAT = "flat"


@dataclass(frozen=True, slots=True)
class Trend:
    """A series' direction over its last days: the least-squares ``slope`` per day, that slope relative
    to the mean, and whether there were enough days to tell."""

    direction: TrendDirection
    slope: Decimal  # metric units per day
    relative_slope: Decimal | None  # slope / |mean|; None when the mean is 0
    days: int
    enough_data: bool


def least_squares_slope(values: Sequence[Decimal]) -> Decimal:
    """Slope of the least-squares line through (0, v0), (1, v1), …; 0 for fewer than 2 points."""
    n = len(values)
    if n < 2:
        return Decimal(0)
    x_mean = Decimal(n - 1) / 2
    # Σ(x − x̄)(y − ȳ) = Σ(x − x̄)·y because Σ(x − x̄) = 0. This form never divides before the
    # last step, so it is exact for kopeck values and a reversed series gives exactly −slope.
    numerator = sum(((Decimal(x) - x_mean) * y for x, y in enumerate(values)), Decimal(0))
    denominator = sum(((Decimal(x) - x_mean) ** 2 for x in range(n)), Decimal(0))
    return numerator / denominator


def trend(
    series: Sequence[Decimal | int],
    *,
    window: int = TREND_DAYS,
    tolerance: Decimal = TREND_TOLERANCE,
) -> Trend:
    """Up, down or flat over the last ``window`` days of ``series`` (oldest first)."""
    if window < MIN_TREND_DAYS:
        raise InvalidSeries(f"window={window} must be >= {MIN_TREND_DAYS}")
    if tolerance < 0:
        raise InvalidSeries(f"tolerance={tolerance} must be >= 0")
    days = as_decimals(series, "series")[-window:]
    if len(days) < MIN_TREND_DAYS:
        return Trend(TrendDirection.FLAT, Decimal(0), None, len(days), False)
    slope = least_squares_slope(days)
    mean = sum(days, Decimal(0)) / len(days)
    relative = slope / abs(mean) if mean != 0 else None
    # A zero mean gives no scale to judge the slope against; any slope then counts.
    flat = abs(relative) <= tolerance if relative is not None else slope == 0
    direction = TrendDirection.FLAT
    if not flat:
        direction = TrendDirection.UP if slope > 0 else TrendDirection.DOWN
    return Trend(direction, slope, relative, len(days), True)
