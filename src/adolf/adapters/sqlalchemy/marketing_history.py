"""``SqlBidHistory``: the log of bid changes (old, new, source, strategy, reason).

A cycle may log hundreds of thousands of changes: ``add_many`` is a bulk insert (one
statement per 10 000 rows on PostgreSQL), not one round trip per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.marketing_bulk import bulk_insert
from adolf.adapters.sqlalchemy.tables import bid_history
from adolf.adapters.sqlalchemy.timestamps import utc
from adolf.application.marketing.ports import BidChangeRecord


class SqlBidHistory:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_many(self, records: Sequence[BidChangeRecord]) -> None:
        if not records:
            return
        bulk_insert(
            self.session,
            bid_history,
            [
                {
                    "keyword_id": r.keyword_id,
                    "campaign_id": r.campaign_id,
                    "old_bid": r.old_bid,
                    "new_bid": r.new_bid,
                    "source": r.source,
                    "strategy": r.strategy,
                    "reason": r.reason,
                    "created_at": utc(r.created_at),
                    "idempotency_key": r.idempotency_key,
                    "binding_constraint": r.constraint,
                }
                for r in records
            ],
        )

    def for_campaign(self, campaign_id: int, limit: int = 100) -> list[BidChangeRecord]:
        """Newest first."""
        query = (
            select(bid_history)
            .where(bid_history.c.campaign_id == campaign_id)
            .order_by(bid_history.c.created_at.desc(), bid_history.c.id.desc())
            .limit(limit)
        )
        return [
            BidChangeRecord(
                keyword_id=r["keyword_id"],
                campaign_id=r["campaign_id"],
                old_bid=r["old_bid"],
                new_bid=r["new_bid"],
                source=r["source"],
                strategy=r["strategy"],
                reason=r["reason"],
                created_at=utc(r["created_at"]),
                idempotency_key=r["idempotency_key"],
                constraint=r["binding_constraint"],
            )
            for r in self.session.execute(query).mappings()
        ]

    def count_between(self, start: datetime, end: datetime) -> dict[str, int]:
        query = (
            select(bid_history.c.source, func.count())
            .where(bid_history.c.created_at >= utc(start), bid_history.c.created_at < utc(end))
            .group_by(bid_history.c.source)
        )
        return {source: int(count) for source, count in self.session.execute(query)}

    def delete_before(self, cutoff: datetime) -> int:
        result = self.session.execute(delete(bid_history).where(bid_history.c.created_at < utc(cutoff)))
        assert isinstance(result, CursorResult)
        return int(result.rowcount)
