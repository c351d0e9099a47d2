"""The circuit breaker's rules (SPEC §4.6) as pure functions over ``BreakerSnapshot``.

The state machine below drives ``on_acquire`` / ``on_success`` / ``on_failure`` with any mix of
asks, reports (in any order, late ones included) and clock moves, and checks what a poller can
observe: never two live probes, open never lets a poll through before its cool-down, the
threshold-th consecutive failure opens it, the probe's success closes it and its failure
reopens it for a fresh cool-down, and the states only move along the diagram's edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from adolf.domain.reputation.circuit import (
    CLOSED_CLEAN,
    BreakerPolicy,
    BreakerSnapshot,
    BreakerState,
    check_reportable,
    on_acquire,
    on_failure,
    on_success,
)
from adolf.domain.reputation.errors import InvalidReputation

from .generators import PROPERTY

CLOSED, OPEN, HALF_OPEN = BreakerState.CLOSED, BreakerState.OPEN, BreakerState.HALF_OPEN
EDGES = {(CLOSED, OPEN), (OPEN, HALF_OPEN), (HALF_OPEN, CLOSED), (HALF_OPEN, OPEN)}
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
POLICY = BreakerPolicy(failure_threshold=3, cool_down=timedelta(seconds=60), probe_timeout=timedelta(seconds=20))


def seconds(n: int) -> timedelta:
    return timedelta(seconds=n)


@dataclass
class Held:
    """A permit the test's poller holds: granted, not yet reported."""

    probe: bool
    at: datetime
    episode: int  # which half-open spell a probe belongs to


policies = st.builds(
    BreakerPolicy,
    failure_threshold=st.integers(1, 4),
    cool_down=st.integers(1, 40).map(seconds),
    probe_timeout=st.integers(1, 40).map(seconds),
)


class BreakerMachine(RuleBasedStateMachine):
    @initialize(policy=policies)
    def start(self, policy: BreakerPolicy) -> None:
        self.policy = policy
        self.snapshot = CLOSED_CLEAN
        self.now = T0
        self.held: list[Held] = []
        self.consecutive = 0  # failures reported while closed since the last closed success
        self.opened_at: datetime | None = None
        self.episode = 0
        self.moves: list[tuple[BreakerState, BreakerState]] = []

    def move(self, after: BreakerSnapshot) -> None:
        if after.state is not self.snapshot.state:
            self.moves.append((self.snapshot.state, after.state))
            if after.state is OPEN:
                self.opened_at = self.now
                self.consecutive = 0
            if after.state is HALF_OPEN:
                self.episode += 1
        self.snapshot = after

    @rule(step=st.integers(0, 45))
    def tick(self, step: int) -> None:
        self.now += seconds(step)

    @rule()
    def acquire(self) -> None:
        before = self.snapshot
        grant = on_acquire(before, self.policy, self.now)
        if before.state is CLOSED:
            assert grant.allowed and not grant.probe and grant.snapshot == before
        if before.state is OPEN and grant.allowed:
            assert self.opened_at is not None
            assert self.now - self.opened_at >= self.policy.cool_down, "open let a poll through before its cool-down"
        if before.state is not CLOSED:
            assert grant.allowed == grant.probe, "while not closed only the probe goes"
        if grant.probe:
            assert grant.snapshot.state is HALF_OPEN
            episode = self.episode + (before.state is OPEN)
            live = [
                h for h in self.held if h.probe and h.episode == episode and self.now < h.at + self.policy.probe_timeout
            ]
            assert not live, f"a second probe while {live} is live"
            self.held.append(Held(probe=True, at=self.now, episode=episode))
        elif grant.allowed:
            self.held.append(Held(probe=False, at=self.now, episode=self.episode))
        self.move(grant.snapshot)

    @precondition(lambda self: self.held)
    @rule(data=st.data(), ok=st.booleans())
    def report(self, data: st.DataObject, ok: bool) -> None:
        permit = self.held.pop(data.draw(st.integers(0, len(self.held) - 1)))
        before = self.snapshot
        if ok:
            after = on_success(before, probe=permit.probe)
        else:
            after = on_failure(before, self.policy, probe=permit.probe, now=self.now)
        if before.state is CLOSED:
            self.consecutive = 0 if ok else self.consecutive + 1
            opens = self.consecutive >= self.policy.failure_threshold
            assert after.state is (OPEN if opens else CLOSED)
            assert after.failures == (0 if opens else self.consecutive)
        elif before.state is HALF_OPEN and permit.probe:
            assert after.state is (CLOSED if ok else OPEN)
            if not ok:
                assert after.opened_at == self.now, "a failed probe gives a fresh cool-down"
        else:
            assert after == before, f"a stale report moved {before} to {after}"
        self.move(after)

    @invariant()
    def only_the_diagrams_edges(self) -> None:
        assert set(self.moves) <= EDGES
        for (_, reached), (left, _) in zip(self.moves, self.moves[1:], strict=False):
            assert reached is left

    @invariant()
    def failures_stay_below_the_threshold(self) -> None:
        assert 0 <= self.snapshot.failures < self.policy.failure_threshold


BreakerMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
test_breaker_rules_hold_under_any_sequence = BreakerMachine.TestCase


def test_threshold_failures_open_and_the_cool_down_refuses() -> None:
    snapshot = CLOSED_CLEAN
    for n in range(1, 3):
        snapshot = on_failure(snapshot, POLICY, probe=False, now=T0)
        assert snapshot == BreakerSnapshot(failures=n)
    snapshot = on_failure(snapshot, POLICY, probe=False, now=T0)
    assert snapshot == BreakerSnapshot(OPEN, opened_at=T0)
    assert not on_acquire(snapshot, POLICY, T0 + seconds(59)).allowed


def test_a_success_between_failures_breaks_the_run() -> None:
    snapshot = on_failure(on_failure(CLOSED_CLEAN, POLICY, probe=False, now=T0), POLICY, probe=False, now=T0)
    snapshot = on_success(snapshot, probe=False)
    assert snapshot == CLOSED_CLEAN
    assert on_failure(snapshot, POLICY, probe=False, now=T0).state is CLOSED


def test_the_first_ask_after_the_cool_down_is_the_probe_and_the_next_is_refused() -> None:
    opened = BreakerSnapshot(OPEN, opened_at=T0)
    grant = on_acquire(opened, POLICY, T0 + seconds(60))
    assert (grant.allowed, grant.probe) == (True, True)
    assert grant.snapshot == BreakerSnapshot(HALF_OPEN, probe_until=T0 + seconds(80))
    other = on_acquire(grant.snapshot, POLICY, T0 + seconds(79))
    assert (other.allowed, other.probe, other.snapshot) == (False, False, grant.snapshot)


def test_a_probe_that_never_reports_is_replaced_after_the_probe_timeout() -> None:
    half = BreakerSnapshot(HALF_OPEN, probe_until=T0)
    grant = on_acquire(half, POLICY, T0)
    assert grant.probe and grant.snapshot.probe_until == T0 + seconds(20)


def test_the_probes_outcome_decides_the_half_open_breaker() -> None:
    half = BreakerSnapshot(HALF_OPEN, probe_until=T0 + seconds(20))
    assert on_success(half, probe=True) == CLOSED_CLEAN
    assert on_failure(half, POLICY, probe=True, now=T0 + seconds(5)) == BreakerSnapshot(OPEN, opened_at=T0 + seconds(5))


def test_stale_reports_change_nothing() -> None:
    opened = BreakerSnapshot(OPEN, opened_at=T0)
    half = BreakerSnapshot(HALF_OPEN, probe_until=T0 + seconds(20))
    # a closed-time poll that ends after the opening neither restarts the cool-down nor closes it
    assert on_failure(opened, POLICY, probe=False, now=T0 + seconds(30)) == opened
    assert on_success(opened, probe=False) == opened
    # and cannot speak for the probe
    assert on_failure(half, POLICY, probe=False, now=T0) == half
    assert on_success(half, probe=False) == half


@PROPERTY
@given(policy=policies, waited=st.integers(0, 100))
def test_open_refuses_exactly_until_the_cool_down_has_passed(policy: BreakerPolicy, waited: int) -> None:
    grant = on_acquire(BreakerSnapshot(OPEN, opened_at=T0), policy, T0 + seconds(waited))
    assert grant.allowed is (seconds(waited) >= policy.cool_down)
    assert grant.probe is grant.allowed


def test_a_naive_time_is_refused_naming_it() -> None:
    with pytest.raises(InvalidReputation, match=r"now=.* must be a timezone-aware datetime"):
        on_acquire(CLOSED_CLEAN, POLICY, datetime(2026, 3, 1, 9, 0))


def test_a_refused_permit_has_nothing_to_report() -> None:
    with pytest.raises(InvalidReputation, match="permit for 'wb:review' has allowed=False"):
        check_reportable("wb:review", allowed=False)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"failures": -1}, "failures=-1 must be a whole number >= 0"),
        ({"state": OPEN, "failures": 2, "opened_at": T0}, "failures=2 must be 0 when state=open"),
        ({"state": OPEN}, "opened_at=None must be set when, and only when, open"),
        ({"opened_at": T0}, "opened_at=.* must be set when, and only when, open"),
        ({"state": HALF_OPEN}, "probe_until=None must be set when, and only when, half-open"),
    ],
)
def test_an_impossible_snapshot_is_refused_naming_the_field(fields: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidReputation, match=message):
        BreakerSnapshot(**fields)  # type: ignore[arg-type]
