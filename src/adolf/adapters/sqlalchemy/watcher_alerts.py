"""``SqlWatcherAlertRepository``: the alerts ``check_alerts`` raises.

``add`` is one ``INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, dedupe_key``
for the batch: an alert whose key is stored already (an observation evaluated again by the
next overlapping window, a retried job) is skipped, and so is a repeat within the batch. The
ids of the rows added come back in the order the alerts were given.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.timestamps import utc
from adolf.adapters.sqlalchemy.watcher_rows import delete_batch, frozen, insert_ignoring
from adolf.adapters.sqlalchemy.watcher_tables import watcher_alerts
from adolf.application.watcher.ports import NewAlert
from adolf.domain.alerts.severity import Severity
from adolf.domain.alerts.users import ALL_BRANDS
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.alerts import AlertKind, WatcherAlert

_a = watcher_alerts.c


def _alert_from(row: Any) -> WatcherAlert:
    return WatcherAlert(
        id=row.id,
        kind=AlertKind(row.kind),
        severity=Severity.parse(row.severity),
        competitor_product_id=row.competitor_product_id,
        our_product_id=row.our_product_id,
        brand=row.brand or ALL_BRANDS,
        marketplace=Marketplace(row.marketplace),
        message=row.message,
        created_at=utc(row.created_at),
        details=frozen(row.details),
        resolved=bool(row.resolved),
        dedupe_key=row.dedupe_key,
    )


class SqlWatcherAlertRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, alerts: Sequence[NewAlert]) -> list[int]:
        batch: dict[str, NewAlert] = {}
        for alert in alerts:
            batch.setdefault(alert.decision.dedupe_key, alert)  # the first of a key wins
        if not batch:
            return []
        rows = [
            {
                "kind": a.decision.kind.value,
                "severity": a.decision.severity.value,
                "competitor_product_id": a.competitor_product_id,
                "our_product_id": a.our_product_id,
                "brand": a.brand,
                "marketplace": a.marketplace.value,
                "message": a.decision.message,
                "details": dict(a.decision.details),
                "created_at": utc(a.created_at),
                "dedupe_key": key,
                "resolved": False,
            }
            for key, a in batch.items()
        ]
        statement = insert_ignoring(self.session, watcher_alerts, ["dedupe_key"]).returning(_a.id, _a.dedupe_key)
        added = {key: int(alert_id) for alert_id, key in self.session.execute(statement, rows)}
        return [added[key] for key in batch if key in added]

    def get(self, alert_id: int) -> WatcherAlert | None:
        row = self.session.execute(select(watcher_alerts).where(_a.id == alert_id)).first()
        return _alert_from(row) if row else None

    def mark_notified(self, alert_id: int, at: datetime) -> None:
        self.session.execute(update(watcher_alerts).where(_a.id == alert_id).values(notified_at=utc(at)))

    def notified(self, alert_id: int) -> bool:
        found = self.session.execute(select(_a.notified_at).where(_a.id == alert_id)).scalar_one_or_none()
        return found is not None

    def resolve(self, alert_id: int, at: datetime) -> None:
        """Not a port method yet (nothing resolves alerts so far); the cleanup tests use it."""
        self.session.execute(update(watcher_alerts).where(_a.id == alert_id).values(resolved=True, resolved_at=utc(at)))

    def recent(self, limit: int = 50, kind: AlertKind | None = None) -> list[WatcherAlert]:
        query = select(watcher_alerts).order_by(_a.created_at.desc(), _a.id.desc()).limit(max(limit, 0))
        if kind is not None:
            query = query.where(_a.kind == kind.value)
        return [_alert_from(row) for row in self.session.execute(query)]

    def counts(self, since: datetime, until: datetime) -> dict[tuple[AlertKind, str], int]:
        query = (
            select(_a.kind, _a.severity, func.count())
            .where(_a.created_at >= utc(since), _a.created_at < utc(until))
            .group_by(_a.kind, _a.severity)
        )
        return {(AlertKind(kind), str(severity)): int(n) for kind, severity, n in self.session.execute(query)}

    def delete_resolved_before(self, cutoff: datetime, limit: int) -> int:
        condition = (_a.created_at < utc(cutoff)) & _a.resolved.is_(True)
        return delete_batch(self.session, watcher_alerts, condition, limit)
