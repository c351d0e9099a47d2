"""Logistic's alerts: kinds, severities, which stock alert applies, what to open and resolve.

Kinds (seed 003, SPEC §3 Logistic): the stock alerts ``OUT_OF_STOCK``, ``URGENT_STOCK``,
``OZON_URGENT``, ``LOW_STOCK`` and ``STOCK_RECOVERED`` (``generate_alerts``, after every
``sync_ozon_stocks``), ``WAREHOUSE_LOW`` and ``TASKS_GENERATED`` (``generate_supply_tasks``),
``TASK_OVERDUE`` (``auto_cancel_expired``), ``DATA_STALE`` (``check_brain_freshness``). Values are
the upper-case names, as the seed writes them.

Severities (``DEFAULT_SEVERITY``; the seed's high / medium / low are critical / warning / info,
``Severity.parse`` reads both): from the seed, ``WAREHOUSE_LOW`` high, ``TASKS_GENERATED`` low,
``TASK_OVERDUE`` medium, ``DATA_STALE`` high. Choices where the seed is silent (its stock-monitor
document is not among the seeds): ``OUT_OF_STOCK`` high (sales are lost now), ``URGENT_STOCK``
high (less cover than a supply takes to arrive), ``OZON_URGENT`` medium and ``LOW_STOCK`` medium
(time to act, nothing lost yet), ``STOCK_RECOVERED`` low (good news).

``stock_alert_for(stock, policy)`` — the one stock alert an article × cluster deserves now, the
most pressing that applies:

1. ``OUT_OF_STOCK`` — nothing ``available``, whatever the velocity (choice: velocity is a 28-day
   average that decays to 0 during a long stock-out; conditioning on it would "recover" an
   article that is still out). Units in transit do not count: buyers cannot buy them yet.
2. ``URGENT_STOCK`` — our cover of the available units below ``urgent_stock_days``.
3. ``OZON_URGENT`` — Ozon's own days-left (``idc``, our ``days_left``) below
   ``urgent_stock_days`` while our cover is not urgent (choice: Ozon averages sales over its own
   window and sees demand we may not, so its "urgent" is a second opinion worth a warning; when
   we already say urgent, ours is the alert). No estimate from Ozon (None) never alerts.
4. ``LOW_STOCK`` — our cover below ``low_stock_days``.
5. None — fine (or nothing sells and some stock is there: infinite cover).

``alert_changes(current, open_alerts)`` — for each article × cluster judged now (a key of
``current``): open the kind it deserves unless it is already open (one open alert per article,
cluster and kind); resolve the open stock alerts of other kinds (an ``URGENT_STOCK`` that eased
to ``LOW_STOCK`` is over); when it had open stock alerts and is fine now, resolve them all and
open ``STOCK_RECOVERED`` once (not again while one is open). A ``STOCK_RECOVERED`` still open
when a new problem starts is resolved (it is no longer true). Keys absent from ``current`` are
left as they are: no fresh snapshot is no news (choice). Decisions come sorted by key.

``dedupe_key(kind, article_id, cluster_id, day, scope=None)`` —
``"logistic:<KIND>:<article or ->:<cluster or ->[:<day>][:<scope>]"``. With the day, one alert
of a kind per article × cluster per day: stock that flaps out and back within a day alerts once
(choice); ``scope`` separates what the ids do not (a brand for ``TASKS_GENERATED``, a task id for
``TASK_OVERDUE``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import NamedTuple

from adolf.domain.alerts.severity import Severity
from adolf.domain.logistic.errors import InvalidLogistic
from adolf.domain.logistic.policy import SupplyPolicy
from adolf.domain.logistic.stock import FboStock

StockKey = tuple[int, int]  # (article_id, cluster_id)


class StockAlertKind(StrEnum):
    """Logistic's alert kinds (the list in the module docstring), each with its default ``severity``."""

    OUT_OF_STOCK = "OUT_OF_STOCK"
    URGENT_STOCK = "URGENT_STOCK"
    LOW_STOCK = "LOW_STOCK"
    OZON_URGENT = "OZON_URGENT"
    STOCK_RECOVERED = "STOCK_RECOVERED"
    WAREHOUSE_LOW = "WAREHOUSE_LOW"
    TASKS_GENERATED = "TASKS_GENERATED"
    TASK_OVERDUE = "TASK_OVERDUE"
    DATA_STALE = "DATA_STALE"

    @classmethod
    def parse(cls, value: str) -> StockAlertKind:
        try:
            return cls(str(value).strip().upper())
        except ValueError:
            known = ", ".join(member.value for member in cls)
            raise InvalidLogistic(f"kind={value!r} is not one of: {known}") from None

    @property
    def severity(self) -> Severity:
        return DEFAULT_SEVERITY[self]


DEFAULT_SEVERITY: Mapping[StockAlertKind, Severity] = MappingProxyType(
    {
        StockAlertKind.OUT_OF_STOCK: Severity.CRITICAL,
        StockAlertKind.URGENT_STOCK: Severity.CRITICAL,
        StockAlertKind.OZON_URGENT: Severity.WARNING,
        StockAlertKind.LOW_STOCK: Severity.WARNING,
        StockAlertKind.STOCK_RECOVERED: Severity.INFO,
        StockAlertKind.WAREHOUSE_LOW: Severity.CRITICAL,
        StockAlertKind.TASKS_GENERATED: Severity.INFO,
        StockAlertKind.TASK_OVERDUE: Severity.WARNING,
        StockAlertKind.DATA_STALE: Severity.CRITICAL,
    }
)

#: The alerts ``stock_alert_for`` gives: a problem with an article's stock in a cluster.
STOCK_PROBLEMS = frozenset(
    {StockAlertKind.OUT_OF_STOCK, StockAlertKind.URGENT_STOCK, StockAlertKind.OZON_URGENT, StockAlertKind.LOW_STOCK}
)


def stock_alert_for(stock: FboStock, policy: SupplyPolicy) -> StockAlertKind | None:
    """The most pressing stock alert that applies to ``stock`` now, or None."""
    if stock.available == 0:
        return StockAlertKind.OUT_OF_STOCK
    cover = stock.cover
    if cover is not None and cover < policy.urgent_stock_days:
        return StockAlertKind.URGENT_STOCK
    if stock.days_left is not None and stock.days_left < policy.urgent_stock_days:
        return StockAlertKind.OZON_URGENT
    if cover is not None and cover < policy.low_stock_days:
        return StockAlertKind.LOW_STOCK
    return None


def stock_alerts(stocks: Iterable[FboStock], policy: SupplyPolicy) -> dict[StockKey, StockAlertKind | None]:
    """``stock_alert_for`` per article × cluster (the last snapshot given for a key wins)."""
    return {(stock.article_id, stock.cluster_id): stock_alert_for(stock, policy) for stock in stocks}


class AlertDecisions(NamedTuple):
    """What ``alert_changes`` decided: the kinds to open and the kinds to resolve, per (article,
    cluster)."""

    to_open: list[tuple[StockKey, StockAlertKind]]
    to_resolve: list[tuple[StockKey, frozenset[StockAlertKind]]]


# The constructor NamedTuple generates names no module, so the API reference (pdoc), which reads
# its postponed annotations in the constructor's module, could not resolve ``StockKey``.
AlertDecisions.__new__.__module__ = __name__


def alert_changes(
    current: Mapping[StockKey, StockAlertKind | None],
    open_alerts: Mapping[StockKey, Iterable[StockAlertKind]],
) -> AlertDecisions:
    """What to open and what to resolve so the open stock alerts match ``current``."""
    to_open: list[tuple[StockKey, StockAlertKind]] = []
    to_resolve: list[tuple[StockKey, frozenset[StockAlertKind]]] = []
    recovered = StockAlertKind.STOCK_RECOVERED
    for key in sorted(current):
        kind = current[key]
        already = frozenset(open_alerts.get(key, ()))
        problems = already & STOCK_PROBLEMS
        if kind is not None:
            if kind not in STOCK_PROBLEMS:
                raise InvalidLogistic(f"current[{key}]={kind!r} is not a stock alert kind")
            if kind not in already:
                to_open.append((key, kind))
            over = (problems - {kind}) | (already & {recovered})
            if over:
                to_resolve.append((key, over))
        elif problems:
            to_resolve.append((key, problems))
            if recovered not in already:
                to_open.append((key, recovered))
    return AlertDecisions(to_open, to_resolve)


def dedupe_key(
    kind: StockAlertKind,
    article_id: int | None,
    cluster_id: int | None,
    day: date | None,
    scope: str | None = None,
) -> str:
    """The alert's dedupe key (see the module's rules)."""
    if isinstance(day, datetime):  # a datetime is a date too: it would make every key unique
        raise InvalidLogistic(f"day={day!r} must be a date, not a datetime")
    parts = [
        "logistic",
        StockAlertKind.parse(kind).value,
        "-" if article_id is None else str(article_id),
        "-" if cluster_id is None else str(cluster_id),
    ]
    if day is not None:
        parts.append(day.isoformat())
    if scope is not None:
        parts.append(str(scope))
    return ":".join(parts)
