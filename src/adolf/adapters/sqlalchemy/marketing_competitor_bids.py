"""``SqlCompetitorBids``: the competitor bids Watcher observed, per keyword, highest first.

Bids are kept as a JSON list of strings (JSON numbers would come back as floats). ``replace``
overwrites the lists of the keywords it is given and leaves the others as they were; each row
keeps its ``observed_at`` so staleness stays visible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.marketing_bulk import chunks, upsert
from adolf.adapters.sqlalchemy.tables import competitor_bids
from adolf.adapters.sqlalchemy.timestamps import utc
from adolf.domain.marketplace import Marketplace


class SqlCompetitorBids:
    def __init__(self, session: Session) -> None:
        self.session = session

    def bids_for(self, marketplace: Marketplace, keyword_external_ids: Sequence[str]) -> dict[str, tuple[Decimal, ...]]:
        c = competitor_bids.c
        found: dict[str, tuple[Decimal, ...]] = {}
        for chunk in chunks(list(dict.fromkeys(keyword_external_ids))):
            query = select(c.keyword_external_id, c.bids).where(
                c.marketplace == marketplace.value, c.keyword_external_id.in_(chunk)
            )
            for external_id, bids in self.session.execute(query):
                found[external_id] = tuple(sorted((Decimal(b) for b in bids), reverse=True))
        return found

    def replace(self, marketplace: Marketplace, bids: Mapping[str, Sequence[Decimal]], observed_at: datetime) -> None:
        at = utc(observed_at)
        rows = [
            {
                "marketplace": marketplace.value,
                "keyword_external_id": external_id,
                "bids": [str(b) for b in sorted(values, reverse=True)],
                "observed_at": at,
            }
            for external_id, values in bids.items()
        ]
        upsert(self.session, competitor_bids, rows, ("marketplace", "keyword_external_id"), ("bids", "observed_at"))
