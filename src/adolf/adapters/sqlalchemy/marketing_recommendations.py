"""``SqlRecommendationStore``: what the nightly analytics advised, per campaign and day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.marketing_bulk import bulk_insert
from adolf.adapters.sqlalchemy.tables import recommendations
from adolf.adapters.sqlalchemy.timestamps import utc
from adolf.application.marketing.ports import Recommendation


class SqlRecommendationStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_many(self, items: Sequence[Recommendation]) -> None:
        if not items:
            return
        bulk_insert(
            self.session,
            recommendations,
            [
                {
                    "campaign_id": item.campaign_id,
                    "day": item.day,
                    "kind": item.kind,
                    "message": item.message,
                    "created_at": utc(item.created_at),
                }
                for item in items
            ],
        )

    def for_day(self, day: date) -> list[Recommendation]:
        query = select(recommendations).where(recommendations.c.day == day).order_by(recommendations.c.id)
        return [
            Recommendation(
                campaign_id=r["campaign_id"],
                day=r["day"],
                kind=r["kind"],
                message=r["message"],
                created_at=utc(r["created_at"]),
            )
            for r in self.session.execute(query).mappings()
        ]
