"""What the Watcher repositories share: rows ↔ domain objects, dialect-specific inserts, batch
deletes.

- Amounts are stored to the cent, rounded here (ROUND_HALF_UP; a discount is truncated so
  99.999 stays a discount under 100) rather than by each database: PostgreSQL would round a
  third decimal, SQLite would keep a float and read it back either way. A 2-place value is
  then the same on both (and in the fakes).
- An observation stores the discount it implies (``PriceObservation.discount``) when the
  agent sent none: that is what the priority score averages.
- Batch deletes are ``DELETE … WHERE id IN (SELECT id … WHERE <age> LIMIT :n)``: each call
  is one short statement over at most ``n`` rows found through the age index; the caller
  repeats until 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.marketing_bulk import dialect_name
from adolf.adapters.sqlalchemy.timestamps import as_utc, utc
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.observations import PriceObservation
from adolf.domain.watcher.tasks import ParsingTask, TaskStatus

CENT = Decimal("0.01")


def cents(amount: Decimal | None, rounding: str = ROUND_HALF_UP) -> Decimal | None:
    return None if amount is None else amount.quantize(CENT, rounding=rounding)


def observation_values(observation: PriceObservation) -> dict[str, Any]:
    return {
        "competitor_product_id": observation.competitor_product_id,
        "price": cents(observation.price),
        "old_price": cents(observation.old_price),
        "discount_percent": cents(observation.discount, ROUND_DOWN),
        "in_stock": observation.in_stock,
        "observed_at": utc(observation.observed_at),
        "agent_id": observation.agent_id,
    }


def observation_from(row: Any) -> PriceObservation:
    return PriceObservation(
        competitor_product_id=row.competitor_product_id,
        price=row.price,
        in_stock=bool(row.in_stock),
        observed_at=utc(row.observed_at),
        old_price=row.old_price,
        discount_percent=row.discount_percent,
        agent_id=row.agent_id,
    )


def task_from(row: Any) -> ParsingTask:
    return ParsingTask(
        id=row.id,
        subscription_id=row.subscription_id,
        competitor_product_id=row.competitor_product_id,
        marketplace=Marketplace(row.marketplace),
        scheduled_date=row.task_date,
        status=TaskStatus(row.status),
        retry_count=row.retry_count,
        agent_id=row.agent_id,
        lease_until=as_utc(row.lease_until),
        error=row.error,
        started_at=as_utc(row.started_at),
        completed_at=as_utc(row.completed_at),
    )


def frozen(details: Mapping[str, Any] | None) -> Mapping[str, str]:
    return MappingProxyType({str(k): str(v) for k, v in (details or {}).items()})


def insert_ignoring(session: Session, table: Table, conflict: list[str]) -> Any:
    """``INSERT … ON CONFLICT (conflict) DO NOTHING`` in the session's dialect."""
    dialect = postgresql if dialect_name(session) == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing(index_elements=conflict)


def rowcount(result: Result[Any]) -> int:
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


def delete_batch(session: Session, table: Table, condition: ColumnElement[bool], limit: int) -> int:
    """Delete at most ``limit`` rows matching ``condition``; how many went."""
    if limit <= 0:
        return 0
    batch = select(table.c.id).where(condition).limit(limit)
    return rowcount(session.execute(delete(table).where(table.c.id.in_(batch))))
