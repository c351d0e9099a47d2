"""``SqlLogisticAlertRepository``: Logistic's alerts, open stock alerts and events.

``add`` is one ``INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, dedupe_key`` per
chunk: an alert whose key is stored already (a retried ``generate_alerts``, the day's second
``TASKS_GENERATED`` of a brand) is skipped, and so is a repeat within the batch (the first
given is kept). The ids of the rows added come back in the order the alerts were given.

``resolve(targets, at)`` closes every open alert of each (article, cluster, kind) given, in
one ``UPDATE … FROM unnest(articles, clusters, kinds) … WHERE open`` on PostgreSQL (an
``executemany`` on SQLite), through the partial index on open alerts; it counts the alerts
closed, so a target with nothing open counts 0. ``open_stock_alerts`` reads the same index:
(article, cluster) → the kinds open there, ``STOCK_RECOVERED`` included (``alert_changes``
closes it when a new problem starts).

``delete_closed_before`` never deletes an open alert, however old: the next ``generate_alerts``
would raise it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.logistic_rows import first_per_key, insert_returning, update_ids, update_matching
from adolf.adapters.sqlalchemy.logistic_tables import logistic_alerts
from adolf.adapters.sqlalchemy.marketing_bulk import chunks
from adolf.adapters.sqlalchemy.timestamps import as_utc, utc
from adolf.adapters.sqlalchemy.watcher_rows import delete_batch
from adolf.application.logistic.ports import LogisticAlert, NewLogisticAlert, Pair
from adolf.domain.alerts.severity import Severity
from adolf.domain.logistic.alerts import StockAlertKind

_a = logistic_alerts.c


def alert_from(row: Any) -> LogisticAlert:
    return LogisticAlert(
        id=int(row.id),
        kind=StockAlertKind(row.kind),
        severity=Severity.parse(row.severity),
        message=row.message,
        created_at=utc(row.created_at),
        dedupe_key=row.dedupe_key,
        brand=row.brand,
        article_id=None if row.article_id is None else int(row.article_id),
        cluster_id=None if row.cluster_id is None else int(row.cluster_id),
        details={str(k): str(v) for k, v in (row.details or {}).items()},
        open=bool(row.open),
        resolved_at=as_utc(row.resolved_at),
        read_at=as_utc(row.read_at),
        notified_at=as_utc(row.notified_at),
    )


class SqlLogisticAlertRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def open_stock_alerts(self, brand: str | None = None) -> dict[Pair, set[StockAlertKind]]:
        query = select(_a.article_id, _a.cluster_id, _a.kind).where(
            _a.open.is_(True), _a.article_id.is_not(None), _a.cluster_id.is_not(None)
        )
        if brand is not None:
            query = query.where(_a.brand == brand)
        found: dict[Pair, set[StockAlertKind]] = {}
        for article, cluster, kind in self.session.execute(query).all():
            found.setdefault((int(article), int(cluster)), set()).add(StockAlertKind(kind))
        return found

    def add(self, alerts: Sequence[NewLogisticAlert]) -> list[int]:
        rows = [
            {
                "kind": a.kind.value,
                "severity": Severity.parse(a.severity).value,
                "brand": a.brand,
                "article_id": a.article_id,
                "cluster_id": a.cluster_id,
                "message": a.message,
                "details": {str(k): str(v) for k, v in a.details.items()},
                "dedupe_key": a.dedupe_key,
                "open": a.open,
                "created_at": utc(a.created_at),
            }
            for a in alerts
        ]
        unique = first_per_key(rows, ("dedupe_key",))
        added = dict(
            (key, int(i))
            for i, key in insert_returning(self.session, logistic_alerts, unique, ("dedupe_key",), ("id", "dedupe_key"))
        )
        return [added[row["dedupe_key"]] for row in unique if row["dedupe_key"] in added]

    def resolve(self, targets: Sequence[tuple[int, int, StockAlertKind]], at: datetime) -> int:
        rows = [(article, cluster, StockAlertKind(kind).value) for article, cluster, kind in targets]
        values = {"open": False, "resolved_at": utc(at)}
        keys = ("article_id", "cluster_id", "kind")
        return update_matching(self.session, logistic_alerts, keys, rows, values, _a.open.is_(True))

    def get(self, alert_id: int) -> LogisticAlert | None:
        return self.get_many([alert_id]).get(alert_id)

    def get_many(self, alert_ids: Sequence[int]) -> dict[int, LogisticAlert]:
        found = {}
        for chunk in chunks(list(dict.fromkeys(alert_ids))):
            for row in self.session.execute(select(logistic_alerts).where(_a.id.in_(chunk))):
                found[int(row.id)] = alert_from(row)
        return found

    def mark_notified(self, alert_ids: Sequence[int], at: datetime) -> None:
        update_ids(self.session, logistic_alerts, alert_ids, {"notified_at": utc(at)})

    def recent(
        self, limit: int = 50, kind: StockAlertKind | None = None, open_only: bool = False
    ) -> list[LogisticAlert]:
        query = select(logistic_alerts).order_by(_a.created_at.desc(), _a.id.desc()).limit(max(limit, 0))
        if kind is not None:
            query = query.where(_a.kind == kind.value)
        if open_only:
            query = query.where(_a.open.is_(True))
        return [alert_from(row) for row in self.session.execute(query).all()]

    def counts(self, since: datetime, until: datetime) -> dict[tuple[StockAlertKind, Severity], int]:
        query = (
            select(_a.kind, _a.severity, func.count())
            .where(_a.created_at >= utc(since), _a.created_at < utc(until))
            .group_by(_a.kind, _a.severity)
        )
        return {
            (StockAlertKind(kind), Severity.parse(severity)): int(n)
            for kind, severity, n in self.session.execute(query)
        }

    def delete_closed_before(self, cutoff: datetime, limit: int) -> int:
        condition = _a.open.is_(False) & (_a.created_at < utc(cutoff))
        return delete_batch(self.session, logistic_alerts, condition, limit)
