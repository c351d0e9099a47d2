"""The Redis circuit breaker (SPEC §4.6) against real Redis: the same scenarios as the in-process
breaker, step by step equal to it under random sequences, and six real worker processes asking
at once when the cool-down has passed — exactly one of them gets the probe, round after round.

Redis database 9; every test works under a key prefix of its own and deletes its keys after.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis import Redis

from adolf.adapters.redis.circuit_breaker import RedisCircuitBreaker, micros
from adolf.application.reputation.circuit_breaker import CircuitBreaker, Permit, Transition
from adolf.domain.reputation.circuit import BreakerPolicy, BreakerState
from adolf.domain.reputation.errors import InvalidReputation
from tests.support import processes
from tests.support.fakes.circuit_breaker import MemoryCircuitBreaker
from tests.support.services import require_redis

pytestmark = pytest.mark.redis

CLOSED, OPEN, HALF_OPEN = BreakerState.CLOSED, BreakerState.OPEN, BreakerState.HALF_OPEN
REPO = Path(__file__).resolve().parents[3]
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
KEY = "wb:review"
POLICY = BreakerPolicy(failure_threshold=3, cool_down=timedelta(seconds=60), probe_timeout=timedelta(seconds=20))
Breaker = MemoryCircuitBreaker | RedisCircuitBreaker


@dataclass
class Space:
    """A Redis client and a key prefix no other test uses; ``clean`` deletes what was written."""

    client: Redis
    prefix: str

    def breaker(self, policy: BreakerPolicy = POLICY) -> RedisCircuitBreaker:
        return RedisCircuitBreaker(self.client, policy, prefix=self.prefix)

    def clean(self) -> None:
        for key in self.client.scan_iter(match=f"{self.prefix}*", count=500):
            self.client.delete(key)


@pytest.fixture
def space() -> Iterator[Space]:
    client = Redis.from_url(require_redis(9))
    here = Space(client, f"test:breaker:{uuid.uuid4().hex}:")
    try:
        yield here
    finally:
        here.clean()
        client.close()


@pytest.fixture(params=["memory", "redis"])
def make(request: pytest.FixtureRequest) -> Callable[[BreakerPolicy], Breaker]:
    if request.param == "memory":
        return MemoryCircuitBreaker
    here: Space = request.getfixturevalue("space")
    return here.breaker


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# ── one scenario table, run on both breakers ──


@dataclass(frozen=True)
class Ask:
    t: int
    allowed: bool
    probe: bool
    seen: BreakerState
    opens: bool = False  # this ask turns open into half-open


@dataclass(frozen=True)
class Report:
    ok: bool
    t: int
    permit: int  # the index of the ask whose permit reports
    moves: tuple[BreakerState, BreakerState] | None = None


def goes(t: int) -> Ask:
    return Ask(t, True, False, CLOSED)


def refused(t: int, seen: BreakerState) -> Ask:
    return Ask(t, False, False, seen)


def probe(t: int, opens: bool = True) -> Ask:
    return Ask(t, True, True, HALF_OPEN, opens)


def trip(t: int, first: int = 0) -> list[Report]:
    """POLICY's three failures from the permits ``first``..``first + 2``."""
    return [Report(False, t, first), Report(False, t, first + 1), Report(False, t, first + 2, (CLOSED, OPEN))]


SCENARIOS: dict[str, list[Ask | Report]] = {
    "threshold failures open, the cool-down refuses, the probe's success closes": [
        *[goes(0)] * 3,
        Report(False, 1, 0),
        Report(False, 1, 1),
        Report(False, 2, 2, (CLOSED, OPEN)),
        refused(61, OPEN),
        probe(62),
        refused(62, HALF_OPEN),
        Report(True, 63, 4, (HALF_OPEN, CLOSED)),
        goes(64),
    ],
    "the probe's failure reopens for a fresh cool-down": [
        *[goes(0)] * 3,
        *trip(0),
        probe(60),
        Report(False, 70, 3, (HALF_OPEN, OPEN)),
        refused(129, OPEN),
        probe(130),
    ],
    "a success between failures breaks the run": [
        *[goes(0)] * 5,
        Report(False, 1, 0),
        Report(False, 1, 1),
        Report(True, 2, 2),
        Report(False, 3, 3),
        Report(False, 3, 4),
        goes(4),
    ],
    "a silent probe is replaced after probe_timeout; a late report of it still speaks for half-open": [
        *[goes(0)] * 3,
        *trip(0),
        probe(60),
        refused(79, HALF_OPEN),
        probe(80, opens=False),
        refused(81, HALF_OPEN),
        Report(False, 90, 3, (HALF_OPEN, OPEN)),  # permits carry no identity: any probe's report decides
        Report(True, 91, 5),  # the replacement's, now stale, changes nothing
    ],
    "stragglers from before the opening change nothing": [
        *[goes(0)] * 5,
        *trip(0),
        Report(False, 50, 3),  # does not restart the cool-down
        probe(60),
        Report(True, 61, 4),  # a closed-time permit does not speak for the probe
        Report(False, 61, 4),
        refused(62, HALF_OPEN),
    ],
}


def play(breaker: CircuitBreaker, steps: list[Ask | Report]) -> list[Transition]:
    permits: list[Permit] = []
    seen: list[Transition] = []
    for step in steps:
        if isinstance(step, Ask):
            permit = breaker.acquire(KEY, at(step.t))
            opened = Transition(KEY, OPEN, HALF_OPEN, at(step.t)) if step.opens else None
            assert permit == Permit(KEY, step.allowed, step.seen, step.probe, opened), step
            permits.append(permit)
            moved = permit.transition
        else:
            report = breaker.succeeded if step.ok else breaker.failed
            moved = report(permits[step.permit], at(step.t))
            assert moved == (Transition(KEY, *step.moves, at(step.t)) if step.moves else None), step
        if moved:
            seen.append(moved)
    return seen


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_scenario(make: Callable[[BreakerPolicy], Breaker], name: str) -> None:
    breaker = make(POLICY)
    moved = play(breaker, SCENARIOS[name])
    assert breaker.transitions(KEY) == moved
    assert breaker.state(KEY) is (moved[-1].after if moved else CLOSED)


def test_a_refused_permit_has_nothing_to_report(make: Callable[[BreakerPolicy], Breaker]) -> None:
    breaker = make(POLICY)
    refused = Permit(KEY, allowed=False, state=OPEN)
    with pytest.raises(InvalidReputation, match="allowed=False"):
        breaker.failed(refused, T0)
    with pytest.raises(InvalidReputation, match="allowed=False"):
        breaker.succeeded(refused, T0)


def test_a_naive_time_is_refused(make: Callable[[BreakerPolicy], Breaker]) -> None:
    with pytest.raises(InvalidReputation, match="must be a timezone-aware datetime"):
        make(POLICY).acquire(KEY, datetime(2026, 3, 1, 9, 0))


def test_the_log_keeps_the_newest_transitions(space: Space) -> None:
    breaker = RedisCircuitBreaker(
        space.client, BreakerPolicy(1, timedelta(seconds=1), timedelta(seconds=1)), space.prefix, log_size=4
    )
    breaker.failed(breaker.acquire(KEY, at(0)), at(0))
    for n in range(1, 4):  # open → half_open → open, three times
        breaker.failed(breaker.acquire(KEY, at(n)), at(n))
    assert [(m.before, m.after, m.at) for m in breaker.transitions(KEY)] == [
        (OPEN, HALF_OPEN, at(2)),
        (HALF_OPEN, OPEN, at(2)),
        (OPEN, HALF_OPEN, at(3)),
        (HALF_OPEN, OPEN, at(3)),
    ]


def test_breakers_are_apart_and_a_closed_one_leaves_no_hash(space: Space) -> None:
    breaker = space.breaker(BreakerPolicy(1, timedelta(seconds=60), timedelta(seconds=20)))
    breaker.failed(breaker.acquire("wb:review", T0), T0)
    assert (breaker.state("wb:review"), breaker.state("wb:question")) == (OPEN, CLOSED)
    probe = breaker.acquire("wb:review", at(60))
    breaker.succeeded(probe, at(61))
    assert not space.client.exists(breaker.key("wb:review"))
    assert breaker.acquire("ozon:review", at(0)).allowed


def test_threads_asking_at_once_get_one_probe(make: Callable[[BreakerPolicy], Breaker]) -> None:
    breaker = make(BreakerPolicy(1, timedelta(seconds=60), timedelta(seconds=20)))
    breaker.failed(breaker.acquire(KEY, T0), T0)
    start = threading.Barrier(8)

    def ask(now: datetime) -> Permit:
        start.wait(timeout=10)
        return breaker.acquire(KEY, now)

    with ThreadPoolExecutor(8) as pool:
        for round_ in range(1, 11):
            now = at(60 * round_)
            permits = list(pool.map(ask, [now] * 8))
            assert [p.probe for p in permits].count(True) == 1, permits
            assert [p.allowed for p in permits].count(True) == 1, permits
            breaker.failed(next(p for p in permits if p.probe), now)


# ── the Redis breaker is the pure rules, step by step ──
steps = st.lists(
    st.tuples(st.sampled_from(["ask", "ask", "ok", "fail"]), st.integers(0, 45), st.integers(0, 1000)),
    min_size=1,
    max_size=40,
)
policies = st.builds(
    BreakerPolicy,
    failure_threshold=st.integers(1, 3),
    cool_down=st.integers(1, 40).map(lambda s: timedelta(seconds=s, microseconds=7)),
    probe_timeout=st.integers(1, 40).map(lambda s: timedelta(seconds=s)),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # a fresh key per example
@given(policy=policies, script=steps)
def test_redis_moves_exactly_as_the_in_process_breaker(
    space: Space, policy: BreakerPolicy, script: list[tuple[str, int, int]]
) -> None:
    key = f"k{uuid.uuid4().hex}"
    memory, shared = MemoryCircuitBreaker(policy), space.breaker(policy)
    now = T0 + timedelta(microseconds=123_457)
    held: list[Permit] = []
    for verb, step, pick in script:
        now += timedelta(seconds=step)
        if verb == "ask":
            permit = memory.acquire(key, now)
            assert shared.acquire(key, now) == permit
            if permit.allowed:
                held.append(permit)
        elif held:
            permit = held.pop(pick % len(held))
            if verb == "ok":
                assert shared.succeeded(permit, now) == memory.succeeded(permit, now)
            else:
                assert shared.failed(permit, now) == memory.failed(permit, now)
        assert shared.snapshot(key) == memory.snapshot(key)
    assert shared.transitions(key) == memory.transitions(key)


# ── several real workers ──
WORKERS, ROUNDS = 6, 20


def wait_blocked(client: Redis, names: set[str], deadline: float) -> None:
    """Until every worker sits in its BLPOP, so one push releases them all together."""
    while time.monotonic() < deadline:
        blocked = {c["name"] for c in client.client_list() if c["name"] in names and "b" in c["flags"]}
        if blocked == names:
            return
        time.sleep(0.002)
    raise AssertionError(f"workers not all waiting: {sorted(names)}")


def test_six_processes_asking_at_once_get_exactly_one_probe_each_round(space: Space) -> None:
    cool_down, probe_timeout = 60, 30
    policy = BreakerPolicy(1, timedelta(seconds=cool_down), timedelta(seconds=probe_timeout))
    breaker = space.breaker(policy)
    breaker.failed(breaker.acquire(KEY, T0), T0)  # open at T0
    url = require_redis(9)
    names = [f"{space.prefix}w{n}" for n in range(WORKERS)]
    args = [url, space.prefix, KEY, str(ROUNDS)]
    procs = [
        processes.spawn(
            [sys.executable, "-m", "tests.support.breaker_worker", *args, name, str(cool_down), str(probe_timeout)],
            cwd=REPO,
        )
        for name in names
    ]
    try:
        ready = [space.client.blpop([f"{space.prefix}ready"], timeout=15) for _ in names]
        assert None not in ready, "a worker did not start"
        probes: list[str] = []
        for round_ in range(ROUNDS):
            now = at(cool_down * (round_ + 1))  # each round's probe fails: the next may go a cool-down later
            wait_blocked(space.client, set(names), time.monotonic() + 10)
            space.client.rpush(f"{space.prefix}go:{round_}", *[micros(now)] * WORKERS)
            answers = [space.client.blpop([f"{space.prefix}result:{round_}"], timeout=10) for _ in names]
            assert None not in answers, f"round {round_}: a worker did not answer"
            got = [json.loads(a[1]) for a in answers]  # type: ignore[index]
            winners = [g for g in got if g["probe"]]
            assert len(winners) == 1, f"round {round_}: {got}"
            assert [g["allowed"] for g in got].count(True) == 1, f"round {round_}: {got}"
            assert winners[0]["opened"] and winners[0]["reopened"] and winners[0]["state"] == "half_open"
            probes.append(winners[0]["name"])
        assert all(p.wait(timeout=10) == 0 for p in procs)
    finally:
        processes.stop_tree(procs, grace=2)
    log = breaker.transitions(KEY)
    assert [(m.before, m.after) for m in log] == [(CLOSED, OPEN)] + [(OPEN, HALF_OPEN), (HALF_OPEN, OPEN)] * ROUNDS
    assert breaker.state(KEY) is OPEN
