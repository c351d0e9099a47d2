"""A fresh simulated seller for Logistic: articles on Ozon FBO, the clusters, the 1C warehouse.

Sizes: ``articles`` articles (40 by default: ``adolf simulate --articles``) × the simulated
Ozon's 10 clusters, spread over the configured brands round robin. Article ``i`` is the
simulated Ozon's SKU ``i`` (``fbo_model.sku_of``) and 1C's code ``УТ-1000NN``; its name is the
Ozon one with the offer id. They are stored through the Logistic repositories, and the clusters
from Ozon's own list (``/v1/cluster/list``), as ``sync_ozon_warehouses`` would store them.

Three simulated systems, all pure functions of the seed and of what the seller ships:

* ``ozon`` — Ozon FBO (``SimulatedOzonFbo``) starting on the run's first day: what the
  Logistic jobs read, and where the seller's shipped supplies go. Its first day and shipments
  are kept in the container's store (``fbo_state``): this process's memory inline, the
  simulated market's database under Celery/RQ, where the workers' own simulated Ozons read
  them;
* ``baseline`` — the same Ozon, same seed, same first day, that never gets a supply: the
  "without supply tasks" run the report compares stock-outs and lost sales with (a store of
  its own in this process's memory: nobody else reads it);
* ``one_c`` — the seller's 1C warehouse (``SimulatedOneC``), sized by each article's Ozon
  demand (its popularity over every cluster), drained by what the seller ships to Ozon.

The faults of the run (choices, so a short run shows them): the 1C export of the middle
morning (``days // 2``, from two days on) is missing, so ``check_brain_freshness`` raises
``DATA_STALE``; the morning after it carries the anomaly (an extra zero typed into one
quantity), or the middle morning itself in a two-day run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from adolf.adapters.marketplaces.simulated.brain_extract import SimulatedOneC, WarehouseArticle
from adolf.adapters.marketplaces.simulated.fbo_model import popularity
from adolf.adapters.marketplaces.simulated.fbo_state import FboState
from adolf.adapters.marketplaces.simulated.ozon_fbo import SimulatedOzonFbo
from adolf.application.logistic.ports import LogisticServices
from adolf.domain.logistic.articles import Article, Cluster

CODE_BASE = 100_001


def code_of(index: int) -> str:
    """1C's code of article ``index``."""
    return f"УТ-{CODE_BASE + index:06d}"


@dataclass
class LogisticWorld:
    """What the run's Logistic events need: the simulated systems and the seeded catalogue."""

    ozon: SimulatedOzonFbo
    baseline: SimulatedOzonFbo
    one_c: SimulatedOneC
    extracts: Path  # where the morning's 1C files are written
    missing_on: date | None  # the morning whose 1C export never comes
    anomaly_on: date | None
    articles: dict[int, Article] = field(default_factory=dict)  # id → article
    counts: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            **self.counts,
            "missing_extract": self.missing_on.isoformat() if self.missing_on else None,
            "anomaly_morning": self.anomaly_on.isoformat() if self.anomaly_on else None,
            "anomaly_code": self.one_c.anomaly_code() if self.anomaly_on else None,
        }


def fault_days(start: date, days: int) -> tuple[date | None, date | None]:
    """(the morning with no 1C export, the morning with the anomaly) — see the docstring."""
    if days < 2:
        return None, None
    missing = start + timedelta(days=days // 2)
    anomaly = missing + timedelta(days=1) if days // 2 + 1 < days else missing
    return missing, anomaly


def build_world(
    seed: int, articles: int, start: date, days: int, clock: Any, extracts: Path, state: FboState | None = None
) -> LogisticWorld:
    """The simulated Ozon (on ``state``; None: in memory) and its baseline twin, and 1C of a
    run; nothing stored in the application's database yet."""
    ozon = SimulatedOzonFbo(seed, articles, clock, start=start, state=state)
    baseline = SimulatedOzonFbo(seed, articles, clock, start=start)
    missing, anomaly = fault_days(start, days)
    stock = [
        WarehouseArticle(code_of(i), _name(item.name, item.offer_id), popularity(seed, item.sku))
        for i, item in enumerate(ozon.articles())
    ]
    one_c = SimulatedOneC(seed, stock, start, anomaly_on=anomaly)
    return LogisticWorld(ozon, baseline, one_c, extracts, missing, anomaly)


def seed_logistic(services: LogisticServices, brands: Sequence[str], world: LogisticWorld) -> LogisticWorld:
    """Store the articles and the clusters; counts in ``world.counts``."""
    now = services.clock.now()
    carried = list(brands) or ["all"]
    listed = world.ozon.articles()
    articles = [
        Article(0, carried[i % len(carried)], code_of(i), _name(item.name, item.offer_id), item.sku)
        for i, item in enumerate(listed)
    ]
    clusters = [Cluster(row.id, row.name) for row in world.ozon.clusters()]
    with services.uow() as uow:
        ids = uow.logistic_articles.add(articles, now)
        uow.logistic_clusters.upsert(clusters, now)
        uow.commit()
    world.articles = {
        article_id: Article(article_id, a.brand, a.code, a.name, a.ozon_sku)
        for article_id, a in zip(ids, articles, strict=True)
    }
    levels = world.one_c.levels
    world.counts = {
        "articles": len(articles),
        "clusters": len(clusters),
        "brands": len(set(a.brand for a in articles)),
        "warehouse_articles": sum(1 for units in levels.values() if units),
        "warehouse_empty": sum(1 for units in levels.values() if not units),
        "unmapped_codes": len(world.one_c.unmapped),
    }
    return world


def _name(name: str, offer_id: str) -> str:
    return f"{name[:1].upper()}{name[1:]}, арт. {offer_id}"
