"""Marketing alerts: an alert row, then notifications to the people routing picks.

Use cases never notify directly: they queue ``marketing.send_alert`` after their own
transaction committed, so a rolled-back decision never sends a message.

Every queued alert carries a key (the job's window and the alert's subject): the alerts
table keeps one row per key (a unique constraint), so a redelivered or retried job that
queues its alerts again adds no row, and notifications go out once the row is new or was
never marked notified.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from adolf.application.alert_delivery import notify, subject_of
from adolf.application.marketing.ports import MarketingServices
from adolf.application.ports.alerts import AlertRecord
from adolf.domain.alerts.routing import recipients
from adolf.domain.alerts.severity import Severity

MODULE = "marketing"


@dataclass(frozen=True, slots=True)
class AlertDraft:
    type: str
    severity: str
    message: str
    brand: str | None = None
    campaign_id: str | None = None
    once_a_day: bool = False
    key: str | None = None

    def payload(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None or k != "key"}


def queue_alerts(services: MarketingServices, drafts: list[AlertDraft], window: str) -> None:
    """``window`` names the run (e.g. the bid cycle's slot): with the alert's subject it is
    the alert's key, so the same run queueing it again raises it once."""
    for draft in drafts:
        if draft.key is None:
            subject = draft.campaign_id or draft.brand or "-"
            draft = replace(draft, key=f"{window}:{subject}")
        services.queue.enqueue("marketing.send_alert", draft.payload())


def dedupe_key(type: str, key: str | None, campaign_id: str | None, once_a_day: bool, day: date) -> str | None:
    if once_a_day and campaign_id is not None:
        return f"{MODULE}:{type}:{campaign_id}:day:{day.isoformat()}"
    if key is not None:
        return f"{MODULE}:{type}:{key}"
    return None


def send_alert(
    services: MarketingServices,
    type: str,
    severity: str,
    message: str,
    brand: str | None = None,
    campaign_id: str | None = None,
    once_a_day: bool = False,
    key: str | None = None,
) -> dict[str, Any]:
    """Record the alert and notify its recipients (SPEC §4.5). With ``once_a_day`` a second
    alert of the same type for the same campaign on the same local day is dropped; an
    alert whose key is already recorded (and notified) is dropped too."""
    level = Severity.parse(severity)
    now = services.clock.now()
    day = services.calendar.day(now)
    unique = dedupe_key(type, key, campaign_id, once_a_day, day)
    with services.uow() as uow:
        if once_a_day and campaign_id is not None:
            found = uow.alert_queries.exists_since(MODULE, type, campaign_id, services.calendar.day_start(day))
            if found and (unique is None or uow.alerts.by_key(unique) is None):
                return {"sent": 0, "skipped": "already_alerted_today"}
        alert_id = uow.alerts.add(
            AlertRecord(
                module=MODULE,
                type=type,
                severity=level.value,
                message=message,
                created_at=now,
                brand=brand,
                campaign_id=campaign_id,
                dedupe_key=unique,
            )
        )
        if alert_id is None:
            assert unique is not None  # only a keyed alert can be refused as a duplicate
            existing = uow.alerts.by_key(unique)
            if existing is None or existing.id is None or existing.notified_at is not None:
                skipped = "already_alerted_today" if once_a_day else "duplicate"
                return {"sent": 0, "skipped": skipped}
            alert_id = existing.id  # recorded by a delivery that died before notifying
        people = recipients(MODULE, level, brand or "all", uow.users.active())
        uow.commit()
    notify(services.notifier, people, subject_of(level, type), message, key=f"alert:{alert_id}")
    with services.uow() as uow:
        uow.alerts.mark_notified(alert_id, services.clock.now())
        uow.commit()
    return {"alert_id": alert_id, "sent": len(people)}
