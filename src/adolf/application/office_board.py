"""The Office board as read (SPEC §5): every digital employee's card and the system panel.

What the employees write (``application.office``) is a hash per employee with a TTL; the
board shows the registry of the modules that have employees (Watcher's three, Reputation's
three), so an employee whose hash is gone is still listed — ``offline``, not missing.

An employee is ``offline`` when it has no hash, or when the last sign of life it left is
older than ``STALE_AFTER`` (three missed one-minute heartbeats, the hash's own TTL): the
TTL removes it from Redis in time, but a board whose clock was moved (a simulated day) or
whose store keeps no TTL must not show a silent employee ``working``. The sign of life is
the later of ``last_heartbeat`` and ``updated_at``: a job reporting ``working`` is alive
even while the heartbeat job waits its turn in a busy queue.

The system panel: queue lengths, the workers that answered, the last bid cycle (the hash
the cycle leaves for an hour), dead letters of the last 24 h (retried ones included: each
was a failure), and each marketplace's API status (``marketing.check_api_health``; absent
when not checked in the last 15 minutes: ``unknown``).

Pure over its ports: the time is passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from adolf.application.marketing.api_health import STATUS_KEY
from adolf.application.marketing.bid_cycle import LAST_CYCLE_KEY
from adolf.application.office import ERROR, IDLE, OFFICE_TTL, WORKING, OfficeEmployee, office_key
from adolf.application.ports.services import SystemUnitOfWork
from adolf.application.ports.status_board import StatusBoard
from adolf.application.ports.tasks import QueueAdmin
from adolf.application.reputation import office_reporting as reputation_office
from adolf.application.watcher import office as watcher_office
from adolf.domain.marketplace import Marketplace

OFFLINE = "offline"
UNKNOWN = "unknown"
STATUSES = (WORKING, IDLE, ERROR, OFFLINE)
STALE_AFTER = timedelta(seconds=OFFICE_TTL)
DEAD_LETTER_WINDOW = timedelta(hours=24)
DEAD_LETTER_SCAN = 1000  # newest first; past this the panel says "1000+" rather than read the whole table
METRIC_PREFIX = "metric:"


def registry() -> tuple[OfficeEmployee, ...]:
    """The employees of every module that has them, in the board's order."""
    return (*watcher_office.EMPLOYEES.values(), *reputation_office.EMPLOYEES.values())


@dataclass(frozen=True, slots=True)
class EmployeeView:
    agent_id: str
    name: str
    module: str
    fte: Decimal
    salary_equivalent: int
    status: str
    activity: str = ""
    error: str = ""
    metrics: Mapping[str, str] = field(default_factory=dict)
    last_heartbeat: datetime | None = None
    last_seen: datetime | None = None

    def as_json(self, now: datetime) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id,
            "name": self.name,
            "module": self.module,
            "fte": str(self.fte),
            "salary_equivalent": self.salary_equivalent,
            "status": self.status,
            "activity": self.activity,
            "error": self.error,
            "metrics": dict(self.metrics),
            "last_heartbeat": _iso(self.last_heartbeat),
            "last_seen": _iso(self.last_seen),
            "seen_seconds_ago": _age(now, self.last_seen),
            "heartbeat_seconds_ago": _age(now, self.last_heartbeat),
        }


def employee_view(
    employee: OfficeEmployee, fields: Mapping[str, str], now: datetime, stale_after: timedelta = STALE_AFTER
) -> EmployeeView:
    """The card of ``employee`` from its hash ``fields`` (``{}``: none on the board)."""
    heartbeat = _parse_time(fields.get("last_heartbeat", ""))
    seen = max((t for t in (heartbeat, _parse_time(fields.get("updated_at", ""))) if t is not None), default=None)
    metrics = {
        name.removeprefix(METRIC_PREFIX): value for name, value in fields.items() if name.startswith(METRIC_PREFIX)
    }
    card = EmployeeView(
        agent_id=employee.agent_id,
        name=employee.name,
        module=employee.department,
        fte=employee.fte,
        salary_equivalent=employee.salary_equivalent,
        status=OFFLINE,
        metrics=dict(sorted(metrics.items())),
        last_heartbeat=heartbeat,
        last_seen=seen,
    )
    if seen is None or now - seen > stale_after:
        return card
    status = fields.get("status", "")
    if status == WORKING:
        return replace(card, status=WORKING, activity=fields.get("activity", ""))
    if status == ERROR:
        return replace(card, status=ERROR, error=fields.get("error", ""))
    return replace(card, status=IDLE)  # a heartbeat before any report is idle, as the reporter writes it


def read_employees(
    board: StatusBoard,
    now: datetime,
    employees: Iterable[OfficeEmployee] | None = None,
    stale_after: timedelta = STALE_AFTER,
) -> list[EmployeeView]:
    return [
        employee_view(e, board.get(office_key(e.agent_id)), now, stale_after)
        for e in (registry() if employees is None else employees)
    ]


@dataclass(frozen=True, slots=True)
class SystemPanel:
    queues: Mapping[str, int]
    workers: Sequence[tuple[str, str]]  # (name, state) of each worker that answered
    last_bid_cycle: Mapping[str, str]  # {} when no cycle finished in the last hour
    dead_letters_24h: int
    dead_letters_capped: bool  # at least DEAD_LETTER_SCAN: the count is a floor
    api_status: Mapping[str, Mapping[str, str]]

    def as_json(self) -> dict[str, Any]:
        return {
            "queues": dict(self.queues),
            "workers_up": len(self.workers),
            "workers": [{"name": name, "state": state} for name, state in self.workers],
            "last_bid_cycle": dict(self.last_bid_cycle) or None,
            "dead_letters_24h": self.dead_letters_24h,
            "dead_letters_capped": self.dead_letters_capped,
            "api_status": {mp: dict(status) for mp, status in self.api_status.items()},
        }


def read_system(
    board: StatusBoard,
    queues: QueueAdmin,
    uow: Callable[[], SystemUnitOfWork],
    now: datetime,
    marketplaces: Iterable[Marketplace] = tuple(Marketplace),
) -> SystemPanel:
    with uow() as unit:
        letters = unit.dead_letters.list(limit=DEAD_LETTER_SCAN, include_retried=True)
    since = now - DEAD_LETTER_WINDOW
    api_status = {}
    for marketplace in marketplaces:
        status = board.get(STATUS_KEY.format(mp=marketplace.value))
        api_status[marketplace.value] = status or {"status": UNKNOWN}
    return SystemPanel(
        queues=dict(sorted(queues.queue_lengths().items())),
        workers=[(w.name, w.state) for w in queues.workers()],
        last_bid_cycle=board.get(LAST_CYCLE_KEY),
        dead_letters_24h=sum(letter.failed_at >= since for letter in letters),
        dead_letters_capped=len(letters) >= DEAD_LETTER_SCAN and letters[-1].failed_at >= since,
        api_status=api_status,
    )


@dataclass(frozen=True, slots=True)
class OfficeSnapshot:
    at: datetime
    employees: Sequence[EmployeeView]
    system: SystemPanel

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "stale_after_s": int(STALE_AFTER.total_seconds()),
            "summary": summary(self.employees),
            "employees": [e.as_json(self.at) for e in self.employees],
            "system": self.system.as_json(),
        }


def summary(employees: Sequence[EmployeeView]) -> dict[str, Any]:
    counts = {status: sum(e.status == status for e in employees) for status in STATUSES}
    return {
        "employees": len(employees),
        **counts,
        "fte": str(sum((e.fte for e in employees), Decimal(0))),
        "salary_equivalent": sum(e.salary_equivalent for e in employees),
    }


def _parse_time(text: str) -> datetime | None:
    """A timestamp the reporter wrote (ISO, aware); anything else is no sign of life."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _age(now: datetime, then: datetime | None) -> int | None:
    return None if then is None else max(0, int((now - then).total_seconds()))
