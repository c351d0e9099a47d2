"""One campaign's turn in the bid cycle, decided: ``plan_campaign(...) -> CampaignPlan``.

Pure: no I/O, no clock. The caller loads the campaign, its active keywords with their
judging windows (``windows``), Watcher's competitor bids and the campaign's totals today;
records the plan's effects; sends them.

Rules (SPEC §4.1, in order):
1. Campaign safety on today's totals (``safety.check_campaign``): ``PAUSE_CAMPAIGN`` → the
   campaign is paused, its keywords are not planned (``budget_limited`` when the budget did
   it, else ``paused_by_safety``); ``ALERT`` → one alert per reason, once a day, and go on.
2. Kill switch: nothing is sent for the campaign at all — no pause, no bid (``kill_switch``).
3. Each keyword: its judging window (``KeywordWindow.judged``); keyword safety on that window
   (``safety.check_keyword``) → pause (``paused_by_safety``) or a low-CTR alert; else the
   campaign's strategy decides its bid (``bidding.compute_bid``), naming its constraint.
4. Out of budget — spent today ≥ the warning share of the daily limit, or yesterday's spend
   reached the limit — means no raises (``budget_limited``).
5. Dry run: every decision is made and reported, nothing is sent (``dry_run``).
6. target_drr / target_cpo aim at the *campaign's* ratio (``portfolio_target``): keywords the
   strategy cannot steer (at a bound, too little data, selling nothing) spend what they
   spend, so the steered ones aim at the target that brings the whole campaign to it —
   within ½ … 2 × the campaign's target; and since a bid stands on a position, not on its
   aim, the steered ones aim further by as much as their positions fall short of (or past)
   their aims (0.8 … 1.25 ×). A campaign's order value prices a YM keyword that has not sold.
7. The campaign's binding constraint is its keywords', weighted by their windows' spend
   (``constraints.binding_constraint``).
Alerts: ``keywords_paused`` (with the reasons), ``low_ctr`` and ``cap_bid`` (once a day each);
their severities are configuration, not the planner's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from adolf.domain.marketing.bid_context import BidContext, BidDecision, BidReason, StrategyType
from adolf.domain.marketing.bid_tuning import DEFAULT_TUNING, BidTuning
from adolf.domain.marketing.bidding import compute_bid
from adolf.domain.marketing.campaign import Campaign, Keyword
from adolf.domain.marketing.constraints import BidConstraint, binding_constraint
from adolf.domain.marketing.metrics import StatsTotals
from adolf.domain.marketing.pricing import Pricing, pricing_of
from adolf.domain.marketing.safety import SafetyAction, SafetyReason, check_campaign, check_keyword
from adolf.domain.marketing.windows import KeywordWindow

#: yesterday's spend at this share of the daily limit means the campaign ran out of budget
BUDGET_HIT_RATIO = Decimal("0.95")


@dataclass(frozen=True, slots=True)
class KeywordInput:
    """One active keyword as the planner is given it: the keyword, its stats windows, its average
    position and Watcher's competitor bids."""

    keyword: Keyword
    window: KeywordWindow = field(default_factory=KeywordWindow)
    avg_position: Decimal | None = None
    competitor_bids: tuple[Decimal, ...] = ()


@dataclass(frozen=True, slots=True)
class KeywordPlan:
    """The planner's answer for one keyword: its ``decision`` (None when paused, with the
    ``pause_reason``), the constraint that bound it and the window it was judged on."""

    keyword: Keyword
    constraint: BidConstraint
    weight: Decimal  # spend in its judging window: its say in the campaign's constraint
    decision: BidDecision | None = None  # None when paused
    pause_reason: str | None = None
    judged_days: int = 0
    low_ctr: bool = False
    judged: StatsTotals = field(default_factory=StatsTotals)  # the window it was judged on


@dataclass(frozen=True, slots=True)
class PlannedAlert:
    """An alert the plan raises; a ``once_a_day`` one is sent once a day per campaign."""

    type: str
    message: str
    once_a_day: bool = False


@dataclass(frozen=True, slots=True)
class CampaignPlan:
    """One campaign's turn of the bid cycle: its keywords' plans, the reason to pause the campaign
    (if it is to be), the alerts, its binding constraint; ``sends`` is False when nothing goes to
    the marketplace (dry run, kill switch)."""

    campaign: Campaign
    keywords: tuple[KeywordPlan, ...] = ()
    pause_campaign: str | None = None  # the reason, when the campaign is to be paused
    pause_details: str = ""  # the safety check's numbers behind that reason
    alerts: tuple[PlannedAlert, ...] = ()
    constraint: BidConstraint | None = None
    sends: bool = True  # False: dry run or kill switch — nothing goes to the marketplace

    @property
    def bid_changes(self) -> list[KeywordPlan]:
        return [k for k in self.keywords if k.decision is not None and k.decision.changed]

    @property
    def keyword_pauses(self) -> list[tuple[Keyword, str]]:
        return [(k.keyword, k.pause_reason) for k in self.keywords if k.pause_reason is not None]

    @property
    def capped(self) -> int:
        return sum(1 for k in self.keywords if k.decision is not None and k.decision.capped)

    @property
    def held(self) -> int:
        return sum(1 for k in self.keywords if k.decision is not None and k.decision.held)


def plan_campaign(
    campaign: Campaign,
    keywords: Sequence[KeywordInput],
    today: StatsTotals,
    *,
    dry_run: bool = False,
    tuning: BidTuning = DEFAULT_TUNING,
) -> CampaignPlan:
    """The campaign's decisions (see the module's rules). ``keywords`` are its active ones;
    ``today`` its totals so far today; ``dry_run`` the deployment's switch (the campaign's
    own ``dry_run`` applies too)."""
    dry = dry_run or campaign.dry_run
    suffix = " [dry run]" if dry else ""
    alerts: list[PlannedAlert] = []
    verdict = check_campaign(today.spent, campaign.daily_budget, today.drr if today.revenue else None, campaign.safety)
    if verdict.action is SafetyAction.PAUSE_CAMPAIGN:
        alerts.append(PlannedAlert(verdict.reason, f"{campaign.name} paused: {'; '.join(verdict.details)}{suffix}"))
        by_budget = verdict.reasons[0] is SafetyReason.BUDGET_EXCEEDED
        sends = not dry and not campaign.kill_switch
        return CampaignPlan(
            campaign,
            pause_campaign=verdict.reason if sends else None,
            pause_details="; ".join(verdict.details),
            alerts=tuple(alerts),
            constraint=_switch(campaign, dry)
            or (BidConstraint.BUDGET_LIMITED if by_budget else BidConstraint.PAUSED_BY_SAFETY),
            sends=sends,
        )
    for reason, line in zip(verdict.reasons, verdict.details, strict=False):
        alerts.append(PlannedAlert(reason.value, f"{campaign.name}: {line}", once_a_day=True))
    if campaign.kill_switch:
        return CampaignPlan(campaign, alerts=tuple(alerts), constraint=BidConstraint.KILL_SWITCH, sends=False)

    priced_per_order = campaign.strategy is StrategyType.TARGET_CPO and pricing_of(campaign.marketplace) is Pricing.CPA
    situation = _Situation(
        _out_of_budget(campaign, today, keywords), order_value(keywords) if priced_per_order else None
    )
    plans = [_plan_keyword(campaign, item, situation, tuning) for item in keywords]
    steered = portfolio_target(campaign, keywords, plans)
    if steered is not None:
        drr = campaign.strategy is StrategyType.TARGET_DRR
        aimed = replace(campaign, target_drr=steered) if drr else replace(campaign, target_cpo=steered)
        plans = [
            _redecide(aimed, item, plan, situation, tuning)
            if plan.decision is not None and plan.decision.reason in _TARGET_DRIVEN
            else plan
            for item, plan in zip(keywords, plans, strict=True)
        ]
    alerts.extend(_keyword_alerts(campaign, plans, suffix))
    constraint = _switch(campaign, dry) or binding_constraint((p.constraint, p.weight) for p in plans)
    return CampaignPlan(campaign, tuple(plans), alerts=tuple(alerts), constraint=constraint, sends=not dry)


PORTFOLIO_LOW, PORTFOLIO_HIGH = Decimal("0.5"), Decimal("2")
CORRECTION_LOW, CORRECTION_HIGH = Decimal("0.8"), Decimal("1.25")
HUNDRED = Decimal(100)


def portfolio_target(
    campaign: Campaign, keywords: Sequence[KeywordInput], plans: Sequence[KeywordPlan]
) -> Decimal | None:
    """The target the steered keywords aim at so the campaign meets its own; None when
    there is nothing to adjust (not a ratio strategy, no steered or no other keyword).

    Over each keyword's today + yesterday: with the others' spend S and revenue (DRR) or
    orders (CPO) U, and the steered keywords' U_f, the steered keywords' target t_f solves
    (S + t_f·U_f) / (U + U_f) = t, i.e. t_f = t + (t·U − S) / U_f (DRR in percent, so
    U is revenue / 100). Paused keywords spend nothing more and are left out."""
    drr = campaign.strategy is StrategyType.TARGET_DRR
    if drr:
        target = campaign.target_drr
    elif campaign.strategy is StrategyType.TARGET_CPO:
        target = campaign.target_cpo
    else:
        return None
    if target is None:
        return None
    other_spent, other_units, steered_units = Decimal(0), Decimal(0), Decimal(0)
    aimed, headed = Decimal(0), Decimal(0)
    for item, plan in zip(keywords, plans, strict=True):
        decision = plan.decision
        if decision is None:
            continue
        totals = _recent(item.window)
        units = totals.revenue / HUNDRED if drr else Decimal(totals.orders)
        if plan.constraint.is_free and decision.reason is not BidReason.NO_ORDERS:
            steered_units += units
            bid = item.keyword.bid
            if bid > 0 and decision.aim is not None and decision.goal is not None:
                aimed += totals.spent * decision.aim / bid
                headed += totals.spent * decision.goal / bid
        else:
            other_spent += totals.spent
            other_units += units
    if steered_units == 0:
        return None
    wanted = target + (target * other_units - other_spent) / steered_units
    if headed > 0:
        # Bids stand on positions, so a keyword heads for the position nearest its aim, not
        # for the aim: when the steered keywords together would spend less (or more) than
        # their aims, they aim as much further, and the positions they pick follow.
        wanted *= min(max(aimed / headed, CORRECTION_LOW), CORRECTION_HIGH)
    if wanted == target:
        return None  # nothing to make up for: the first decisions stand
    return min(max(wanted, target * PORTFOLIO_LOW), target * PORTFOLIO_HIGH)


def _recent(window: KeywordWindow) -> StatsTotals:
    """Today and yesterday: the shortest window, since the keywords it sums are being cut or
    paused, and a longer one would still count what they spent before — the steered
    keywords would then aim too low."""
    return window.recent()


#: the decisions a different target can change (the rest hold for want of data, or step down)
_TARGET_DRIVEN = frozenset(
    {
        BidReason.ABOVE_TARGET,
        BidReason.BELOW_TARGET,
        BidReason.WITHIN_TARGET,
        BidReason.POSITION_PRICE,
        BidReason.BUDGET_LIMITED,
    }
)


def pauses_campaign(campaign: Campaign, today: StatsTotals) -> bool:
    """Whether campaign safety pauses it (its keywords are then not planned at all)."""
    verdict = check_campaign(today.spent, campaign.daily_budget, today.drr if today.revenue else None, campaign.safety)
    return verdict.action is SafetyAction.PAUSE_CAMPAIGN


def _switch(campaign: Campaign, dry: bool) -> BidConstraint | None:
    if campaign.kill_switch:
        return BidConstraint.KILL_SWITCH
    return BidConstraint.DRY_RUN if dry else None


def _out_of_budget(campaign: Campaign, today: StatsTotals, keywords: Sequence[KeywordInput]) -> bool:
    limit = campaign.daily_budget
    if not limit:
        return False
    if today.spent >= limit * campaign.safety.budget_warning_ratio:
        return True
    yesterday = sum(
        (k.window.previous[0][1].spent for k in keywords if k.window.previous and k.window.previous[0][0] == 1),
        Decimal(0),
    )
    return yesterday >= limit * BUDGET_HIT_RATIO


@dataclass(frozen=True, slots=True)
class _Situation:
    """What every keyword of a campaign is decided with."""

    out_of_budget: bool
    order_value: Decimal | None


def order_value(keywords: Sequence[KeywordInput]) -> Decimal | None:
    """The campaign's revenue per order over its keywords' longest windows (None without an
    order): the value a keyword that has not sold yet is judged by where a bid is a percent
    of it."""
    revenue, orders = Decimal(0), 0
    for item in keywords:
        window = item.window
        for totals in (window.today, window.previous[-1][1]) if window.previous else (window.today,):
            revenue += totals.revenue
            orders += totals.orders
    return revenue / orders if orders and revenue > 0 else None


def _plan_keyword(campaign: Campaign, item: KeywordInput, situation: _Situation, tuning: BidTuning) -> KeywordPlan:
    keyword = item.keyword
    days, judged = item.window.judged(tuning)
    verdict = check_keyword(judged, campaign.safety)
    if verdict.action is SafetyAction.PAUSE_KEYWORD:
        return KeywordPlan(keyword, BidConstraint.PAUSED_BY_SAFETY, judged.spent, None, verdict.reason, days)
    decision = _decide(campaign, item, judged, situation, tuning)
    low_ctr = SafetyReason.LOW_CTR in verdict.reasons
    return KeywordPlan(keyword, decision.constraint, judged.spent, decision, None, days, low_ctr, judged)


def _redecide(
    campaign: Campaign, item: KeywordInput, plan: KeywordPlan, situation: _Situation, tuning: BidTuning
) -> KeywordPlan:
    """The keyword decided again for the campaign's steered target (same window, same safety)."""
    decision = _decide(campaign, item, plan.judged, situation, tuning)
    return replace(plan, constraint=decision.constraint, decision=decision)


def _decide(
    campaign: Campaign, item: KeywordInput, judged: StatsTotals, situation: _Situation, tuning: BidTuning
) -> BidDecision:
    keyword = item.keyword
    return compute_bid(
        campaign.strategy,
        BidContext(
            current_bid=keyword.bid,
            min_bid=campaign.min_bid,
            max_bid=campaign.max_bid,
            stats=judged,
            avg_position=item.avg_position,
            target_position=campaign.target_position,
            target_drr=campaign.target_drr,
            target_cpo=campaign.target_cpo,
            competitor_bids=item.competitor_bids,
            marketplace_min_bid=keyword.marketplace_min_bid,
            pricing=pricing_of(campaign.marketplace),
            budget_limited=situation.out_of_budget,
            campaign_order_value=situation.order_value,
            tuning=tuning,
        ),
    )


def _keyword_alerts(campaign: Campaign, plans: Sequence[KeywordPlan], suffix: str) -> list[PlannedAlert]:
    found: list[PlannedAlert] = []
    paused = [p for p in plans if p.decision is None]
    if paused:
        reasons = ", ".join(sorted({p.pause_reason or "" for p in paused}))
        found.append(
            PlannedAlert("keywords_paused", f"{campaign.name}: {len(paused)} keyword(s) paused ({reasons}){suffix}")
        )
    low_ctr = sum(1 for p in plans if p.low_ctr)
    if low_ctr:
        found.append(
            PlannedAlert("low_ctr", f"{campaign.name}: {low_ctr} keyword(s) with a very low CTR", once_a_day=True)
        )
    capped = sum(1 for p in plans if p.decision is not None and p.decision.capped)
    if capped:
        found.append(
            PlannedAlert(
                "cap_bid", f"{campaign.name}: {capped} bid(s) capped at max_bid={campaign.max_bid}", once_a_day=True
            )
        )
    return found
