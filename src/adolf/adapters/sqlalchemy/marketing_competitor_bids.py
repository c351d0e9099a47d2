"""``SqlCompetitorBids``: the competitor bids Watcher observed, per keyword, highest first.

Bids are kept as a JSON list of strings, highest first (JSON numbers would come back as
floats). ``replace``
overwrites the lists of the keywords it is given and leaves the others as they were; each row
keeps its ``observed_at`` so staleness stays visible.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.marketing_bulk import PG_CHUNK, chunks, dialect_name, upsert
from adolf.adapters.sqlalchemy.marketing_pg_arrays import array_params, unnest_source
from adolf.adapters.sqlalchemy.tables import competitor_bids
from adolf.adapters.sqlalchemy.timestamps import utc
from adolf.domain.marketplace import Marketplace


class SqlCompetitorBids:
    def __init__(self, session: Session) -> None:
        self.session = session

    def bids_for(self, marketplace: Marketplace, keyword_external_ids: Sequence[str]) -> dict[str, tuple[Decimal, ...]]:
        wanted = list(dict.fromkeys(keyword_external_ids))
        rows = self._pg_rows if dialect_name(self.session) == "postgresql" else self._in_rows
        # ``replace`` stores each list highest first, so reading needs no sort.
        return {external_id: tuple(map(Decimal, bids)) for external_id, bids in rows(marketplace, wanted)}

    def _pg_rows(self, marketplace: Marketplace, wanted: list[str]) -> Iterator[Sequence[Any]]:
        """One primary-key lookup per wanted id, whatever the planner's statistics say.

        ``unnest(ids) JOIN LATERAL (… OFFSET 0)``: the ``OFFSET 0`` keeps PostgreSQL from
        flattening the lateral subquery into a join it may plan as a hash join over the whole
        table. Measured on 500 000 rows: a plain join or ``IN`` list read the full table per
        chunk (0.2–0.3 s each, both before and after ANALYZE) where the lookups take ~3 µs each.
        """
        c = competitor_bids.c
        ids = unnest_source(competitor_bids, ["keyword_external_id"])
        found = (
            select(c.keyword_external_id, c.bids)
            .where(c.marketplace == marketplace.value, c.keyword_external_id == ids.c.keyword_external_id)
            .offset(0)
            .lateral("found")
        )
        query = select(found.c.keyword_external_id, found.c.bids).select_from(ids).join(found, true())
        for chunk in chunks(wanted, PG_CHUNK):
            yield from self.session.execute(query, array_params(["keyword_external_id"], [(k,) for k in chunk]))

    def _in_rows(self, marketplace: Marketplace, wanted: list[str]) -> Iterator[Sequence[Any]]:
        c = competitor_bids.c
        for chunk in chunks(wanted):
            query = select(c.keyword_external_id, c.bids).where(
                c.marketplace == marketplace.value, c.keyword_external_id.in_(chunk)
            )
            yield from self.session.execute(query)

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
