"""The catalogue ``bench/priorities.py`` scores, loaded into PostgreSQL with COPY.

Deterministic (``random.Random(seed)``), relative to ``now``:
- 20 000 products of ours over WB, Ozon and YM (two brands, 300 … 5 000 ₽);
- 5 000 competitors, 100 000 competitor listings (each on one of our products, same
  marketplace), one active subscription each;
- prices: ``prices`` rows in all, 0 … 60 per listing (30 on average), spread over the last 45
  days (about a third before the 30-day window). Each listing has a price class against ours
  (40 % within 5 %, 30 % within 15 %, 20 % within 50 %, 10 % beyond) and a volatility (a new
  price at 0 / 5 / 15 / 40 % of observations); half show a crossed-out price (discounts of
  10 … 45 %); 2 % of observations are out of stock (no price);
- alerts: 10 % of listings have 1 … 3 ``dumping_detected`` alerts in the 45 days, 5 % a
  ``price_drop``.

``watcher_prices`` is loaded without its two secondary indexes and FK triggers (rows made for
listings that exist), which are built afterwards; then ``ANALYZE``.
"""

from __future__ import annotations

import io
import random
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, text

from adolf.adapters.sqlalchemy.watcher_tables import watcher_prices

MARKETPLACES = ("wb", "ozon", "ym")
OUR_PRODUCTS = 20_000
COMPETITORS = 5_000
HISTORY = timedelta(days=45)
CHUNK = 250_000  # price rows per COPY


def _ts(at: datetime) -> str:
    return at.isoformat()


def _copy(engine: Engine, table: str, columns: str, lines: Iterator[str], replica: bool = False) -> int:
    """COPY the CSV ``lines`` into ``table`` in chunks; how many rows."""
    raw: Any = engine.raw_connection()
    count = 0
    try:
        with raw.cursor() as cursor:
            if replica:  # the bench connects as a superuser: skip the per-row FK triggers
                cursor.execute("SET session_replication_role = replica")
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
            cursor.execute("SET session_replication_role = DEFAULT")
        raw.commit()
    finally:
        raw.close()
    return count


def _sequence(engine: Engine, table: str) -> None:
    with engine.begin() as conn:
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))


class World:
    def __init__(self, listings: int, prices: int, now: datetime, seed: int = 7) -> None:
        self.listings, self.prices, self.now, self.seed = listings, prices, now, seed
        rng = random.Random(seed)
        self.our_price = {j: Decimal(rng.randrange(300, 5_000)) for j in range(1, OUR_PRODUCTS + 1)}
        counts = [rng.randrange(0, 61) for _ in range(listings)]
        shortfall = prices - sum(counts)
        step = 1 if shortfall > 0 else -1
        i = 0
        while shortfall:  # exactly ``prices`` rows: spread the difference one row at a time
            if 0 <= counts[i % listings] + step <= 120:
                counts[i % listings] += step
                shortfall -= step
            i += 1
        self.counts = counts

    def ours(self, item: int) -> int:
        return (item - 1) % OUR_PRODUCTS + 1

    def marketplace(self, item: int) -> str:
        return MARKETPLACES[self.ours(item) % 3]

    def competitor(self, item: int) -> int:
        mp = self.ours(item) % 3
        return mp + 3 * ((item // 7) % (COMPETITORS // 3)) + 1

    def products(self) -> Iterator[str]:
        created = _ts(self.now - HISTORY)
        for j, price in self.our_price.items():
            brand = "ohana_market" if j % 4 else "ohana_kids"
            yield f"{j},{brand},{MARKETPLACES[j % 3]},SKU-{j},Product {j},{price},t,{created}\n"

    def competitors(self) -> Iterator[str]:
        for c in range(1, COMPETITORS + 1):
            yield f"{c},Competitor {c},{MARKETPLACES[(c - 1) % 3]},t\n"

    def items(self) -> Iterator[str]:
        for i in range(1, self.listings + 1):
            mp = self.marketplace(i)
            yield f"{i},{self.competitor(i)},{mp},{mp}-{i},https://{mp}.example/{i},Listing {i},{self.ours(i)},50\n"

    def subscriptions(self) -> Iterator[str]:
        created = _ts(self.now - HISTORY)
        for i in range(1, self.listings + 1):
            yield f"{i},{self.ours(i)},{i},{self.marketplace(i)},t,{created}\n"

    def price_rows(self) -> Iterator[str]:
        rng = random.Random(self.seed + 1)
        start = self.now - HISTORY
        for i, n in enumerate(self.counts, start=1):
            if not n:
                continue
            ours = self.our_price[self.ours(i)]
            band = rng.random()
            spread = 0.05 if band < 0.4 else 0.15 if band < 0.7 else 0.5 if band < 0.9 else 1.5
            base = float(ours) * (1 + rng.uniform(-spread, spread) if band < 0.9 else 1 + rng.uniform(0.5, spread))
            volatility = rng.choice((0.0, 0.05, 0.15, 0.4))
            discounted = rng.random() < 0.5
            price = max(1, round(base))
            gap = HISTORY / n
            for k in range(n):
                at = start + gap * k + timedelta(seconds=rng.randrange(0, max(1, int(gap.total_seconds() // 2))))
                if rng.random() < volatility:
                    price = max(1, round(base * rng.uniform(0.85, 1.1)))
                if rng.random() < 0.02:
                    yield f"{i},,,,f,{_ts(at)}\n"
                    continue
                if discounted:
                    old = round(price * rng.uniform(1.12, 1.8))
                    discount = (Decimal(old - price) * 100 / old).quantize(Decimal("0.01"), "ROUND_DOWN")
                    yield f"{i},{price}.00,{old}.00,{discount},t,{_ts(at)}\n"
                else:
                    yield f"{i},{price}.00,,,t,{_ts(at)}\n"

    def alert_rows(self) -> Iterator[str]:
        rng = random.Random(self.seed + 2)
        n = 0
        for i in range(1, self.listings + 1):
            kinds = []
            if rng.random() < 0.10:
                kinds += ["dumping_detected"] * rng.randrange(1, 4)
            if rng.random() < 0.05:
                kinds.append("price_drop")
            for kind in kinds:
                n += 1
                at = self.now - timedelta(seconds=rng.randrange(0, int(HISTORY.total_seconds())))
                severity = "critical" if kind == "dumping_detected" else "warning"
                brand = "ohana_market" if self.ours(i) % 4 else "ohana_kids"
                yield (
                    f"{kind},{severity},{i},{self.ours(i)},{brand},{self.marketplace(i)},"
                    f"{kind} on listing {i},{{}},{_ts(at)},bench:{n},f\n"
                )


def load(engine: Engine, world: World, say: Callable[[str], None]) -> dict[str, int]:
    """COPY every table; rows per table."""
    started = time.perf_counter()
    rows = {
        "watcher_products": _copy(
            engine, "watcher_products", "id, brand, marketplace, sku, name, price, active, created_at", world.products()
        ),
        "watcher_competitors": _copy(
            engine, "watcher_competitors", "id, name, marketplace, active", world.competitors()
        ),
        "watcher_competitor_products": _copy(
            engine,
            "watcher_competitor_products",
            "id, competitor_id, marketplace, external_id, url, name, our_product_id, priority",
            world.items(),
        ),
        "watcher_subscriptions": _copy(
            engine,
            "watcher_subscriptions",
            "id, our_product_id, competitor_product_id, marketplace, active, created_at",
            world.subscriptions(),
        ),
    }
    for table in rows:
        _sequence(engine, table)
    say(f"   catalogue copied in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with engine.begin() as conn:
        for index in watcher_prices.indexes:
            index.drop(conn)
    rows["watcher_prices"] = _copy(
        engine,
        "watcher_prices",
        "competitor_product_id, price, old_price, discount_percent, in_stock, observed_at",
        world.price_rows(),
        replica=True,
    )
    copied = time.perf_counter() - started
    with engine.begin() as conn:
        for index in watcher_prices.indexes:
            index.create(conn)
    say(
        f"   {rows['watcher_prices']:,} prices copied in {copied:.1f} s, indexes built in {time.perf_counter() - started - copied:.1f} s"
    )
    rows["watcher_alerts"] = _copy(
        engine,
        "watcher_alerts",
        "kind, severity, competitor_product_id, our_product_id, brand, marketplace, message, details, "
        "created_at, dedupe_key, resolved",
        world.alert_rows(),
    )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return rows
