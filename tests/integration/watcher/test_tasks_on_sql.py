"""Watcher's tasks through the real container — inline runtime, SQL repositories on SQLite and
PostgreSQL, the in-memory Redis state of the embedded default: a night generated twice and
queued once, a silent agent and a panicked one handled, a dumping alert notified and handed
to Marketing, the housekeeping jobs (VACUUM only on PostgreSQL) and the stats."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from dependency_injector import providers

from adolf.adapters.clocks import ManualClock
from adolf.adapters.sqlalchemy import migrate
from adolf.application.ports.tasks import TaskState
from adolf.container import Container, build_container
from adolf.domain.alerts.users import Role, User
from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.campaign import Campaign, CampaignStatus
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.agents import Agent, AgentStatus
from adolf.domain.watcher.catalog import Competitor, CompetitorProduct, OurProduct, Subscription
from adolf.domain.watcher.observations import PriceObservation
from adolf.domain.watcher.tasks import claim
from adolf.settings import load_settings

WB = Marketplace.WB
EVENING = datetime(2026, 3, 10, 17, 30, tzinfo=UTC)  # 20:30 in Moscow
NIGHT = date(2026, 3, 10)


@pytest.fixture
def world(database_url: str) -> Iterator[tuple[Container, ManualClock]]:
    container = build_container(load_settings(database_url=database_url, queue_backend="inline"))
    migrate.upgrade(container.engine())
    clock = ManualClock(EVENING)
    container.clock.override(providers.Object(clock))
    with container.uow() as uow:
        [ours] = uow.watcher_catalog.add_products([OurProduct(0, "acme", "sku-1", "Kettle", WB, Decimal("1000"))])
        [rival] = uow.watcher_catalog.add_competitors([Competitor(0, "rival", WB)])
        listings = uow.watcher_catalog.add_competitor_products(
            [CompetitorProduct(0, rival, WB, f"wb-{n}", None, None, ours) for n in range(4)]
        )
        uow.watcher_catalog.add_subscriptions([Subscription(0, ours, cp, WB) for cp in listings])
        for agent_id in ("silent", "panicky"):
            uow.watcher_agents.add(
                Agent(agent_id, agent_id, WB, f"10.0.0.{len(agent_id)}", AgentStatus.ONLINE, True, EVENING)
            )
        uow.users.add(User("admin", "Admin", Role.ADMIN, "all"))
        uow.users.add(User("m-acme", "Manager", Role.MANAGER, "acme"))
        uow.campaigns.add(
            Campaign(
                0,
                WB,
                "c-1",
                "acme kettles",
                "acme",
                CampaignStatus.ACTIVE,
                StrategyType.MANUAL,
                Decimal(1),
                Decimal(50),
            )
        )
        uow.commit()
    try:
        yield container, clock
    finally:
        migrate.downgrade(container.engine(), "base")
        container.engine().dispose()


def run(container: Container, name: str, payload: dict[str, Any] | None = None) -> Any:
    queue = container.task_queue()
    status = queue.status(queue.enqueue(name, payload or {}))
    assert status.state is TaskState.SUCCEEDED, status
    return status.result


def claim_from_queue(container: Container, agent_id: str, count: int) -> list[int]:
    state = container.services().parsing_queue
    taken = []
    with container.uow() as uow:
        agent = uow.watcher_agents.get(agent_id)
        for _ in range(count):
            task_id = state.pop(WB)
            task = uow.watcher_tasks.get(task_id)
            uow.watcher_tasks.save(claim(task, agent, container.clock().now()))
            taken.append(task_id)
        uow.commit()
    return taken


def test_a_night_of_watcher_tasks_on_the_real_stores(world: tuple[Container, ManualClock], database_url: str) -> None:
    container, clock = world
    services = container.services()

    first = run(container, "watcher.generate_daily_tasks")
    second = run(container, "watcher.generate_daily_tasks")
    assert (first["created"], second["created"]) == (4, 0)
    assert services.parsing_queue.length(WB) == 4
    assert services.watcher_stats.read_generation(NIGHT)["total"] == "4"

    silent = claim_from_queue(container, "silent", 1)
    panicky = claim_from_queue(container, "panicky", 2)
    clock.advance(301)
    with container.uow() as uow:  # the panicky agent keeps beating; the silent one does not
        agent = uow.watcher_agents.get("panicky")
        uow.watcher_agents.save(Agent(agent.id, agent.name, WB, agent.ip, AgentStatus.ONLINE, True, clock.now()))
        uow.commit()
    synced = run(container, "watcher.sync_agent_status")
    assert synced["offline_agents"] == ["silent"] and synced["tasks_redistributed"] == 1
    panic = run(container, "watcher.handle_panic_mode", {"agent_id": "panicky", "reason": "captcha", "details": {}})
    assert panic["status"] == "panic" and panic["redistributed"] == 2
    assert services.ip_blocks.is_blocked("10.0.0.7")
    queue = [services.parsing_queue.pop(WB) for _ in range(4)]
    assert queue[:3] == [*panicky, *silent]  # given back to the head, the latest sweep first
    with container.uow() as uow:
        assert uow.watcher_agents.get("panicky").status is AgentStatus.PANIC
        assert [e.kind for e in uow.watcher_agents.events("panicky")] == [AgentStatus.PANIC]

    with container.uow() as uow:
        listing = next(iter(uow.watcher_catalog.competitor_products([1, 2, 3, 4]).values()))
        uow.watcher_prices.add([PriceObservation(listing.id, Decimal("990"), True, clock.now() - timedelta(hours=1))])
        uow.watcher_prices.add([PriceObservation(listing.id, Decimal("850"), True, clock.now() - timedelta(minutes=1))])
        uow.commit()
    alerts = run(container, "watcher.check_alerts")
    assert alerts["by_kind"] == {"dumping_detected": 1}
    assert alerts["jobs_enqueued"] == 2  # the notification and the hand-off, run inline
    with container.uow() as uow:
        [alert] = uow.watcher_alerts.recent()
        assert uow.watcher_alerts.notified(alert.id)
        [advice] = uow.recommendations.for_day(date(2026, 3, 10))
        assert advice.kind == "dumping" and f"Watcher alert {alert.id}" in advice.message

    for name in ("watcher.check_cookies_validity", "watcher.office_heartbeat", "watcher.health_check"):
        run(container, name)
    assert run(container, "watcher.calculate_priorities")["scored"] == 4
    assert run(container, "watcher.regenerate_failed_tasks", {"date": NIGHT.isoformat()})["regenerated"] == 0
    assert run(container, "watcher.redistribute_agent_tasks", {"agent_id": "silent"})["redistributed"] == 0

    clock.advance(timedelta(hours=14).total_seconds())
    daily = run(container, "watcher.generate_daily_stats")
    assert daily["date"] == NIGHT.isoformat() and daily["stats"]["tasks_total"] == 4
    assert daily["stats"]["alerts:dumping_detected:critical"] == 1
    clock.advance(timedelta(days=6).total_seconds())
    assert run(container, "watcher.generate_weekly_report")["tasks_total"] == 4

    clock.advance(timedelta(days=91).total_seconds())
    cleaned = run(container, "watcher.cleanup_old_tasks")
    assert cleaned["deleted"] == 4
    assert cleaned["vacuumed"] is database_url.startswith("postgresql")
    assert run(container, "watcher.cleanup_old_logs")["deleted"] >= 2
    assert run(container, "watcher.cleanup_resolved_alerts")["deleted"] == 0
    run(container, "watcher.cleanup_redis_keys")
