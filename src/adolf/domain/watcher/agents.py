"""Parsing agents: liveness and status (SPEC §3 ``sync_agent_status``, ``handle_panic_mode``).

Rules:
- an agent is *stale* when its last heartbeat is more than ``HEARTBEAT_TIMEOUT`` old, or it
  never sent one; ``sync_agent_status`` turns stale *online* agents offline (``goes_offline``)
  and redistributes their tasks;
- a heartbeat records the time (never moving it back), and the IP and cookie state when the
  agent sends them; it brings an offline agent online;
- panic (captcha or ban) comes from any state; the agent's IP is blocked for ``IP_BLOCK``.

Choices where the seed is silent (its ``AgentManager`` is not in it):
- ``HEARTBEAT_TIMEOUT`` 5 minutes: ``sync_agent_status`` runs every minute and agents beat
  about as often, so five missed beats, not one late network round, make an agent offline.
  Exactly 5 minutes is still alive;
- a heartbeat does not end panic: a banned agent keeps beating while it waits, and must not
  get tasks back because it is alive. ``recover`` ends it (an operator, or the agent saying
  so once its IP block is over); panic never decays to offline, it is the more useful state;
- transitions return the agent and an ``AgentEvent`` for the agent log when the status
  changed (``None`` otherwise), so the log records changes, not every beat.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from adolf.domain.alerts.severity import Severity
from adolf.domain.errors import DomainError
from adolf.domain.marketplace import Marketplace

HEARTBEAT_TIMEOUT = timedelta(minutes=5)
IP_BLOCK = timedelta(hours=1)  # SPEC §3: ``watcher:ip_blocked:{ip}`` for 1 h


class AgentStatus(StrEnum):
    """Online (gets tasks), offline (no recent heartbeat), or panic (captcha or ban)."""

    ONLINE = "online"
    OFFLINE = "offline"
    PANIC = "panic"


class InvalidAgentTransition(DomainError):
    """The agent is not in the status the transition starts from."""


@dataclass(frozen=True, slots=True)
class Agent:
    """A parsing agent: the marketplace it parses (None: any), its IP, status, cookie state and last
    heartbeat."""

    id: str
    name: str
    marketplace: Marketplace | None  # the marketplace it parses; None: any
    ip: str | None = None
    status: AgentStatus = AgentStatus.OFFLINE
    cookies_valid: bool = True
    last_heartbeat: datetime | None = None


#: How loud each entered status is in the agent log (the seed logs a panic as ``error``).
EVENT_SEVERITY: Mapping[AgentStatus, Severity] = MappingProxyType(
    {AgentStatus.ONLINE: Severity.INFO, AgentStatus.OFFLINE: Severity.WARNING, AgentStatus.PANIC: Severity.CRITICAL}
)


@dataclass(frozen=True, slots=True)
class AgentEvent:
    """An entry of the agent log: the status the agent entered, why, and when."""

    agent_id: str
    kind: AgentStatus  # the status the agent entered
    message: str
    created_at: datetime
    details: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def severity(self) -> Severity:
        return EVENT_SEVERITY[self.kind]


@dataclass(frozen=True, slots=True)
class AgentChange:
    """A transition's result: the agent after it, and the ``AgentEvent`` for the agent log when its
    status changed (None otherwise)."""

    agent: Agent
    event: AgentEvent | None


def is_stale(agent: Agent, now: datetime, timeout: timedelta = HEARTBEAT_TIMEOUT) -> bool:
    """Whether ``agent``'s last heartbeat is more than ``timeout`` before ``now``, or it never sent one."""
    return agent.last_heartbeat is None or now - agent.last_heartbeat > timeout


def goes_offline(agent: Agent, now: datetime, timeout: timedelta = HEARTBEAT_TIMEOUT) -> bool:
    """An online agent whose heartbeat is stale (a panicked one stays in panic)."""
    return agent.status is AgentStatus.ONLINE and is_stale(agent, now, timeout)


def heartbeat(agent: Agent, now: datetime, *, ip: str | None = None, cookies_valid: bool | None = None) -> AgentChange:
    """``agent`` after a heartbeat at ``now``, with the IP and cookie state when sent; an offline agent
    comes online, one in panic stays in panic."""
    beaten = replace(
        agent,
        last_heartbeat=_latest(agent, now),
        ip=ip if ip is not None else agent.ip,
        cookies_valid=cookies_valid if cookies_valid is not None else agent.cookies_valid,
    )
    if agent.status is not AgentStatus.OFFLINE:
        return AgentChange(beaten, None)
    online = replace(beaten, status=AgentStatus.ONLINE)
    return AgentChange(online, AgentEvent(agent.id, AgentStatus.ONLINE, "heartbeat received", now))


def mark_offline(agent: Agent, now: datetime) -> AgentChange:
    """An online ``agent`` taken offline; ``InvalidAgentTransition`` from another status."""
    if agent.status is not AgentStatus.ONLINE:
        raise InvalidAgentTransition(f"status={agent.status.value!r}: only an online agent goes offline ({agent.id})")
    seen = agent.last_heartbeat.isoformat() if agent.last_heartbeat else "never"
    event = AgentEvent(agent.id, AgentStatus.OFFLINE, f"no heartbeat since {seen}", now)
    return AgentChange(replace(agent, status=AgentStatus.OFFLINE), event)


def panic(agent: Agent, reason: str, now: datetime, details: Mapping[str, str] | None = None) -> AgentChange:
    """Any status → panic; the event's details carry the IP to block (the one the agent reports,
    else the one we know), as the seed reads it from ``details["ip"]``."""
    facts = dict(details or {})
    ip = facts.get("ip") or agent.ip
    if ip:
        facts["ip"] = ip
    event = AgentEvent(agent.id, AgentStatus.PANIC, reason or "panic", now, MappingProxyType(facts))
    return AgentChange(replace(agent, status=AgentStatus.PANIC), event)


def recover(agent: Agent, now: datetime) -> AgentChange:
    """An agent in panic back online at ``now``; ``InvalidAgentTransition`` from another status."""
    if agent.status is not AgentStatus.PANIC:
        raise InvalidAgentTransition(f"status={agent.status.value!r}: only an agent in panic recovers ({agent.id})")
    back = replace(agent, status=AgentStatus.ONLINE, last_heartbeat=_latest(agent, now))
    return AgentChange(back, AgentEvent(agent.id, AgentStatus.ONLINE, "recovered from panic", now))


def ip_to_block(change: AgentChange) -> str | None:
    """The IP a panic asks to block for ``IP_BLOCK``; None for other changes or an unknown IP."""
    if change.event is None or change.event.kind is not AgentStatus.PANIC:
        return None
    return change.event.details.get("ip")


def _latest(agent: Agent, now: datetime) -> datetime:
    # A late-delivered beat must not move the heartbeat back and make a live agent stale.
    return now if agent.last_heartbeat is None or now > agent.last_heartbeat else agent.last_heartbeat
