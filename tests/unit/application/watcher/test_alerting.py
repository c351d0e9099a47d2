"""``check_alerts`` → stored alerts → follow-up jobs queued after the commit;
``send_alert_notification`` routes and notifies once; ``process_dumping_alert`` hands
dumping to Marketing once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from adolf.application.watcher.alerting import check_alerts, send_alert_notification
from adolf.application.watcher.dispatch import LEFTOVER_AGE
from adolf.application.watcher.dumping import process_dumping_alert
from adolf.domain.watcher.alerts import AlertKind
from tests.support.fakes.watcher_services import FakeWatcherServices
from tests.unit.application.watcher.world import WB, add_campaign, add_listings, add_people, observe

SEND, DUMPING = "watcher.send_alert_notification", "watcher.process_dumping_alert"


@pytest.fixture
def listings(services: FakeWatcherServices) -> list[int]:
    add_people(services)
    _, found = add_listings(services, 3, WB, brand="acme")  # our price 1000
    for listing in found:
        observe(services, listing, "990", ago=3600)  # an hour ago: the previous observations
    return found


def alerts(services: FakeWatcherServices) -> dict[int, Any]:
    return dict(services.unit_of_work.watcher.alerts)


def test_alerts_are_stored_and_their_jobs_queued_only_after_the_commit(
    services: FakeWatcherServices, listings: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    dumping, rising, quiet = listings
    observe(services, dumping, "850")  # 15 % under our 1000: dumping
    observe(services, rising, "1100")  # +11 %: a rise
    observe(services, quiet, "995")  # nothing
    seen_committed: list[bool] = []
    enqueue = services.queue.enqueue

    def watching(name: str, payload: dict[str, Any] | None = None, **options: Any) -> str:
        # Leaving ``with uow`` rolls back whatever was not committed: a row still here was.
        seen_committed.append(payload is not None and payload["alert_id"] in services.unit_of_work.watcher.alerts)
        return enqueue(name, payload, **options)

    monkeypatch.setattr(services.queue, "enqueue", watching)

    result = check_alerts(services)

    stored = alerts(services)
    kinds = {a.competitor_product_id: a.kind for a in stored.values()}
    assert kinds == {dumping: AlertKind.DUMPING_DETECTED, rising: AlertKind.PRICE_RISE}
    dumping_id = next(i for i, a in stored.items() if a.kind is AlertKind.DUMPING_DETECTED)
    assert sorted(services.queue.enqueued, key=lambda e: (e[0], e[1]["alert_id"])) == sorted(
        [(SEND, {"alert_id": i}) for i in stored] + [(DUMPING, {"alert_id": dumping_id})],
        key=lambda e: (e[0], e[1]["alert_id"]),
    )
    assert seen_committed == [True, True, True]
    assert result["alerts_created"] == 2 and result["by_kind"] == {"dumping_detected": 1, "price_rise": 1}
    assert stored[dumping_id].brand == "acme" and stored[dumping_id].severity.value == "critical"


def test_an_observation_seen_by_two_runs_alerts_once(services: FakeWatcherServices, listings: list[int]) -> None:
    observe(services, listings[0], "850", ago=60)
    check_alerts(services)
    services.clock.advance(15 * 60)  # still inside the next run's 20-minute look-back

    again = check_alerts(services)

    assert again["observations"] == 1 and again["alerts_created"] == 0
    assert len(alerts(services)) == 1
    assert len(services.queue.payloads(SEND)) == 1


def test_previous_observations_are_read_in_one_query(
    services: FakeWatcherServices, listings: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    for listing in listings:
        observe(services, listing, "700")
    prices = services.unit_of_work.watcher_prices
    calls: list[int] = []
    previous = prices.previous
    monkeypatch.setattr(prices, "previous", lambda pairs: calls.append(len(pairs)) or previous(pairs))

    check_alerts(services)

    assert calls == [3]


def test_observations_older_than_twenty_minutes_are_not_looked_at(
    services: FakeWatcherServices, listings: list[int]
) -> None:
    observe(services, listings[0], "500", ago=20 * 60 + 1)

    assert check_alerts(services)["observations"] == 0
    assert alerts(services) == {}


def test_jobs_owed_by_a_run_that_could_not_queue_them_are_queued_by_a_later_run(
    services: FakeWatcherServices, listings: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    observe(services, listings[0], "850")

    def broker_down(*_: Any, **__: Any) -> str:
        raise ConnectionError("broker away")

    with monkeypatch.context() as patched:
        patched.setattr(services.queue, "enqueue", broker_down)
        with pytest.raises(ConnectionError):
            check_alerts(services)
    assert len(alerts(services)) == 1 and services.queue.enqueued == []

    services.clock.advance(LEFTOVER_AGE.total_seconds() + 15 * 60)
    check_alerts(services)

    [alert_id] = alerts(services)
    assert services.queue.payloads(SEND) == [{"alert_id": alert_id}]
    assert services.queue.payloads(DUMPING) == [{"alert_id": alert_id}]


def test_a_notification_goes_to_the_routed_people_once_each(services: FakeWatcherServices, listings: list[int]) -> None:
    observe(services, listings[0], "850")
    check_alerts(services)
    [alert_id] = alerts(services)

    result = send_alert_notification(services, alert_id)
    again = send_alert_notification(services, alert_id)

    # critical, brand acme: acme's and every brand's managers, senior, director, admin; active only
    assert sorted(n.recipient for n in services.notifier.sent) == ["admin", "director", "m-acme", "m-all", "senior"]
    assert {n.key for n in services.notifier.sent} == {
        f"watcher_alert:{alert_id}:{p}" for p in ("admin", "director", "m-acme", "m-all", "senior")
    }
    assert all(n.subject == "[critical] watcher_alert_dumping_detected" for n in services.notifier.sent)
    assert "our_price: 1000" in services.notifier.sent[0].body
    assert result["sent"] == 5
    assert again == {"alert_id": alert_id, "sent": 0, "skipped": "already_notified"}
    assert services.unit_of_work.watcher_alerts.notified(alert_id)


def test_an_info_alert_goes_to_the_brands_managers_only(services: FakeWatcherServices, listings: list[int]) -> None:
    observe(services, listings[1], "1100")  # price_rise: info
    check_alerts(services)
    [alert_id] = alerts(services)

    send_alert_notification(services, alert_id)

    assert sorted(n.recipient for n in services.notifier.sent) == ["m-acme", "m-all"]


def test_an_unknown_alert_is_reported_not_failed(services: FakeWatcherServices) -> None:
    assert send_alert_notification(services, 404)["status"] == "alert_not_found"


def test_dumping_is_handed_to_marketing_once_and_recommends_for_the_brands_campaigns(
    services: FakeWatcherServices, listings: list[int]
) -> None:
    ours = add_campaign(services, "acme", WB)
    add_campaign(services, "other", WB)
    observe(services, listings[0], "850")
    check_alerts(services)
    [alert_id] = alerts(services)

    first = process_dumping_alert(services, alert_id)
    second = process_dumping_alert(services, alert_id)

    assert first == {"alert_id": alert_id, "status": "handed_off", "campaigns": 1}
    assert second["campaigns"] == 0
    [handoff, _] = services.marketing_handoff.handed
    assert (handoff.brand, handoff.marketplace, handoff.competitor_product_id) == ("acme", WB, listings[0])
    assert (handoff.competitor_price, handoff.our_price) == (Decimal("850"), Decimal("1000"))
    [advice] = services.unit_of_work.recommendations.items
    assert advice.campaign_id == ours and advice.kind == "dumping"
    assert f"Watcher alert {alert_id}" in advice.message and "850" in advice.message


def test_only_dumping_alerts_are_handed_over(services: FakeWatcherServices, listings: list[int]) -> None:
    observe(services, listings[1], "1100")
    check_alerts(services)
    [alert_id] = alerts(services)

    assert process_dumping_alert(services, alert_id)["status"] == "not_dumping_alert"
    assert process_dumping_alert(services, 999)["status"] == "not_dumping_alert"
    assert services.marketing_handoff.handed == []
