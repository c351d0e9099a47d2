"""``SqlFboStockRepository`` (FBO snapshots and the current cache) and ``SqlVelocityRepository``.

``record(stocks, at)`` is two bulk statements per ``PG_CHUNK`` rows, whatever their number: every
row inserted as a snapshot (``logistic_fbo_stock``, the history ``cleanup_old_data`` trims),
and the same rows upserted into ``logistic_stock_cache`` (``ON CONFLICT (article_id,
cluster_id) DO UPDATE``), the one row per article × cluster the deficits and the alerts read.
An article × cluster given twice in one call is two snapshots and one cache row, the last one
given (choice: a caller gives the rows in the order Ozon reported them).

``current(brand)`` is the cache of *active* articles, through one join on ``logistic_articles``
(an article switched off keeps its rows but leaves the deficits and the alerts).

``VelocityRepository.replace`` makes the table hold exactly the rows given (one DELETE, one
bulk INSERT, in the caller's transaction: a reader never sees it half-written): an article
Ozon no longer reports sales for has no velocity rather than a stale one.

Rates are stored to 2 places and days left to 1 (``logistic_rows``), rounded half up here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.logistic_rows import TENTH, last_per_key, of_brand, rate, rounded
from adolf.adapters.sqlalchemy.logistic_tables import (
    logistic_articles,
    logistic_fbo_stock,
    logistic_sales_velocity,
    logistic_stock_cache,
)
from adolf.adapters.sqlalchemy.marketing_bulk import bulk_insert, upsert
from adolf.adapters.sqlalchemy.timestamps import utc
from adolf.adapters.sqlalchemy.watcher_rows import delete_batch
from adolf.application.logistic.ports import ArticleVelocity
from adolf.domain.logistic.stock import FboStock

_c = logistic_stock_cache.c
_CURRENT = (
    _c.article_id,
    _c.cluster_id,
    _c.available,
    _c.in_transit,
    _c.requested,
    _c.avg_daily_sales,
    _c.observed_at,
    _c.days_left,
    _c.turnover_grade,
)
_CACHED = ("available", "in_transit", "requested", "avg_daily_sales", "days_left", "turnover_grade", "observed_at")


def _values(stock: FboStock) -> dict[str, Any]:
    return {
        "article_id": stock.article_id,
        "cluster_id": stock.cluster_id,
        "available": stock.available,
        "in_transit": stock.in_transit,
        "requested": stock.requested,
        "avg_daily_sales": rate(stock.avg_daily_sales),
        "days_left": rounded(stock.days_left, TENTH),
        "turnover_grade": stock.turnover_grade,
        "observed_at": utc(stock.observed_at),
    }


class SqlFboStockRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, stocks: Sequence[FboStock], at: datetime) -> int:
        snapshots = [_values(stock) for stock in stocks]
        if not snapshots:
            return 0
        bulk_insert(self.session, logistic_fbo_stock, snapshots)
        stamp = utc(at)
        cached = [{**row, "updated_at": stamp} for row in last_per_key(snapshots, ("article_id", "cluster_id"))]
        upsert(self.session, logistic_stock_cache, cached, ("article_id", "cluster_id"), (*_CACHED, "updated_at"))
        return len(snapshots)

    def current(self, brand: str | None = None, selling_only: bool = False) -> list[FboStock]:
        a = logistic_articles.c
        query = (
            select(*_CURRENT)
            .join(logistic_articles, a.id == _c.article_id)
            .where(a.active.is_(True), of_brand(a.brand, brand))
            .order_by(_c.article_id, _c.cluster_id)
        )
        if selling_only:
            query = query.where(_c.avg_daily_sales > 0)
        # Rows unpacked as tuples, the driver's ints and Decimals as they come (the columns'
        # types), each distinct observed_at made UTC once (a sync stamps thousands of rows
        # alike): 300 000 rows a morning.
        moments: dict[datetime, datetime] = {}
        stocks: list[FboStock] = []
        append = stocks.append
        rows = self.session.execute(query).all()  # fetched in one go, not a fetchone a row
        for article, cluster, available, transit, requested, speed, observed, days, grade in rows:
            when = moments.get(observed)
            if when is None:
                when = moments[observed] = utc(observed)
            append(FboStock(article, cluster, available, transit, requested, speed, when, days, grade))
        return stocks

    def delete_snapshots_before(self, cutoff: datetime, limit: int) -> int:
        condition = logistic_fbo_stock.c.observed_at < utc(cutoff)
        return delete_batch(self.session, logistic_fbo_stock, condition, limit)


class SqlVelocityRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def replace(self, rows: Sequence[ArticleVelocity], at: datetime) -> int:
        stamp = utc(at)
        values = [
            {
                "article_id": v.article_id,
                "ordered_units_28d": v.ordered_units,
                "avg_daily_sales": rate(v.avg_daily_sales),
                "computed_at": stamp,
            }
            for v in rows
        ]
        unique = last_per_key(values, ("article_id",))
        self.session.execute(delete(logistic_sales_velocity))
        bulk_insert(self.session, logistic_sales_velocity, unique)
        return len(unique)

    def all(self) -> dict[int, ArticleVelocity]:
        v = logistic_sales_velocity.c
        query = select(v.article_id, v.ordered_units_28d, v.avg_daily_sales)
        return {
            int(article): ArticleVelocity(int(article), int(units), speed)
            for article, units, speed in self.session.execute(query)
        }
