"""``SqlResponseRepository``: the answer to an item, one current answer per item (``save``
replaces it: an edit, a regenerated draft, a send's outcome).

``failed_for_retry`` reads the failed answers with attempts to spare, oldest first, through the
(status, created_at) index; a published answer is never among them, whatever its attempts.
``answer_minutes`` reads (published_at, the item's created_at) for the answers published in a
window and computes the minutes here (``reputation_rows.minutes_between``: both dialects agree
to the cent of a minute).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.reputation_rows import id_batches, minutes_between, upsert_by_item
from adolf.adapters.sqlalchemy.reputation_tables import reputation_items, reputation_responses
from adolf.adapters.sqlalchemy.timestamps import as_utc, utc
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import Response, ResponseStatus

_r = reputation_responses.c


def response_from(row: Any) -> Response:
    return Response(
        item_id=int(row.item_id),
        text=row.text,
        source=row.source,
        status=row.status,
        created_at=utc(row.created_at),
        attempts=int(row.attempts),
        last_error=row.last_error,
        published_at=as_utc(row.published_at),
        instructions=row.instructions,
    )


class SqlResponseRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def save(self, response: Response) -> None:
        upsert_by_item(
            self.session,
            reputation_responses,
            {
                "item_id": response.item_id,
                "text": response.text,
                "source": response.source.value,
                "status": response.status.value,
                "attempts": response.attempts,
                "last_error": response.last_error,
                "published_at": as_utc(response.published_at),
                "created_at": utc(response.created_at),
                "instructions": response.instructions,
            },
        )

    def get(self, item_id: int) -> Response | None:
        return self.get_many([item_id]).get(item_id)

    def get_many(self, item_ids: Sequence[int]) -> dict[int, Response]:
        found = {}
        for condition in id_batches(self.session, _r.item_id, item_ids):
            for row in self.session.execute(select(reputation_responses).where(condition)):
                found[int(row.item_id)] = response_from(row)
        return found

    def failed_for_retry(self, max_attempts: int, limit: int = 1000) -> list[int]:
        query = (
            select(_r.item_id)
            .where(_r.status == ResponseStatus.FAILED.value, _r.attempts < max_attempts)
            .order_by(_r.created_at, _r.item_id)
            .limit(max(limit, 0))
        )
        return [int(item_id) for item_id in self.session.execute(query).scalars()]

    def answer_minutes(self, start: datetime, end: datetime, platform: Marketplace | None = None) -> list[Decimal]:
        i = reputation_items.c
        query = (
            select(_r.published_at, i.created_at)
            .join(reputation_items, i.id == _r.item_id)
            .where(_r.published_at >= utc(start), _r.published_at < utc(end))
            .order_by(_r.published_at, _r.item_id)
        )
        if platform is not None:
            query = query.where(i.platform == platform.value)
        return [minutes_between(created, published) for published, created in self.session.execute(query)]
