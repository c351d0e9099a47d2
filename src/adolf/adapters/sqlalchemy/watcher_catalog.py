"""``SqlCatalogRepository``: our products, competitors, their products, subscriptions — and
``priority_inputs``, the set-based read behind ``calculate_priorities``.

``priority_inputs(since)`` runs four queries whatever the number of competitor products
(the seed runs four per competitor):

1. the active competitor products (their competitor is active) with our product's price;
2. over the window's observations, per product: price changes (``LAG(price)`` over the
   product's non-null prices in time order, partitioned by ``(product, price IS NULL)`` so a
   missing price neither counts nor breaks a pair: the seed's consecutive pairs of non-null
   prices) and the sum and count of non-null discounts, summed as whole cents
   (``CAST(ROUND(discount × 100) AS INTEGER)``) so SQLite's floats and PostgreSQL's numerics
   give the same exact average;
3. each product's latest non-null price ever (the seed's query has no date filter): the
   first by ``ROW_NUMBER() OVER (PARTITION BY product ORDER BY observed_at DESC, id DESC)``
   on both databases (PostgreSQL 15 stops each partition at its first row; ``DISTINCT ON``
   would need SQLAlchemy 2.1's ``distinct_on``, and pyproject allows 2.0); ties of time go
   to the later id;
4. ``dumping_detected`` alerts per product created since ``since``.

With ``ids`` (``adolf watcher priorities`` explains a few products' scores) each query is
restricted to those products, in chunks of ``IN_CHUNK``.

Priorities are written in bulk (``marketing_bulk.bulk_update``: one statement per 10 000
rows on PostgreSQL, an ``executemany`` on SQLite).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, and_, case, cast, func, insert, select, true
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.marketing_bulk import bulk_update, chunks
from adolf.adapters.sqlalchemy.timestamps import utc
from adolf.adapters.sqlalchemy.watcher_rows import cents
from adolf.adapters.sqlalchemy.watcher_tables import (
    watcher_alerts,
    watcher_competitor_products,
    watcher_competitors,
    watcher_prices,
    watcher_products,
    watcher_subscriptions,
)
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.alerts import AlertKind
from adolf.domain.watcher.catalog import Competitor, CompetitorProduct, OurProduct, Subscription
from adolf.domain.watcher.priority import PriorityInputs

_products = watcher_products.c
_items = watcher_competitor_products.c
_ACTIVE_ITEMS = watcher_competitor_products.join(
    watcher_competitors,
    and_(watcher_competitors.c.id == _items.competitor_id, watcher_competitors.c.active.is_(True)),
)


def _product_from(row: Any) -> OurProduct:
    return OurProduct(
        id=row.id,
        brand=row.brand,
        sku=row.sku,
        name=row.name,
        marketplace=Marketplace(row.marketplace),
        price=row.price,
        active=bool(row.active),
    )


def _item_from(row: Any) -> CompetitorProduct:
    return CompetitorProduct(
        id=row.id,
        competitor_id=row.competitor_id,
        marketplace=Marketplace(row.marketplace),
        external_id=row.external_id,
        url=row.url,
        name=row.name,
        our_product_id=row.our_product_id,
        priority=row.priority,
    )


class SqlCatalogRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _insert(self, table: Any, rows: list[dict[str, Any]]) -> list[int]:
        if not rows:
            return []
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return [int(i) for i in self.session.execute(statement, rows).scalars()]

    def add_products(self, products: Sequence[OurProduct]) -> list[int]:
        now = datetime.now(UTC)
        rows = [
            {
                "brand": p.brand,
                "marketplace": p.marketplace.value,
                "sku": p.sku,
                "name": p.name,
                "price": cents(p.price),
                "active": p.active,
                "created_at": now,
            }
            for p in products
        ]
        return self._insert(watcher_products, rows)

    def add_competitors(self, competitors: Sequence[Competitor]) -> list[int]:
        rows = [{"name": c.name, "marketplace": c.marketplace.value, "active": c.active} for c in competitors]
        return self._insert(watcher_competitors, rows)

    def add_competitor_products(self, products: Sequence[CompetitorProduct]) -> list[int]:
        rows = [
            {
                "competitor_id": p.competitor_id,
                "marketplace": p.marketplace.value,
                "external_id": p.external_id,
                "url": p.url,
                "name": p.name,
                "our_product_id": p.our_product_id,
                "priority": p.priority,
            }
            for p in products
        ]
        return self._insert(watcher_competitor_products, rows)

    def add_subscriptions(self, subscriptions: Sequence[Subscription]) -> list[int]:
        now = datetime.now(UTC)
        rows = [
            {
                "our_product_id": s.our_product_id,
                "competitor_product_id": s.competitor_product_id,
                "marketplace": s.marketplace.value,
                "active": s.active,
                "created_at": now,
            }
            for s in subscriptions
        ]
        return self._insert(watcher_subscriptions, rows)

    def products(self, ids: Sequence[int]) -> dict[int, OurProduct]:
        found = {}
        for chunk in chunks(list(dict.fromkeys(ids))):
            for row in self.session.execute(select(watcher_products).where(_products.id.in_(chunk))):
                found[row.id] = _product_from(row)
        return found

    def competitors(self, ids: Sequence[int]) -> dict[int, Competitor]:
        c = watcher_competitors.c
        found = {}
        for chunk in chunks(list(dict.fromkeys(ids))):
            for row in self.session.execute(select(watcher_competitors).where(c.id.in_(chunk))):
                found[row.id] = Competitor(row.id, row.name, Marketplace(row.marketplace), bool(row.active))
        return found

    def competitor_products(self, ids: Sequence[int]) -> dict[int, CompetitorProduct]:
        found = {}
        for chunk in chunks(list(dict.fromkeys(ids))):
            for row in self.session.execute(select(watcher_competitor_products).where(_items.id.in_(chunk))):
                found[row.id] = _item_from(row)
        return found

    def set_our_prices(self, prices: Mapping[int, Decimal]) -> None:
        bulk_update(self.session, watcher_products, ("price",), [(i, cents(p)) for i, p in prices.items()])

    def priority_inputs(self, since: datetime, ids: Sequence[int] | None = None) -> dict[int, PriorityInputs]:
        if ids is None:
            return self._inputs(utc(since), None)
        found: dict[int, PriorityInputs] = {}
        for chunk in chunks(list(dict.fromkeys(ids))):
            found.update(self._inputs(utc(since), chunk))
        return found

    def _inputs(self, at: datetime, ids: Sequence[int] | None) -> dict[int, PriorityInputs]:
        def only(column: Any) -> Any:
            return true() if ids is None else column.in_(ids)

        ours = self.session.execute(
            select(_items.id, _products.price)
            .select_from(_ACTIVE_ITEMS.outerjoin(watcher_products, _products.id == _items.our_product_id))
            .where(only(_items.id))
            .order_by(_items.id)
        ).all()
        product = watcher_prices.c.competitor_product_id
        window = {row[0]: row[1:] for row in self.session.execute(self._window_query(at, only(product)))}
        latest = dict(self.session.execute(self._latest_query(only(product))).all())
        a = watcher_alerts.c
        dumping: dict[int, int] = dict(
            self.session.execute(
                select(a.competitor_product_id, func.count())
                .where(a.kind == AlertKind.DUMPING_DETECTED.value, a.created_at >= at, only(a.competitor_product_id))
                .group_by(a.competitor_product_id)
            ).all()
        )
        found = {}
        for item_id, our_price in ours:
            changes, discount_cents, discounts = window.get(item_id, (0, None, 0))
            found[item_id] = PriorityInputs(
                changes_30d=int(changes or 0),
                avg_discount=Decimal(int(discount_cents)).scaleb(-2) / int(discounts) if discounts else None,
                latest_price=latest.get(item_id),
                our_price=our_price,
                dumping_alerts_30d=int(dumping.get(item_id, 0)),
            )
        return found

    @staticmethod
    def _window_query(since: datetime, products: Any) -> Any:
        p = watcher_prices.c
        previous = func.lag(p.price).over(
            partition_by=(p.competitor_product_id, p.price.is_(None)), order_by=(p.observed_at, p.id)
        )
        seen = (
            select(p.competitor_product_id, p.price, p.discount_percent, previous.label("previous"))
            .where(p.observed_at >= since, products)
            .subquery()
        )
        changed = case((and_(seen.c.previous.is_not(None), seen.c.previous != seen.c.price), 1), else_=0)
        discount_cents = cast(func.round(seen.c.discount_percent * 100), Integer)
        return select(
            seen.c.competitor_product_id,
            func.sum(changed),
            func.sum(discount_cents),
            func.count(seen.c.discount_percent),
        ).group_by(seen.c.competitor_product_id)

    @staticmethod
    def _latest_query(products: Any) -> Any:
        p = watcher_prices.c
        rank = func.row_number().over(
            partition_by=p.competitor_product_id, order_by=(p.observed_at.desc(), p.id.desc())
        )
        ranked = (
            select(p.competitor_product_id, p.price, rank.label("rank"))
            .where(p.price.is_not(None), products)
            .subquery()
        )
        return select(ranked.c.competitor_product_id, ranked.c.price).where(ranked.c.rank == 1)

    def set_priorities(self, priorities: Mapping[int, int], at: datetime) -> None:
        rows = sorted(priorities.items())
        bulk_update(self.session, watcher_competitor_products, ("priority",), rows, priority_updated_at=utc(at))

    def top_priorities(self, limit: int) -> list[tuple[CompetitorProduct, int]]:
        query = (
            select(watcher_competitor_products)
            .select_from(_ACTIVE_ITEMS)
            .order_by(_items.priority.desc(), _items.id)
            .limit(max(limit, 0))
        )
        return [(item, item.priority) for item in map(_item_from, self.session.execute(query))]

    def counts(self) -> dict[str, int]:
        def active(table: Any) -> Any:
            return select(func.count()).select_from(table).where(table.c.active.is_(True)).scalar_subquery()

        row = self.session.execute(
            select(
                active(watcher_products).label("products"),
                active(watcher_competitors).label("competitors"),
                select(func.count()).select_from(_ACTIVE_ITEMS).scalar_subquery().label("competitor_products"),
                active(watcher_subscriptions).label("subscriptions"),
            )
        ).one()
        return {name: int(value) for name, value in row._mapping.items()}
