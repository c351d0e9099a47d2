"""``SqlPriceRepository``: competitor price observations.

- ``add`` is one bulk insert (ids come back in the order given).
- ``observed_since`` reads the ``observed_at`` index (``check_alerts``' 20-minute window).
- ``previous`` finds, for up to 1 000 (product, time) pairs per statement, each product's
  observation just before that time: the pairs are a ``VALUES`` list named in a CTE (both
  databases accept ``WITH pairs(i, cp, at) AS (VALUES …)``), joined to the one row a
  correlated ``ORDER BY observed_at DESC, id DESC LIMIT 1`` picks through the
  (competitor_product_id, observed_at) index.
- ``changes_since`` counts consecutive differing non-null prices of each product within the
  window, as the priority score does (``LAG`` over the product's non-null prices).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import DateTime, Integer, and_, case, column, func, insert, select, values
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.timestamps import utc
from adolf.adapters.sqlalchemy.watcher_rows import observation_from, observation_values
from adolf.adapters.sqlalchemy.watcher_tables import watcher_prices
from adolf.application.watcher.ports import StoredObservation
from adolf.domain.watcher.observations import PriceObservation

_p = watcher_prices.c
PAIRS_PER_QUERY = 1000  # 3 000 parameters: far below SQLite's 32 766 and psycopg2's limits


class SqlPriceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, observations: Sequence[PriceObservation], task_id: int | None = None) -> list[int]:
        if not observations:
            return []
        rows = [observation_values(o) | {"task_id": task_id} for o in observations]
        statement = insert(watcher_prices).returning(_p.id, sort_by_parameter_order=True)
        return [int(i) for i in self.session.execute(statement, rows).scalars()]

    def observed_since(self, since: datetime) -> list[StoredObservation]:
        query = select(watcher_prices).where(_p.observed_at >= utc(since)).order_by(_p.observed_at, _p.id)
        return [StoredObservation(row.id, observation_from(row), row.task_id) for row in self.session.execute(query)]

    def previous(self, pairs: Sequence[tuple[int, datetime]]) -> dict[tuple[int, datetime], PriceObservation]:
        wanted = list(dict.fromkeys(pairs))
        found: dict[tuple[int, datetime], PriceObservation] = {}
        for start in range(0, len(wanted), PAIRS_PER_QUERY):
            chunk = wanted[start : start + PAIRS_PER_QUERY]
            listed = values(
                column("i", Integer), column("cp", Integer), column("at", DateTime(timezone=True)), name="pairs"
            ).data([(start + n, cp, utc(at)) for n, (cp, at) in enumerate(chunk)])
            asked = listed.cte("pairs")
            before = watcher_prices.alias("before")
            just_before = (
                select(before.c.id)
                .where(before.c.competitor_product_id == asked.c.cp, before.c.observed_at < asked.c.at)
                .order_by(before.c.observed_at.desc(), before.c.id.desc())
                .limit(1)
                .correlate(asked)
                .scalar_subquery()
            )
            query = select(asked.c.i, watcher_prices).select_from(asked.join(watcher_prices, _p.id == just_before))
            for row in self.session.execute(query):
                found[wanted[row.i]] = observation_from(row)
        return found

    def changes_since(self, since: datetime) -> int:
        previous = func.lag(_p.price).over(partition_by=_p.competitor_product_id, order_by=(_p.observed_at, _p.id))
        seen = (
            select(_p.price, previous.label("previous"))
            .where(_p.observed_at >= utc(since), _p.price.is_not(None))
            .subquery()
        )
        changed = case((and_(seen.c.previous.is_not(None), seen.c.previous != seen.c.price), 1), else_=0)
        return int(self.session.execute(select(func.coalesce(func.sum(changed), 0))).scalar_one())
