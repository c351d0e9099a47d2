"""Hypothesis generators for domain values (kopeck-exact Decimals, stats, bid contexts, users)."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from hypothesis import settings
from hypothesis import strategies as st

from adolf.domain.alerts.users import ALL_BRANDS, Role, User
from adolf.domain.marketing.bid_context import BidContext, StrategyType
from adolf.domain.marketing.campaign import Campaign, CampaignStatus, Keyword
from adolf.domain.marketing.metrics import StatsTotals
from adolf.domain.marketing.planner import KeywordInput
from adolf.domain.marketing.pricing import Pricing
from adolf.domain.marketing.windows import SPANS, KeywordWindow
from adolf.domain.marketplace import Marketplace

# Hypothesis's default count: keeps the whole domain suite well under 10 s.
PROPERTY = settings(max_examples=100, deadline=None)


def money(min_value: Decimal | str = "0", max_value: Decimal | str = "100000") -> st.SearchStrategy[Decimal]:
    return st.decimals(
        min_value=Decimal(min_value),
        max_value=Decimal(max_value),
        places=2,
        allow_nan=False,
        allow_infinity=False,
    )


def counts(max_value: int = 1_000_000) -> st.SearchStrategy[int]:
    return st.integers(min_value=0, max_value=max_value)


@st.composite
def stats_totals(draw: st.DrawFn, max_money: str = "1000000") -> StatsTotals:
    return StatsTotals(
        views=draw(counts()),
        clicks=draw(counts(100_000)),
        orders=draw(counts(10_000)),
        spent=draw(money("0", max_money)),
        revenue=draw(money("0", max_money)),
    )


@st.composite
def bid_contexts(draw: st.DrawFn, *, current_within_bounds: bool = True) -> BidContext:
    """Any valid context. With ``current_within_bounds`` the current bid lies in
    ``[floor, max_bid]`` (the normal case); without it, anywhere from 0 to well past max_bid."""
    min_bid = draw(money("0", "500"))
    max_bid = draw(money(min_bid, "2000"))
    marketplace_min = draw(st.none() | money("0", "2500"))
    floor = min_bid
    if marketplace_min is not None and marketplace_min <= max_bid:
        floor = max(min_bid, marketplace_min)
    current = draw(money(floor, max_bid) if current_within_bounds else money("0", "3000"))
    competitor_bids = draw(st.lists(money("0", "3000"), max_size=8))
    return BidContext(
        current_bid=current,
        min_bid=min_bid,
        max_bid=max_bid,
        stats=draw(stats_totals()),
        avg_position=draw(st.none() | st.decimals(min_value=1, max_value=100, places=1)),
        target_position=draw(st.none() | st.decimals(min_value=1, max_value=20, places=1)),
        target_drr=draw(st.none() | money("0.5", "100")),
        target_cpo=draw(st.none() | money("1", "5000")),
        competitor_bids=tuple(sorted(competitor_bids, reverse=True)),
        marketplace_min_bid=marketplace_min,
        pricing=draw(st.sampled_from(list(Pricing))),
        budget_limited=draw(st.booleans()),
    )


BRANDS = ("ohana", "kids_line", "forest")


@st.composite
def users(draw: st.DrawFn) -> tuple[User, ...]:
    """A user list with repeated ids, inactive users, every role and brand (and "all")."""
    size = draw(st.integers(min_value=0, max_value=12))
    result = []
    for _ in range(size):
        result.append(
            User(
                id=f"u{draw(st.integers(min_value=1, max_value=8))}",
                name="someone",
                role=draw(st.sampled_from(list(Role))),
                brand=draw(st.sampled_from((*BRANDS, ALL_BRANDS))),
                active=draw(st.booleans()),
            )
        )
    return tuple(result)


# --- the campaign planner's inputs ------------------------------------------------------
# Built on integer kopecks (``cents``) and module-level strategies: a planner world draws a
# few hundred amounts, and a fresh ``st.decimals`` per draw was most of a property's time.


def cents(low: Decimal | str, high: Decimal | str) -> st.SearchStrategy[Decimal]:
    """Whole-kopeck amounts in [low, high] (rounded inward), cheap to build per draw."""
    lowest = int((Decimal(low) * 100).to_integral_value(rounding=ROUND_CEILING))
    highest = int((Decimal(high) * 100).to_integral_value(rounding=ROUND_FLOOR))
    return st.integers(min_value=lowest, max_value=max(lowest, highest)).map(lambda n: Decimal(n).scaleb(-2))


#: (lowest, highest) bid of each marketplace: rubles on WB and Ozon, percent of the price on YM
BID_SCALE: dict[Marketplace, tuple[str, str]] = {
    Marketplace.WB: ("1", "1500"),
    Marketplace.OZON: ("1", "300"),
    Marketplace.YM: ("0.1", "40"),
}
TARGETS: dict[str, st.SearchStrategy[Decimal]] = {
    "target_position": st.integers(min_value=10, max_value=50).map(lambda n: Decimal(n).scaleb(-1)),
    "target_drr": cents("1", "60"),
    "target_cpo": cents("1", "3000"),
}
ONE_IN_FIVE = st.integers(min_value=0, max_value=4).map(lambda n: n == 0)
BUDGETS = st.none() | cents("100", "20000")
POSITIONS = st.none() | st.integers(min_value=10, max_value=300).map(lambda n: Decimal(n).scaleb(-1))
SPARSE_SPENT, SPARSE_REVENUE = cents("0", "74.99"), cents("0", "5000")
PER_CLICK, PER_ORDER = cents("0.10", "8"), cents("100", "6000")
RAW_DAY = stats_totals(max_money="60000")


@st.composite
def planned_campaigns(draw: st.DrawFn, strategy: StrategyType | None = None) -> Campaign:
    """An active campaign of any marketplace and strategy (or ``strategy``) with that
    strategy's target (the others set or not), bounds 0 < min_bid ≤ max_bid, either switch
    (one campaign in five each), a daily budget or none."""
    marketplace = draw(st.sampled_from(list(Marketplace)))
    strategy = strategy or draw(st.sampled_from(list(StrategyType)))
    low, high = BID_SCALE[marketplace]
    min_bid = draw(cents("0.01", high))
    max_bid = draw(cents(max(min_bid, Decimal(low)), Decimal(high) * 2))
    chosen = {name: draw(gen if name == strategy.value else st.none() | gen) for name, gen in TARGETS.items()}
    return Campaign(
        id=draw(st.integers(min_value=1, max_value=10**6)),
        marketplace=marketplace,
        external_id="c1",
        name="Campaign",
        brand="acme",
        status=CampaignStatus.ACTIVE,
        strategy=strategy,
        min_bid=min_bid,
        max_bid=max_bid,
        daily_budget=draw(BUDGETS),
        kill_switch=draw(ONE_IN_FIVE),
        dry_run=draw(ONE_IN_FIVE),
        **chosen,
    )


@st.composite
def day_totals(draw: st.DrawFn, *, sparse: bool = False) -> StatsTotals:
    """One day (or part of one) of a keyword: mostly a coherent one (clicks ≤ views, orders ≤
    clicks, spend = clicks × a price per click, revenue = orders × an order value), sometimes
    any counts at all. ``sparse``: so little that even a week of such days stays under the
    engine's data minimum (30 clicks, 300 ₽)."""
    if sparse:
        return StatsTotals(
            views=draw(counts(2_000)),
            clicks=draw(counts(7)),
            orders=draw(counts(3)),
            spent=draw(SPARSE_SPENT),
            revenue=draw(SPARSE_REVENUE),
        )
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        return draw(RAW_DAY)
    views = draw(counts(30_000))
    clicks = draw(st.integers(min_value=0, max_value=min(views, 400)))
    orders = draw(st.integers(min_value=0, max_value=min(clicks, 15)))
    return StatsTotals(
        views=views, clicks=clicks, orders=orders, spent=clicks * draw(PER_CLICK), revenue=orders * draw(PER_ORDER)
    )


@st.composite
def keyword_windows(draw: st.DrawFn, *, sparse: bool = False) -> KeywordWindow:
    """Today so far, and — or not — the sums over the previous 1, 3 and 7 whole days (each
    span adds its days to the shorter one's, as the daily rows do)."""
    today = draw(day_totals(sparse=sparse))
    if draw(st.booleans()):
        return KeywordWindow(today)
    sums: list[StatsTotals] = []
    running = StatsTotals()
    for _ in SPANS:  # today + 7 days of sparse totals stay under the minimum: 4 × 7 clicks, 4 × 74.99 ₽
        running = running + draw(day_totals(sparse=sparse))
        sums.append(running)
    return KeywordWindow.of(today, sums)


@st.composite
def keyword_inputs(draw: st.DrawFn, campaign: Campaign, *, sparse: bool = False) -> list[KeywordInput]:
    """0–6 active keywords of ``campaign``: bids within its bounds or anywhere (0 … 2 ×
    max_bid), a marketplace minimum or none, windows, an average position, competitor bids
    (anywhere up to past max_bid, or around the keyword's own bid, where the leader cap bites)."""
    within = cents(campaign.min_bid, campaign.max_bid)
    anywhere = cents("0", campaign.max_bid * 2)
    minimums = st.none() | cents("0", campaign.max_bid * Decimal("1.2"))
    far = cents("0", campaign.max_bid * Decimal("1.5"))
    found = []
    for number in range(draw(st.integers(min_value=0, max_value=6))):
        bid = draw(within if draw(st.booleans()) else anywhere)
        keyword = Keyword(
            id=number + 1,
            campaign_id=campaign.id,
            external_id=f"k{number + 1}",
            phrase=f"phrase {number + 1}",
            bid=bid,
            marketplace_min_bid=draw(minimums),
        )
        near = cents(bid / 2, bid * Decimal("1.5") + 1)
        competitors = draw(st.lists(far | near, max_size=6))
        found.append(
            KeywordInput(
                keyword=keyword,
                window=draw(keyword_windows(sparse=sparse)),
                avg_position=draw(POSITIONS),
                competitor_bids=tuple(sorted(competitors, reverse=True)),
            )
        )
    return found


@st.composite
def campaign_today(draw: st.DrawFn, daily_budget: Decimal | None = None) -> StatsTotals:
    """A campaign's totals so far today: with a ``daily_budget``, spend from none to 120 % of
    it (past its warning and pause shares), else up to 25 000 ₽."""
    if daily_budget is None:
        spent = draw(cents("0", "25000"))
    else:
        spent = (daily_budget * draw(st.integers(min_value=0, max_value=120)) / 100).quantize(Decimal("0.01"))
    return StatsTotals(
        views=draw(counts(200_000)),
        clicks=draw(counts(5_000)),
        orders=draw(counts(200)),
        spent=spent,
        revenue=draw(cents("0", "300000")),
    )
