"""Monitoring priority of a competitor: the seed's scoring rule, exactly (SPEC §4.3).

Rule (seed 000 ``_calculate_competitor_priority``), over the last 30 days:

    base 50
    price changes       ≥ 10 → +20, ≥ 5 → +10, 0 → −10          (1…4 → 0)
    average discount    ≥ 30 % → +15, ≥ 15 % → +5                 (else, or none → 0)
    |price gap %|       ≤ 5 → +15, ≤ 15 → +5, > 50 → −10          (15…50, or unknown → 0)
    dumping alerts      ≥ 2 → +20, 1 → +10
    clamp to 0…100

What the seed does, and we keep:
- the price gap is relative to *our* price: ``(competitor − ours) / ours × 100``
  (``_get_price_difference``); only its absolute value counts;
- a missing value scores nothing: no average discount (``if avg_discount and …``), no latest
  competitor price or no price of ours (``return None`` → the proximity block is skipped). The
  seed's ``if not comp_price`` / ``if not our_price`` also treat a 0 price as missing, which
  spares a division by zero; we do the same;
- a price change is a consecutive pair of different non-null prices in time order
  (``_count_price_changes``; ``count_price_changes`` below is that rule, for fakes and tests);
- the latest competitor price is the latest ever observed, not only within the window (the
  seed's query has no date filter); the average discount skips null discounts.

Choices: inputs are plain aggregates (``PriorityInputs``) so ``calculate_priorities`` can feed
them from set-based SQL. The gap bands are compared exactly, by cross-multiplying
(``|c − o| × 100 ≤ 5 × o``) instead of dividing, so a gap of exactly 5 % is never lost to a
rounded quotient. Counts must be ≥ 0, prices ≥ 0; amounts are Decimals (never floats).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import MAX_PREC, Context, Decimal

from adolf.domain.errors import DomainError
from adolf.domain.money import HUNDRED, InvalidMoney, as_decimal, ratio_percent
from adolf.domain.watcher.catalog import BASE_PRIORITY

PRIORITY_WINDOW_DAYS = 30
MIN_PRIORITY = 0
MAX_PRIORITY = 100
_EXACT = Context(prec=MAX_PREC)


class InvalidPriorityInputs(DomainError):
    """A count is negative or not an int, or an amount is not a finite, non-negative Decimal."""


@dataclass(frozen=True, slots=True)
class PriorityInputs:
    """One listing's facts over the last 30 days, as plain aggregates (so set-based SQL can feed them)."""

    changes_30d: int
    avg_discount: Decimal | None
    latest_price: Decimal | None
    our_price: Decimal | None
    dumping_alerts_30d: int

    def __post_init__(self) -> None:
        # Unrolled, not a loop over the names with getattr: a night scores 100 000 of these.
        _check_count("changes_30d", self.changes_30d)
        _check_count("dumping_alerts_30d", self.dumping_alerts_30d)
        if self.avg_discount is not None:
            object.__setattr__(self, "avg_discount", _amount("avg_discount", self.avg_discount))
        if self.latest_price is not None:
            object.__setattr__(self, "latest_price", _amount("latest_price", self.latest_price, non_negative=True))
        if self.our_price is not None:
            object.__setattr__(self, "our_price", _amount("our_price", self.our_price, non_negative=True))


def _check_count(name: str, count: object) -> None:
    if type(count) is not int and (isinstance(count, bool) or not isinstance(count, int)):
        raise InvalidPriorityInputs(f"{name}={count!r} must be an int >= 0")
    if count < 0:
        raise InvalidPriorityInputs(f"{name}={count!r} must be an int >= 0")


def _amount(name: str, raw: object, non_negative: bool = False) -> Decimal:
    # A finite Decimal (what the store hands over) needs no conversion.
    if type(raw) is Decimal and raw.is_finite():
        value = raw
    else:
        try:
            value = as_decimal(raw, name)  # type: ignore[arg-type]
        except InvalidMoney as error:
            raise InvalidPriorityInputs(str(error)) from None
    if non_negative and value < 0:
        raise InvalidPriorityInputs(f"{name}={value} must be >= 0")
    return value


@dataclass(frozen=True, slots=True)
class PriorityScore:
    """The score and the points of each factor (for ``adolf watcher priorities``)."""

    value: int
    price_changes: int
    discount: int
    proximity: int
    dumping: int


def score_priority(inputs: PriorityInputs) -> PriorityScore:
    """The listing's monitoring priority, 0…100, with the points of each factor."""
    parts = (
        _price_change_points(inputs.changes_30d),
        _discount_points(inputs.avg_discount),
        _proximity_points(inputs.latest_price, inputs.our_price),
        _dumping_points(inputs.dumping_alerts_30d),
    )
    value = max(MIN_PRIORITY, min(MAX_PRIORITY, BASE_PRIORITY + sum(parts)))
    return PriorityScore(value, *parts)


def priority(inputs: PriorityInputs) -> int:
    """The score alone, 0…100 (``score_priority``'s value, without building the breakdown)."""
    points = (
        _price_change_points(inputs.changes_30d)
        + _discount_points(inputs.avg_discount)
        + _proximity_points(inputs.latest_price, inputs.our_price)
        + _dumping_points(inputs.dumping_alerts_30d)
    )
    return max(MIN_PRIORITY, min(MAX_PRIORITY, BASE_PRIORITY + points))


def price_gap_percent(latest_price: Decimal | None, our_price: Decimal | None) -> Decimal | None:
    """``(competitor − ours) / ours × 100`` to 2 places, for display; None when either is missing."""
    if not latest_price or not our_price:
        return None
    return ratio_percent(latest_price - our_price, our_price)


def count_price_changes(prices_in_time_order: Iterable[Decimal | None]) -> int:
    """How many times a price differs from the previous non-null one."""
    changes = 0
    previous: Decimal | None = None
    for price in prices_in_time_order:
        if price is None:
            continue
        if previous is not None and price != previous:
            changes += 1
        previous = price
    return changes


def _price_change_points(changes: int) -> int:
    if changes >= 10:
        return 20
    if changes >= 5:
        return 10
    return -10 if changes == 0 else 0


def _discount_points(avg_discount: Decimal | None) -> int:
    if avg_discount is None:
        return 0
    if avg_discount >= 30:
        return 15
    return 5 if avg_discount >= 15 else 0


def _proximity_points(latest_price: Decimal | None, our_price: Decimal | None) -> int:
    if not latest_price or not our_price:  # missing or 0: the seed skips the factor
        return 0
    # Unbounded precision: subtraction and multiplication are then exact for any two Decimals.
    # The context's own methods, not a ``localcontext`` block: the same exactness, without
    # entering and leaving a context for each of the night's 100 000 listings.
    gap = _EXACT.multiply(_EXACT.abs(_EXACT.subtract(latest_price, our_price)), HUNDRED)
    if gap <= _EXACT.multiply(5, our_price):
        return 15
    if gap <= _EXACT.multiply(15, our_price):
        return 5
    return -10 if gap > _EXACT.multiply(50, our_price) else 0


def _dumping_points(alerts: int) -> int:
    if alerts >= 2:
        return 20
    return 10 if alerts == 1 else 0
