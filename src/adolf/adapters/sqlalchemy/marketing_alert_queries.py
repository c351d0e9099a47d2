"""``SqlAlertQueries``: the questions Marketing asks of the shared ``alerts`` table — was this
alert already raised today (once-a-day budget warnings), how many of each type, retention."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.tables import alerts
from adolf.adapters.sqlalchemy.timestamps import utc


class SqlAlertQueries:
    def __init__(self, session: Session) -> None:
        self.session = session

    def exists_since(self, module: str, type_: str, campaign_id: str, since: datetime) -> bool:
        query = (
            select(alerts.c.id)
            .where(
                alerts.c.module == module,
                alerts.c.created_at >= utc(since),
                alerts.c.type == type_,
                alerts.c.campaign_id == campaign_id,
            )
            .limit(1)
        )
        return self.session.execute(query).first() is not None

    def counts_between(self, module: str, start: datetime, end: datetime) -> dict[str, int]:
        query = (
            select(alerts.c.type, func.count())
            .where(alerts.c.module == module, alerts.c.created_at >= utc(start), alerts.c.created_at < utc(end))
            .group_by(alerts.c.type)
        )
        return {type_: int(count) for type_, count in self.session.execute(query)}

    def delete_before(self, module: str, cutoff: datetime) -> int:
        result = self.session.execute(
            delete(alerts).where(alerts.c.module == module, alerts.c.created_at < utc(cutoff))
        )
        assert isinstance(result, CursorResult)
        return int(result.rowcount)
