"""Hypothesis generators for domain values (kopeck-exact Decimals, stats, bid contexts, users)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st

from adolf.domain.alerts.users import ALL_BRANDS, Role, User
from adolf.domain.marketing.bid_context import BidContext
from adolf.domain.marketing.metrics import StatsTotals
from adolf.domain.marketing.pricing import Pricing

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
