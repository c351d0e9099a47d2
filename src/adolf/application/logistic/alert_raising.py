"""Storing Logistic's new alerts and owing their notifications, in the caller's transaction.

Every Logistic job that raises alerts goes through ``raise_alerts``: the alerts are stored (one
per dedupe key: a retried job adds none twice), each new one is routed (SPEC §4.5, the domain's
``logistic`` route: managers of the brand, + senior for warning, + director and admin for
critical; active users only, each once; an alert without a brand — ``DATA_STALE`` — concerns
every brand) and its notification recorded in the outbox (``dispatch.notify``, keyed
``logistic_alert:{id}``, so each person is told once whatever the retries). The caller commits,
then flushes the keys returned: a rolled-back decision never notifies, and a job dying after its
commit leaves the notifications owed to the next Logistic job that flushes.

An alert is marked notified in the same transaction: from then on the outbox owes its
notification (the same guarantee Watcher's ``send_alert_notification`` gives by its mark).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from adolf.application.alert_delivery import subject_of
from adolf.application.logistic import dispatch
from adolf.application.logistic.ports import LogisticAlert, LogisticUnitOfWork, NewLogisticAlert
from adolf.domain.alerts.routing import recipients
from adolf.domain.alerts.users import ALL_BRANDS

MODULE = "logistic"


@dataclass
class Raised:
    alerts: list[LogisticAlert] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # outbox keys to flush after the commit

    def by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for alert in self.alerts:
            counts[alert.kind.value] = counts.get(alert.kind.value, 0) + 1
        return counts


def body_of(alert: LogisticAlert) -> str:
    return alert.message + "".join(f"\n{name}: {value}" for name, value in sorted(alert.details.items()))


def raise_alerts(uow: LogisticUnitOfWork, alerts: Sequence[NewLogisticAlert], now: datetime) -> Raised:
    """Store ``alerts`` (skipping known dedupe keys), route and record the notifications of
    the new ones; the caller commits, then ``dispatch.flush``es ``Raised.keys``."""
    if not alerts:
        return Raised()
    ids = uow.logistic_alerts.add(alerts)
    if not ids:
        return Raised()
    stored = uow.logistic_alerts.get_many(ids)
    new = [stored[alert_id] for alert_id in ids if alert_id in stored]
    people = uow.users.active()
    entries = []
    for alert in new:
        routed = recipients(MODULE, alert.severity, alert.brand or ALL_BRANDS, people)
        subject = subject_of(alert.severity, f"logistic_alert_{alert.kind.value}")
        entries.append(dispatch.notify(f"logistic_alert:{alert.id}", routed, subject, body_of(alert), now))
    keys = dispatch.record(uow, entries)
    uow.logistic_alerts.mark_notified([alert.id for alert in new], now)
    return Raised(new, keys)
