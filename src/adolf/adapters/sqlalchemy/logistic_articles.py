"""``SqlArticleRepository`` and ``SqlClusterRepository``: our articles and Ozon's FBO clusters.

``add`` is an upsert keyed by the 1C ``code`` (``INSERT … ON CONFLICT (code) DO UPDATE SET
brand, name, ozon_sku, active … RETURNING id, code``): adding the catalogue again renames,
re-brands, re-maps or (de)activates the articles already known and keeps their ids and
``created_at``; a code given twice in one call is stored once, as the last one given says
(choice, like every "replace" here). The ids come back in the order the articles were given
(a repeated code: its id at each place).

A cluster is keyed by Ozon's own id: ``upsert`` renames the known ones, adds the new ones and
never deletes one (stock rows refer to it, and a cluster Ozon stops listing may come back).
Reads by many keys go in ``IN`` lists of at most ``IN_CHUNK`` values.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.logistic_rows import insert_returning, last_per_key, of_brand
from adolf.adapters.sqlalchemy.logistic_tables import logistic_articles, logistic_clusters
from adolf.adapters.sqlalchemy.marketing_bulk import chunks
from adolf.adapters.sqlalchemy.timestamps import utc
from adolf.domain.logistic.articles import Article, Cluster

_a = logistic_articles.c
_REPLACED = ("brand", "name", "ozon_sku", "active")


def article_from(row: Any) -> Article:
    return Article(
        id=int(row.id),
        brand=row.brand,
        code=row.code,
        name=row.name,
        ozon_sku=None if row.ozon_sku is None else int(row.ozon_sku),
        active=bool(row.active),
    )


class SqlArticleRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, articles: Sequence[Article], at: datetime) -> list[int]:
        created = utc(at)
        rows = [
            {
                "brand": a.brand,
                "code": a.code,
                "name": a.name,
                "ozon_sku": a.ozon_sku,
                "active": a.active,
                "created_at": created,
            }
            for a in articles
        ]
        stored = insert_returning(
            self.session,
            logistic_articles,
            last_per_key(rows, ("code",)),
            ("code",),
            ("id", "code"),
            update_columns=_REPLACED,
        )
        ids = {code: int(article_id) for article_id, code in stored}
        return [ids[a.code] for a in articles]

    def all(self, brand: str | None = None, active_only: bool = True) -> list[Article]:
        query = select(logistic_articles).where(of_brand(_a.brand, brand)).order_by(_a.id)
        if active_only:
            query = query.where(_a.active.is_(True))
        return [article_from(row) for row in self.session.execute(query)]

    def _by(self, column: Any, keys: Sequence[Any]) -> list[Article]:
        found: list[Article] = []
        for chunk in chunks(list(dict.fromkeys(keys))):
            found.extend(
                article_from(row) for row in self.session.execute(select(logistic_articles).where(column.in_(chunk)))
            )
        return found

    def by_ids(self, ids: Sequence[int]) -> dict[int, Article]:
        return {a.id: a for a in self._by(_a.id, ids)}

    def by_skus(self, skus: Sequence[int]) -> dict[int, Article]:
        return {a.ozon_sku: a for a in self._by(_a.ozon_sku, skus) if a.ozon_sku is not None}

    def by_codes(self, codes: Sequence[str]) -> dict[str, Article]:
        return {a.code: a for a in self._by(_a.code, codes)}

    def ids_by_code(self) -> dict[str, int]:
        return {code: int(i) for i, code in self.session.execute(select(_a.id, _a.code))}

    def brands(self) -> list[str]:
        query = select(_a.brand).where(_a.active.is_(True)).distinct().order_by(_a.brand)
        return [str(brand) for brand in self.session.execute(query).scalars()]


class SqlClusterRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def upsert(self, clusters: Sequence[Cluster], at: datetime) -> int:
        stamp = utc(at)
        rows = [{"id": c.id, "name": c.name, "updated_at": stamp} for c in clusters]
        unique = last_per_key(rows, ("id",))
        insert_returning(
            self.session, logistic_clusters, unique, ("id",), ("id",), update_columns=("name", "updated_at")
        )
        return len(clusters)

    def all(self) -> list[Cluster]:
        query = select(logistic_clusters.c.id, logistic_clusters.c.name).order_by(logistic_clusters.c.id)
        return [Cluster(int(i), name) for i, name in self.session.execute(query)]
