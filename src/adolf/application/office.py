"""The Office Dashboard's digital employees (SPEC §5): each reports what it does to the board.

A reporter writes one hash per employee on the shared ``StatusBoard``,
``office:agent:{agent_id}``: its card (name, department, salary equivalent, FTE), its
``status`` (``working`` / ``idle`` / ``error``) with what it works on or the error, its
metrics (``metric:{name}``) and ``last_heartbeat``. Every write restarts the hash's TTL
(``OFFICE_TTL``, three missed one-minute heartbeats), so an employee whose process is gone
drops off the board instead of showing ``working`` for ever.

The seed's ``OfficeReporter`` (``app.utils.office_reporter``) is not in the seeds; this is
its interface (``report_working(what)``, ``report_idle(metrics)``, ``report_error(message)``,
``heartbeat()``) over the port every module already has.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from adolf.application.ports.clock import Clock
from adolf.application.ports.status_board import StatusBoard

OFFICE_PREFIX = "office:agent:"
OFFICE_TTL = 180
SALARY_EQUIVALENT = 60_000  # SPEC §5, every digital employee
WORKING, IDLE, ERROR = "working", "idle", "error"


def office_key(agent_id: str) -> str:
    return OFFICE_PREFIX + agent_id


@dataclass(frozen=True, slots=True)
class OfficeEmployee:
    agent_id: str
    department: str
    name: str
    fte: Decimal
    salary_equivalent: int = SALARY_EQUIVALENT

    def card(self) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id,
            "department": self.department,
            "name": self.name,
            "salary_equivalent": self.salary_equivalent,
            "fte_coefficient": self.fte,
        }


@dataclass(frozen=True, slots=True)
class OfficeReporter:
    employee: OfficeEmployee
    board: StatusBoard
    clock: Clock

    @property
    def key(self) -> str:
        return office_key(self.employee.agent_id)

    def report_working(self, what: str) -> None:
        self._put({"status": WORKING, "activity": what, "error": ""})

    def report_idle(self, metrics: Mapping[str, Any] | None = None) -> None:
        self._put({"status": IDLE, "activity": "", "error": "", **_metrics(metrics or {})})

    def report_error(self, message: str) -> None:
        self._put({"status": ERROR, "error": message})

    def heartbeat(self, metrics: Mapping[str, Any] | None = None) -> None:
        """Alive: the card and the time, keeping the status; an employee never seen is idle."""
        fields = {**self.employee.card(), "last_heartbeat": self.clock.now(), **_metrics(metrics or {})}
        if not self.board.get(self.key).get("status"):
            fields["status"] = IDLE
        self.board.put(self.key, fields, OFFICE_TTL)

    def _put(self, fields: dict[str, Any]) -> None:
        self.board.put(self.key, {**self.employee.card(), **fields, "updated_at": self.clock.now()}, OFFICE_TTL)


def _metrics(metrics: Mapping[str, Any]) -> dict[str, Any]:
    return {f"metric:{name}": value for name, value in metrics.items()}
