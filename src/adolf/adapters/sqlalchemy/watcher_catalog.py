"""``SqlCatalogRepository``: our products, competitors, their products, subscriptions — and
``priority_inputs``, the set-based read behind ``calculate_priorities``.

``priority_inputs(since)`` is one query whatever the number of competitor products (the seed
runs four per competitor), the same SQL on PostgreSQL and SQLite. Per active competitor
product (its competitor is active), with our product's price:

- over the window's priced observations, in one pass in ``ix_watcher_prices_product_observed``
  order (no sort): price changes (``LAG(price)`` over the product's non-null prices in
  ``(observed_at, id)`` order — a missing price neither counts nor breaks a pair: the seed's
  consecutive pairs of non-null prices), the sum and count of discounts, summed as whole
  cents (``CAST(ROUND(discount × 100) AS INTEGER)``) so SQLite's floats and PostgreSQL's
  numerics give the same exact average, and the window's latest price (the row whose
  ``LEAD(price)`` is NULL);
- the discounts of the window's unpriced (out-of-stock) observations, added to those
  (``ix_watcher_prices_unpriced``, a partial index over those few rows);
- the latest non-null price ever (the seed's query has no date filter): the window's latest
  when there is one — every later observation is inside the window — else a correlated
  ``… ORDER BY observed_at DESC, id DESC LIMIT 1`` on ``ix_watcher_prices_product_observed``,
  evaluated only for those products (``COALESCE`` stops at its first non-null argument); ties
  of time go to the later id on both paths;
- ``dumping_detected`` alerts created since ``since``.

On PostgreSQL 15 (100 000 products, 2 000 000 window rows of 3 000 000) this replaced four
queries (a window pass, a ``ROW_NUMBER`` pass over all 3 000 000 rows for the latest price, our
prices, the alerts: 2.4 s) by one of about 1.7 s. Partitioning by ``(product, price IS NULL)``
instead of leaving unpriced rows out cost a sort of the 2 000 000 rows (~0.3 s of the pass);
JIT, which the planner turns on for a pass this size, cost ~0.4 s of compiling and is off for
it (``SET LOCAL jit = off``).

With ``ids`` (``adolf watcher priorities`` explains a few products' scores) the query is
restricted to those products, in chunks of ``IN_CHUNK``.

``set_priorities`` writes only the rows whose priority changes, as the seed does
(``if new_priority != competitor.priority``), so ``priority_updated_at`` is when the priority
last *changed* (NULL: never moved from the default since the listing was added). On
PostgreSQL that is one ``UPDATE … FROM unnest(ids, priorities) … WHERE priority <> new`` for
the whole catalogue; on SQLite an ``executemany`` with the same condition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, and_, bindparam, case, cast, func, insert, select, text, true, update
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.marketing_bulk import bulk_update, chunks, dialect_name
from adolf.adapters.sqlalchemy.marketing_pg_arrays import array_params, unnest_source
from adolf.adapters.sqlalchemy.timestamps import utc
from adolf.adapters.sqlalchemy.watcher_rows import cents
from adolf.adapters.sqlalchemy.watcher_tables import (
    Price,
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
        found = {}
        if ids is None and dialect_name(self.session) == "postgresql":
            # Over the whole catalogue the planner's cost estimate turns JIT on, and compiling
            # the plan (~0.4 s) costs more than it saves on this one pass over the window.
            # LOCAL: for this transaction only.
            self.session.execute(text("SET LOCAL jit = off"))
        # all(): one fetch of every row; iterating the result would fetch them one by one.
        for item_id, our_price, changes, discount_cents, discounts, latest, dumping in self.session.execute(
            self._inputs_query(at, ids)
        ).all():
            found[item_id] = PriorityInputs(
                changes_30d=int(changes or 0),
                avg_discount=Decimal(int(discount_cents)).scaleb(-2) / int(discounts) if discounts else None,
                latest_price=latest,
                our_price=our_price,
                dumping_alerts_30d=int(dumping or 0),
            )
        return found

    @staticmethod
    def _inputs_query(since: datetime, ids: Sequence[int] | None) -> Any:
        def only(column: Any) -> Any:
            return true() if ids is None else column.in_(ids)

        p = watcher_prices.c
        partition, order = p.competitor_product_id, (p.observed_at, p.id)
        priced = (
            select(
                p.competitor_product_id,
                p.price,
                p.discount_percent,
                func.lag(p.price).over(partition_by=partition, order_by=order).label("previous"),
                func.lead(p.price).over(partition_by=partition, order_by=order).label("following"),
            )
            .where(p.observed_at >= since, p.price.is_not(None), only(p.competitor_product_id))
            .subquery()
        )
        changed = case((and_(priced.c.previous.is_not(None), priced.c.previous != priced.c.price), 1), else_=0)
        per_product = (
            select(
                priced.c.competitor_product_id.label("product"),
                func.sum(changed).label("changes"),
                func.sum(_whole_cents(priced.c.discount_percent)).label("discount_cents"),
                func.count(priced.c.discount_percent).label("discounts"),
                func.max(case((priced.c.following.is_(None), priced.c.price))).label("latest"),
            )
            .group_by(priced.c.competitor_product_id)
            .subquery()
        )
        # An out-of-stock page may still show a discount; those rows count for the average.
        unpriced = (
            select(
                p.competitor_product_id.label("product"),
                func.sum(_whole_cents(p.discount_percent)).label("discount_cents"),
                func.count().label("discounts"),
            )
            .where(
                p.observed_at >= since,
                p.price.is_(None),
                p.discount_percent.is_not(None),
                only(p.competitor_product_id),
            )
            .group_by(p.competitor_product_id)
            .subquery()
        )
        earlier = watcher_prices.alias("earlier")
        latest_ever = (
            select(earlier.c.price)
            .where(earlier.c.competitor_product_id == _items.id, earlier.c.price.is_not(None))
            .order_by(earlier.c.observed_at.desc(), earlier.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        a = watcher_alerts.c
        dumping = (
            select(a.competitor_product_id.label("product"), func.count().label("alerts"))
            .where(a.kind == AlertKind.DUMPING_DETECTED.value, a.created_at >= since, only(a.competitor_product_id))
            .group_by(a.competitor_product_id)
            .subquery()
        )
        return (
            select(
                _items.id,
                _products.price,
                per_product.c.changes,
                (func.coalesce(per_product.c.discount_cents, 0) + func.coalesce(unpriced.c.discount_cents, 0)),
                (func.coalesce(per_product.c.discounts, 0) + func.coalesce(unpriced.c.discounts, 0)),
                func.coalesce(per_product.c.latest, latest_ever, type_=Price).label("latest"),
                dumping.c.alerts,
            )
            .select_from(
                _ACTIVE_ITEMS.outerjoin(watcher_products, _products.id == _items.our_product_id)
                .outerjoin(per_product, per_product.c.product == _items.id)
                .outerjoin(unpriced, unpriced.c.product == _items.id)
                .outerjoin(dumping, dumping.c.product == _items.id)
            )
            .where(only(_items.id))
            .order_by(_items.id)
        )

    def set_priorities(self, priorities: Mapping[int, int], at: datetime) -> None:
        """Write the priorities that differ from the stored ones, with ``priority_updated_at``
        set to ``at`` on those rows only (the module's docstring says why)."""
        rows = sorted(priorities.items())
        if not rows:
            return
        table, stamp = watcher_competitor_products, utc(at)
        if dialect_name(self.session) == "sqlite":
            statement = (
                update(table)
                .where(table.c.id == bindparam("_id"), table.c.priority != bindparam("_priority"))
                .values(priority=bindparam("_priority"), priority_updated_at=stamp)
            )
            self.session.execute(statement, [{"_id": i, "_priority": n} for i, n in rows])
            return
        source = unnest_source(table, ["id", "priority"])
        statement = (
            update(table)
            .where(table.c.id == source.c.id, table.c.priority != source.c.priority)
            .values(priority=source.c.priority, priority_updated_at=stamp)
        )
        self.session.execute(statement, array_params(["id", "priority"], rows))

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


def _whole_cents(percent: Any) -> Any:
    """A percentage as whole hundredths, so SQLite's floats and PostgreSQL's numerics sum the same."""
    return cast(func.round(percent * 100), Integer)
