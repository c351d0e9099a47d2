"""Port: the circuit breakers of the polls, shared by every worker (SPEC §4.6; states and rules
in ``adolf.domain.reputation.circuit``).

A poll asks ``acquire`` before calling the marketplace. ``Permit.allowed`` False → the poll
returns ``circuit_open`` and calls nothing. Otherwise it calls, then reports ``succeeded`` or
``failed`` with its permit (a probe's report decides the half-open state). Time is passed in
(the simulation runs on its own clock), so every worker must pass the same clock's time.

Every call that changes the state returns the ``Transition`` it made (for the log, the
report's "breaker transitions" and the Office board); exactly one caller sees each transition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from adolf.domain.reputation.circuit import BreakerState


@dataclass(frozen=True, slots=True)
class Transition:
    key: str
    before: BreakerState
    after: BreakerState
    at: datetime


@dataclass(frozen=True, slots=True)
class Permit:
    key: str
    allowed: bool
    state: BreakerState  # the state the call saw (half_open when it is the probe)
    probe: bool = False  # this call is the single half-open probe
    transition: Transition | None = None  # open → half_open made by this acquire


class CircuitBreaker(Protocol):
    def acquire(self, key: str, now: datetime) -> Permit: ...

    def succeeded(self, permit: Permit, now: datetime) -> Transition | None: ...

    def failed(self, permit: Permit, now: datetime) -> Transition | None: ...

    def state(self, key: str) -> BreakerState: ...
