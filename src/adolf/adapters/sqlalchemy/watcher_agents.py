"""``SqlAgentRepository``: parsing agents and their event log.

An agent's API token is never stored, only its hash (``token_hash``, unique: a presented
token's hash finds its one agent); hashing is the caller's (``application.watcher``), so this
adapter never sees a token. ``save`` writes what a heartbeat or a status change changes, and
the heartbeat's metrics when given. Events are a log (no foreign key): newest first, deleted
by age in bounded batches.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.timestamps import as_utc, utc
from adolf.adapters.sqlalchemy.watcher_rows import delete_batch, frozen
from adolf.adapters.sqlalchemy.watcher_tables import watcher_agent_events, watcher_agents
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.agents import Agent, AgentEvent, AgentStatus

_a = watcher_agents.c
_e = watcher_agent_events.c


def _agent_values(agent: Agent) -> dict[str, Any]:
    return {
        "name": agent.name,
        "marketplace": agent.marketplace.value if agent.marketplace else None,
        "ip": agent.ip,
        "status": agent.status.value,
        "cookies_valid": agent.cookies_valid,
        "last_heartbeat": as_utc(agent.last_heartbeat),
    }


def _agent_from(row: Any) -> Agent:
    return Agent(
        id=row.id,
        name=row.name,
        marketplace=Marketplace(row.marketplace) if row.marketplace else None,
        ip=row.ip,
        status=AgentStatus(row.status),
        cookies_valid=bool(row.cookies_valid),
        last_heartbeat=as_utc(row.last_heartbeat),
    )


class SqlAgentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, agent: Agent, token_hash: str | None = None) -> None:
        values = _agent_values(agent) | {
            "id": agent.id,
            "token_hash": token_hash,
            "metrics": {},
            "created_at": datetime.now(UTC),
        }
        self.session.execute(insert(watcher_agents).values(values))

    def get(self, agent_id: str) -> Agent | None:
        return self._one(_a.id == agent_id)

    def by_token_hash(self, token_hash: str) -> Agent | None:
        return self._one(_a.token_hash == token_hash)

    def _one(self, condition: Any) -> Agent | None:
        row = self.session.execute(select(watcher_agents).where(condition)).first()
        return _agent_from(row) if row else None

    def all(self) -> list[Agent]:
        return [_agent_from(row) for row in self.session.execute(select(watcher_agents).order_by(_a.id))]

    def save(self, agent: Agent, metrics: Mapping[str, Any] | None = None) -> None:
        values = _agent_values(agent)
        if metrics is not None:
            values["metrics"] = dict(metrics)
        self.session.execute(update(watcher_agents).where(_a.id == agent.id).values(values))

    def add_event(self, event: AgentEvent) -> None:
        self.session.execute(
            insert(watcher_agent_events).values(
                agent_id=event.agent_id,
                kind=event.kind.value,
                severity=event.severity.value,
                message=event.message,
                details=dict(event.details),
                created_at=utc(event.created_at),
            )
        )

    def events(self, agent_id: str | None = None, limit: int = 50) -> list[AgentEvent]:
        query = select(watcher_agent_events).order_by(_e.created_at.desc(), _e.id.desc()).limit(max(limit, 0))
        if agent_id is not None:
            query = query.where(_e.agent_id == agent_id)
        return [
            AgentEvent(
                agent_id=row.agent_id,
                kind=AgentStatus(row.kind),
                message=row.message,
                created_at=utc(row.created_at),
                details=frozen(row.details),
            )
            for row in self.session.execute(query)
        ]

    def delete_events_before(self, cutoff: datetime, limit: int) -> int:
        return delete_batch(self.session, watcher_agent_events, _e.created_at < utc(cutoff), limit)
