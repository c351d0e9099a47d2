"""Which ``brain_*`` tables are stale (SPEC §3 ``check_brain_freshness``; seed 003: "Алерт если
loaded_at старше 26 часов").

1C's extractor lands four tables each morning (seed 003: "06:00 ← Экстрактор данных 1С
загружает brain_stock_balance"), each stamped with ``loaded_at``. ``stale_tables(loaded_at,
now, max_age)`` lists, in ``BRAIN_TABLES`` order, every table whose last load is *more* than
``max_age`` (26 h by default, ``SupplyPolicy.stale_after``) before ``now``: a table loaded
exactly 26 h ago is fresh, 26 h and a second is stale. A table never loaded (missing from
``loaded_at``, or ``None``) is stale too, with no age. A load stamped after ``now`` (another
host's clock running ahead) is fresh.

Choices where the seed is silent: all times must be time-zone aware (stored timestamps are
UTC, SPEC §2), so ages never mix zones; ``stale_message`` words the one ``DATA_STALE`` alert the
seed raises for all stale tables together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from adolf.domain.logistic._checks import aware
from adolf.domain.logistic.errors import InvalidLogistic

BRAIN_TABLES = ("brain_stock_balance", "brain_customer_orders", "brain_supplier_orders", "brain_goods_receipts")


@dataclass(frozen=True, slots=True)
class StaleTable:
    """A ``brain_*`` table loaded too long ago, or never, and its age."""

    table: str
    loaded_at: datetime | None  # None: never loaded
    age: timedelta | None  # now − loaded_at; None when never loaded


def stale_tables(
    loaded_at: Mapping[str, datetime | None],
    now: datetime,
    max_age: timedelta,
    tables: Iterable[str] = BRAIN_TABLES,
) -> list[StaleTable]:
    """The ``tables`` loaded more than ``max_age`` before ``now``, or never."""
    aware("now", now)
    if not isinstance(max_age, timedelta) or max_age <= timedelta(0):
        raise InvalidLogistic(f"max_age={max_age!r} must be a timedelta > 0")
    stale: list[StaleTable] = []
    for table in tables:
        when = loaded_at.get(table)
        if when is None:
            stale.append(StaleTable(table, None, None))
            continue
        aware(f"loaded_at[{table!r}]", when)
        age = now - when
        if age > max_age:
            stale.append(StaleTable(table, when, age))
    return stale


def stale_message(stale: Sequence[StaleTable]) -> str:
    """One line for the ``DATA_STALE`` alert: each table with its age in whole hours, or "never loaded"."""
    parts = [
        f"{item.table} (never loaded)" if item.age is None else f"{item.table} ({_hours(item.age)} h old)"
        for item in stale
    ]
    return "1C data is stale: " + ", ".join(parts) if parts else "1C data is fresh"


def _hours(age: timedelta) -> int:
    return int(age.total_seconds()) // 3600
