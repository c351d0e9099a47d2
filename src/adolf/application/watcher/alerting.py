"""``watcher.check_alerts`` (every 15 min) and ``watcher.send_alert_notification(alert_id)``.

``check_alerts`` looks at the prices observed in the last ``WINDOW`` (20 minutes: the run
every 15 overlaps the previous one, so an observation saved during a run is not missed),
fetches the observation before each one in *one* query, and asks the domain
(``evaluate_alerts``, SPEC §4.2) what each raises. New alerts are stored (one per dedupe key:
an observation evaluated by two runs alerts once) with the follow-up jobs they owe, in one
transaction: ``watcher.send_alert_notification`` for each, ``watcher.process_dumping_alert``
for each ``dumping_detected``. The jobs are queued only after the commit (``dispatch``), so a
rolled-back decision never notifies, and a run dying after its commit leaves them owed.

``send_alert_notification`` routes by the alert's severity and brand (SPEC §4.5, the domain's
Watcher policy) and notifies each person once: an alert already marked notified is skipped,
and each notification is keyed ``watcher_alert:{id}:{person}`` for a redelivery that died
between sending and marking.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from adolf.application.alert_delivery import notify, subject_of
from adolf.application.bounds import Id
from adolf.application.watcher import dispatch
from adolf.application.watcher.ports import NewAlert, StoredObservation, WatcherServices, WatcherUnitOfWork
from adolf.domain.alerts.routing import recipients
from adolf.domain.alerts.users import ALL_BRANDS
from adolf.domain.watcher.alert_conditions import evaluate_alerts
from adolf.domain.watcher.alerts import AlertKind

MODULE = "watcher"
WINDOW = timedelta(minutes=20)
SEND = "watcher.send_alert_notification"
DUMPING = "watcher.process_dumping_alert"


def check_alerts(services: WatcherServices) -> dict[str, Any]:
    now = services.clock.now()
    with services.uow() as uow:
        observed = uow.watcher_prices.observed_since(now - WINDOW)
        decided = _decide(services, uow, observed, now) if observed else []
        ids = uow.watcher_alerts.add(decided) if decided else []
        stored = [alert for alert in (uow.watcher_alerts.get(alert_id) for alert_id in ids) if alert is not None]
        entries = []
        for alert in stored:
            entries.append(dispatch.enqueue(f"watcher:alert:{alert.id}:notify", SEND, {"alert_id": alert.id}, now))
            if alert.kind is AlertKind.DUMPING_DETECTED:
                entries.append(
                    dispatch.enqueue(f"watcher:alert:{alert.id}:dumping", DUMPING, {"alert_id": alert.id}, now)
                )
        keys = dispatch.record(uow, entries)
        uow.commit()
    flushed = dispatch.flush(services, keys)
    by_kind: dict[str, int] = {}
    for alert in stored:
        by_kind[alert.kind.value] = by_kind.get(alert.kind.value, 0) + 1
    return {
        "observations": len(observed),
        "decided": len(decided),
        "alerts_created": len(stored),
        "by_kind": by_kind,
        "jobs_enqueued": flushed.enqueued,
    }


def _decide(
    services: WatcherServices, uow: WatcherUnitOfWork, observed: list[StoredObservation], now: datetime
) -> list[NewAlert]:
    pairs = [(s.observation.competitor_product_id, s.observation.observed_at) for s in observed]
    previous = uow.watcher_prices.previous(pairs)
    listings = uow.watcher_catalog.competitor_products(sorted({pid for pid, _ in pairs}))
    ours = uow.watcher_catalog.products(sorted({p.our_product_id for p in listings.values() if p.our_product_id}))
    decided: list[NewAlert] = []
    for stored in observed:
        new = stored.observation
        listing = listings.get(new.competitor_product_id)
        if listing is None:  # the product was removed since it was observed
            continue
        product = ours.get(listing.our_product_id) if listing.our_product_id is not None else None
        before = previous.get((new.competitor_product_id, new.observed_at))
        for decision in evaluate_alerts(new, before, product.price if product else None, services.alert_rules):
            decided.append(
                NewAlert(
                    decision=decision,
                    competitor_product_id=listing.id,
                    our_product_id=product.id if product else None,
                    brand=product.brand if product else ALL_BRANDS,
                    marketplace=listing.marketplace,
                    created_at=now,
                )
            )
    return decided


def send_alert_notification(services: WatcherServices, alert_id: Id) -> dict[str, Any]:
    with services.uow() as uow:
        alert = uow.watcher_alerts.get(alert_id)
        if alert is None:
            return {"alert_id": alert_id, "sent": 0, "status": "alert_not_found"}
        if uow.watcher_alerts.notified(alert_id):
            return {"alert_id": alert_id, "sent": 0, "skipped": "already_notified"}
        people = recipients(MODULE, alert.severity, alert.brand, uow.users.active())
    body = alert.message + "".join(f"\n{name}: {value}" for name, value in sorted(alert.details.items()))
    sent = notify(
        services.notifier,
        people,
        subject_of(alert.severity, f"watcher_alert_{alert.kind.value}"),
        body,
        f"watcher_alert:{alert.id}",
    )
    with services.uow() as uow:
        uow.watcher_alerts.mark_notified(alert_id, services.clock.now())
        uow.commit()
    return {"alert_id": alert_id, "sent": sent, "kind": alert.kind.value, "severity": alert.severity.value}
