"""Money on the wire: the marketplaces' rubles (a JSON number, or a numeric string, with a dot or
a comma) → ``Decimal`` rubles to the kopeck, and back as a JSON number (the fake's side).

Shared by every client whose API speaks plain rubles (WB statistics, YM reports, Ozon
Performance statistics); the other units (kopecks, millionths, percent × 100, whole rubles per
1000 views) are each converted in their API's own wire module.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def money(value: object) -> Decimal:
    """Rubles as the wire has them → ``Decimal`` rubles to the kopeck, half up. A float's
    shortest text is its value: 123.45 reads as 123.45, not 123.4499…; a bool, a negative, an
    infinity or anything not a number is refused naming the value."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"{value!r} is not a number")
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite() or number < 0:
        raise ValueError(f"{value!r} is not a non-negative amount")
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def wire_rubles(amount: Decimal) -> float:
    """The port's rubles → a JSON number (the fake's side of ``money``)."""
    return float(amount.quantize(CENT))
