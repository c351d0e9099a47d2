"""``logistic.sync_ozon_stocks(brand="all")`` (every 30 min; seed 003 §8.4.1, SPEC §3).

The FBO stock of every active article with an Ozon SKU, per cluster, through the port
(``/v1/analytics/stocks``, which the adapter batches by 100 SKUs) → a snapshot per article ×
cluster and the current cache (one bulk write per chunk), then ``logistic.generate_alerts``
for the same brand — chained through the outbox, recorded in the transaction of the last
snapshots, so the chain is the same on the inline runtime, Celery and RQ and survives a worker
dying after the commit.

Rules:
- the SKUs go ``CHUNK`` at a time (1 000 SKUs × ~30 clusters per transaction), so neither the
  rows in memory nor a transaction grows with the catalogue; one run shares one ``observed_at``;
- a row Ozon sent malformed is skipped by the adapter and counted (``skipped``); a row we
  cannot place is skipped and counted here by reason: an SKU that is not one of the articles
  asked for (``unknown_sku``), a cluster still unknown after reading Ozon's cluster list once
  (``unknown_cluster``: the first run may precede the weekly ``sync_ozon_warehouses``), values
  the domain refuses (``invalid``), an article × cluster given twice (``duplicate``: the last
  one kept, as a cache row is one per pair);
- a failing call (``MarketplaceError``) fails the job, to be retried (3 × 120 s): the chunks
  already written stay, a retry writes its own snapshots.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from adolf.application.logistic import dispatch
from adolf.application.logistic.ozon_fbo import StockRow
from adolf.application.logistic.ports import LogisticServices
from adolf.application.logistic.scope import BrandField, brand_filter, brand_label
from adolf.domain.logistic.articles import Article, Cluster
from adolf.domain.logistic.errors import InvalidLogistic
from adolf.domain.logistic.stock import FboStock

CHUNK = 1_000
ALERTS = "logistic.generate_alerts"


def sync_ozon_stocks(services: LogisticServices, brand: BrandField = "all") -> dict[str, Any]:
    scope = brand_filter(brand)
    now = services.clock.now()
    with services.uow() as uow:
        articles = [a for a in uow.logistic_articles.all(scope) if a.ozon_sku is not None]
        clusters = {cluster.id for cluster in uow.logistic_clusters.all()}
    report: dict[str, Any] = {
        "brand": brand_label(scope),
        "articles": len(articles),
        "recorded": 0,
        "skipped": 0,
        "unknown_sku": 0,
        "unknown_cluster": 0,
        "invalid": 0,
        "duplicate": 0,
        "clusters_refreshed": False,
    }
    chunks = [articles[i : i + CHUNK] for i in range(0, len(articles), CHUNK)] or [[]]
    keys: list[str] = []
    for number, chunk in enumerate(chunks, start=1):
        by_sku = {a.ozon_sku: a for a in chunk if a.ozon_sku is not None}
        page = services.ozon_fbo.stocks(sorted(by_sku)) if by_sku else None
        rows = page.rows if page else []
        report["skipped"] += len(page.skipped) if page else 0
        if not report["clusters_refreshed"] and any(row.cluster_id not in clusters for row in rows):
            clusters |= _refresh_clusters(services, now)
            report["clusters_refreshed"] = True
        stocks = _stocks(rows, by_sku, clusters, now, report)
        with services.uow() as uow:
            report["recorded"] += uow.logistic_stock.record(stocks, now) if stocks else 0
            if number == len(chunks):
                chained = dispatch.enqueue(
                    f"logistic:sync_ozon_stocks:{brand_label(scope)}:{now.isoformat()}:generate_alerts",
                    ALERTS,
                    {"brand": brand_label(scope)},
                    now,
                )
                keys = dispatch.record(uow, [chained])
            uow.commit()
    flushed = dispatch.flush(services, keys)
    report["chained"] = flushed.enqueued
    return report


def _refresh_clusters(services: LogisticServices, now: datetime) -> set[int]:
    """Ozon's cluster list, stored: the ids now known."""
    found = [Cluster(row.id, row.name) for row in services.ozon_fbo.clusters()]
    with services.uow() as uow:
        uow.logistic_clusters.upsert(found, now)
        uow.commit()
    return {cluster.id for cluster in found}


def _stocks(
    rows: Sequence[StockRow], by_sku: dict[int, Article], clusters: set[int], now: datetime, report: dict[str, Any]
) -> list[FboStock]:
    kept: dict[tuple[int, int], FboStock] = {}
    for row in rows:
        article = by_sku.get(row.sku)
        if article is None:
            report["unknown_sku"] += 1
            continue
        if row.cluster_id not in clusters:
            report["unknown_cluster"] += 1
            continue
        try:
            stock = FboStock(
                article_id=article.id,
                cluster_id=row.cluster_id,
                available=row.available,
                in_transit=row.in_transit,
                requested=row.requested,
                avg_daily_sales=row.ads,
                observed_at=now,
                days_left=row.idc,
                turnover_grade=row.turnover_grade,
            )
        except InvalidLogistic:
            report["invalid"] += 1
            continue
        key = (stock.article_id, stock.cluster_id)
        if key in kept:
            report["duplicate"] += 1
        kept[key] = stock
    return list(kept.values())
