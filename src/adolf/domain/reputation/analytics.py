"""Daily analytics per platform × brand (SPEC §3 ``calculate_daily_analytics``; seed 002).

For one day, from the facts of the items created that day:

- ``total`` items, of which ``reviews`` and ``questions`` (``total = reviews + questions``);
- ``positive`` and ``negative``: items whose analysis read that sentiment (an item not yet
  analysed counts in neither, so ``positive + negative ≤ total``);
- ``avg_rating``: the mean rating of the day's reviews, half-up to 2 places; None when no review
  was rated (a day of questions only has no rating, not 0);
- ``published``: items whose answer is published.

Rows cover every configured brand on every platform, with zeros on a quiet day (the seed wrote
nothing then, which a chart reads as a missing day rather than a quiet one), plus any brand the
facts name that is not configured (its items happened; they are counted, not dropped). Rows are
sorted by (platform, brand).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.errors import InvalidReputation
from adolf.domain.reputation.items import ItemType, Sentiment, platform_of

__all__ = ["DailyAnalytics", "ItemFact", "daily_analytics"]

_TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class ItemFact:
    """What the daily analytics count of one item (an item created that day)."""

    platform: Marketplace
    brand: str
    item_type: ItemType
    rating: int | None
    sentiment: Sentiment | None  # None while not analysed
    published: bool

    def __post_init__(self) -> None:
        object.__setattr__(self, "platform", platform_of(self.platform))
        object.__setattr__(self, "item_type", ItemType.parse(self.item_type))
        if self.sentiment is not None:
            object.__setattr__(self, "sentiment", Sentiment.parse(self.sentiment))
        if not isinstance(self.brand, str) or not self.brand.strip():
            raise InvalidReputation(f"brand={self.brand!r} must be a non-empty string")
        if self.rating is not None and (
            isinstance(self.rating, bool) or not isinstance(self.rating, int) or not 1 <= self.rating <= 5
        ):
            raise InvalidReputation(f"rating={self.rating!r} must be 1 … 5 or None")


@dataclass(frozen=True, slots=True)
class DailyAnalytics:
    """One platform × brand × day (SPEC §3 ``calculate_daily_analytics``)."""

    day: date
    platform: Marketplace
    brand: str
    total: int
    reviews: int
    questions: int
    positive: int
    negative: int
    avg_rating: Decimal | None  # 2 places; None with no rated review that day
    published: int


def _average(ratings: list[int]) -> Decimal | None:
    if not ratings:
        return None
    return (Decimal(sum(ratings)) / len(ratings)).quantize(_TWO_PLACES, rounding=ROUND_HALF_UP)


def _row(day: date, platform: Marketplace, brand: str, facts: Iterable[ItemFact]) -> DailyAnalytics:
    facts = list(facts)
    return DailyAnalytics(
        day=day,
        platform=platform,
        brand=brand,
        total=len(facts),
        reviews=sum(1 for f in facts if f.item_type is ItemType.REVIEW),
        questions=sum(1 for f in facts if f.item_type is ItemType.QUESTION),
        positive=sum(1 for f in facts if f.sentiment is Sentiment.POSITIVE),
        negative=sum(1 for f in facts if f.sentiment is Sentiment.NEGATIVE),
        avg_rating=_average([f.rating for f in facts if f.item_type is ItemType.REVIEW and f.rating is not None]),
        published=sum(1 for f in facts if f.published),
    )


def daily_analytics(day: date, facts: Sequence[ItemFact], brands: Sequence[str] = ()) -> list[DailyAnalytics]:
    """The day's rows: every (platform, brand) of ``brands`` × all platforms and of ``facts``."""
    grouped: dict[tuple[Marketplace, str], list[ItemFact]] = {
        (platform, brand.strip()): [] for platform in Marketplace for brand in brands
    }
    for fact in facts:
        grouped.setdefault((fact.platform, fact.brand), []).append(fact)
    return [
        _row(day, platform, brand, grouped[(platform, brand)])
        for platform, brand in sorted(grouped, key=lambda key: (key[0].value, key[1]))
    ]
