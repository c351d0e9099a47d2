"""``logistic.auto_cancel_expired``: tasks still new after 48 h → cancelled + TASK_OVERDUE."""

from __future__ import annotations

import pytest

from adolf.application.logistic.auto_cancel import auto_cancel_expired
from adolf.application.logistic.supply_actions import accept
from adolf.application.logistic.supply_generation import generate_supply_tasks
from adolf.application.payload import InvalidPayload, bind_payload
from adolf.domain.alerts.severity import Severity
from adolf.domain.logistic.alerts import StockAlertKind
from adolf.domain.logistic.supply_tasks import SupplyTaskStatus
from tests.support.fakes.logistic_services import FakeLogisticServices
from tests.unit.application.logistic.world import add_articles, add_clusters, people, put_stock, stock

HOUR = 3600


def two_tasks(services: FakeLogisticServices) -> tuple[int, int]:
    add_clusters(services, 1, 2)
    [a] = add_articles(services)
    put_stock(services, stock(a.id, 1, 0, "1"), stock(a.id, 2, 0, "1"))
    generate_supply_tasks(services)
    first, second = sorted(services.unit_of_work.logistic.tasks)
    return first, second


def status(services: FakeLogisticServices, task_id: int) -> SupplyTaskStatus:
    return services.unit_of_work.logistic.tasks[task_id].task.status


def test_new_tasks_older_than_48_hours_are_cancelled_with_an_overdue_alert(services: FakeLogisticServices) -> None:
    first, second = two_tasks(services)
    accept(services, second)
    users = people(services)
    services.clock.advance(48 * HOUR + 1)

    report = auto_cancel_expired(services)

    assert status(services, first) is SupplyTaskStatus.CANCELLED
    assert services.unit_of_work.logistic.tasks[first].task.cancelled_at == services.clock.now()
    assert status(services, second) is SupplyTaskStatus.ACCEPTED  # accepted: not the job's to cancel
    [overdue] = [a for a in services.unit_of_work.logistic.alerts.values() if a.kind is StockAlertKind.TASK_OVERDUE]
    assert overdue.severity is Severity.WARNING and overdue.details["task_id"] == str(first)
    assert (report["cancelled_count"], report["alerts_created"]) == (1, 1)
    assert {n.recipient for n in services.notifier.sent if "TASK_OVERDUE" in n.subject} == {
        users[r].id for r in ("manager", "senior", "director", "admin")
    }


def test_exactly_48_hours_is_not_yet_overdue(services: FakeLogisticServices) -> None:
    first, _ = two_tasks(services)
    services.clock.advance(48 * HOUR)

    assert auto_cancel_expired(services)["cancelled_count"] == 0
    assert status(services, first) is SupplyTaskStatus.NEW


def test_a_second_run_cancels_and_alerts_nothing_again(services: FakeLogisticServices) -> None:
    two_tasks(services)
    people(services)
    services.clock.advance(49 * HOUR)
    auto_cancel_expired(services)
    sent = len(services.notifier.sent)

    again = auto_cancel_expired(services)

    assert again["cancelled_count"] == 0 and len(services.notifier.sent) == sent


def test_the_age_comes_from_the_payload_or_the_policy(services: FakeLogisticServices) -> None:
    two_tasks(services)
    services.clock.advance(13 * HOUR)

    assert auto_cancel_expired(services)["cancelled_count"] == 0
    assert auto_cancel_expired(services, max_age_hours=12)["cancelled_count"] == 2


@pytest.mark.parametrize("hours", [0, -1, 24 * 366])
def test_an_age_out_of_bounds_is_refused(hours: int) -> None:
    with pytest.raises(InvalidPayload, match="max_age_hours="):
        bind_payload(auto_cancel_expired, {"max_age_hours": hours})
