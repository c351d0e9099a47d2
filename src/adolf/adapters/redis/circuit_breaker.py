"""``CircuitBreaker`` shared by every worker through Redis: one Lua script per operation.

Why not pybreaker (1.4.1, with ``CircuitRedisStorage``)? It cannot give SPEC §4.6's single
half-open probe across workers, and it cannot run on the simulation's clock:

- its open → half-open step is a read then a write from each process (``CircuitOpenState.
  before_call`` GETs ``opened_at``, compares it with the local clock, then ``half_open()`` SETs
  the state): every worker that reads between them goes through;
- worse, its half-open state has no gate at all: each call that finds ``half-open`` in Redis is
  made, so every worker asking while the trial call runs probes too (its ``RLock`` serializes
  callers of one process only). Checked: two breakers on one Redis storage, the second asking
  while the first's trial call runs — both calls went through;
- a trial call whose worker dies leaves nothing to time out, and the time is
  ``datetime.now(UTC)`` cut to whole seconds, never the clock the use case is given.

So the gap is closed here, not around pybreaker: each operation is one Lua script (redis-py
``register_script``; EVALSHA, reloaded on NOSCRIPT), which Redis runs atomically, so the
check-and-move "cool-down passed → half-open, and you are the probe" is a single step — exactly
one caller across all processes gets ``probe=True`` — and a probe not heard from by its
``probe_until`` is replaced by the next asker. The rules are the domain's (``on_acquire``,
``on_success``, ``on_failure``; stale reports included), and the integration tests run this
adapter against them step by step.

Keys: ``{prefix}reputation:breaker:{key}`` is a hash (``state``, ``failures``, ``opened_at``,
``probe_until``: times as whole microseconds since the epoch of the ``now`` passed in); no hash
means closed with no failures, so a closed breaker leaves nothing behind.
``{prefix}reputation:breaker:{key}:transitions`` keeps the newest ``log_size`` transitions.
Time arithmetic is done in Python and handed to Lua as decimal strings: Lua's numbers would
print a microsecond timestamp as ``1.7e+15`` when written back. A Redis error propagates: the
poll fails and is retried by its runtime, it never polls blind.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from redis import Redis

from adolf.application.reputation.circuit_breaker import Permit, Transition
from adolf.domain.reputation.circuit import BreakerPolicy, BreakerSnapshot, BreakerState, check_aware, check_reportable

TRANSITIONS_KEPT = 100
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)

# KEYS: hash, log. Each script ends by logging a change of state, if it made one.
_LOG = """
local function moved(before, after, at)
  if before ~= after then
    redis.call('LPUSH', KEYS[2], before .. '|' .. after .. '|' .. at)
    redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[#ARGV]) - 1)
  end
  return {before, after}
end
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
"""

# ARGV: now, now - cool_down, now + probe_timeout, log size -> {allowed, state seen, probe, opened it}
_ACQUIRE = (
    _LOG
    + """
if state == 'closed' then return {1, 'closed', 0, 0} end
if state == 'open' then
  if tonumber(redis.call('HGET', KEYS[1], 'opened_at')) > tonumber(ARGV[2]) then return {0, 'open', 0, 0} end
  redis.call('HSET', KEYS[1], 'state', 'half_open', 'probe_until', ARGV[3])
  redis.call('HDEL', KEYS[1], 'opened_at', 'failures')
  moved('open', 'half_open', ARGV[1])
  return {1, 'half_open', 1, 1}
end
if tonumber(ARGV[1]) < tonumber(redis.call('HGET', KEYS[1], 'probe_until')) then return {0, 'half_open', 0, 0} end
redis.call('HSET', KEYS[1], 'probe_until', ARGV[3])
return {1, 'half_open', 1, 0}
"""
)

# ARGV: probe (0/1), now, log size -> {before, after}
_SUCCEEDED = (
    _LOG
    + """
if state == 'closed' or (state == 'half_open' and ARGV[1] == '1') then
  redis.call('DEL', KEYS[1])
  return moved(state, 'closed', ARGV[2])
end
return {state, state}
"""
)

# ARGV: probe (0/1), now, failure threshold, log size -> {before, after}
_FAILED = (
    _LOG
    + """
local opens = state == 'half_open' and ARGV[1] == '1'
if state == 'closed' then
  opens = redis.call('HINCRBY', KEYS[1], 'failures', 1) >= tonumber(ARGV[3])
end
if opens then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'state', 'open', 'opened_at', ARGV[2])
  return moved(state, 'open', ARGV[2])
end
return {state, state}
"""
)


class RedisCircuitBreaker:
    def __init__(
        self, client: Redis, policy: BreakerPolicy, prefix: str = "", log_size: int = TRANSITIONS_KEPT
    ) -> None:
        self.client = client
        self.policy = policy
        self.prefix = prefix
        self.log_size = log_size
        self._acquire = client.register_script(_ACQUIRE)
        self._succeeded = client.register_script(_SUCCEEDED)
        self._failed = client.register_script(_FAILED)

    def key(self, key: str) -> str:
        return f"{self.prefix}reputation:breaker:{key}"

    def log_key(self, key: str) -> str:
        return f"{self.key(key)}:transitions"

    def acquire(self, key: str, now: datetime) -> Permit:
        at = micros(now)
        cut = at - self.policy.cool_down // MICROSECOND
        until = at + self.policy.probe_timeout // MICROSECOND
        allowed, seen, probe, opened = self._acquire(keys=self._keys(key), args=[at, cut, until, self.log_size])
        state = BreakerState(_text(seen))
        transition = Transition(key, BreakerState.OPEN, state, now) if opened else None
        return Permit(key, bool(allowed), state, probe=bool(probe), transition=transition)

    def succeeded(self, permit: Permit, now: datetime) -> Transition | None:
        check_reportable(permit.key, allowed=permit.allowed)
        moved = self._succeeded(keys=self._keys(permit.key), args=[int(permit.probe), micros(now), self.log_size])
        return _transition(permit.key, moved, now)

    def failed(self, permit: Permit, now: datetime) -> Transition | None:
        check_reportable(permit.key, allowed=permit.allowed)
        args = [int(permit.probe), micros(now), self.policy.failure_threshold, self.log_size]
        return _transition(permit.key, self._failed(keys=self._keys(permit.key), args=args), now)

    def state(self, key: str) -> BreakerState:
        value = self.client.hget(self.key(key), "state")
        return BreakerState(_text(value)) if value is not None else BreakerState.CLOSED

    def snapshot(self, key: str) -> BreakerSnapshot:
        fields = {_text(k): _text(v) for k, v in self.client.hgetall(self.key(key)).items()}
        return BreakerSnapshot(
            BreakerState(fields.get("state", "closed")),
            failures=int(fields.get("failures", 0)),
            opened_at=moment(fields["opened_at"]) if "opened_at" in fields else None,
            probe_until=moment(fields["probe_until"]) if "probe_until" in fields else None,
        )

    def transitions(self, key: str) -> list[Transition]:
        """Oldest first, the newest ``log_size`` of them."""
        rows = self.client.lrange(self.log_key(key), 0, -1)
        out = []
        for row in reversed(rows):
            before, after, at = _text(row).split("|")
            out.append(Transition(key, BreakerState(before), BreakerState(after), moment(at)))
        return out

    def _keys(self, key: str) -> list[str]:
        return [self.key(key), self.log_key(key)]


def micros(now: datetime) -> int:
    return (check_aware(now) - EPOCH) // MICROSECOND


def moment(micros_text: str | int) -> datetime:
    return EPOCH + timedelta(microseconds=int(micros_text))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _transition(key: str, moved: Any, now: datetime) -> Transition | None:
    before, after = (BreakerState(_text(v)) for v in moved)
    return Transition(key, before, after, now) if before is not after else None
