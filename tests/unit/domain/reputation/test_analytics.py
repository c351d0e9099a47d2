"""Daily analytics per platform × brand: counts add up, the average of ratings, zero rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.analytics import DailyAnalytics, ItemFact, daily_analytics
from adolf.domain.reputation.errors import InvalidReputation
from adolf.domain.reputation.items import ItemType, Sentiment

from ..generators import PROPERTY

DAY = date(2026, 5, 31)
BRANDS = ("ohana_market", "ohana_kids")


@st.composite
def facts(draw: st.DrawFn) -> ItemFact:
    kind = draw(st.sampled_from(ItemType))
    return ItemFact(
        platform=draw(st.sampled_from(Marketplace)),
        brand=draw(st.sampled_from([*BRANDS, "other_brand"])),
        item_type=kind,
        rating=draw(st.integers(1, 5)) if kind is ItemType.REVIEW else None,
        sentiment=draw(st.none() | st.sampled_from(Sentiment)),
        published=draw(st.booleans()),
    )


@PROPERTY
@given(st.lists(facts(), max_size=60), st.lists(st.sampled_from(BRANDS), unique=True))
def test_counts_add_up_and_every_configured_brand_has_a_row(items: list[ItemFact], brands: list[str]) -> None:
    rows = daily_analytics(DAY, items, brands)
    keys = [(r.platform.value, r.brand) for r in rows]
    assert keys == sorted(set(keys))  # one row per key, in (platform, brand) order
    expected = {(p, b) for p in Marketplace for b in brands} | {(f.platform, f.brand) for f in items}
    assert {(r.platform, r.brand) for r in rows} == expected
    assert sum(r.total for r in rows) == len(items)
    for row in rows:
        assert row.day == DAY
        assert row.total == row.reviews + row.questions
        assert row.positive + row.negative <= row.total
        assert 0 <= row.published <= row.total
        if row.reviews:
            assert row.avg_rating is not None and Decimal(1) <= row.avg_rating <= Decimal(5)
            assert row.avg_rating == row.avg_rating.quantize(Decimal("0.01"))
        else:
            assert row.avg_rating is None


@PROPERTY
@given(st.lists(facts(), max_size=30))
def test_a_quiet_configured_brand_gets_zero_rows_on_every_platform(items: list[ItemFact]) -> None:
    rows = daily_analytics(DAY, items, [*BRANDS, "quiet_brand"])
    quiet = [r for r in rows if r.brand == "quiet_brand"]
    assert [r.platform for r in quiet] == sorted(Marketplace, key=lambda p: p.value)
    assert all(r == DailyAnalytics(DAY, r.platform, "quiet_brand", 0, 0, 0, 0, 0, None, 0) for r in quiet)


def test_one_platform_and_brand_by_hand() -> None:
    wb = Marketplace.WB
    day_facts = [
        ItemFact(wb, "ohana_kids", ItemType.REVIEW, 5, Sentiment.POSITIVE, True),
        ItemFact(wb, "ohana_kids", ItemType.REVIEW, 4, Sentiment.POSITIVE, False),
        ItemFact(wb, "ohana_kids", ItemType.REVIEW, 4, None, False),  # not analysed yet
        ItemFact(wb, "ohana_kids", ItemType.QUESTION, None, Sentiment.NEGATIVE, True),
    ]
    (row,) = daily_analytics(DAY, day_facts)
    # (5 + 4 + 4) / 3 = 4.333… → 4.33
    assert row == DailyAnalytics(DAY, wb, "ohana_kids", 4, 3, 1, 2, 1, Decimal("4.33"), 2)


def test_the_average_rounds_half_up() -> None:
    ratings = [5] + [4] * 7  # 33 / 8 = 4.125 → 4.13 (half-even would say 4.12)
    rows = daily_analytics(DAY, [ItemFact("ozon", "b", "review", r, None, False) for r in ratings])
    assert rows[0].avg_rating == Decimal("4.13")


def test_no_facts_and_no_brands_no_rows() -> None:
    assert daily_analytics(DAY, [], []) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("rating", 6, "rating=6"), ("brand", " ", "brand=' '"), ("platform", "avito", "platform='avito'")],
)
def test_a_bad_fact_is_refused_by_name(field: str, value: object, message: str) -> None:
    fields: dict[str, object] = {
        "platform": "wb",
        "brand": "b",
        "item_type": "review",
        "rating": 5,
        "sentiment": None,
        "published": False,
    }
    fields[field] = value
    with pytest.raises(InvalidReputation, match=message):
        ItemFact(**fields)  # type: ignore[arg-type]
