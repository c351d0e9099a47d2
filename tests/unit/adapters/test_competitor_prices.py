"""The simulated competitor prices: a pure function of (seed, listing, day) with drift, sales,
crossed-out prices, stock-outs and dumping episodes well under our price."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.adapters.marketplaces.simulated.competitor_prices import (
    Shelf,
    list_price,
    listing_number,
    our_price,
    parse_listing,
    product_number,
    shelf_at,
    shelf_on,
)
from adolf.domain.marketplace import Marketplace

START = date(2026, 1, 12)
DAYS = [START + timedelta(days=n) for n in range(60)]
MARGIN = Decimal("0.9")  # Watcher's dumping margin: more than 10 % under our price


def listings(count: int = 120) -> list[int]:
    found = []
    for i in range(count // 4):
        product = product_number(Marketplace.WB, i)
        found += [listing_number(product, k) for k in range(4)]
    return found


def pages(seed: int, count: int = 120) -> dict[tuple[int, date], Shelf]:
    return {(listing, day): shelf_on.__wrapped__(seed, listing, day) for listing in listings(count) for day in DAYS}


@given(st.integers(0, 2**32), st.sampled_from(list(Marketplace)), st.integers(0, 999), st.integers(0, 98))
def test_a_listing_s_page_is_a_pure_function_of_seed_listing_and_day(
    seed: int, marketplace: Marketplace, product_index: int, index: int
) -> None:
    listing = listing_number(product_number(marketplace, product_index), index)
    backwards = [shelf_on.__wrapped__(seed, listing, day) for day in reversed(DAYS[:10])]
    forwards = [shelf_on.__wrapped__(seed, listing, day) for day in DAYS[:10]]
    assert forwards == backwards[::-1]
    assert shelf_on(seed, listing, DAYS[3]) == forwards[3]


def test_another_seed_gives_other_prices() -> None:
    assert pages(7, 40) != pages(8, 40)
    assert pages(7, 40) == pages(7, 40)


def test_the_moscow_day_of_the_moment_decides() -> None:
    listing = listings(4)[0]
    evening = datetime(2026, 1, 12, 20, 59, tzinfo=UTC)  # 23:59 in Moscow, still the 12th
    night = evening + timedelta(minutes=2)  # 00:01 on the 13th
    assert shelf_at(7, listing, evening) == shelf_on(7, listing, date(2026, 1, 12))
    assert shelf_at(7, listing, night) == shelf_on(7, listing, date(2026, 1, 13))


def test_dumping_episodes_sell_well_under_our_price_for_one_to_three_days() -> None:
    seen = pages(7)
    dumping = [(listing, day) for (listing, day), page in seen.items() if page.dumping]
    assert len(dumping) > 50
    for listing, day in dumping:
        page = seen[(listing, day)]
        ours = our_price(7, listing // 100)
        assert page.in_stock and page.price is not None
        assert page.price <= ours * Decimal("0.86")  # 15–35 % under, whole rubles
        assert page.price >= ours * Decimal("0.64")
    runs = Counter()
    for listing in listings():
        length = 0
        for day in DAYS:
            if seen[(listing, day)].dumping:
                length += 1
            elif length:
                runs[length] += 1
                length = 0
    assert runs[1] > 0 and runs[2] > 0  # episodes of several lengths (back to back ones join)


def test_outside_dumping_a_listing_rarely_undercuts_us_by_the_margin() -> None:
    seen = pages(7)
    priced = [(listing, page) for (listing, _day), page in seen.items() if page.price is not None and not page.dumping]
    under = [p for listing, p in priced if p.price < our_price(7, listing // 100) * MARGIN]
    assert len(under) < len(priced) / 100


def test_stock_outs_show_no_price() -> None:
    seen = pages(7)
    out = [page for page in seen.values() if not page.in_stock and page.loads]
    assert 0.02 < len(out) / len(seen) < 0.07
    assert all(page.price is None and page.old_price is None for page in out)


def test_a_page_is_down_on_about_one_day_in_a_hundred() -> None:
    seen = pages(7)
    down = [page for page in seen.values() if not page.loads]
    assert 0.003 < len(down) / len(seen) < 0.02
    assert all(page.price is None and not page.in_stock and not page.dumping for page in down)


def test_crossed_out_prices_sit_above_the_price() -> None:
    seen = pages(7)
    shown = [page for page in seen.values() if page.old_price is not None]
    assert len(shown) > len(seen) / 5
    assert all(page.price is not None and page.old_price > page.price for page in shown)
    inflated = [page for page in shown if page.old_price >= page.price * Decimal("1.3")]
    assert inflated  # the listings that always show a price far above what they charge


def test_list_prices_drift_around_their_reference() -> None:
    changed = 0
    for listing in listings(40):
        ours = float(our_price(7, listing // 100))
        levels = [list_price(7, listing, day) for day in DAYS]
        assert all(0.95 * ours <= level <= 1.15 * 1.05 * ours + 1 for level in levels)
        changed += len(set(levels)) > 1
    assert changed == 40  # every listing moves within two months


def test_our_prices_end_in_90_and_stay_in_range() -> None:
    prices = [our_price(7, product_number(mp, i)) for mp in Marketplace for i in range(200)]
    assert all(Decimal(290) <= p <= Decimal(5990) and p % 100 == 90 for p in prices)
    assert len(set(prices)) > 20


def test_listing_ids_name_their_marketplace_and_product() -> None:
    product = product_number(Marketplace.OZON, 3)
    listing = listing_number(product, 2)
    assert (product, listing) == (2_000_004, 200_000_403)
    assert parse_listing(str(listing)) == (Marketplace.OZON, product, listing)
    for bad in ("", "abc", "2000004", "200000400", "900000401", "100000001", "1000001011"):
        assert parse_listing(bad) is None


@pytest.mark.parametrize("index", [-1, 99])
def test_a_listing_index_out_of_range_is_refused(index: int) -> None:
    with pytest.raises(ValueError, match="listing index"):
        listing_number(1_000_001, index)
