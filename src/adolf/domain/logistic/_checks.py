"""Small validators shared by Logistic's value objects (messages name field and value)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from adolf.domain.logistic.errors import InvalidLogistic


def whole(name: str, value: object, *, minimum: int = 0) -> int:
    """``value`` if it is an int (not a bool) ≥ ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidLogistic(f"{name}={value!r} must be a whole number")
    if value < minimum:
        raise InvalidLogistic(f"{name}={value!r} must be >= {minimum}")
    return value


def non_negative_decimal(name: str, value: object) -> Decimal:
    """``value`` as a finite Decimal ≥ 0 (an int is accepted and converted; floats never)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidLogistic(f"{name}={value!r} must be a finite Decimal")
    if value < 0:
        raise InvalidLogistic(f"{name}={value!r} must be >= 0")
    return value


def text(name: str, value: object) -> str:
    """``value`` stripped, if it is a non-blank string."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidLogistic(f"{name}={value!r} must be a non-empty string")
    return value.strip()


def aware(name: str, value: object) -> datetime:
    """``value`` if it is a time-zone aware datetime."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidLogistic(f"{name}={value!r} must be a time-zone aware datetime")
    return value
