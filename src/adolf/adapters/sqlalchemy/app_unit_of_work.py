"""The application's unit of work: every repository bound to one session."""

from __future__ import annotations

from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.system_repositories import (
    SqlAlertStore,
    SqlDeadLetters,
    SqlIdempotencyKeys,
    SqlTaskRuns,
)
from adolf.adapters.sqlalchemy.unit_of_work import SqlUnitOfWork


class AppSqlUnitOfWork(SqlUnitOfWork):
    dead_letters: SqlDeadLetters
    alerts: SqlAlertStore
    idempotency: SqlIdempotencyKeys
    task_runs: SqlTaskRuns

    def _attach(self, session: Session) -> None:
        self.dead_letters = SqlDeadLetters(session)
        self.alerts = SqlAlertStore(session)
        self.idempotency = SqlIdempotencyKeys(session)
        self.task_runs = SqlTaskRuns(session)
