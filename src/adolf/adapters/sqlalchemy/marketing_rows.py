"""Campaign and keyword rows ↔ domain entities.

Safety overrides are stored as the thresholds that differ from the defaults, each as a
string (JSON numbers would come back as floats); reading rebuilds them through
``SafetyThresholds.with_overrides``, so a stored value is validated like any override.
Enum members are looked up in prebuilt dicts: ``keywords_of`` builds 500 000 keywords a cycle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.campaign import Campaign, CampaignStatus, Keyword, KeywordStatus
from adolf.domain.marketing.safety_thresholds import SafetyThresholds
from adolf.domain.marketplace import Marketplace

DEFAULT_SAFETY = SafetyThresholds()
_CAMPAIGN_STATUS = {member.value: member for member in CampaignStatus}
_KEYWORD_STATUS = {member.value: member for member in KeywordStatus}
_MARKETPLACE = {member.value: member for member in Marketplace}


def safety_from(overrides: Mapping[str, Any] | None) -> SafetyThresholds:
    return SafetyThresholds.with_overrides(overrides) if overrides else DEFAULT_SAFETY


def campaign_values(campaign: Campaign, now: datetime) -> dict[str, Any]:
    """Column values of a new row (no id: the database assigns it)."""
    return {
        "marketplace": campaign.marketplace.value,
        "external_id": campaign.external_id,
        "name": campaign.name,
        "brand": campaign.brand,
        "status": campaign.status.value,
        "pause_reason": campaign.pause_reason,
        "strategy": campaign.strategy.value,
        "min_bid": campaign.min_bid,
        "max_bid": campaign.max_bid,
        "daily_budget": campaign.daily_budget,
        "target_position": campaign.target_position,
        "target_drr": campaign.target_drr,
        "target_cpo": campaign.target_cpo,
        "safety_overrides": campaign.safety.overrides(),
        "kill_switch": campaign.kill_switch,
        "dry_run": campaign.dry_run,
        "binding_constraint": campaign.binding_constraint,
        "created_at": now,
        "updated_at": now,
    }


def campaign_from(row: Mapping[Any, Any]) -> Campaign:
    return Campaign(
        id=row["id"],
        marketplace=_MARKETPLACE[row["marketplace"]],
        external_id=row["external_id"],
        name=row["name"],
        brand=row["brand"],
        status=_CAMPAIGN_STATUS[row["status"]],
        strategy=StrategyType.parse(row["strategy"]),
        min_bid=row["min_bid"],
        max_bid=row["max_bid"],
        daily_budget=row["daily_budget"],
        target_position=row["target_position"],
        target_drr=row["target_drr"],
        target_cpo=row["target_cpo"],
        safety=safety_from(row["safety_overrides"]),
        kill_switch=bool(row["kill_switch"]),
        dry_run=bool(row["dry_run"]),
        pause_reason=row["pause_reason"],
        binding_constraint=row["binding_constraint"],
    )


def keyword_values(keyword: Keyword, campaign_id: int) -> dict[str, Any]:
    return {
        "campaign_id": campaign_id,
        "external_id": keyword.external_id,
        "phrase": keyword.phrase,
        "bid": keyword.bid,
        "status": keyword.status.value,
        "pause_reason": keyword.pause_reason,
        "marketplace_min_bid": keyword.marketplace_min_bid,
    }


KEYWORD_COLUMNS = ("id", "campaign_id", "external_id", "phrase", "bid", "status", "pause_reason", "marketplace_min_bid")


def keyword_from(row: Sequence[Any]) -> Keyword:
    """From a row selected in ``KEYWORD_COLUMNS`` order (positional: the hot path)."""
    id_, campaign_id, external_id, phrase, bid, status, pause_reason, min_bid = row
    return Keyword(id_, campaign_id, external_id, phrase, bid, _KEYWORD_STATUS[status], pause_reason, min_bid)
