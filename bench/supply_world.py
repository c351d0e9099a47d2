"""The FBO stock ``bench/supply.py`` generates supply tasks over, loaded into PostgreSQL with COPY.

Deterministic (``random.Random(seed)``), relative to ``now``:

- ``clusters`` Ozon clusters (30), ids 1 … 30, each with a weight in an article's sales
  (1 / rank^0.8: the big clusters sell most);
- ``articles`` articles (10 000) over two brands (3 : 1), an Ozon SKU each, all active;
- the stock cache: one row per article × cluster (300 000), as ``sync_ozon_stocks`` leaves it.
  An article sells ``r`` units a day in all (log-normal, median 10, 0.5 … 300) split over the
  clusters by their weight × noise; 20 % of cells sell nothing (the article is not offered
  there) and keep a few units. A selling cell's ``ads`` is its rate to 2 places, Ozon's ``idc``
  (days left) its cover, and its stock + transit lasts: under 7 days for 10 % of cells, 7-14
  days for 15 %, 14-28 for 20 %, longer for the rest (so about 36 % of all cells are short of
  the 28-day target: urgent, planned and recommended needs); 20 % of them have part of it in
  transit;
- velocity (``/v1/analytics/data``'s 28-day rate): for 95 % of articles, their cells' total ±10 %
  (so ``blend`` rescales the clusters' rates), none for the rest;
- the 1C warehouse: per article, against its total shortfall at Ozon ``S`` (Σ of its cells'
  ``⌈ads × 28⌉ − stock − transit``): nothing for 25 % of articles, 10-60 % of ``S`` for 35 %
  (scarce: allocation decides who gets it), 1-3 × ``S`` for 35 %, no row at all for 5 %;
- open tasks from yesterday: 1 % of the short cells already have an ``accepted`` task (its
  pair gets no second one, its units are reserved);
- users: a manager per brand, a director and an admin (``WAREHOUSE_LOW`` and
  ``TASKS_GENERATED`` are routed to them through the outbox).

The cache is loaded as one COPY; then ``ANALYZE``.
"""

from __future__ import annotations

import io
import math
import random
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Engine, text

BRANDS = ("ohana_market", "ohana_kids")
TARGET_DAYS = 28  # SupplyPolicy's default target
SKU_BASE = 300_000_000
CHUNK = 250_000  # rows per COPY
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def _ts(at: datetime) -> str:
    return at.isoformat()


def _copy(engine: Engine, table: str, columns: str, lines: Iterator[str]) -> int:
    """COPY the CSV ``lines`` into ``table`` in chunks; how many rows."""
    raw: Any = engine.raw_connection()
    count = 0
    try:
        with raw.cursor() as cursor:
            buffer: list[str] = []

            def flush() -> None:
                cursor.copy_expert(
                    f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)", io.StringIO("".join(buffer))
                )
                buffer.clear()

            for line in lines:
                buffer.append(line)
                count += 1
                if len(buffer) >= CHUNK:
                    flush()
            if buffer:
                flush()
        raw.commit()
    finally:
        raw.close()
    return count


def _sequence(engine: Engine, table: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))")
        )


class Cell:
    __slots__ = ("ads", "available", "idc", "in_transit", "requested")

    def __init__(self, available: int, in_transit: int, requested: int, ads: Decimal, idc: Decimal | None) -> None:
        self.available, self.in_transit, self.requested, self.ads, self.idc = (
            available,
            in_transit,
            requested,
            ads,
            idc,
        )

    @property
    def short(self) -> int:
        """Units under the 28-day target (0 when none or nothing sells)."""
        if not self.ads:
            return 0
        target = math.ceil(self.ads * TARGET_DAYS)
        return max(0, target - self.available - self.in_transit)


class World:
    def __init__(self, articles: int, clusters: int, now: datetime, seed: int = 7) -> None:
        self.articles, self.clusters, self.now, self.seed = articles, clusters, now, seed
        rng = random.Random(seed)
        weights = [1 / (rank**0.8) for rank in range(1, clusters + 1)]
        self.cells: list[list[Cell]] = []
        self.velocity: dict[int, Decimal] = {}
        self.warehouse: dict[int, int] = {}
        self.open_tasks: list[tuple[int, int, int, int]] = []  # article, cluster, quantity, allocated
        for article in range(1, articles + 1):
            rate = min(300.0, max(0.5, rng.lognormvariate(2.3, 1.0)))
            noisy = [w * rng.uniform(0.5, 1.5) if rng.random() >= 0.2 else 0.0 for w in weights]
            total = sum(noisy) or 1.0
            row = []
            for share in noisy:
                ads = Decimal(rate * share / total).quantize(CENT, rounding=ROUND_HALF_UP)
                if not ads:
                    row.append(Cell(rng.randrange(0, 6), 0, 0, Decimal(0), None))
                    continue
                band = rng.random()
                cover = (
                    rng.uniform(0, 7)
                    if band < 0.10
                    else rng.uniform(7, 14)
                    if band < 0.25
                    else rng.uniform(14, 28)
                    if band < 0.45
                    else rng.uniform(28, 90)
                )
                units = round(cover * float(ads))
                transit = rng.randrange(0, units + 1) if units and rng.random() < 0.2 else 0
                available = units - transit
                idc = (Decimal(available) / ads).quantize(TENTH, rounding=ROUND_HALF_UP)
                requested = rng.randrange(0, 20) if rng.random() < 0.1 else 0
                row.append(Cell(available, transit, requested, ads, idc))
            self.cells.append(row)
            selling = sum((cell.ads for cell in row), Decimal(0))
            if selling and rng.random() < 0.95:
                self.velocity[article] = (selling * Decimal(rng.uniform(0.9, 1.1))).quantize(
                    CENT, rounding=ROUND_HALF_UP
                )
            shortfall = sum(cell.short for cell in row)
            kind = rng.random()
            if kind < 0.25:
                self.warehouse[article] = 0
            elif kind < 0.60:
                self.warehouse[article] = int(shortfall * rng.uniform(0.1, 0.6))
            elif kind < 0.95:
                self.warehouse[article] = int(shortfall * rng.uniform(1.0, 3.0)) + rng.randrange(0, 100)
            for cluster, cell in enumerate(row, start=1):
                if cell.short and rng.random() < 0.01:
                    allocated = cell.short if rng.random() < 0.5 else 0
                    self.open_tasks.append((article, cluster, cell.short, allocated))

    def brand(self, article: int) -> str:
        return BRANDS[1] if article % 4 == 0 else BRANDS[0]

    def short_cells(self) -> int:
        return sum(1 for row in self.cells for cell in row if cell.short)

    # --- CSV rows ---------------------------------------------------------------------------

    def cluster_rows(self) -> Iterator[str]:
        for cluster in range(1, self.clusters + 1):
            yield f"{cluster},Cluster {cluster},{_ts(self.now)}\n"

    def article_rows(self) -> Iterator[str]:
        created = _ts(self.now - timedelta(days=365))
        for article in range(1, self.articles + 1):
            yield f"{article},{self.brand(article)},A-{article:05d},Article {article},{SKU_BASE + article},t,{created}\n"

    def cache_rows(self) -> Iterator[str]:
        seen = _ts(self.now - timedelta(minutes=10))
        for article, row in enumerate(self.cells, start=1):
            for cluster, c in enumerate(row, start=1):
                idc = "" if c.idc is None else str(c.idc)
                yield f"{article},{cluster},{c.available},{c.in_transit},{c.requested},{c.ads},{idc},,{seen},{seen}\n"

    def velocity_rows(self) -> Iterator[str]:
        computed = _ts(self.now - timedelta(hours=2))
        for article, rate in self.velocity.items():
            yield f"{article},{int(rate * 28)},{rate},{computed}\n"

    def warehouse_rows(self) -> Iterator[str]:
        updated = _ts(self.now - timedelta(minutes=30))
        for article, units in self.warehouse.items():
            yield f"{article},{units},{updated}\n"

    def task_rows(self) -> Iterator[str]:
        yesterday = self.now - timedelta(days=1)
        for n, (article, cluster, quantity, allocated) in enumerate(self.open_tasks, start=1):
            coverage = "full" if allocated == quantity else "none"
            yield (
                f"{n},{article},{cluster},{self.brand(article)},{yesterday.date().isoformat()},accepted,urgent,"
                f"{coverage},{quantity},{allocated},{_ts(yesterday)},{_ts(yesterday)},{_ts(yesterday)}\n"
            )

    def user_rows(self) -> Iterator[str]:
        yield 'manager-market,Manager Market,manager,ohana_market,t,"[]"\n'
        yield 'manager-kids,Manager Kids,manager,ohana_kids,t,"[]"\n'
        yield 'director,Director,director,all,t,"[]"\n'
        yield 'admin,Admin,admin,all,t,"[]"\n'


def load(engine: Engine, world: World, say: Callable[[str], None]) -> dict[str, int]:
    """COPY every table; rows per table."""
    started = time.perf_counter()
    rows = {
        "logistic_clusters": _copy(engine, "logistic_clusters", "id, name, updated_at", world.cluster_rows()),
        "logistic_articles": _copy(
            engine, "logistic_articles", "id, brand, code, name, ozon_sku, active, created_at", world.article_rows()
        ),
    }
    _sequence(engine, "logistic_articles")
    rows["logistic_stock_cache"] = _copy(
        engine,
        "logistic_stock_cache",
        "article_id, cluster_id, available, in_transit, requested, avg_daily_sales, days_left, turnover_grade, "
        "observed_at, updated_at",
        world.cache_rows(),
    )
    rows["logistic_sales_velocity"] = _copy(
        engine,
        "logistic_sales_velocity",
        "article_id, ordered_units_28d, avg_daily_sales, computed_at",
        world.velocity_rows(),
    )
    rows["logistic_warehouse_stock"] = _copy(
        engine, "logistic_warehouse_stock", "article_id, quantity, updated_at", world.warehouse_rows()
    )
    rows["logistic_supply_tasks (open, yesterday)"] = _copy(
        engine,
        "logistic_supply_tasks",
        "id, article_id, cluster_id, brand, task_date, status, priority, coverage, quantity, allocated, "
        "created_at, updated_at, accepted_at",
        world.task_rows(),
    )
    _sequence(engine, "logistic_supply_tasks")
    rows["users"] = _copy(engine, "users", "id, name, role, brand, active, contacts", world.user_rows())
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    say(f"   copied and analysed in {time.perf_counter() - started:.1f} s")
    return rows
