"""What an operator may change on a campaign, and the rules every change must keep.

Campaigns arrive from the marketplace (``sync_campaigns``) with the manual strategy; a
manager then gives each one its strategy, bounds, targets and safety overrides. Rules:

- ``min_bid`` > 0 and ``min_bid`` ≤ ``max_bid`` (SPEC §4.1: every bid stays within them);
- ``daily_budget`` unset or > 0; ``target_position`` unset or ≥ 1; ``target_drr`` unset or in
  (0, 100] (percent); ``target_cpo`` unset or > 0 (rubles);
- a strategy needs its target: ``target_position`` / ``target_drr`` / ``target_cpo``;
- safety overrides follow ``SafetyThresholds`` (unknown names and bad values are refused);
- an amount has at most ``PLACES`` (2) decimal places — ``0.001`` is refused, never rounded to
  ``0.00`` — and fits the column that stores it (``STORED_MAX``: bids ``Numeric(12, 2)``,
  budgets and CPO ``Numeric(14, 2)``, positions and DRR ``Numeric(8, 2)``).

Values may be typed or strings as a CLI or an API receives them; ``"none"`` (or ``""``)
clears an optional one. Every refusal names the field and the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from adolf.domain.errors import DomainError
from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.campaign import Campaign
from adolf.domain.marketing.safety_thresholds import SafetyThresholds
from adolf.domain.money import InvalidMoney, as_decimal


class InvalidCampaignSettings(DomainError):
    """A campaign setting is unknown, of the wrong type or breaks a rule above."""


DECIMALS = ("min_bid", "max_bid", "daily_budget", "target_position", "target_drr", "target_cpo")
OPTIONAL = ("daily_budget", "target_position", "target_drr", "target_cpo")
FLAGS = ("kill_switch", "dry_run")
SETTABLE = ("strategy", *DECIMALS, *FLAGS)
TARGET_OF = {
    StrategyType.TARGET_POSITION: "target_position",
    StrategyType.TARGET_DRR: "target_drr",
    StrategyType.TARGET_CPO: "target_cpo",
}
PLACES = 2
_BID, _MONEY, _RANK = Decimal("9999999999.99"), Decimal("999999999999.99"), Decimal("999999.99")
#: The largest value each setting's column holds (adapters/sqlalchemy/tables.py: Bid, Money, Rank).
STORED_MAX = {
    "min_bid": _BID,
    "max_bid": _BID,
    "daily_budget": _MONEY,
    "target_cpo": _MONEY,
    "target_position": _RANK,
    "target_drr": _RANK,
}
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
_CLEAR = {"", "none", "null"}


def change_settings(
    campaign: Campaign, changes: Mapping[str, object], safety: Mapping[str, object] | None = None
) -> Campaign:
    """``campaign`` with ``changes`` and ``safety`` overrides applied, checked as a whole."""
    parsed: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in SETTABLE:
            raise InvalidCampaignSettings(f"{name!r} is not a campaign setting; known: {', '.join(SETTABLE)}")
        parsed[name] = _parse(name, value)
    if safety:
        parsed["safety"] = SafetyThresholds.with_overrides(safety, base=campaign.safety)
    updated = replace(campaign, **parsed)
    check_settings(updated)
    return updated


def check_settings(campaign: Campaign) -> None:
    """Raise ``InvalidCampaignSettings`` when ``campaign``'s settings break a rule."""
    if campaign.min_bid <= 0:
        raise InvalidCampaignSettings(f"min_bid={campaign.min_bid} must be > 0")
    if campaign.max_bid < campaign.min_bid:
        raise InvalidCampaignSettings(f"max_bid={campaign.max_bid} is below min_bid={campaign.min_bid}")
    for name in ("daily_budget", "target_cpo"):
        value = getattr(campaign, name)
        if value is not None and value <= 0:
            raise InvalidCampaignSettings(f"{name}={value} must be > 0")
    if campaign.target_position is not None and campaign.target_position < 1:
        raise InvalidCampaignSettings(f"target_position={campaign.target_position} must be >= 1")
    if campaign.target_drr is not None and not Decimal(0) < campaign.target_drr <= 100:
        raise InvalidCampaignSettings(f"target_drr={campaign.target_drr} must be in (0, 100] percent")
    target = TARGET_OF.get(campaign.strategy)
    if target is not None and getattr(campaign, target) is None:
        raise InvalidCampaignSettings(f"strategy={campaign.strategy.value} needs {target}; it is unset")


def _parse(name: str, value: object) -> object:
    if name == "strategy":
        if isinstance(value, StrategyType):
            return value
        try:
            return StrategyType.parse(str(value).strip())
        except ValueError as error:
            raise InvalidCampaignSettings(str(error)) from None
    if name in FLAGS:
        return _flag(name, value)
    if name in OPTIONAL and (value is None or (isinstance(value, str) and value.strip().lower() in _CLEAR)):
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidCampaignSettings(f"{name}={value!r} is a {type(value).__name__}; pass a Decimal, int or str")
    try:
        amount = as_decimal(value.strip() if isinstance(value, str) else value, name)
    except InvalidMoney as error:
        raise InvalidCampaignSettings(str(error)) from None
    shown = str(amount) if len(str(amount)) <= 40 else str(amount)[:39] + "…"
    if _places(amount) > PLACES:
        raise InvalidCampaignSettings(f"{name}={shown} has more than {PLACES} decimal places (refused, not rounded)")
    if abs(amount) > STORED_MAX[name]:
        raise InvalidCampaignSettings(f"{name}={shown} is beyond {STORED_MAX[name]}, the most it can be stored as")
    return amount


def _places(value: Decimal) -> int:
    """Decimal places of a finite ``value``, trailing zeros not counted (``1.50`` has 1)."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -exponent - trailing) if any(digits) else 0


def _flag(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidCampaignSettings(f"{name}={value!r} must be true or false")
