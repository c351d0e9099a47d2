"""A parsing task and its lifecycle (SPEC §3 Watcher; seed 000 ``WatcherTask``).

    pending ──claim──► in_progress ──complete──► done
       ▲                  │  │
       └──release─────────┘  └──fail──► pending (retry_count + 1), or failed at MAX_ATTEMPTS
       └──regenerate── failed (retry_count, error, agent reset)

Rules: an agent claims a pending task with a lease (``lease_until``); only the agent holding
an in-progress task may complete or fail it (``TaskNotHeld`` otherwise: the endpoint's 409);
the third failure makes the task ``failed``; ``release`` gives an in-progress task back
(its agent went offline or panicked, or its lease expired) without counting a failure — it
was not the task's fault; ``regenerate`` gives a failed task a fresh start.

Choices where the seed is silent:
- only an *online* agent claims, and only tasks of its marketplace (when it has one); an
  offline agent heartbeats first;
- a lease is expired at ``lease_until`` exactly; a holder may still complete or fail its task
  after expiry as long as the task was not released meanwhile (the work was done);
- ``started_at`` is set by a claim and ``completed_at`` by completion (the seed's daily stats
  average ``completed_at − started_at``); a task going back to pending forgets ``started_at``
  (the seed's redistribution does);
- a done or failed task keeps the agent that ran it (``adolf watcher agents`` counts tasks done
  today per agent); a task going back to pending forgets its agent and lease;
- ``DEFAULT_LEASE_SECONDS`` 600: one product page takes an agent seconds, a slow captcha-free
  retry well under 10 minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from adolf.domain.errors import DomainError
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.agents import Agent, AgentStatus

MAX_ATTEMPTS = 3  # seed 000 ``regenerate_failed_tasks``: "retry_count >= 3  # Исчерпаны попытки"
DEFAULT_LEASE_SECONDS = 600


class TaskStatus(StrEnum):
    """A parsing task's status (the diagram in the module docstring)."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    FAILED = "failed"


class InvalidTaskTransition(DomainError):
    """The task is not in the status the transition starts from, or the lease/error is bad."""


class TaskNotHeld(DomainError):
    """The agent reporting on a task does not hold it."""


class AgentCannotClaim(DomainError):
    """The agent is not online, or parses another marketplace than the task's."""


@dataclass(frozen=True, slots=True)
class ParsingTask:
    """A task to parse one competitor product on ``scheduled_date``: its status, failed attempts, the
    agent holding it and its lease."""

    id: int
    subscription_id: int
    competitor_product_id: int
    marketplace: Marketplace
    scheduled_date: date
    status: TaskStatus = TaskStatus.PENDING
    retry_count: int = 0
    agent_id: str | None = None
    lease_until: datetime | None = None
    error: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None


def claim(task: ParsingTask, agent: Agent, now: datetime, lease_seconds: int = DEFAULT_LEASE_SECONDS) -> ParsingTask:
    """``task`` claimed by ``agent`` at ``now`` for ``lease_seconds``; ``AgentCannotClaim`` when the agent
    is not online or parses another marketplace."""
    _expect(task, TaskStatus.PENDING, "claim")
    if agent.status is not AgentStatus.ONLINE:
        raise AgentCannotClaim(
            f"status={agent.status.value!r}: agent {agent.id} must be online to claim task {task.id}"
        )
    if agent.marketplace is not None and agent.marketplace is not task.marketplace:
        raise AgentCannotClaim(
            f"marketplace={task.marketplace.value!r} of task {task.id} is not agent {agent.id}'s {agent.marketplace.value!r}"
        )
    if isinstance(lease_seconds, bool) or not isinstance(lease_seconds, int) or lease_seconds <= 0:
        raise InvalidTaskTransition(f"lease_seconds={lease_seconds!r} must be an int > 0")
    lease_until = now + timedelta(seconds=lease_seconds)
    return replace(task, status=TaskStatus.IN_PROGRESS, agent_id=agent.id, lease_until=lease_until, started_at=now)


def complete(task: ParsingTask, agent_id: str, now: datetime) -> ParsingTask:
    """``task`` done at ``now``; ``TaskNotHeld`` unless ``agent_id`` holds it."""
    ensure_held(task, agent_id)
    return replace(task, status=TaskStatus.DONE, lease_until=None, error=None, completed_at=now)


def fail(task: ParsingTask, agent_id: str, error: str) -> ParsingTask:
    """One more failed attempt: back to pending for another agent, or ``failed`` at the last."""
    ensure_held(task, agent_id)
    if not isinstance(error, str) or not error.strip():
        raise InvalidTaskTransition(f"error={error!r} must say what went wrong (task {task.id})")
    attempts = task.retry_count + 1
    if attempts >= MAX_ATTEMPTS:
        return replace(task, status=TaskStatus.FAILED, retry_count=attempts, lease_until=None, error=error)
    return replace(
        task,
        status=TaskStatus.PENDING,
        retry_count=attempts,
        agent_id=None,
        lease_until=None,
        error=error,
        started_at=None,
    )


def release(task: ParsingTask) -> ParsingTask:
    """Back to pending without counting a failure (redistribution, expired lease)."""
    _expect(task, TaskStatus.IN_PROGRESS, "release")
    return replace(task, status=TaskStatus.PENDING, agent_id=None, lease_until=None, started_at=None)


def regenerate(task: ParsingTask) -> ParsingTask:
    """A failed task starts over: pending, no attempts, no error, no agent."""
    _expect(task, TaskStatus.FAILED, "regenerate")
    return replace(
        task,
        status=TaskStatus.PENDING,
        retry_count=0,
        agent_id=None,
        lease_until=None,
        error=None,
        started_at=None,
        completed_at=None,
    )


def lease_expired(task: ParsingTask, now: datetime) -> bool:
    """Whether ``task`` is in progress and its lease has run out at ``now``."""
    return task.status is TaskStatus.IN_PROGRESS and task.lease_until is not None and now >= task.lease_until


def ensure_held(task: ParsingTask, agent_id: str) -> None:
    """``TaskNotHeld`` unless ``agent_id`` holds ``task`` in progress."""
    if task.status is not TaskStatus.IN_PROGRESS or task.agent_id != agent_id:
        raise TaskNotHeld(
            f"agent_id={agent_id!r} does not hold task {task.id} "
            f"(status={task.status.value!r}, agent_id={task.agent_id!r})"
        )


def _expect(task: ParsingTask, status: TaskStatus, action: str) -> None:
    if task.status is not status:
        raise InvalidTaskTransition(
            f"status={task.status.value!r}: cannot {action} task {task.id}; needs {status.value!r}"
        )
