"""``SqlReputationAnalyticsRepository``: one row per day × platform × brand.

``replace_day`` deletes the day's rows and inserts the given ones in the caller's transaction:
a rerun of ``calculate_daily_analytics`` (a retry, a manual run) replaces the day, never
doubles it, and a platform × brand with no items left that day loses its stale row. The
average rating is rounded here, ROUND_HALF_UP, to the column's 2 places, so SQLite (which
would keep a float) reads back what PostgreSQL does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.marketing_bulk import bulk_insert
from adolf.adapters.sqlalchemy.reputation_tables import reputation_daily_analytics
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.analytics import DailyAnalytics

_d = reputation_daily_analytics.c
CENT = Decimal("0.01")


def _rating(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _row(row: DailyAnalytics) -> dict[str, Any]:
    return {
        "day": row.day,
        "platform": Marketplace(row.platform).value,
        "brand": row.brand,
        "total": row.total,
        "reviews": row.reviews,
        "questions": row.questions,
        "positive": row.positive,
        "negative": row.negative,
        "avg_rating": _rating(row.avg_rating),
        "published": row.published,
    }


class SqlReputationAnalyticsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def replace_day(self, day: date, rows: Sequence[DailyAnalytics]) -> int:
        for row in rows:
            if row.day != day:
                raise ValueError(f"day={row.day} of a row for {row.platform}/{row.brand} is not day={day}")
        if len({(row.platform, row.brand) for row in rows}) != len(rows):
            raise ValueError(f"day={day}: a platform × brand is given twice")
        self.session.execute(delete(reputation_daily_analytics).where(_d.day == day))
        bulk_insert(self.session, reputation_daily_analytics, [_row(row) for row in rows])
        return len(rows)

    def rows(self, start: date, end: date) -> list[DailyAnalytics]:
        query = (
            select(reputation_daily_analytics)
            .where(_d.day >= start, _d.day <= end)
            .order_by(_d.day, _d.platform, _d.brand)
        )
        return [
            DailyAnalytics(
                day=row.day,
                platform=Marketplace(row.platform),
                brand=row.brand,
                total=int(row.total),
                reviews=int(row.reviews),
                questions=int(row.questions),
                positive=int(row.positive),
                negative=int(row.negative),
                avg_rating=_rating(row.avg_rating),
                published=int(row.published),
            )
            for row in self.session.execute(query)
        ]
