"""A supply task and its lifecycle (SPEC §3 ``generate_supply_tasks``, ``auto_cancel_expired``;
seed 003: "наряд-задания на отгрузку FBO").

A task asks the warehouse to ship ``allocated`` units of an article to an Ozon cluster to cover
its deficit (``quantity``), with the need's ``priority`` and the allocation's ``coverage``
(SPEC §4.4), for ``task_date`` (the Moscow day it was generated for: one task per day ×
article × cluster).

    new ──accept──► accepted ──ship──► shipped
     │                 │
     └──cancel──► cancelled ◄──cancel──┘

``transition(current, target)`` returns ``target`` when the lifecycle allows it and raises
``IllegalTransition`` naming both statuses otherwise: ``new → accepted | cancelled``,
``accepted → shipped | cancelled``; ``shipped`` and ``cancelled`` are final. A move to the
status a task already has is illegal too (choice: a second "accept" is the caller's repeat, and
the caller — the CLI, the HTTP route — decides whether to report it or ignore it).
``with_status(task, target, now)`` applies a transition and stamps ``accepted_at``,
``shipped_at`` or ``cancelled_at`` with ``now``.

``expired(task, now, max_age)``: still ``new`` *more* than ``max_age`` (48 h,
``SupplyPolicy.task_max_age``) after ``created_at`` (seed 003: ``status='new' AND created_at <
NOW() - 48h``): exactly 48 h is not yet expired.

``task_for(allocation, brand, task_date, created_at)`` makes the new task of an allocation.

Rules of the row: ``quantity`` ≥ 1 (a task exists for a deficit), ``0 ≤ allocated ≤
quantity``, ``coverage`` agreeing with them (``allocation.coverage_for``), times time-zone aware,
``task_date`` a date (not a datetime). ``id`` is 0 until the database assigns one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from adolf.domain.logistic._checks import aware, non_negative_decimal, text, whole
from adolf.domain.logistic.allocation import Allocation, Coverage, coverage_for
from adolf.domain.logistic.deficit import SupplyPriority
from adolf.domain.logistic.errors import IllegalTransition, InvalidLogistic

__all__ = [
    "IllegalTransition",
    "SupplyTask",
    "SupplyTaskStatus",
    "expired",
    "task_for",
    "transition",
    "with_status",
]


class SupplyTaskStatus(StrEnum):
    """A supply task's status: new, accepted, shipped, or cancelled; ``final`` for the last two."""

    NEW = "new"
    ACCEPTED = "accepted"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"

    @classmethod
    def parse(cls, value: str) -> SupplyTaskStatus:
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            known = ", ".join(member.value for member in cls)
            raise InvalidLogistic(f"status={value!r} is not one of: {known}") from None

    @property
    def final(self) -> bool:
        return not _NEXT[self]


_NEXT: dict[SupplyTaskStatus, frozenset[SupplyTaskStatus]] = {
    SupplyTaskStatus.NEW: frozenset({SupplyTaskStatus.ACCEPTED, SupplyTaskStatus.CANCELLED}),
    SupplyTaskStatus.ACCEPTED: frozenset({SupplyTaskStatus.SHIPPED, SupplyTaskStatus.CANCELLED}),
    SupplyTaskStatus.SHIPPED: frozenset(),
    SupplyTaskStatus.CANCELLED: frozenset(),
}


def transition(current: SupplyTaskStatus | str, target: SupplyTaskStatus | str) -> SupplyTaskStatus:
    """``target`` if a task in ``current`` may move to it; ``IllegalTransition`` otherwise."""
    start, goal = SupplyTaskStatus.parse(current), SupplyTaskStatus.parse(target)
    if goal not in _NEXT[start]:
        allowed = ", ".join(sorted(status.value for status in _NEXT[start])) or "nothing (final)"
        raise IllegalTransition(
            f"status={start.value!r} cannot become target={goal.value!r}; {start.value!r} may become {allowed}"
        )
    return goal


@dataclass(frozen=True, slots=True)
class SupplyTask:
    """A task for the warehouse: ship ``allocated`` units of an article to a cluster against its deficit
    ``quantity`` (the rules of the row in the module docstring)."""

    id: int
    article_id: int
    cluster_id: int
    brand: str
    quantity: int  # the deficit the task covers
    allocated: int  # units the internal warehouse gives it
    priority: SupplyPriority
    coverage: Coverage
    status: SupplyTaskStatus
    created_at: datetime
    task_date: date
    days_of_cover: Decimal | None = None
    accepted_at: datetime | None = None
    shipped_at: datetime | None = None
    cancelled_at: datetime | None = None

    def __post_init__(self) -> None:
        whole("id", self.id)
        whole("article_id", self.article_id)
        whole("cluster_id", self.cluster_id)
        object.__setattr__(self, "brand", text("brand", self.brand))
        whole("quantity", self.quantity, minimum=1)
        whole("allocated", self.allocated)
        if self.allocated > self.quantity:
            raise InvalidLogistic(f"allocated={self.allocated} must be <= quantity={self.quantity}")
        object.__setattr__(self, "priority", SupplyPriority.parse(self.priority))
        object.__setattr__(self, "coverage", _coverage(self.coverage))
        expected = coverage_for(self.allocated, self.quantity)
        if self.coverage is not expected:
            raise InvalidLogistic(
                f"coverage={self.coverage.value!r} disagrees with allocated={self.allocated} "
                f"of quantity={self.quantity} (that is {expected.value!r})"
            )
        object.__setattr__(self, "status", SupplyTaskStatus.parse(self.status))
        aware("created_at", self.created_at)
        if not isinstance(self.task_date, date) or isinstance(self.task_date, datetime):
            raise InvalidLogistic(f"task_date={self.task_date!r} must be a date")
        if self.days_of_cover is not None:
            non_negative_decimal("days_of_cover", self.days_of_cover)
        for name in ("accepted_at", "shipped_at", "cancelled_at"):
            if getattr(self, name) is not None:
                aware(name, getattr(self, name))

    @property
    def key(self) -> tuple[date, int, int]:
        """(task_date, article_id, cluster_id): one task per day × article × cluster."""
        return (self.task_date, self.article_id, self.cluster_id)


def _coverage(value: object) -> Coverage:
    try:
        return Coverage(str(value).strip().lower())
    except ValueError:
        known = ", ".join(member.value for member in Coverage)
        raise InvalidLogistic(f"coverage={value!r} is not one of: {known}") from None


def with_status(task: SupplyTask, target: SupplyTaskStatus | str, now: datetime) -> SupplyTask:
    """``task`` moved to ``target`` (``IllegalTransition`` if it may not), stamped with ``now``."""
    aware("now", now)
    goal = transition(task.status, target)
    if goal is SupplyTaskStatus.ACCEPTED:
        return replace(task, status=goal, accepted_at=now)
    if goal is SupplyTaskStatus.SHIPPED:
        return replace(task, status=goal, shipped_at=now)
    return replace(task, status=goal, cancelled_at=now)


def expired(task: SupplyTask, now: datetime, max_age: timedelta) -> bool:
    """Still ``new`` more than ``max_age`` after it was created."""
    aware("now", now)
    if not isinstance(max_age, timedelta) or max_age <= timedelta(0):
        raise InvalidLogistic(f"max_age={max_age!r} must be a timedelta > 0")
    return task.status is SupplyTaskStatus.NEW and now - task.created_at > max_age


def task_for(allocation: Allocation, brand: str, task_date: date, created_at: datetime, id: int = 0) -> SupplyTask:
    """The new task of ``allocation``: its need's deficit, priority and cover, the units given."""
    need = allocation.need
    return SupplyTask(
        id=id,
        article_id=need.article_id,
        cluster_id=need.cluster_id,
        brand=brand,
        quantity=need.deficit,
        allocated=allocation.allocated,
        priority=need.priority,
        coverage=allocation.coverage,
        status=SupplyTaskStatus.NEW,
        created_at=created_at,
        task_date=task_date,
        days_of_cover=need.days_of_cover,
    )
