"""The average time to answer, for the Office board's ``avg_response_min`` (SPEC §5; seed 002:
``AVG(response_time)``).

``average_minutes`` is the mean of the minutes from an item's creation to its answer's
publication, rounded half-up to one decimal place; None when nothing was answered (the board
shows "no answers", not 0 minutes, which would read as instant). A negative duration is clock
skew between the marketplace's creation time and ours (an answer cannot precede its item) and
counts as 0 minutes rather than dragging the mean down or failing the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from adolf.domain.reputation.errors import InvalidReputation

__all__ = ["average_minutes"]

_ONE_PLACE = Decimal("0.1")


def average_minutes(minutes: Sequence[Decimal]) -> Decimal | None:
    """Mean minutes to answer, 1 place, half-up; None for no answers."""
    total = Decimal(0)
    for i, value in enumerate(minutes):
        if not isinstance(value, Decimal) or not value.is_finite():
            raise InvalidReputation(f"minutes[{i}]={value!r} must be a finite Decimal")
        total += max(value, Decimal(0))
    if not minutes:
        return None
    return (total / len(minutes)).quantize(_ONE_PLACE, rounding=ROUND_HALF_UP)
