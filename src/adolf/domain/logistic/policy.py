"""The thresholds of Logistic, with documented defaults that configuration may override.

Defaults and where they come from:

- ``target_days`` 28 — days of cover a supply restores (``target_stock = ⌈velocity × 28⌉``).
  Choice: the seed is silent; four weeks is the window Ozon's velocity is averaged over
  (seed 003 ``sync_ozon_analytics``: "Продажи за 28 дней"), so the target is "a window's sales".
- ``urgent_days`` 7, ``planned_days`` 14, ``recommended_days`` 28 — priority of a supply by the
  days of cover left: below 7 urgent, below 14 planned, below 28 recommended, at 28 or more no
  supply. Choice: the seed names the three priorities (``generate_supply_tasks``) but not their
  bounds; a week is about the longest lead time of an FBO supply (booking a slot, transport,
  acceptance), two weeks leaves time to plan one, and nothing is proposed once the target is met.
- ``urgent_stock_days`` 7, ``low_stock_days`` 14 — the alerts ``URGENT_STOCK`` / ``LOW_STOCK`` on
  the cover buyers see now (seed 003 names the alerts, not the bounds; choice: the same week and
  two weeks as the supply priorities, so an urgent alert and an urgent supply agree).
- ``anomaly_factor`` 3 and ``anomaly_min_change`` 10 — a 1C quantity that moved more than 3×
  (up or down) from the last applied one, by at least 10 units, is an anomaly (SPEC: "a jump
  beyond a configured factor of the recent history"; choice of both numbers: 3× is well past a
  day's receipts and sales of a steady warehouse, and 10 units keeps "3 → 0", a sell-out, normal).
- ``max_quantity`` 1 000 000 — more units of one article than a seller's warehouse plausibly holds
  (choice): a quantity above it is an anomaly (a code typed into the quantity column, say).
- ``stale_after`` 26 h — a ``brain_*`` table loaded longer ago is stale (seed 003
  ``check_brain_freshness``: "Алерт если loaded_at старше 26 часов": one daily load plus slack).
- ``task_max_age`` 48 h — a supply task still ``new`` after that is cancelled (seed 003
  ``auto_cancel_expired``: "status='new' AND created_at < NOW() - 48h").

Rules: every day count is an int ≥ 1; ``urgent_days < planned_days ≤ recommended_days ≤
target_days`` (a priority is proposed only while a deficit can exist); ``urgent_stock_days <
low_stock_days``; ``anomaly_factor > 1``; ``anomaly_min_change ≥ 0``; ``max_quantity ≥ 1``;
durations > 0. ``SupplyPolicy.from_mapping`` reads any subset of the fields from configuration
(ints or digit strings; the factor as a number or a string; a duration as a ``timedelta``, a
number of hours, or text such as ``"26h"``, ``"90m"``, ``"2d"``, ``"3600s"``); an unknown key or
a bad value is an ``InvalidLogistic`` naming the key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from numbers import Real

from adolf.domain.logistic.errors import InvalidLogistic

_DAY_FIELDS = (
    "target_days",
    "urgent_days",
    "planned_days",
    "recommended_days",
    "low_stock_days",
    "urgent_stock_days",
)
_DURATION_FIELDS = ("stale_after", "task_max_age")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([dhms]?)\s*$")
_UNIT = {"d": "days", "h": "hours", "": "hours", "m": "minutes", "s": "seconds"}


@dataclass(frozen=True, slots=True)
class SupplyPolicy:
    """Logistic's thresholds (defaults and rules in the module docstring); ``from_mapping`` reads them
    from configuration."""

    target_days: int = 28
    urgent_days: int = 7
    planned_days: int = 14
    recommended_days: int = 28
    low_stock_days: int = 14
    urgent_stock_days: int = 7
    anomaly_factor: Decimal = Decimal(3)
    anomaly_min_change: int = 10
    max_quantity: int = 1_000_000
    stale_after: timedelta = timedelta(hours=26)
    task_max_age: timedelta = timedelta(hours=48)

    def __post_init__(self) -> None:
        for name in _DAY_FIELDS:
            value = getattr(self, name)
            if type(value) is not int or value < 1:
                raise InvalidLogistic(f"{name}={value!r} must be an int >= 1 (days)")
        if not self.urgent_days < self.planned_days:
            raise InvalidLogistic(f"urgent_days={self.urgent_days} must be < planned_days={self.planned_days}")
        if not self.planned_days <= self.recommended_days:
            raise InvalidLogistic(
                f"planned_days={self.planned_days} must be <= recommended_days={self.recommended_days}"
            )
        if not self.recommended_days <= self.target_days:
            raise InvalidLogistic(
                f"recommended_days={self.recommended_days} must be <= target_days={self.target_days}"
                " (a supply is proposed only while it can restore the target)"
            )
        if not self.urgent_stock_days < self.low_stock_days:
            raise InvalidLogistic(
                f"urgent_stock_days={self.urgent_stock_days} must be < low_stock_days={self.low_stock_days}"
            )
        factor = self.anomaly_factor
        if not isinstance(factor, Decimal) or not factor.is_finite() or factor <= 1:
            raise InvalidLogistic(f"anomaly_factor={factor!r} must be a finite Decimal > 1")
        if type(self.anomaly_min_change) is not int or self.anomaly_min_change < 0:
            raise InvalidLogistic(f"anomaly_min_change={self.anomaly_min_change!r} must be an int >= 0")
        if type(self.max_quantity) is not int or self.max_quantity < 1:
            raise InvalidLogistic(f"max_quantity={self.max_quantity!r} must be an int >= 1")
        for name in _DURATION_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, timedelta) or value <= timedelta(0):
                raise InvalidLogistic(f"{name}={value!r} must be a timedelta > 0")

    @classmethod
    def from_mapping(cls, values: Mapping[str, object], base: SupplyPolicy | None = None) -> SupplyPolicy:
        """``base`` (the defaults when None) with the fields ``values`` names replaced."""
        known = {field.name for field in fields(cls)}
        changes: dict[str, object] = {}
        for key, raw in values.items():
            if key not in known:
                raise InvalidLogistic(f"{key}={raw!r}: unknown Logistic setting (known: {', '.join(sorted(known))})")
            if key in _DURATION_FIELDS:
                changes[key] = _duration(key, raw)
            elif key == "anomaly_factor":
                changes[key] = _decimal(key, raw)
            else:
                changes[key] = _int(key, raw)
        return replace(base if base is not None else cls(), **changes)  # type: ignore[arg-type]


def from_mapping(values: Mapping[str, object], base: SupplyPolicy | None = None) -> SupplyPolicy:
    """``SupplyPolicy.from_mapping``."""
    return SupplyPolicy.from_mapping(values, base)


def _int(key: str, raw: object) -> int:
    if type(raw) is int:
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("+-").isdigit():
        return int(raw.strip())
    raise InvalidLogistic(f"{key}={raw!r} must be a whole number")


def _decimal(key: str, raw: object) -> Decimal:
    if isinstance(raw, bool):
        raise InvalidLogistic(f"{key}={raw!r} must be a number")
    try:
        if isinstance(raw, Decimal | int):
            return Decimal(raw)
        if isinstance(raw, str | Real):
            return Decimal(str(raw).strip())
    except InvalidOperation:
        pass
    raise InvalidLogistic(f"{key}={raw!r} must be a number")


def _duration(key: str, raw: object) -> timedelta:
    if isinstance(raw, timedelta):
        return raw
    if isinstance(raw, bool):
        raise InvalidLogistic(f"{key}={raw!r} must be a duration (timedelta, hours, or text like '26h')")
    text = str(raw) if isinstance(raw, int | Decimal | str | Real) else ""
    match = _DURATION.match(text)
    if match is None:
        raise InvalidLogistic(f"{key}={raw!r} must be a duration (timedelta, hours, or text like '26h')")
    amount = Decimal(match.group(1))
    seconds_per = {"days": 86_400, "hours": 3_600, "minutes": 60, "seconds": 1}[_UNIT[match.group(2)]]
    return timedelta(seconds=int(amount * seconds_per))
