"""Safety thresholds for campaigns and keywords, with per-campaign overrides.

Rule (SPEC §4.1 "Safety (defaults, overridable per campaign)"; seed 001 §7.3.3
``check_budgets``). Defaults:

- ``budget_warning_ratio`` 0.80 — spent today ≥ 80 % of the daily limit → alert;
- ``budget_pause_ratio`` 1.00 — spent today ≥ 100 % of the limit → pause. It may be lowered
  (pause earlier) but never above 1.00: spend at the limit always pauses;
- ``max_drr`` 30 (%) — campaign DRR above it → alert;
- ``keyword_max_spend_without_orders`` 500 ₽ — a keyword spending more with no orders → pause;
- ``keyword_drr_pause_factor`` 2.0 — a keyword's DRR ≥ 2 × ``max_drr`` → pause ("far above");
- ``low_ctr_percent`` 0.3 (%) — a keyword's CTR below it → alert, but only after
  ``min_views_for_ctr`` 1000 views (fewer views say nothing about CTR).

Overrides arrive as a mapping (a campaign's settings row); values may be ``Decimal``, ``int``
or numeric strings. Floats are refused, as everywhere money is involved; a JSON reader can
use ``json.loads(text, parse_float=Decimal)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from typing import Any

from adolf.domain.errors import DomainError
from adolf.domain.money import InvalidMoney, as_decimal


class UnknownThreshold(DomainError):
    """An override names a threshold that does not exist."""


class InvalidThreshold(DomainError):
    """A threshold value is of the wrong type or outside its range."""


@dataclass(frozen=True, slots=True)
class SafetyThresholds:
    """The thresholds of the safety checks (defaults above); ``with_overrides`` applies a campaign's own."""

    budget_warning_ratio: Decimal = Decimal("0.80")
    budget_pause_ratio: Decimal = Decimal("1.00")
    max_drr: Decimal = Decimal("30")
    keyword_max_spend_without_orders: Decimal = Decimal("500")
    keyword_drr_pause_factor: Decimal = Decimal("2.0")
    low_ctr_percent: Decimal = Decimal("0.3")
    min_views_for_ctr: int = 1000

    def __post_init__(self) -> None:
        if isinstance(self.min_views_for_ctr, bool) or not isinstance(self.min_views_for_ctr, int):
            raise InvalidThreshold(f"min_views_for_ctr={self.min_views_for_ctr!r} must be an int")
        if self.min_views_for_ctr < 0:
            raise InvalidThreshold(f"min_views_for_ctr={self.min_views_for_ctr} must be >= 0")
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name != "min_views_for_ctr" and (not isinstance(value, Decimal) or not value.is_finite()):
                raise InvalidThreshold(f"{item.name}={value!r} must be a finite Decimal")
        if not Decimal(0) < self.budget_pause_ratio <= 1:
            raise InvalidThreshold(f"budget_pause_ratio={self.budget_pause_ratio} must be in (0, 1]")
        if not Decimal(0) < self.budget_warning_ratio <= self.budget_pause_ratio:
            raise InvalidThreshold(
                f"budget_warning_ratio={self.budget_warning_ratio} must be in "
                f"(0, budget_pause_ratio={self.budget_pause_ratio}]"
            )
        for name in ("max_drr", "keyword_max_spend_without_orders"):
            if getattr(self, name) <= 0:
                raise InvalidThreshold(f"{name}={getattr(self, name)} must be > 0")
        if self.keyword_drr_pause_factor < 1:
            raise InvalidThreshold(f"keyword_drr_pause_factor={self.keyword_drr_pause_factor} must be >= 1")
        if self.low_ctr_percent < 0:
            raise InvalidThreshold(f"low_ctr_percent={self.low_ctr_percent} must be >= 0")

    def overrides(self) -> dict[str, str]:
        """The thresholds that differ from the defaults, as strings: what a campaign stores,
        and what ``with_overrides`` reads back."""
        default = type(self)()
        return {
            item.name: str(getattr(self, item.name))
            for item in fields(self)
            if getattr(self, item.name) != getattr(default, item.name)
        }

    @classmethod
    def with_overrides(cls, overrides: Mapping[str, object], base: SafetyThresholds | None = None) -> SafetyThresholds:
        """``base`` (the defaults when None) with the named thresholds replaced.

        Unknown names raise ``UnknownThreshold``; bad values ``InvalidThreshold``, naming both.
        """
        start = base if base is not None else cls()
        known = {item.name for item in fields(cls)}
        # Any: each value was parsed for its field's type just above; replace() revalidates.
        changes: dict[str, Any] = {}
        for name, value in overrides.items():
            if name not in known:
                listed = ", ".join(sorted(known))
                raise UnknownThreshold(f"{name!r} is not a safety threshold; known: {listed}")
            changes[name] = _parse(name, value)
        return replace(start, **changes)


def _parse(name: str, value: object) -> Decimal | int:
    if name == "min_views_for_ctr":
        if isinstance(value, bool):
            raise InvalidThreshold(f"{name}={value!r} must be a whole number")
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        raise InvalidThreshold(f"{name}={value!r} must be a whole number")
    if not isinstance(value, Decimal | int | str):
        raise InvalidThreshold(f"{name}={value!r} is a {type(value).__name__}; pass a Decimal, int or str")
    try:
        return as_decimal(value, name)
    except InvalidMoney as error:
        raise InvalidThreshold(str(error)) from None
