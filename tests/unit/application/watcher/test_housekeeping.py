"""Cleanup in bounded batches (VACUUM only after tasks went), the Redis keys' cleanup, the
daily and weekly stats, the priorities, the Office heartbeat and the health check."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from adolf.application.office import OFFICE_TTL
from adolf.application.watcher import cleanup
from adolf.application.watcher.alerting import check_alerts
from adolf.application.watcher.cleanup import (
    cleanup_old_logs,
    cleanup_old_tasks,
    cleanup_redis_keys,
    cleanup_resolved_alerts,
)
from adolf.application.watcher.generation import generate_daily_tasks
from adolf.application.watcher.health import health_check
from adolf.application.watcher.office import office_heartbeat
from adolf.application.watcher.priorities import calculate_priorities
from adolf.application.watcher.state_ports import DAILY_STATS_TTL
from adolf.application.watcher.stats import generate_daily_stats, generate_weekly_report
from adolf.domain.watcher.agents import AgentEvent, AgentStatus
from adolf.domain.watcher.tasks import TaskStatus
from tests.support.fakes.watcher_services import FakeWatcherServices
from tests.unit.application.watcher.world import EVENING, OZON, WB, add_agent, add_listings, claim_next, observe


@pytest.fixture(autouse=True)
def evening(services: FakeWatcherServices) -> None:
    services.clock.set(EVENING)


# --- cleanup ------------------------------------------------------------------------------


def test_old_tasks_go_in_bounded_batches_then_the_table_is_vacuumed(
    services: FakeWatcherServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cleanup, "BATCH", 2)
    add_listings(services, 5, WB)
    generate_daily_tasks(services, date=date(2024, 1, 1))
    generate_daily_tasks(services, date=date(2024, 5, 9))
    deletes: list[int] = []
    tasks = services.unit_of_work.watcher_tasks
    delete_before = tasks.delete_before
    monkeypatch.setattr(tasks, "delete_before", lambda day, n: deletes.append(n) or delete_before(day, n))

    result = cleanup_old_tasks(services)

    assert result["deleted"] == 5 and result["batches"] == 3 and result["cutoff"] == "2024-02-10"
    assert deletes == [2, 2, 2]
    assert {t.scheduled_date for t in services.unit_of_work.watcher.tasks.values()} == {date(2024, 5, 9)}
    assert services.maintenance.vacuumed == ["watcher_parsing_tasks"]
    assert services.unit_of_work.commits >= 3  # a transaction per batch


def test_nothing_deleted_nothing_vacuumed(services: FakeWatcherServices) -> None:
    result = cleanup_old_tasks(services, days=90)

    assert (result["deleted"], result["batches"], result["vacuumed"]) == (0, 1, False)
    assert services.maintenance.vacuumed == []


def test_agent_logs_older_than_thirty_days_go(services: FakeWatcherServices, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cleanup, "BATCH", 3)
    agents = services.unit_of_work.watcher_agents
    now = services.clock.now()
    for days in (40, 35, 31, 31, 30, 1):
        agents.add_event(AgentEvent("a1", AgentStatus.ONLINE, "beat", now - timedelta(days=days, seconds=1)))

    result = cleanup_old_logs(services)

    assert (result["deleted"], result["batches"]) == (5, 2)
    assert len(agents.events()) == 1


def test_only_resolved_alerts_older_than_a_year_go(services: FakeWatcherServices) -> None:
    _, [listing] = add_listings(services, 1, WB)
    observe(services, listing, "990", ago=3600)
    observe(services, listing, "500")
    check_alerts(services)
    [alert_id] = services.unit_of_work.watcher.alerts
    services.clock.advance(timedelta(days=366).total_seconds())

    assert cleanup_resolved_alerts(services)["deleted"] == 0  # not resolved
    services.unit_of_work.watcher_alerts.resolve(alert_id, services.clock.now())
    assert cleanup_resolved_alerts(services)["deleted"] == 1


def test_redis_cleanup_drops_the_state_of_agents_that_are_gone(services: FakeWatcherServices) -> None:
    add_agent(services, "kept")
    services.watcher_stats.write_agent_state("kept", {"cookies": "fresh"})
    services.watcher_stats.write_agent_state("gone", {"cookies": "stale"})

    assert cleanup_redis_keys(services) == {"deleted": 1, "agents": 1}
    assert services.watcher_stats.read_agent_state("kept") == {"cookies": "fresh"}


# --- stats --------------------------------------------------------------------------------


def test_daily_stats_count_yesterdays_tasks_by_status_and_marketplace_and_alerts_by_type(
    services: FakeWatcherServices,
) -> None:
    _, wb = add_listings(services, 3, WB)
    add_listings(services, 1, OZON)
    add_agent(services, "a1")
    generate_daily_tasks(services)
    claim_next(services, "a1", 1)
    observe(services, wb[0], "990", ago=3600)
    observe(services, wb[0], "500")
    check_alerts(services)
    services.clock.advance(timedelta(hours=14).total_seconds())  # 08:00 next morning

    result = generate_daily_stats(services)

    stats = services.watcher_stats.read_daily_stats(date(2024, 5, 10))
    assert result["date"] == "2024-05-10"
    assert stats["tasks_total"] == "4"
    assert (stats["tasks:pending"], stats["tasks:in_progress"], stats["tasks:done"]) == ("3", "1", "0")
    assert (stats["tasks:wb"], stats["tasks:ozon"], stats["tasks:ym"]) == ("3", "1", "0")
    assert (stats["tasks:wb:in_progress"], stats["tasks:ozon:pending"]) == ("1", "1")
    assert stats["alerts_total"] == "1"
    assert stats["alerts:dumping_detected"] == "1" and stats["alerts:dumping_detected:critical"] == "1"
    assert stats["alerts:price_drop"] == "0"
    assert services.state.keys.ttl("watcher:daily_stats:2024-05-10") == DAILY_STATS_TTL


def test_every_day_has_the_same_fields(services: FakeWatcherServices) -> None:
    generate_daily_stats(services, date=date(2024, 5, 1))
    add_listings(services, 2, WB)
    generate_daily_tasks(services)
    generate_daily_stats(services, date=date(2024, 5, 10))

    empty = services.watcher_stats.read_daily_stats(date(2024, 5, 1))
    busy = services.watcher_stats.read_daily_stats(date(2024, 5, 10))
    assert set(empty) == set(busy)
    assert len([f for f in busy if f.startswith("tasks:wb:")]) == len(TaskStatus)


def test_the_weekly_report_sums_the_last_seven_days_and_names_the_missing_ones(services: FakeWatcherServices) -> None:
    stats = services.watcher_stats
    for day, total in ((date(2024, 5, 3), 10), (date(2024, 5, 9), 5), (date(2024, 5, 2), 1000)):
        stats.write_daily_stats(day, {"tasks_total": total, "alerts_total": 1, "generated_at": "x"})

    report: dict[str, Any] = generate_weekly_report(services)  # Friday 10 May: the 3rd … the 9th

    assert report["period"] == {"from": "2024-05-03", "to": "2024-05-09"}
    assert (report["tasks_total"], report["alerts_total"], report["days_with_data"]) == (15, 2, 2)
    assert report["missing_days"] == ["2024-05-04", "2024-05-05", "2024-05-06", "2024-05-07", "2024-05-08"]


def test_a_week_without_stats_says_so(services: FakeWatcherServices) -> None:
    assert generate_weekly_report(services)["status"] == "no_data"


# --- priorities, office, health ----------------------------------------------------------


def test_priorities_are_scored_for_every_listing_in_one_read_and_one_write(
    services: FakeWatcherServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, listings = add_listings(services, 3, WB)
    for price in ("1000", "900", "1000", "900", "1000", "900"):
        observe(services, listings[0], price, ago=3600)
    catalog = services.unit_of_work.watcher_catalog
    calls: list[str] = []
    for name in ("priority_inputs", "set_priorities"):
        original = getattr(catalog, name)
        monkeypatch.setattr(catalog, name, lambda *a, _o=original, _n=name: calls.append(_n) or _o(*a))

    result = calculate_priorities(services)

    assert calls == ["priority_inputs", "set_priorities"]
    rows = services.unit_of_work.watcher.competitor_products
    # 5 changes +10, latest 900 vs our 1000 (10 %) +5 → 65; never observed: 0 changes −10 → 40
    assert [rows[i].priority for i in listings] == [65, 40, 40]
    assert result["scored"] == 3 and result["bands"]["60-79"] == 1 and result["bands"]["40-59"] == 2
    assert services.status_board.get("office:agent:watcher_competitor_scan")["status"] == "idle"


def test_the_office_heartbeat_keeps_three_employees_on_the_board_with_their_metrics(
    services: FakeWatcherServices,
) -> None:
    add_listings(services, 3, WB)
    generate_daily_tasks(services)

    result = office_heartbeat(services)

    board = services.status_board
    cards = {key: board.get(key) for key in board.hashes}
    assert set(cards) == {
        "office:agent:watcher_price_monitor",
        "office:agent:watcher_night_agent",
        "office:agent:watcher_competitor_scan",
    }
    monitor = cards["office:agent:watcher_price_monitor"]
    assert (monitor["fte_coefficient"], monitor["salary_equivalent"], monitor["department"]) == (
        "1.0",
        "60000",
        "watcher",
    )
    assert cards["office:agent:watcher_night_agent"]["fte_coefficient"] == "0.5"
    assert cards["office:agent:watcher_competitor_scan"]["fte_coefficient"] == "1.0"
    assert {k: monitor[k] for k in monitor if k.startswith("metric:")} == {
        "metric:products_monitored": "1",
        "metric:price_changes_today": "0",
        "metric:tasks_generated": "3",
        "metric:queue_size": "3",
    }
    assert cards["office:agent:watcher_night_agent"]["status"] == "working"
    assert all(board.ttls[key] == OFFICE_TTL for key in cards)
    assert result["agents"] == 3


def test_the_health_check_reports_stores_and_parsing_queues(services: FakeWatcherServices) -> None:
    add_listings(services, 2, OZON)
    generate_daily_tasks(services)

    report = health_check(services)

    assert report["ok"] is True and report["status"] == "healthy"
    assert report["parsing_queues"] == {"wb": 0, "ozon": 2, "ym": 0}
