"""``SqlBrainRepository`` (the 1C extract as it landed) and ``SqlWarehouseRepository`` (the
internal warehouse: current stock, its history, the 1C codes unknown to us).

``stock_balance`` reads ``brain_stock_balance`` as text, in file order: a row's line, or its id
when an extractor wrote it without one (``COALESCE(line, id)``, then id: the same order on
both databases, which sort NULLs at opposite ends). ``loaded_at`` is one query for the four
tables, ``SELECT 'brain_…', MAX(loaded_at) FROM brain_… UNION ALL …`` (each MAX read off its
``loaded_at`` index).

``apply(validated, anomalies, at)`` is one bulk upsert into ``logistic_warehouse_stock`` and one
bulk INSERT into ``logistic_warehouse_history`` (a ``validated`` row per applied quantity, an
``anomaly`` row with its reason per anomaly of a known article, the current stock untouched by
those). ``note_unmapped`` is one upsert: a new code is seen for the first time (``times`` 1),
a known one's ``last_seen`` moves and its ``times`` grows by one; 1C's name replaces the
stored one when it gives one (choice: the newest name helps a person most, a blank one
helps nobody). ``unmapped`` lists the most recently seen first (ties: code descending, as the
in-memory fake orders them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Table, func, literal, select, union_all
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.logistic_rows import insert_returning, of_brand
from adolf.adapters.sqlalchemy.logistic_tables import (
    brain_customer_orders,
    brain_goods_receipts,
    brain_stock_balance,
    brain_supplier_orders,
    logistic_articles,
    logistic_unmapped_codes,
    logistic_warehouse_history,
    logistic_warehouse_stock,
)
from adolf.adapters.sqlalchemy.marketing_bulk import bulk_insert, upsert
from adolf.adapters.sqlalchemy.timestamps import as_utc, utc
from adolf.adapters.sqlalchemy.watcher_rows import delete_batch
from adolf.application.logistic.ports import BalanceLine, UnmappedCode
from adolf.domain.logistic.brain_import import Anomaly
from adolf.domain.logistic.freshness import BRAIN_TABLES

_BRAIN: dict[str, Table] = {
    table.name: table
    for table in (brain_stock_balance, brain_customer_orders, brain_supplier_orders, brain_goods_receipts)
}
_u = logistic_unmapped_codes.c


class SqlBrainRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def stock_balance(self) -> list[BalanceLine]:
        b = brain_stock_balance.c
        line = func.coalesce(b.line, b.id)
        query = select(line, b.code, b.quantity, b.name, b.warehouse).order_by(line, b.id)
        return [
            BalanceLine(line=int(n), code=code, quantity=quantity, name=name, warehouse=warehouse)
            for n, code, quantity, name, warehouse in self.session.execute(query).all()
        ]

    def loaded_at(self) -> dict[str, datetime | None]:
        latest = union_all(
            *(select(literal(name).label("name"), func.max(_BRAIN[name].c.loaded_at)) for name in BRAIN_TABLES)
        )
        found = {str(name): as_utc(at) for name, at in self.session.execute(latest)}
        return {name: found.get(name) for name in BRAIN_TABLES}


class SqlWarehouseRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def quantities(self, brand: str | None = None) -> dict[int, int]:
        w, a = logistic_warehouse_stock.c, logistic_articles.c
        query = select(w.article_id, w.quantity)
        if brand is not None:
            query = query.join(logistic_articles, a.id == w.article_id).where(of_brand(a.brand, brand))
        return {int(article): int(quantity) for article, quantity in self.session.execute(query)}

    def apply(self, validated: Mapping[int, int], anomalies: Sequence[Anomaly], at: datetime) -> None:
        stamp = utc(at)
        current = [{"article_id": i, "quantity": q, "updated_at": stamp} for i, q in validated.items()]
        upsert(self.session, logistic_warehouse_stock, current, ("article_id",), ("quantity", "updated_at"))
        history = [
            {"article_id": i, "quantity": q, "classification": "validated", "reason": None, "recorded_at": stamp}
            for i, q in validated.items()
        ]
        history += [
            {
                "article_id": anomaly.article_id,
                "quantity": anomaly.quantity,
                "classification": "anomaly",
                "reason": anomaly.reason,
                "recorded_at": stamp,
            }
            for anomaly in anomalies
        ]
        bulk_insert(self.session, logistic_warehouse_history, history)

    def note_unmapped(self, codes: Mapping[str, str | None], at: datetime) -> int:
        stamp = utc(at)
        rows = [{"code": c, "name": n, "first_seen": stamp, "last_seen": stamp, "times": 1} for c, n in codes.items()]
        written = insert_returning(
            self.session,
            logistic_unmapped_codes,
            rows,
            ("code",),
            ("code",),
            update_columns=("last_seen",),
            increments={"times": 1},
            coalesce=("name",),
        )
        return len(written)

    def unmapped(self, limit: int = 100) -> list[UnmappedCode]:
        query = select(logistic_unmapped_codes).order_by(_u.last_seen.desc(), _u.code.desc()).limit(max(limit, 0))
        return [
            UnmappedCode(row.code, row.name, utc(row.first_seen), utc(row.last_seen), int(row.times))
            for row in self.session.execute(query)
        ]

    def delete_history_before(self, cutoff: datetime, limit: int) -> int:
        condition = logistic_warehouse_history.c.recorded_at < utc(cutoff)
        return delete_batch(self.session, logistic_warehouse_history, condition, limit)
