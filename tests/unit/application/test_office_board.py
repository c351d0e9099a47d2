"""The Office board's read model: every registered employee with its status (offline when
silent), and the system panel, from the board, the queue and the dead letters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from adolf.application.marketing.api_health import STATUS_KEY
from adolf.application.marketing.bid_cycle import LAST_CYCLE_KEY
from adolf.application.office import OfficeReporter, office_key
from adolf.application.office_board import (
    DEAD_LETTER_SCAN,
    OFFLINE,
    STALE_AFTER,
    OfficeSnapshot,
    read_employees,
    read_system,
    registry,
)
from adolf.application.ports.dead_letters import DeadLetter
from adolf.application.ports.tasks import WorkerInfo
from adolf.application.reputation.office_reporting import EMPLOYEES as REPUTATION
from adolf.application.watcher.office import EMPLOYEES as WATCHER
from adolf.domain.marketplace import Marketplace
from tests.support.fakes import FakeServices
from tests.support.fakes.runtime import FakeClock, FakeStatusBoard

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def reporter(board: FakeStatusBoard, clock: FakeClock, agent_id: str) -> OfficeReporter:
    employee = next(e for e in registry() if e.agent_id == agent_id)
    return OfficeReporter(employee, board, clock)


def by_id(board: FakeStatusBoard, now: datetime = NOW) -> dict[str, dict[str, object]]:
    return {e.agent_id: e.as_json(now) for e in read_employees(board, now)}


def test_the_registry_is_watchers_and_reputations_employees_as_the_spec_names_them() -> None:
    cards = {e.agent_id: (e.department, e.fte, e.salary_equivalent) for e in registry()}
    assert cards == {
        "watcher_price_monitor": ("watcher", Decimal("1.0"), 60_000),
        "watcher_night_agent": ("watcher", Decimal("0.5"), 60_000),
        "watcher_competitor_scan": ("watcher", Decimal("1.0"), 60_000),
        "reputation_wb": ("reputation", Decimal("1.0"), 60_000),
        "reputation_ozon": ("reputation", Decimal("1.0"), 60_000),
        "reputation_ym": ("reputation", Decimal("1.0"), 60_000),
    }
    assert set(registry()) == {*WATCHER.values(), *REPUTATION.values()}


def test_an_employee_never_seen_is_listed_offline_with_its_card() -> None:
    cards = by_id(FakeStatusBoard())
    assert list(cards) == [e.agent_id for e in registry()]
    night = cards["watcher_night_agent"]
    assert night["status"] == OFFLINE and night["fte"] == "0.5" and night["salary_equivalent"] == 60_000
    assert night["last_heartbeat"] is None and night["seen_seconds_ago"] is night["heartbeat_seconds_ago"] is None
    assert night["module"] == "watcher" and night["name"] == "Ночной агент"


def test_the_reports_show_as_working_idle_and_error_with_what_goes_with_each() -> None:
    board, clock = FakeStatusBoard(), FakeClock(NOW - timedelta(seconds=30))
    reporter(board, clock, "reputation_wb").report_working("polling WB reviews")
    reporter(board, clock, "reputation_ozon").report_error("Ozon answered 503")
    monitor = reporter(board, clock, "watcher_price_monitor")
    monitor.report_working("generating tasks")
    monitor.report_idle({"products_monitored": 120, "queue_size": 0})
    cards = by_id(board)
    assert (cards["reputation_wb"]["status"], cards["reputation_wb"]["activity"]) == ("working", "polling WB reviews")
    assert (cards["reputation_ozon"]["status"], cards["reputation_ozon"]["error"]) == ("error", "Ozon answered 503")
    assert cards["watcher_price_monitor"]["status"] == "idle"
    assert cards["watcher_price_monitor"]["activity"] == ""  # idle clears what it was doing
    assert cards["watcher_price_monitor"]["metrics"] == {"products_monitored": "120", "queue_size": "0"}
    assert cards["watcher_price_monitor"]["seen_seconds_ago"] == 30


def test_a_heartbeat_alone_is_idle_and_its_time_is_shown() -> None:
    board, clock = FakeStatusBoard(), FakeClock(NOW - timedelta(seconds=5))
    reporter(board, clock, "reputation_ym").heartbeat({"reviews_today": 4})
    card = by_id(board)["reputation_ym"]
    assert card["status"] == "idle" and card["metrics"] == {"reviews_today": "4"}
    assert card["last_heartbeat"] == (NOW - timedelta(seconds=5)).isoformat()


def test_an_employee_silent_past_the_threshold_is_offline_whatever_it_last_said() -> None:
    board, clock = FakeStatusBoard(), FakeClock(NOW - STALE_AFTER)
    reporter(board, clock, "reputation_wb").report_working("polling")
    assert by_id(board)["reputation_wb"]["status"] == "working"  # exactly at the threshold: still alive
    later = NOW + timedelta(seconds=1)
    card = by_id(board, later)["reputation_wb"]
    assert card["status"] == OFFLINE and card["activity"] == ""
    assert card["seen_seconds_ago"] == STALE_AFTER.total_seconds() + 1


def test_a_working_report_keeps_an_employee_alive_between_heartbeats() -> None:
    board, clock = FakeStatusBoard(), FakeClock(NOW - timedelta(minutes=10))
    scan = reporter(board, clock, "watcher_competitor_scan")
    scan.heartbeat()
    clock.set(NOW - timedelta(seconds=10))
    scan.report_working("scoring priorities")
    card = by_id(board)["watcher_competitor_scan"]
    assert card["status"] == "working"
    assert card["last_heartbeat"] == (NOW - timedelta(minutes=10)).isoformat()
    assert (card["seen_seconds_ago"], card["heartbeat_seconds_ago"]) == (10, 600)


def test_a_hash_without_a_readable_time_is_no_sign_of_life() -> None:
    board = FakeStatusBoard()
    board.put(office_key("reputation_wb"), {"status": "working", "last_heartbeat": "soon"})
    board.put(office_key("reputation_ozon"), {"status": "working", "last_heartbeat": "2026-03-10T08:59:00"})  # naive
    cards = by_id(board)
    assert cards["reputation_wb"]["status"] == OFFLINE and cards["reputation_ozon"]["status"] == OFFLINE


def test_an_unknown_status_written_with_a_fresh_heartbeat_reads_idle() -> None:
    board = FakeStatusBoard()
    board.put(office_key("reputation_wb"), {"status": "dancing", "last_heartbeat": NOW.isoformat()})
    assert by_id(board)["reputation_wb"]["status"] == "idle"


@dataclass
class FakeQueueAdmin:
    lengths: dict[str, int] = field(default_factory=dict)
    up: list[WorkerInfo] = field(default_factory=list)

    def queue_lengths(self) -> dict[str, int]:
        return dict(self.lengths)

    def purge(self, queue: str) -> int:
        raise AssertionError("the board never purges")

    def workers(self) -> list[WorkerInfo]:
        return list(self.up)

    def jobs(self) -> dict[str, list[str]]:
        raise AssertionError("the board does not list jobs")


def letter(failed_at: datetime, retried: bool = False) -> DeadLetter:
    return DeadLetter(
        task_id="t",
        task_name="marketing.bid_cycle",
        payload={},
        exception="boom",
        traceback="",
        failed_at=failed_at,
        runtime="inline",
        retried_at=failed_at if retried else None,
    )


def test_the_system_panel_reads_queues_workers_last_cycle_dead_letters_and_api_status() -> None:
    services = FakeServices()
    board = services.status_board
    board.put(LAST_CYCLE_KEY, {"at": NOW.isoformat(), "campaigns": 12, "bids_changed": 3})
    board.put(STATUS_KEY.format(mp="wb"), {"status": "ok", "latency_ms": 120, "checked_at": NOW.isoformat()})
    board.put(STATUS_KEY.format(mp="ozon"), {"status": "error", "error": "503"})
    letters = services.unit_of_work.dead_letters
    letters.add(letter(NOW - timedelta(hours=25)))  # outside the window
    letters.add(letter(NOW - timedelta(hours=23), retried=True))  # re-driven still counts: it failed
    letters.add(letter(NOW - timedelta(minutes=1)))
    queues = FakeQueueAdmin(
        {"watcher.default": 2, "marketing_high": 0},
        [WorkerInfo("w1@host", ("marketing_high",), "up"), WorkerInfo("w2@host", ("watcher.default",), "busy")],
    )
    panel = read_system(board, queues, services.uow, NOW).as_json()
    assert panel["queues"] == {"marketing_high": 0, "watcher.default": 2}
    assert panel["workers_up"] == 2
    assert panel["workers"] == [{"name": "w1@host", "state": "up"}, {"name": "w2@host", "state": "busy"}]
    assert panel["last_bid_cycle"] == {"at": NOW.isoformat(), "campaigns": "12", "bids_changed": "3"}
    assert (panel["dead_letters_24h"], panel["dead_letters_capped"]) == (2, False)
    assert panel["api_status"]["wb"]["status"] == "ok" and panel["api_status"]["wb"]["latency_ms"] == "120"
    assert panel["api_status"]["ozon"] == {"status": "error", "error": "503"}
    assert panel["api_status"]["ym"] == {"status": "unknown"}  # not checked in the last 15 minutes
    assert list(panel["api_status"]) == [m.value for m in Marketplace]


def test_no_cycle_and_no_letters_read_as_none_and_zero() -> None:
    services = FakeServices()
    panel = read_system(services.status_board, FakeQueueAdmin(), services.uow, NOW).as_json()
    assert panel["last_bid_cycle"] is None and panel["dead_letters_24h"] == 0 and panel["workers_up"] == 0


def test_more_dead_letters_than_the_scan_reads_are_a_floor() -> None:
    services = FakeServices()
    for _ in range(DEAD_LETTER_SCAN + 5):
        services.unit_of_work.dead_letters.add(letter(NOW - timedelta(hours=1)))
    panel = read_system(services.status_board, FakeQueueAdmin(), services.uow, NOW)
    assert (panel.dead_letters_24h, panel.dead_letters_capped) == (DEAD_LETTER_SCAN, True)


def test_the_snapshot_sums_the_fleet() -> None:
    board, clock = FakeStatusBoard(), FakeClock(NOW)
    reporter(board, clock, "watcher_night_agent").report_working("parsing")
    reporter(board, clock, "reputation_wb").heartbeat()
    services = FakeServices()
    system = read_system(services.status_board, FakeQueueAdmin(), services.uow, NOW)
    body = OfficeSnapshot(NOW, read_employees(board, NOW), system).as_json()
    assert body["at"] == NOW.isoformat() and body["stale_after_s"] == 180
    assert body["summary"] == {
        "employees": 6,
        "working": 1,
        "idle": 1,
        "error": 0,
        "offline": 4,
        "fte": "5.5",
        "salary_equivalent": 360_000,
    }
