"""Property tests of the campaign planner (``planner.plan_campaign``, SPEC §4.1): whatever the
campaign, its keywords, their windows and the competitors bid, a plan keeps the bid rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from adolf.domain.marketing.bid_context import BidReason, StrategyType
from adolf.domain.marketing.bid_tuning import DEFAULT_TUNING
from adolf.domain.marketing.campaign import Campaign, CampaignStatus, Keyword
from adolf.domain.marketing.constraints import BidConstraint
from adolf.domain.marketing.metrics import StatsTotals
from adolf.domain.marketing.planner import (
    PORTFOLIO_HIGH,
    PORTFOLIO_LOW,
    CampaignPlan,
    KeywordInput,
    plan_campaign,
    portfolio_target,
)
from adolf.domain.marketing.pricing import bid_step, pricing_of
from adolf.domain.marketing.windows import KeywordWindow, has_enough_data
from adolf.domain.marketplace import Marketplace

from .generators import PROPERTY, campaign_today, keyword_inputs, planned_campaigns

RATIO = (StrategyType.TARGET_DRR, StrategyType.TARGET_CPO)
SWITCHES = frozenset(
    {
        BidConstraint.KILL_SWITCH,
        BidConstraint.DRY_RUN,
        BidConstraint.PAUSED_BY_SAFETY,
        BidConstraint.BUDGET_LIMITED,
    }
)


@dataclass(frozen=True)
class World:
    campaign: Campaign
    keywords: list[KeywordInput]
    today: StatsTotals
    dry_run: bool  # the deployment's switch

    def plan(self) -> CampaignPlan:
        return plan_campaign(self.campaign, self.keywords, self.today, dry_run=self.dry_run)

    def item(self, keyword: Keyword) -> KeywordInput:
        return next(i for i in self.keywords if i.keyword.id == keyword.id)

    @property
    def step(self) -> Decimal:
        return bid_step(pricing_of(self.campaign.marketplace))

    def floor(self, keyword: Keyword) -> Decimal:
        minimum = keyword.marketplace_min_bid
        if minimum is not None and minimum <= self.campaign.max_bid:
            return max(self.campaign.min_bid, minimum)
        return self.campaign.min_bid

    def clamp(self, keyword: Keyword, bid: Decimal) -> Decimal:
        return min(max(bid, self.floor(keyword)), self.campaign.max_bid)


@st.composite
def worlds(draw: st.DrawFn, *, live: bool = False, sparse: bool = False, strategy: StrategyType | None = None) -> World:
    """``live``: no switch is on (the planner decides every keyword unless safety pauses)."""
    campaign = draw(planned_campaigns(strategy))
    if live:
        campaign = replace(campaign, kill_switch=False, dry_run=False)
    return World(
        campaign,
        draw(keyword_inputs(campaign, sparse=sparse)),
        draw(campaign_today(campaign.daily_budget)),
        False if live else draw(st.booleans()),
    )


@PROPERTY
@given(worlds())
def test_every_new_bid_is_within_its_floor_and_max_bid(world: World) -> None:
    plan = world.plan()

    for kp in plan.bid_changes:
        assert kp.decision is not None
        assert world.floor(kp.keyword) <= kp.decision.new_bid <= world.campaign.max_bid


@st.composite
def position_worlds(draw: st.DrawFn) -> World:
    """target_position campaigns aiming mostly at the top (position 1 needs the leader's bid
    + one step: the cap's case), their keywords mostly with competitor bids."""
    world = draw(worlds(live=True, strategy=StrategyType.TARGET_POSITION))
    target = draw(st.sampled_from(["1", "1", "1.2", "1.5", "2", "3"]))
    keywords = [
        i if i.competitor_bids or draw(st.booleans()) else replace(i, competitor_bids=(i.keyword.bid,))
        for i in world.keywords
    ]
    return replace(world, campaign=replace(world.campaign, target_position=Decimal(target)), keywords=keywords)


@PROPERTY
@given(position_worlds())
def test_target_position_never_bids_above_the_leaders_bid_unless_the_floor_forces_it(world: World) -> None:
    plan = world.plan()

    for kp in plan.bid_changes:
        assert kp.decision is not None
        new, current = kp.decision.new_bid, kp.keyword.bid
        competitors = world.item(kp.keyword).competitor_bids
        if not competitors:
            continue  # Watcher knows nothing of the phrase: no leader to stay under
        leader = max(competitors)
        if new > max(leader, world.floor(kp.keyword)):
            # Only a bid that was already above the leader's is left above it: brought down
            # toward it, dampened (strategy_position: "a bid already above that is brought
            # down, dampened").
            assert current > leader and new < current, (current, new, leader)


@PROPERTY
@given(worlds())
def test_one_cycle_moves_a_bid_by_at_most_its_dampening_factor_or_one_bid_step(world: World) -> None:
    plan = world.plan()
    tuning = DEFAULT_TUNING

    for kp in plan.bid_changes:
        assert kp.decision is not None
        strategy = world.campaign.strategy
        assert strategy is not StrategyType.MANUAL  # manual never moves a bid
        if strategy is StrategyType.TARGET_POSITION:
            up = down = tuning.position_max_step
        else:
            up, down = tuning.max_raise, tuning.max_cut
        current, new, step = kp.keyword.bid, kp.decision.new_bid, world.step
        lowest = current - max(current * down, step)
        highest = current + max(current * up, step)
        # Bounds beat dampening: a current bid outside [floor, max_bid] is brought inside at once.
        assert world.clamp(kp.keyword, lowest) <= new <= world.clamp(kp.keyword, highest)
        # A smaller move is not sent — unless it wins or gives up a place among the
        # competitor bids (bid_steps: a hundredth over a tied leader is not a drift).
        rivals = world.item(kp.keyword).competitor_bids
        assert abs(new - current) >= step or _rank(new, rivals) != _rank(current, rivals), (current, new, rivals)


def _rank(bid: Decimal, rivals: Sequence[Decimal]) -> int:
    """How many competitor bids are at or above ``bid`` (written apart from ladder.position_of)."""
    return sorted([*rivals, bid], reverse=True).index(bid) + sum(1 for r in rivals if r == bid)


@st.composite
def ratio_worlds_without_data(draw: st.DrawFn, *, percent_of_price: bool = False) -> World:
    """target_drr / target_cpo keywords whose every window is under the data minimum (fewer
    than 30 clicks and under 300 ₽ even over a week). Without ``percent_of_price``: WB and
    Ozon (a YM percent-of-price target_drr needs no data: the bid *is* the DRR); with it: YM
    target_cpo, some of its keywords with an order today."""
    world = draw(worlds(live=True, sparse=True))
    campaign = world.campaign
    keywords = world.keywords
    if percent_of_price:
        strategy, marketplace = StrategyType.TARGET_CPO, Marketplace.YM
        ordered = StatsTotals(orders=1, clicks=1, spent=Decimal("3.00"), revenue=Decimal("1500"))
        keywords = [
            replace(i, window=replace(i.window, today=i.window.today + ordered)) if draw(st.booleans()) else i
            for i in keywords
        ]
    else:
        strategy = draw(st.sampled_from(RATIO))
        marketplace = draw(st.sampled_from([Marketplace.WB, Marketplace.OZON]))
    targets = {"target_drr": campaign.target_drr or Decimal(10), "target_cpo": campaign.target_cpo or Decimal(200)}
    aimed = replace(campaign, strategy=strategy, marketplace=marketplace, **targets)
    return replace(world, campaign=aimed, keywords=keywords)


def _assert_holds_for_too_little_data(world: World) -> None:
    plan = world.plan()

    for kp in plan.keywords:
        if kp.decision is None:
            continue  # paused by keyword safety: no bid at all
        _, judged = world.item(kp.keyword).window.judged(DEFAULT_TUNING)
        assert not has_enough_data(judged, DEFAULT_TUNING)
        assert kp.decision.held and kp.decision.reason is BidReason.INSUFFICIENT_DATA, kp.decision
        assert kp.constraint is BidConstraint.TOO_LITTLE_DATA
        current = kp.keyword.bid
        if kp.decision.changed:  # only bounds move a held bid: an out-of-range one, brought inside
            assert kp.decision.new_bid == world.clamp(kp.keyword, current) != current
        else:
            assert kp.decision.new_bid == current


@PROPERTY
@given(ratio_worlds_without_data())
def test_with_too_little_data_the_bid_holds(world: World) -> None:
    _assert_holds_for_too_little_data(world)


ONE_ORDER = KeywordWindow(StatsTotals(views=400, clicks=5, orders=1, spent=Decimal("150.00"), revenue=Decimal("3000")))
YM_CPO = Campaign(
    id=1,
    marketplace=Marketplace.YM,
    external_id="c1",
    name="YM",
    brand="acme",
    status=CampaignStatus.ACTIVE,
    strategy=StrategyType.TARGET_CPO,
    min_bid=Decimal("0.50"),
    max_bid=Decimal("20"),
    target_cpo=Decimal("200"),
)
STEERED = frozenset(
    {
        BidReason.WITHIN_TARGET,
        BidReason.BELOW_TARGET,
        BidReason.ABOVE_TARGET,
        BidReason.BUDGET_LIMITED,
        BidReason.POSITION_PRICE,
    }
)


@PROPERTY
@example(World(YM_CPO, [KeywordInput(Keyword(1, 1, "k1", "phrase", Decimal("5.00")), ONE_ORDER)], StatsTotals(), False))
@given(ratio_worlds_without_data(percent_of_price=True))
def test_with_too_little_data_a_percent_of_price_target_cpo_waits_for_an_order_value(world: World) -> None:
    """A YM order costs ``value × bid / 100``: the CPO target needs an order value, not 30
    clicks or 300 ₽ (strategy_ratio's rules) — the keyword's own, or the campaign's until the
    keyword sells; with no order anywhere in the campaign the bid holds. Review note: the
    rules first said only a percent-of-price target_drr needs no data; one order of 3000 ₽
    (5 clicks, 150 ₽) moves a 5 % bid to 5.75 % (aiming at 6.67 %)."""
    plan = world.plan()
    campaign_orders = sum(item.window.candidates()[-1][1].orders for item in world.keywords)

    for kp in plan.keywords:
        if kp.decision is None:
            continue
        _, judged = world.item(kp.keyword).window.judged(DEFAULT_TUNING)
        assert not has_enough_data(judged, DEFAULT_TUNING)
        if judged.orders == 0 and campaign_orders == 0:
            assert kp.decision.held and kp.decision.reason is BidReason.INSUFFICIENT_DATA
            assert kp.constraint is BidConstraint.TOO_LITTLE_DATA
        else:
            assert kp.decision.reason in STEERED, kp.decision
    if world.keywords and world.keywords[0].window is ONE_ORDER:
        [kp] = plan.keywords
        assert kp.decision is not None and kp.decision.new_bid == Decimal("5.75")


def test_a_percent_of_price_target_cpo_keyword_with_no_order_bids_by_the_campaigns_order_value() -> None:
    seller = KeywordInput(Keyword(1, 1, "k1", "phrase", Decimal("5.00")), ONE_ORDER)
    silent = KeywordInput(Keyword(2, 1, "k2", "phrase 2", Decimal("1.00")), KeywordWindow())
    plan = World(YM_CPO, [seller, silent], StatsTotals(), False).plan()
    decision = plan.keywords[1].decision
    # 200 ₽ per order over the campaign's 3000 ₽ order value: 6.67 %, one cycle's raise of
    # 1 % is at most one step of 0.1 point past +15 %
    assert decision is not None and decision.reason is BidReason.BELOW_TARGET
    assert decision.new_bid == Decimal("1.15")


@PROPERTY
@given(worlds(), st.sampled_from([None, "kill_switch", "dry_run", "deployment_dry_run"]))
def test_a_dry_run_or_a_kill_switch_sends_nothing_and_pauses_nothing(world: World, switch: str | None) -> None:
    campaign = replace(world.campaign, kill_switch=False, dry_run=False)
    if switch in ("kill_switch", "dry_run"):
        campaign = replace(campaign, **{switch: True})
    world = replace(world, campaign=campaign, dry_run=switch == "deployment_dry_run")

    plan = world.plan()

    if switch is None:
        assert plan.sends is True
        return
    assert plan.sends is False
    assert plan.pause_campaign is None
    if switch == "kill_switch":
        assert plan.keywords == () and plan.bid_changes == [] and plan.keyword_pauses == []
        assert plan.constraint is BidConstraint.KILL_SWITCH
    else:
        assert plan.constraint is BidConstraint.DRY_RUN


MONEY_FIELDS = {
    "bid",
    "marketplace_min_bid",
    "new_bid",
    "computed_bid",
    "weight",
    "min_bid",
    "max_bid",
    "daily_budget",
    "target_drr",
    "target_cpo",
    "target_position",
    "spent",
    "revenue",
}


def _walk(value: object, path: str = "plan") -> list[tuple[str, object]]:
    """Every (path, value) inside ``value``'s dataclasses and tuples."""
    found = [(path, value)]
    if is_dataclass(value) and not isinstance(value, type):
        for item in fields(value):
            found += _walk(getattr(value, item.name), f"{path}.{item.name}")
    elif isinstance(value, tuple | list):
        for index, element in enumerate(value):
            found += _walk(element, f"{path}[{index}]")
    return found


@PROPERTY
@given(worlds())
def test_every_money_value_in_a_plan_is_a_decimal(world: World) -> None:
    plan = world.plan()

    for path, value in _walk(plan):
        assert not isinstance(value, float), path
        if path.rsplit(".", 1)[-1] in MONEY_FIELDS and value is not None:
            assert isinstance(value, Decimal) and value.is_finite(), (path, value)
    for kp in plan.keywords:
        assert isinstance(kp.weight, Decimal)
        if kp.decision is not None:
            assert isinstance(kp.decision.new_bid, Decimal) and isinstance(kp.decision.computed_bid, Decimal)


@PROPERTY
@given(worlds())
def test_the_campaigns_constraint_is_one_of_its_keywords_or_a_switch_or_safety(world: World) -> None:
    plan = world.plan()

    assert plan.constraint is None or isinstance(plan.constraint, BidConstraint)
    if plan.constraint is None:
        assert plan.keywords == ()  # no keyword: nothing binds it
    else:
        assert plan.constraint in SWITCHES or plan.constraint in {k.constraint for k in plan.keywords}


@PROPERTY
@given(worlds(live=True))
def test_the_portfolio_target_stays_within_half_and_twice_the_campaigns(world: World) -> None:
    campaign = world.campaign
    plan = world.plan()
    if len(plan.keywords) != len(world.keywords):
        return  # the campaign was paused: its keywords were not planned

    steered = portfolio_target(campaign, world.keywords, plan.keywords)

    target = {StrategyType.TARGET_DRR: campaign.target_drr, StrategyType.TARGET_CPO: campaign.target_cpo}.get(
        campaign.strategy
    )
    if target is None:
        assert steered is None
    elif steered is not None:
        assert isinstance(steered, Decimal)
        assert target * PORTFOLIO_LOW <= steered <= target * PORTFOLIO_HIGH
        assert (Decimal("0.5"), Decimal("2")) == (PORTFOLIO_LOW, PORTFOLIO_HIGH)
        assert steered != target  # an unchanged target re-decides nothing
