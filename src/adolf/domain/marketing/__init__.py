"""Marketing: advertising bids on WB, Ozon and Yandex.Market, decided by rule (SPEC §3, §4.1).

What another application uses:

- **metrics** — `StatsTotals` (one window of views, clicks, orders, spend, revenue; windows
  add up with ``+``) and the ratios `ctr`, `cpc`, `cpo`, `drr`, 0 on a zero denominator;
- **strategies** — `compute_bid` runs a `StrategyType` (``manual``, ``target_position``,
  ``target_drr``, ``target_cpo``) on a keyword's `BidContext` and answers a `BidDecision`
  naming its `BidReason` and the `BidConstraint` that bound it; `BidTuning` holds the knobs;
- **safety** — `check_campaign` and `check_keyword` answer a `SafetyVerdict` (carry on, alert,
  pause) against `SafetyThresholds`;
- **the planner** — `plan_campaign` decides one campaign's turn of the bid cycle (safety,
  switches, every keyword's bid, alerts) into a `CampaignPlan`;
- **analytics** — `detect_anomaly` of a day against its week, the `trend` of a fortnight, and
  whether target campaigns are within their targets (`Attainment`, `summarise`).

Judge a keyword's week and ask the ``target_drr`` strategy for its bid (a CPC bid, the
default `Pricing`): at 15 % DRR the week's revenue per click affords 15 ₽, and one cycle
raises a bid by 15 % at most:

>>> from decimal import Decimal
>>> from adolf.domain.marketing import BidContext, StatsTotals, check_keyword, compute_bid
>>> week = StatsTotals(views=12_000, clicks=400, orders=20, spent=Decimal("4000"), revenue=Decimal("40000"))
>>> week.ctr, week.cpc, week.drr
(Decimal('3.33'), Decimal('10.00'), Decimal('10.00'))
>>> check_keyword(week).action
<SafetyAction.OK: 'OK'>
>>> ctx = BidContext(
...     current_bid=Decimal("10"), min_bid=Decimal("5"), max_bid=Decimal("30"), stats=week, target_drr=Decimal("15")
... )
>>> decision = compute_bid("target_drr", ctx)
>>> decision.new_bid, decision.reason.value, decision.constraint.value
(Decimal('11.50'), 'below_target', 'raised')

Everything is pure: the caller loads the stats, sends the bids and keeps the records.
"""

from adolf.domain.marketing.anomalies import AnomalyCheck, Deviation, InvalidSeries, detect_anomaly
from adolf.domain.marketing.attainment import Attainment, AttainmentSummary, summarise
from adolf.domain.marketing.bid_context import (
    BidContext,
    BidDecision,
    BidReason,
    InvalidBidBounds,
    StrategyType,
    UnknownStrategy,
)
from adolf.domain.marketing.bid_tuning import DEFAULT_TUNING, BidTuning, InvalidBidContext
from adolf.domain.marketing.bidding import compute_bid
from adolf.domain.marketing.campaign import Campaign, CampaignStatus, Keyword, KeywordStatus
from adolf.domain.marketing.campaign_settings import InvalidCampaignSettings, change_settings, check_settings
from adolf.domain.marketing.constraints import BidConstraint, binding_constraint
from adolf.domain.marketing.metrics import InvalidStats, StatsTotals, cpc, cpo, ctr, drr
from adolf.domain.marketing.planner import CampaignPlan, KeywordInput, KeywordPlan, PlannedAlert, plan_campaign
from adolf.domain.marketing.pricing import Pricing, bid_step, pricing_of
from adolf.domain.marketing.safety import (
    InvalidSafetyInput,
    SafetyAction,
    SafetyReason,
    SafetyVerdict,
    check_campaign,
    check_keyword,
)
from adolf.domain.marketing.safety_thresholds import InvalidThreshold, SafetyThresholds, UnknownThreshold
from adolf.domain.marketing.trends import Trend, TrendDirection, trend
from adolf.domain.marketing.windows import KeywordWindow

__all__ = [
    "DEFAULT_TUNING",
    "AnomalyCheck",
    "Attainment",
    "AttainmentSummary",
    "BidConstraint",
    "BidContext",
    "BidDecision",
    "BidReason",
    "BidTuning",
    "Campaign",
    "CampaignPlan",
    "CampaignStatus",
    "Deviation",
    "InvalidBidBounds",
    "InvalidBidContext",
    "InvalidCampaignSettings",
    "InvalidSafetyInput",
    "InvalidSeries",
    "InvalidStats",
    "InvalidThreshold",
    "Keyword",
    "KeywordInput",
    "KeywordPlan",
    "KeywordStatus",
    "KeywordWindow",
    "PlannedAlert",
    "Pricing",
    "SafetyAction",
    "SafetyReason",
    "SafetyThresholds",
    "SafetyVerdict",
    "StatsTotals",
    "StrategyType",
    "Trend",
    "TrendDirection",
    "UnknownStrategy",
    "UnknownThreshold",
    "bid_step",
    "binding_constraint",
    "change_settings",
    "check_campaign",
    "check_keyword",
    "check_settings",
    "compute_bid",
    "cpc",
    "cpo",
    "ctr",
    "detect_anomaly",
    "drr",
    "plan_campaign",
    "pricing_of",
    "summarise",
    "trend",
]
