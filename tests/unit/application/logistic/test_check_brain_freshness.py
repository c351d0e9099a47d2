"""``logistic.check_brain_freshness``: a brain_* table loaded more than 26 h ago (or never) →
one DATA_STALE (high) per table per day, on a clock the test moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adolf.adapters.clocks import ManualClock
from adolf.application.logistic.freshness_check import check_brain_freshness
from adolf.domain.alerts.severity import Severity
from adolf.domain.logistic.alerts import StockAlertKind
from adolf.domain.logistic.freshness import BRAIN_TABLES
from tests.support.fakes.logistic_services import FakeLogisticServices
from tests.unit.application.logistic.world import people

CHECK = datetime(2024, 5, 10, 5, 0, tzinfo=UTC)  # 08:00 in Moscow
LOADED = datetime(2024, 5, 9, 3, 0, tzinfo=UTC)  # yesterday 06:00 in Moscow: 26 h before CHECK


def loaded_everything(services: FakeLogisticServices, at: datetime) -> None:
    for table in BRAIN_TABLES:
        services.unit_of_work.logistic.load_brain(table, [], at)


def on_manual_clock(start: datetime) -> tuple[FakeLogisticServices, ManualClock]:
    clock = ManualClock(start)
    services = FakeLogisticServices(clock=clock)  # type: ignore[arg-type]
    return services, clock


def stale_alerts(services: FakeLogisticServices) -> list:
    return [a for a in services.unit_of_work.logistic.alerts.values() if a.kind is StockAlertKind.DATA_STALE]


def test_exactly_26_hours_is_fresh_and_a_second_more_is_stale() -> None:
    services, clock = on_manual_clock(CHECK)
    loaded_everything(services, LOADED)

    assert check_brain_freshness(services) == {"stale": [], "all_fresh": True, "alerts_created": 0, "notified": 0}

    clock.advance(1)
    report = check_brain_freshness(services)

    assert report["stale"] == list(BRAIN_TABLES) and not report["all_fresh"]
    assert len(stale_alerts(services)) == 4


def test_one_alert_per_stale_table_to_every_brands_people() -> None:
    services, _ = on_manual_clock(CHECK)
    loaded_everything(services, CHECK - timedelta(hours=1))
    services.unit_of_work.logistic.load_brain("brain_supplier_orders", [], CHECK - timedelta(hours=30))
    services.unit_of_work.logistic.brain_loaded["brain_goods_receipts"] = None  # never loaded
    users = people(services)

    report = check_brain_freshness(services)

    assert report["stale"] == ["brain_supplier_orders", "brain_goods_receipts"]
    by_table = {a.details["table"]: a for a in stale_alerts(services)}
    assert set(by_table) == {"brain_supplier_orders", "brain_goods_receipts"}
    assert by_table["brain_goods_receipts"].details["loaded_at"] == "never"
    assert "30.0 h ago" in by_table["brain_supplier_orders"].message
    assert all(a.severity is Severity.CRITICAL and a.brand is None and not a.open for a in by_table.values())
    told = {n.recipient for n in services.notifier.sent}
    assert told == {users[r].id for r in ("manager", "other", "senior", "director", "admin")}


def test_once_a_day_per_table() -> None:
    services, clock = on_manual_clock(CHECK)
    people(services)
    check_brain_freshness(services)
    clock.advance(3600)

    again = check_brain_freshness(services)

    assert again["alerts_created"] == 0 and len(stale_alerts(services)) == 4
    clock.advance(timedelta(days=1).total_seconds())
    assert check_brain_freshness(services)["alerts_created"] == 4
