"""Money and ratio helpers.

Rules (SPEC §4.1): money is ``Decimal``, never ``float``; aggregates are rounded to 2 places.
Rounding is ROUND_HALF_UP, the commercial rounding a seller expects from a receipt
(``Decimal``'s default, banker's rounding, would turn 0.125 into 0.12).
"""

from decimal import ROUND_HALF_UP, Decimal

from adolf.domain.errors import DomainError

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)

MoneyInput = Decimal | int | str


class InvalidMoney(DomainError):
    """A value is not an exact, finite amount (a float, NaN, infinity or garbage)."""


def as_decimal(value: MoneyInput, field: str = "value") -> Decimal:
    """Exact ``Decimal`` from a ``Decimal``, ``int`` or numeric string.

    Floats are refused, not converted: a float has already lost the cents we are asked to keep.
    """
    # bool is an int subclass; True rubles is a bug at the call site, not an amount.
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidMoney(f"{field}={value!r} is a {type(value).__name__}; pass a Decimal, int or str")
    try:
        result = Decimal(value)
    except ArithmeticError:  # decimal.InvalidOperation for "abc"
        raise InvalidMoney(f"{field}={value!r} is not a number") from None
    if not result.is_finite():
        raise InvalidMoney(f"{field}={value!r} is not finite")
    return result


def to_money(value: MoneyInput, field: str = "value") -> Decimal:
    """The amount rounded to kopecks (0.01, ROUND_HALF_UP); always exactly 2 decimal places."""
    return as_decimal(value, field).quantize(CENT, rounding=ROUND_HALF_UP)


def ratio(numerator: MoneyInput, denominator: MoneyInput) -> Decimal:
    """``numerator / denominator`` to 2 places; 0.00 when the denominator is 0 (SPEC §4.1)."""
    num = as_decimal(numerator, "numerator")
    den = as_decimal(denominator, "denominator")
    if den == 0:
        return ZERO
    return (num / den).quantize(CENT, rounding=ROUND_HALF_UP)


def ratio_percent(numerator: MoneyInput, denominator: MoneyInput) -> Decimal:
    """``numerator / denominator × 100`` to 2 places; 0.00 when the denominator is 0."""
    num = as_decimal(numerator, "numerator")
    den = as_decimal(denominator, "denominator")
    if den == 0:
        return ZERO
    # Multiply before dividing: one rounding step, so 1/3 gives 33.33, not 33.00.
    return (num * HUNDRED / den).quantize(CENT, rounding=ROUND_HALF_UP)
