"""``sync_agent_status`` on a fake clock, ``redistribute_agent_tasks``, lease expiry and
``check_cookies_validity``: tasks an agent can no longer finish go back to the *head* of their
queue, in the order it held them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from adolf.application.watcher.agents_liveness import (
    check_cookies_validity,
    redistribute_agent_tasks,
    sync_agent_status,
)
from adolf.application.watcher.generation import generate_daily_tasks
from adolf.application.watcher.state_ports import AGENTS_STATS_TTL
from adolf.domain.watcher.agents import AgentStatus
from adolf.domain.watcher.tasks import DEFAULT_LEASE_SECONDS, TaskStatus
from tests.support.fakes.watcher_services import FakeWatcherServices
from tests.unit.application.watcher.world import (
    EVENING,
    WB,
    add_agent,
    add_listings,
    add_people,
    claim_next,
    queued,
    task,
)


@pytest.fixture(autouse=True)
def night(services: FakeWatcherServices) -> None:
    services.clock.set(EVENING)
    add_listings(services, 6, WB)
    generate_daily_tasks(services)


def agent_status(services: FakeWatcherServices, agent_id: str) -> AgentStatus:
    agent = services.unit_of_work.watcher_agents.get(agent_id)
    assert agent is not None
    return agent.status


def test_an_agent_is_alive_for_five_minutes_after_its_heartbeat_and_offline_a_second_later(
    services: FakeWatcherServices,
) -> None:
    add_agent(services, "a1")

    services.clock.advance(300)
    assert sync_agent_status(services)["went_offline"] == 0
    assert agent_status(services, "a1") is AgentStatus.ONLINE

    services.clock.advance(1)
    result = sync_agent_status(services)

    assert result["offline_agents"] == ["a1"]
    assert agent_status(services, "a1") is AgentStatus.OFFLINE
    [event] = services.unit_of_work.watcher_agents.events("a1")
    assert event.kind is AgentStatus.OFFLINE and "no heartbeat since" in event.message
    assert sync_agent_status(services)["went_offline"] == 0  # logged once, not every minute


def test_an_offline_agents_tasks_go_back_to_the_head_of_the_queue_in_the_order_it_held_them(
    services: FakeWatcherServices,
) -> None:
    add_agent(services, "silent")
    held = claim_next(services, "silent", 3)
    waiting = queued(services, WB)

    services.clock.advance(301)
    result = sync_agent_status(services)

    assert result["tasks_redistributed"] == 3
    assert queued(services, WB) == [*held, *waiting]
    for task_id in held:
        back = task(services, task_id)
        assert (back.status, back.agent_id, back.lease_until, back.retry_count) == (TaskStatus.PENDING, None, None, 0)


def test_a_panicked_agent_is_left_in_panic_by_the_sweep(services: FakeWatcherServices) -> None:
    add_agent(services, "p", status=AgentStatus.PANIC)
    services.clock.advance(3600)

    sync_agent_status(services)

    assert agent_status(services, "p") is AgentStatus.PANIC


def test_an_expired_lease_sends_that_one_task_back_to_the_head(services: FakeWatcherServices) -> None:
    add_agent(services, "slow")
    first, second = claim_next(services, "slow", 2)
    services.clock.advance(DEFAULT_LEASE_SECONDS - 120)
    uow = services.unit_of_work
    # The agent keeps beating and renews the second task's lease; the first one's runs out.
    agent = uow.watcher_agents.get("slow")
    assert agent is not None
    uow.watcher_agents.save(replace(agent, last_heartbeat=services.clock.now()))
    lease = timedelta(seconds=DEFAULT_LEASE_SECONDS)
    uow.watcher_tasks.save(replace(task(services, second), lease_until=services.clock.now() + lease))
    waiting = queued(services, WB)
    services.clock.advance(120)

    result = sync_agent_status(services)

    assert result["leases_expired"] == 1 and result["went_offline"] == 0
    assert queued(services, WB) == [first, *waiting]
    assert task(services, first).status is TaskStatus.PENDING
    assert task(services, second).status is TaskStatus.IN_PROGRESS
    assert agent_status(services, "slow") is AgentStatus.ONLINE


def test_the_fleets_counts_go_to_the_agents_stats_hash_for_two_minutes(services: FakeWatcherServices) -> None:
    add_agent(services, "on")
    add_agent(services, "off", status=AgentStatus.OFFLINE)
    add_agent(services, "panic", status=AgentStatus.PANIC)
    claim_next(services, "on", 2)

    sync_agent_status(services)

    stats = services.watcher_stats.read_agents_stats()
    assert {k: stats[k] for k in ("total", "online", "offline", "panic", "tasks_in_progress")} == {
        "total": "3",
        "online": "1",
        "offline": "1",
        "panic": "1",
        "tasks_in_progress": "2",
    }
    assert services.state.keys.ttl("watcher:agents:stats") == AGENTS_STATS_TTL
    services.clock.advance(AGENTS_STATS_TTL)
    assert services.watcher_stats.read_agents_stats() == {}


def test_redistribute_gives_an_agents_tasks_back_to_the_head_and_twice_is_once(services: FakeWatcherServices) -> None:
    add_agent(services, "a1")
    add_agent(services, "a2")
    mine = claim_next(services, "a1", 2)
    theirs = claim_next(services, "a2", 1)
    waiting = queued(services, WB)

    assert redistribute_agent_tasks(services, "a1")["redistributed"] == 2
    assert redistribute_agent_tasks(services, "a1")["redistributed"] == 0

    assert queued(services, WB) == [*mine, *waiting]
    assert task(services, theirs[0]).status is TaskStatus.IN_PROGRESS


def test_tasks_given_back_by_two_sweeps_end_oldest_first(services: FakeWatcherServices) -> None:
    add_agent(services, "early")
    early = claim_next(services, "early", 1)
    services.clock.advance(60)
    add_agent(services, "late")
    late = claim_next(services, "late", 1)
    waiting = queued(services, WB)

    redistribute_agent_tasks(services, "early")
    redistribute_agent_tasks(services, "late")

    assert queued(services, WB) == [*late, *early, *waiting]


def test_invalid_cookies_warn_the_admins_once_a_day(services: FakeWatcherServices) -> None:
    add_people(services)
    add_agent(services, "fine")
    add_agent(services, "stale", cookies_valid=False)

    result = check_cookies_validity(services)
    again = check_cookies_validity(services)

    assert result["invalid_count"] == 1 and result["agents"] == ["agent stale"]
    assert [n.recipient for n in services.notifier.sent] == ["admin"]
    [sent] = services.notifier.sent
    assert "agent stale (stale)" in sent.body and sent.subject == "[warning] watcher_cookies_invalid"
    assert again["notified"] == 0


def test_no_invalid_cookies_no_notice(services: FakeWatcherServices) -> None:
    add_people(services)
    add_agent(services, "fine")

    assert check_cookies_validity(services) == {"invalid_count": 0, "agents": []}
    assert services.notifier.sent == []
