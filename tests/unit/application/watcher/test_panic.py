"""``handle_panic_mode``: the agent in panic, the event logged, its IP blocked for an hour,
its tasks back at the head of the queue, the admins told — once, however often the job runs."""

from __future__ import annotations

import pytest

from adolf.application.watcher.generation import generate_daily_tasks
from adolf.application.watcher.panic import handle_panic_mode
from adolf.application.watcher.state_ports import IP_BLOCK_TTL
from adolf.domain.alerts.severity import Severity
from adolf.domain.alerts.users import Role, User
from adolf.domain.watcher.agents import AgentStatus
from adolf.domain.watcher.tasks import TaskStatus
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
    add_people(services)
    add_listings(services, 5, WB)
    generate_daily_tasks(services)


def test_a_panic_puts_the_agent_in_panic_logs_blocks_redistributes_and_tells_the_admins(
    services: FakeWatcherServices,
) -> None:
    add_agent(services, "a1", ip="10.1.2.3")
    held = claim_next(services, "a1", 2)
    waiting = queued(services, WB)

    result = handle_panic_mode(services, "a1", "captcha", {"url": "https://wb.example/1"})

    uow = services.unit_of_work
    agent = uow.watcher_agents.get("a1")
    assert agent is not None and agent.status is AgentStatus.PANIC
    [event] = uow.watcher_agents.events("a1")
    assert (event.kind, event.severity, event.message) == (AgentStatus.PANIC, Severity.CRITICAL, "captcha")
    assert dict(event.details) == {"url": "https://wb.example/1", "ip": "10.1.2.3"}
    assert services.ip_blocks.is_blocked("10.1.2.3")
    assert services.state.keys.ttl("watcher:ip_blocked:10.1.2.3") == IP_BLOCK_TTL
    assert services.state.keys.raw("watcher:ip_blocked:10.1.2.3") == "captcha"
    assert queued(services, WB) == [*held, *waiting]
    assert all(task(services, t).status is TaskStatus.PENDING for t in held)
    [notice] = services.notifier.sent
    assert notice.recipient == "admin" and notice.subject == "[critical] watcher_agent_panic"
    assert "captcha" in notice.body and "10.1.2.3" in notice.body
    assert result["status"] == "panic" and result["redistributed"] == 2 and result["ip_blocked"] == "10.1.2.3"


def test_the_ip_the_agent_reports_is_the_one_blocked_and_the_block_lasts_an_hour(
    services: FakeWatcherServices,
) -> None:
    add_agent(services, "a1", ip="10.1.2.3")

    handle_panic_mode(services, "a1", "ban", {"ip": "192.0.2.9"})

    assert services.ip_blocks.blocked() == ["192.0.2.9"]
    services.clock.advance(IP_BLOCK_TTL - 1)
    assert services.ip_blocks.is_blocked("192.0.2.9")
    services.clock.advance(1)
    assert not services.ip_blocks.is_blocked("192.0.2.9")


def test_a_redelivered_panic_notifies_and_logs_once(services: FakeWatcherServices) -> None:
    add_agent(services, "a1")

    handle_panic_mode(services, "a1", "captcha", {})
    services.clock.advance(30)
    again = handle_panic_mode(services, "a1", "captcha", {})

    assert again["status"] == "already_in_panic"
    assert len(services.unit_of_work.watcher_agents.events("a1")) == 1
    assert [n.recipient for n in services.notifier.sent] == ["admin"]
    assert services.state.keys.ttl("watcher:ip_blocked:10.0.0.7") == IP_BLOCK_TTL  # blocked again from now


def test_a_notification_left_unsent_by_a_dead_delivery_is_sent_by_the_redelivery_once(
    services: FakeWatcherServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_agent(services, "a1")

    def down(_: object) -> None:
        raise ConnectionError("the messenger is away")

    with monkeypatch.context() as patched:
        patched.setattr(services.notifier, "send", down)
        with pytest.raises(ConnectionError):
            handle_panic_mode(services, "a1", "captcha", {})
    assert services.notifier.sent == []
    services.clock.advance(180)

    handle_panic_mode(services, "a1", "captcha", {})
    handle_panic_mode(services, "a1", "captcha", {})

    assert [n.recipient for n in services.notifier.sent] == ["admin"]


def test_with_no_active_admin_the_critical_route_is_told(services: FakeWatcherServices) -> None:
    services.unit_of_work.users.users[:] = [
        User("m", "Manager", Role.MANAGER, "acme"),
        User("d", "Director", Role.DIRECTOR, "all"),
        User("x", "Former admin", Role.ADMIN, "all", active=False),
    ]
    add_agent(services, "a1")

    handle_panic_mode(services, "a1", "ban", {})

    assert sorted(n.recipient for n in services.notifier.sent) == ["d", "m"]


def test_a_panic_of_an_unknown_agent_changes_nothing(services: FakeWatcherServices) -> None:
    assert handle_panic_mode(services, "ghost", "captcha", {}) == {"agent_id": "ghost", "status": "unknown_agent"}
    assert services.notifier.sent == [] and services.ip_blocks.blocked() == []


def test_an_agent_recovered_and_panicking_again_is_a_new_panic(services: FakeWatcherServices) -> None:
    from adolf.domain.watcher.agents import recover

    add_agent(services, "a1")
    handle_panic_mode(services, "a1", "captcha", {})
    services.clock.advance(IP_BLOCK_TTL)
    uow = services.unit_of_work
    agent = uow.watcher_agents.get("a1")
    assert agent is not None
    uow.watcher_agents.save(recover(agent, services.clock.now()).agent)

    assert handle_panic_mode(services, "a1", "ban", {})["status"] == "panic"
    assert len(services.notifier.sent) == 2
