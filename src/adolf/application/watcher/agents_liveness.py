"""Agent liveness: ``watcher.sync_agent_status`` (every minute),
``watcher.redistribute_agent_tasks(agent_id)`` and ``watcher.check_cookies_validity`` (19:30).

``sync_agent_status`` turns every online agent whose heartbeat is stale offline (the domain's
``goes_offline``: more than 5 minutes), logs the change, and gives the tasks it held back:
pending again (``release``: no failure counted, it was not the task's fault) and at the
*head* of their queue, in the order the agent held them, so the night's work resumes where it
stopped. A task whose lease expired while its agent stays online goes back the same way, on
its own. All of it is one transaction with the pushes it owes (``dispatch``), then pushed;
``watcher:agents:stats`` (TTL 120 s) gets the fleet's counts.

The seed queues ``redistribute_agent_tasks`` per offline agent; here the minute's sweep does
it in its own transaction (one job, no window in which an agent is offline and its tasks
still held). ``redistribute_agent_tasks`` stays for an operator and for other modules.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Annotated, Any

from adolf.application.alert_delivery import admins, subject_of
from adolf.application.bounds import Bounds
from adolf.application.ports.outbox import OutboxEntry
from adolf.application.watcher import dispatch
from adolf.application.watcher.generation import by_marketplace
from adolf.application.watcher.night import night_of
from adolf.application.watcher.ports import WatcherServices, WatcherUnitOfWork
from adolf.domain.alerts.severity import Severity
from adolf.domain.watcher.agents import AgentStatus, goes_offline, mark_offline
from adolf.domain.watcher.tasks import ParsingTask, TaskStatus, lease_expired, release

MODULE = "watcher"
AgentId = Annotated[str, Bounds(1, 64)]  # watcher_agents.id is String(64)


def sync_agent_status(services: WatcherServices) -> dict[str, Any]:
    now = services.clock.now()
    with services.uow() as uow:
        agents = uow.watcher_agents.all()
        offline = [agent for agent in agents if goes_offline(agent, now)]
        given_back: list[ParsingTask] = []
        for agent in offline:
            change = mark_offline(agent, now)
            uow.watcher_agents.save(change.agent)
            if change.event is not None:
                uow.watcher_agents.add_event(change.event)
            given_back.extend(uow.watcher_tasks.in_progress_of(agent.id))
        released = {task.id for task in given_back}
        expired = [t for t in uow.watcher_tasks.expired_leases(now) if t.id not in released and lease_expired(t, now)]
        keys = give_back(uow, [*given_back, *expired], f"sync:{now.isoformat()}", now)
        tasks = uow.watcher_tasks.counts(night_of(services.calendar, now))
        uow.commit()
    flushed = dispatch.flush(services, keys)
    statuses = Counter(agent.status for agent in agents)
    statuses[AgentStatus.ONLINE] -= len(offline)
    statuses[AgentStatus.OFFLINE] += len(offline)
    stats: dict[str, str | int] = {
        "total": len(agents),
        "online": statuses[AgentStatus.ONLINE],
        "offline": statuses[AgentStatus.OFFLINE],
        "panic": statuses[AgentStatus.PANIC],
        "went_offline": len(offline),
        "tasks_redistributed": len(given_back),
        "leases_expired": len(expired),
        "tasks_in_progress": sum(n for (_, status), n in tasks.items() if status == TaskStatus.IN_PROGRESS),
        "updated_at": now.isoformat(),
    }
    services.watcher_stats.write_agents_stats(stats)
    return {**stats, "offline_agents": [agent.id for agent in offline], "pushed": flushed.pushed}


def redistribute_agent_tasks(services: WatcherServices, agent_id: AgentId) -> dict[str, Any]:
    """The agent's in-progress tasks → pending, at the head of their queues."""
    now = services.clock.now()
    with services.uow() as uow:
        held = uow.watcher_tasks.in_progress_of(agent_id)
        keys = give_back(uow, held, f"agent:{agent_id}:{now.isoformat()}", now)
        uow.commit()
    flushed = dispatch.flush(services, keys)
    return {"agent_id": agent_id, "redistributed": len(held), "pushed": flushed.pushed}


def give_back(uow: WatcherUnitOfWork, held: list[ParsingTask], why: str, now: datetime) -> list[str]:
    """Release ``held`` (in-progress tasks) and record their push to the head of their
    queues, in the order given; the outbox keys to flush after the commit."""
    pending = [release(task) for task in held if task.status is TaskStatus.IN_PROGRESS]
    if pending:
        uow.watcher_tasks.save_many(pending)
    entries: list[OutboxEntry] = [
        dispatch.push(f"watcher:give_back:{why}:{mp.value}:{ids[0]}", mp, ids, now, front=True)
        for mp, ids in by_marketplace(pending).items()
    ]
    return dispatch.record(uow, entries)


def check_cookies_validity(services: WatcherServices) -> dict[str, Any]:
    """Warn the admins of agents whose cookies are invalid, at most once a local day (before
    the evening's cookie copy, as the seed's 19:30 slot says)."""
    now = services.clock.now()
    day = services.calendar.day(now)
    with services.uow() as uow:
        invalid = [agent for agent in uow.watcher_agents.all() if not agent.cookies_valid]
        if not invalid:
            return {"invalid_count": 0, "agents": []}
        names = [agent.name for agent in invalid]
        people = admins(MODULE, uow.users.active())
        body = "Agents with invalid cookies: " + ", ".join(f"{a.name} ({a.id})" for a in invalid)
        entry = dispatch.notify(
            f"watcher:cookies:{day.isoformat()}",
            people,
            subject_of(Severity.WARNING, "watcher_cookies_invalid"),
            body,
            now,
        )
        keys = dispatch.record(uow, [entry])
        uow.commit()
    flushed = dispatch.flush(services, keys)
    return {"invalid_count": len(invalid), "agents": names, "notified": flushed.notified}
