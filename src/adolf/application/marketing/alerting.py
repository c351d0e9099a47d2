"""Marketing alerts: an alert row, then notifications to the people routing picks.

Use cases never notify directly: they queue ``marketing.send_alert`` after their own
transaction committed, so a rolled-back decision never sends a message.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from adolf.application.marketing.calendar import day_start, moscow_day
from adolf.application.marketing.ports import MarketingServices
from adolf.application.ports.alerts import AlertRecord, Notification
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

    def payload(self) -> dict[str, Any]:
        return asdict(self)


def queue_alerts(services: MarketingServices, drafts: list[AlertDraft]) -> None:
    for draft in drafts:
        services.queue.enqueue("marketing.send_alert", draft.payload())


def send_alert(
    services: MarketingServices,
    type: str,
    severity: str,
    message: str,
    brand: str | None = None,
    campaign_id: str | None = None,
    once_a_day: bool = False,
) -> dict[str, Any]:
    """Record the alert and notify its recipients (SPEC §4.5). With ``once_a_day`` a second
    alert of the same type for the same campaign on the same Moscow day is dropped."""
    level = Severity.parse(severity)
    now = services.clock.now()
    with services.uow() as uow:
        if once_a_day and campaign_id is not None:
            since = day_start(moscow_day(now))
            if uow.alert_queries.exists_since(MODULE, type, campaign_id, since):
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
            )
        )
        people = recipients(MODULE, level, brand or "all", uow.users.active())
        uow.commit()
    services.notifier.send(
        [Notification(recipient=person.id, subject=f"[{level.value}] {type}", body=message) for person in people]
    )
    return {"alert_id": alert_id, "sent": len(people)}
