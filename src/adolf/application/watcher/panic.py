"""``watcher.handle_panic_mode(agent_id, reason, details)``: an agent met a captcha or a ban.

Queued by the agent's ``POST /watcher/agents/{id}/panic`` (``agent_protocol.report_panic``).
In one transaction: the agent → ``panic`` (the domain's ``panic``: from any status), the
event in its log, its in-progress tasks back to pending, and what that owes — the tasks'
push to the *head* of their queues and the admins' notification (SPEC §4.5's critical
route, narrowed to admins: ``alert_delivery.admins``). After the commit its IP is blocked for
an hour (``watcher:ip_blocked:{ip}``: the one the agent reports in ``details["ip"]``, else the
one it last beat from) and the owed pushes and notification are sent (``dispatch``).

Idempotent: a redelivered job finds the agent already in panic and records no second event
nor notification; it blocks the IP again (an hour from now) and gives back whatever the agent
still holds. An agent that recovered and panics again is a new panic.
"""

from __future__ import annotations

from typing import Annotated, Any

from adolf.application.alert_delivery import admins, subject_of
from adolf.application.bounds import Bounds
from adolf.application.watcher import dispatch
from adolf.application.watcher.agents_liveness import AgentId, give_back
from adolf.application.watcher.ports import WatcherServices
from adolf.application.watcher.state_ports import IP_BLOCK_TTL
from adolf.domain.alerts.severity import Severity
from adolf.domain.watcher.agents import AgentStatus, ip_to_block, panic

MODULE = "watcher"
Reason = Annotated[str, Bounds(1, 500)]  # agent_protocol.MAX_REASON


def handle_panic_mode(
    services: WatcherServices, agent_id: AgentId, reason: Reason, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    now = services.clock.now()
    facts = {str(name): "" if value is None else str(value) for name, value in (details or {}).items()}
    with services.uow() as uow:
        agent = uow.watcher_agents.get(agent_id)
        if agent is None:
            return {"agent_id": agent_id, "status": "unknown_agent"}
        again = agent.status is AgentStatus.PANIC
        entries = []
        if again:
            ip = facts.get("ip") or agent.ip
        else:
            change = panic(agent, reason, now, facts)
            uow.watcher_agents.save(change.agent)
            if change.event is not None:
                uow.watcher_agents.add_event(change.event)
            ip = ip_to_block(change)
            people = admins(MODULE, uow.users.active())
            body = f"Agent {agent.name} ({agent.id}) is in panic: {reason}" + (
                f"; IP {ip} blocked for 1 h" if ip else ""
            )
            body += "".join(f"\n{name}: {value}" for name, value in sorted(facts.items()))
            subject = subject_of(Severity.CRITICAL, "watcher_agent_panic")
            entries.append(dispatch.notify(f"watcher:panic:{agent.id}:{now.isoformat()}", people, subject, body, now))
        held = uow.watcher_tasks.in_progress_of(agent_id)
        keys = give_back(uow, held, f"panic:{agent_id}:{now.isoformat()}", now)
        keys += dispatch.record(uow, entries)
        uow.commit()
    if ip:
        services.ip_blocks.block(ip, IP_BLOCK_TTL, reason)
    flushed = dispatch.flush(services, keys)
    return {
        "agent_id": agent_id,
        "status": "already_in_panic" if again else "panic",
        "ip_blocked": ip or None,
        "redistributed": len(held),
        "notified": flushed.notified,
        "pushed": flushed.pushed,
    }
