"""The circuit breaker's states and settings (SPEC §4.6): one breaker per (platform, item type).

    closed ──N consecutive failures──► open ──cool-down passed, one poll──► half_open
      ▲                                 ▲                                      │
      └────────────── success ──────────┼──────────────────────────────────────┘
                                        └────────────── failure ───────────────┘

Closed: polls go through; a success resets the failure count. Open: polls are refused
(``circuit_open``) without calling the marketplace until ``cool_down`` has passed since it
opened. Half-open: exactly one poll — across every worker — goes through as the probe; its
success closes the breaker, its failure opens it again for another ``cool_down``. Others asking
while the probe runs are refused as if open. A probe that never reports (its worker died) is
given up after ``probe_timeout`` and another may go.

``on_acquire``, ``on_success`` and ``on_failure`` are these rules over a ``BreakerSnapshot``; every
adapter applies exactly them (the Redis one in Lua, checked step by step against them). A report
counts only where it can still mean something: in closed any report does (a success breaks the
run of failures), in half-open only the probe's; a report arriving while open is a straggler
let through before the opening and changes nothing (it must not restart the cool-down).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from adolf.domain.reputation.errors import InvalidReputation


class BreakerState(StrEnum):
    """Closed (calls go), open (refused until the cool-down has passed), or half-open (one probe goes)."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True)
class BreakerPolicy:
    """A breaker's settings: failures in a row that open it, the cool-down before a probe, and how
    long a probe that never reports is waited for."""

    failure_threshold: int = 5
    cool_down: timedelta = timedelta(minutes=15)
    probe_timeout: timedelta = timedelta(minutes=5)

    def __post_init__(self) -> None:
        if (
            isinstance(self.failure_threshold, bool)
            or not isinstance(self.failure_threshold, int)
            or self.failure_threshold < 1
        ):
            raise InvalidReputation(f"failure_threshold={self.failure_threshold!r} must be a whole number >= 1")
        for name in ("cool_down", "probe_timeout"):
            value = getattr(self, name)
            if not isinstance(value, timedelta) or value <= timedelta(0):
                raise InvalidReputation(f"{name}={value!r} must be a timedelta > 0")


def breaker_key(platform: str, item_type: str) -> str:
    """The breaker's name: ``{platform}:{item_type}`` (``wb:review``)."""
    return f"{platform}:{item_type}"


# ── the rules as pure functions: every adapter (in-process, Redis) applies exactly these ──


@dataclass(frozen=True, slots=True)
class BreakerSnapshot:
    """One breaker's state. ``failures`` counts consecutive failures while closed (zero
    otherwise); ``opened_at`` starts the cool-down (open only); ``probe_until`` is when the
    half-open probe is given up and another may go (half-open only)."""

    state: BreakerState = BreakerState.CLOSED
    failures: int = 0
    opened_at: datetime | None = None
    probe_until: datetime | None = None

    def __post_init__(self) -> None:
        if isinstance(self.failures, bool) or not isinstance(self.failures, int) or self.failures < 0:
            raise InvalidReputation(f"failures={self.failures!r} must be a whole number >= 0")
        if self.state is not BreakerState.CLOSED and self.failures:
            raise InvalidReputation(f"failures={self.failures} must be 0 when state={self.state.value}")
        if (self.opened_at is None) != (self.state is not BreakerState.OPEN):
            raise InvalidReputation(f"opened_at={self.opened_at!r} must be set when, and only when, open")
        if (self.probe_until is None) != (self.state is not BreakerState.HALF_OPEN):
            raise InvalidReputation(f"probe_until={self.probe_until!r} must be set when, and only when, half-open")


@dataclass(frozen=True, slots=True)
class Grant:
    """What ``on_acquire`` decided: the breaker after the ask, and whether the call may go."""

    snapshot: BreakerSnapshot
    allowed: bool
    probe: bool = False


CLOSED_CLEAN = BreakerSnapshot()


def on_acquire(snapshot: BreakerSnapshot, policy: BreakerPolicy, now: datetime) -> Grant:
    """Closed lets everyone through. Open refuses until ``cool_down`` has passed, then the asker
    that finds it so turns it half-open and is the probe. Half-open refuses while the probe is
    live and makes the next asker the probe once ``probe_timeout`` has run out."""
    check_aware(now)
    if snapshot.state is BreakerState.CLOSED:
        return Grant(snapshot, allowed=True)
    if snapshot.state is BreakerState.OPEN:
        assert snapshot.opened_at is not None  # by BreakerSnapshot's invariant
        if now < snapshot.opened_at + policy.cool_down:
            return Grant(snapshot, allowed=False)
    else:
        assert snapshot.probe_until is not None
        if now < snapshot.probe_until:
            return Grant(snapshot, allowed=False)
    probing = BreakerSnapshot(BreakerState.HALF_OPEN, probe_until=now + policy.probe_timeout)
    return Grant(probing, allowed=True, probe=True)


def on_success(snapshot: BreakerSnapshot, *, probe: bool) -> BreakerSnapshot:
    """Closed: the run of failures is broken. Half-open: the probe's success closes it. Any other
    report is stale — its call was let through in an earlier period (a closed-time call ending
    after the breaker opened) — and changes nothing: only the probe speaks for a half-open one."""
    if snapshot.state is BreakerState.CLOSED or (snapshot.state is BreakerState.HALF_OPEN and probe):
        return CLOSED_CLEAN
    return snapshot


def on_failure(snapshot: BreakerSnapshot, policy: BreakerPolicy, *, probe: bool, now: datetime) -> BreakerSnapshot:
    """Closed: one more consecutive failure; the ``failure_threshold``-th opens it at ``now``.
    Half-open: the probe's failure opens it again for a fresh ``cool_down``. A failure reported
    while open (a straggler from before the opening) must not restart the cool-down, and a
    non-probe's failure cannot speak for the probe: both change nothing."""
    check_aware(now)
    if snapshot.state is BreakerState.CLOSED:
        failures = snapshot.failures + 1
        if failures < policy.failure_threshold:
            return BreakerSnapshot(failures=failures)
        return BreakerSnapshot(BreakerState.OPEN, opened_at=now)
    if snapshot.state is BreakerState.HALF_OPEN and probe:
        return BreakerSnapshot(BreakerState.OPEN, opened_at=now)
    return snapshot


def check_reportable(key: str, *, allowed: bool) -> None:
    """A refused permit made no call, so it has no outcome to report."""
    if not allowed:
        raise InvalidReputation(f"permit for {key!r} has allowed=False: a refused poll has nothing to report")


def check_aware(now: datetime) -> datetime:
    """Every worker passes the same clock's time; a naive one cannot be compared with it."""
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise InvalidReputation(f"now={now!r} must be a timezone-aware datetime")
    return now
