"""``marketing.send_alert`` and ``queue_alerts``: an alert row, routed recipients (§4.5), notifications."""

from __future__ import annotations

import pytest

from adolf.application.marketing.alerting import AlertDraft, queue_alerts, send_alert
from adolf.application.payload import bind_payload
from adolf.domain.alerts.users import Role, User
from tests.support.fakes import FakeServices


@pytest.fixture
def staff(services: FakeServices) -> FakeServices:
    for user in [
        User("m-acme", "Anna", Role.MANAGER, "acme"),
        User("m-other", "Boris", Role.MANAGER, "other"),
        User("m-all", "Vera", Role.MANAGER, "all"),
        User("m-gone", "Gleb", Role.MANAGER, "acme", active=False),
        User("senior", "Dina", Role.SENIOR, "other"),
        User("director", "Egor", Role.DIRECTOR, "all"),
        User("admin", "Zoya", Role.parse("administrator"), "all"),
        User("m-acme", "Anna (again)", Role.MANAGER, "acme"),
    ]:
        services.uow().users.add(user)
    return services


def recipients(services: FakeServices) -> list[str]:
    return [n.recipient for n in services.notifier.sent]


def test_an_info_alert_goes_to_the_active_managers_of_the_brand_each_once(staff: FakeServices) -> None:
    result = send_alert(staff, "low_ctr", "info", "Shoes: low CTR", brand="acme", campaign_id="1")

    assert recipients(staff) == ["m-acme", "m-all"]
    assert result == {"alert_id": 1, "sent": 2}
    [alert] = staff.uow().alerts.items
    assert (alert.module, alert.type, alert.severity, alert.brand, alert.campaign_id) == (
        "marketing",
        "low_ctr",
        "info",
        "acme",
        "1",
    )
    assert alert.created_at == staff.clock.now() and staff.uow().committed


def test_a_warning_also_goes_to_senior_director_and_administrator(staff: FakeServices) -> None:
    send_alert(staff, "budget_exceeded", "warning", "Shoes paused", brand="acme")

    assert recipients(staff) == ["m-acme", "m-all", "senior", "director", "admin"]
    assert {n.subject for n in staff.notifier.sent} == {"[warning] budget_exceeded"}
    assert {n.body for n in staff.notifier.sent} == {"Shoes paused"}


def test_a_once_a_day_alert_is_dropped_the_second_time_for_the_same_campaign(staff: FakeServices) -> None:
    send_alert(staff, "budget_warning", "info", "80 %", brand="acme", campaign_id="1", once_a_day=True)
    staff.clock.advance(3600)
    again = send_alert(staff, "budget_warning", "info", "85 %", brand="acme", campaign_id="1", once_a_day=True)
    other = send_alert(staff, "budget_warning", "info", "80 %", brand="acme", campaign_id="2", once_a_day=True)

    assert again == {"sent": 0, "skipped": "already_alerted_today"}
    assert other["sent"] == 2
    assert [a.campaign_id for a in staff.uow().alerts.items] == ["1", "2"]


def test_queued_alerts_are_plain_json_payloads_that_bind_to_send_alert(services: FakeServices) -> None:
    queue_alerts(services, [AlertDraft("cap_bid", "info", "capped", "acme", "7", once_a_day=True)], "slot-1")

    [(name, payload)] = services.queue.enqueued
    assert name == "marketing.send_alert"
    assert bind_payload(send_alert, payload) == {
        "type": "cap_bid",
        "severity": "info",
        "message": "capped",
        "brand": "acme",
        "campaign_id": "7",
        "once_a_day": True,
        "key": "slot-1:7",
    }


def test_the_same_keyed_alert_sent_twice_adds_one_row_and_notifies_once(staff: FakeServices) -> None:
    first = send_alert(staff, "budget_exceeded", "warning", "Shoes paused", brand="acme", campaign_id="1", key="s:1")
    again = send_alert(staff, "budget_exceeded", "warning", "Shoes paused", brand="acme", campaign_id="1", key="s:1")
    later = send_alert(staff, "budget_exceeded", "warning", "Shoes paused", brand="acme", campaign_id="1", key="s:2")

    assert first["sent"] == 5 and again == {"sent": 0, "skipped": "duplicate"} and later["sent"] == 5
    assert [a.dedupe_key for a in staff.uow().alerts.items] == [
        "marketing:budget_exceeded:s:1",
        "marketing:budget_exceeded:s:2",
    ]
    assert len(staff.notifier.sent) == 10
    keys = [n.key for n in staff.notifier.sent]
    assert len(set(keys)) == 10 and keys[0] == "alert:1:m-acme"  # one per alert and person, for the channel


def test_an_alert_recorded_by_a_delivery_that_died_before_notifying_is_notified_by_the_next(
    staff: FakeServices,
) -> None:
    from adolf.application.ports.alerts import AlertRecord

    staff.uow().alerts.add(
        AlertRecord(
            "marketing",
            "budget_exceeded",
            "warning",
            "Shoes paused",
            staff.clock.now(),
            brand="acme",
            campaign_id="1",
            dedupe_key="marketing:budget_exceeded:s:1",
        )
    )
    result = send_alert(staff, "budget_exceeded", "warning", "Shoes paused", brand="acme", campaign_id="1", key="s:1")

    assert result == {"alert_id": 1, "sent": 5}
    [alert] = staff.uow().alerts.items
    assert alert.notified_at == staff.clock.now()
    again = send_alert(staff, "budget_exceeded", "warning", "Shoes paused", brand="acme", campaign_id="1", key="s:1")
    assert again["sent"] == 0 and len(staff.notifier.sent) == 5
