"""``logistic.auto_cancel_expired(max_age_hours=48)`` (every 6 h at :00; seed 003 §8.4.6):
supply tasks still ``new`` (nobody accepted them) created more than ``max_age_hours`` ago →
``cancelled`` (the domain's transition), each with a ``TASK_OVERDUE`` alert (medium), routed and
notified through the outbox, in one transaction.

``max_age_hours`` left out is the policy's ``task_max_age`` (48 h by default,
``ADOLF_LOGISTIC_POLICY``). A task is cancelled once: the alert's dedupe key is the task's id,
and a cancelled task is no longer ``new``, so a retry cancels and alerts nothing twice. A task
cancelled here frees its reserved warehouse units for the next ``generate_supply_tasks``, and
its article × cluster gets a new task there if the deficit is still there.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from adolf.application.bounds import Bounds
from adolf.application.logistic import dispatch
from adolf.application.logistic.alert_raising import raise_alerts
from adolf.application.logistic.alert_text import new_alert
from adolf.application.logistic.ports import LogisticServices
from adolf.domain.logistic.alerts import StockAlertKind, dedupe_key
from adolf.domain.logistic.supply_tasks import SupplyTaskStatus, expired, with_status

Hours = Annotated[int, Bounds(1, 24 * 365)]


def auto_cancel_expired(services: LogisticServices, max_age_hours: Hours | None = None) -> dict[str, Any]:
    now = services.clock.now()
    max_age = timedelta(hours=max_age_hours) if max_age_hours is not None else services.supply_policy.task_max_age
    with services.uow() as uow:
        stale = [task for task in uow.logistic_tasks.new_before(now - max_age) if expired(task, now, max_age)]
        cancelled = [with_status(task, SupplyTaskStatus.CANCELLED, now) for task in stale]
        if cancelled:
            uow.logistic_tasks.save_many(cancelled, now)
        articles = uow.logistic_articles.by_ids(sorted({task.article_id for task in cancelled}))
        hours = int(max_age.total_seconds() // 3600)
        alerts = []
        for task in cancelled:
            article = articles.get(task.article_id)
            code = article.code if article else str(task.article_id)
            alerts.append(
                new_alert(
                    StockAlertKind.TASK_OVERDUE,
                    f"Supply task {task.id} ({code} → cluster {task.cluster_id}, {task.quantity} units)"
                    f" cancelled: not accepted within {hours} h",
                    now,
                    dedupe_key(StockAlertKind.TASK_OVERDUE, task.article_id, task.cluster_id, None, scope=str(task.id)),
                    brand=task.brand,
                    article_id=task.article_id,
                    cluster_id=task.cluster_id,
                    details={"task_id": str(task.id), "task_date": task.task_date.isoformat()},
                )
            )
        raised = raise_alerts(uow, alerts, now)
        uow.commit()
    flushed = dispatch.flush(services, raised.keys)
    return {
        "cancelled_count": len(cancelled),
        "max_age_hours": hours,
        "alerts_created": len(raised.alerts),
        "notified": flushed.notified,
    }
