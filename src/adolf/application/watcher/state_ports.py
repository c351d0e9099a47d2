"""Ports: the state Watcher shares through Redis (SPEC §3 Watcher), with the seed's key names.

- ``watcher:task_queue:{mp}``: list of parsing task ids, no TTL; generation pushes at the tail,
  redistribution at the head, agents pop the head;
- ``watcher:ip_blocked:{ip}``: the reason (a string), TTL 1 h; handle_panic_mode;
- ``watcher:generation:{date}``: hash, TTL 7 d; generate_daily_tasks;
- ``watcher:agents:stats``: hash, TTL 120 s; sync_agent_status;
- ``watcher:daily_stats:{date}``: hash, TTL 90 d; generate_daily_stats;
- ``watcher:agent:{id}:state``: hash, no TTL; an agent's own state, dropped by cleanup once the
  agent is gone.

``{mp}`` is the ``Marketplace`` value (wb, ozon, ym), ``{date}`` ISO (2024-05-10).

A queue is a work list, not the record: it may hold an id twice (a lease expiry and a
redistribution both give a task back) or the id of a task that is no longer pending, so
whoever pops checks the task's status in the database before working on it.

A stats hash is written whole: a write replaces what the key held and sets its TTL in the same
transaction, so a retry never leaves an earlier attempt's fields beside its own (the seed's
failure path left ``total`` beside ``status=failed``, and with no TTL). Writing no fields
removes the key. Values are ``str``, ``int`` or ``Decimal`` (written as plain digits, never
``1E+2``); reads give ``dict[str, str]``, ``{}`` for a missing or expired key.

Stale keys (``cleanup_redis_keys``, daily 03:50). The seed deletes ``watcher:stats:*`` keys
with no TTL — a pattern nothing writes; what it means is the stats hashes above that escaped
their TTL. Here a key is stale when:
- it is ``watcher:generation:{date}``, ``watcher:daily_stats:{date}`` or
  ``watcher:agents:stats`` and has no TTL (written outside these ports, e.g. by the seed's
  failure path, it would live for ever);
- its ``{date}`` is older than its retention (7 d, 90 d) counted from ``today``, or is not a
  date (a hash rewritten late for an old day outlives the day's retention by its own TTL);
- it is ``watcher:agent:{id}:state`` and no agent ``{id}`` exists any more.
Queues and IP blocks are never stale: a queue is emptied by its consumers, a block expires.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Protocol

from adolf.domain.marketplace import Marketplace

FieldValue = str | int | Decimal
Fields = Mapping[str, FieldValue]

IP_BLOCK_TTL = 3600
GENERATION_TTL = 7 * 86400
AGENTS_STATS_TTL = 120
DAILY_STATS_TTL = 90 * 86400

TASK_QUEUE_PREFIX = "watcher:task_queue:"
IP_BLOCKED_PREFIX = "watcher:ip_blocked:"
GENERATION_PREFIX = "watcher:generation:"
DAILY_STATS_PREFIX = "watcher:daily_stats:"
AGENTS_STATS_KEY = "watcher:agents:stats"
AGENT_STATE_PREFIX, AGENT_STATE_SUFFIX = "watcher:agent:", ":state"
#: Glob patterns of every key ``cleanup`` may judge (SCAN MATCH syntax).
CLEANUP_PATTERNS = (
    GENERATION_PREFIX + "*",
    DAILY_STATS_PREFIX + "*",
    AGENTS_STATS_KEY,
    AGENT_STATE_PREFIX + "*" + AGENT_STATE_SUFFIX,
)


def task_queue_key(marketplace: Marketplace | str) -> str:
    return TASK_QUEUE_PREFIX + Marketplace(marketplace).value


def ip_blocked_key(ip: str) -> str:
    return IP_BLOCKED_PREFIX + ip


def generation_key(day: date) -> str:
    return GENERATION_PREFIX + day.isoformat()


def daily_stats_key(day: date) -> str:
    return DAILY_STATS_PREFIX + day.isoformat()


def agent_state_key(agent_id: str | int) -> str:
    return f"{AGENT_STATE_PREFIX}{agent_id}{AGENT_STATE_SUFFIX}"


def field_text(name: str, value: FieldValue) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise TypeError(f"stats field {name!r}: {type(value).__name__} is not str, int or Decimal")
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def fields_text(fields: Fields) -> dict[str, str]:
    return {name: field_text(name, value) for name, value in fields.items()}


def is_stale(key: str, *, expires: bool, today: date, agent_ids: Collection[str]) -> bool:
    """The rule above for one key (without an adapter's prefix)."""
    if key.startswith(AGENT_STATE_PREFIX) and key.endswith(AGENT_STATE_SUFFIX):
        return key[len(AGENT_STATE_PREFIX) : -len(AGENT_STATE_SUFFIX)] not in agent_ids
    if key == AGENTS_STATS_KEY:
        return not expires
    for prefix, retention in ((GENERATION_PREFIX, GENERATION_TTL), (DAILY_STATS_PREFIX, DAILY_STATS_TTL)):
        if key.startswith(prefix):
            try:
                day = date.fromisoformat(key[len(prefix) :])
            except ValueError:
                return True
            return not expires or (today - day).days * 86400 > retention
    return False


class ParsingQueue(Protocol):
    """``watcher:task_queue:{mp}``: parsing task ids waiting for an agent, popped from the head."""

    def push(self, marketplace: Marketplace, task_ids: Sequence[int]) -> int:
        """Append at the tail in one command; the new length (pushing nothing changes nothing)."""

    def push_front(self, marketplace: Marketplace, task_ids: Sequence[int]) -> int:
        """Put back at the head (redistribution): ``task_ids[0]`` is popped first; the new length."""

    def pop(self, marketplace: Marketplace) -> int | None:
        """Take the head atomically (two agents never get one id); None when empty."""

    def length(self, marketplace: Marketplace) -> int: ...

    def lengths(self) -> dict[Marketplace, int]:
        """Every marketplace's length, 0 for an empty queue."""

    def remove(self, marketplace: Marketplace, task_id: int) -> int:
        """Drop every occurrence of ``task_id``; how many there were."""

    def clear(self, marketplace: Marketplace) -> int:
        """Empty the queue; how many ids it held."""


class IpBlocks(Protocol):
    """``watcher:ip_blocked:{ip}``: an IP that met a captcha or a ban gets no tasks for a while."""

    def block(self, ip: str, seconds: int = IP_BLOCK_TTL, reason: str = "") -> None:
        """Block (again) for ``seconds`` (≥ 1) from now."""

    def is_blocked(self, ip: str) -> bool: ...

    def blocked(self) -> list[str]:
        """The IPs blocked now, sorted."""

    def unblock(self, ip: str) -> bool:
        """Lift a block by hand; False when there was none."""


class WatcherStatsStore(Protocol):
    """Watcher's stats hashes, each with the TTL of SPEC §3 set in the same transaction."""

    def write_generation(self, day: date, fields: Fields) -> None:
        """``watcher:generation:{day}``, TTL 7 d."""

    def read_generation(self, day: date) -> dict[str, str]: ...

    def write_agents_stats(self, fields: Fields) -> None:
        """``watcher:agents:stats``, TTL 120 s."""

    def read_agents_stats(self) -> dict[str, str]: ...

    def write_daily_stats(self, day: date, fields: Fields) -> None:
        """``watcher:daily_stats:{day}``, TTL 90 d."""

    def read_daily_stats(self, day: date) -> dict[str, str]: ...

    def write_agent_state(self, agent_id: str | int, fields: Fields) -> None:
        """``watcher:agent:{id}:state``, no TTL: it lives as long as the agent does."""

    def read_agent_state(self, agent_id: str | int) -> dict[str, str]: ...

    def cleanup(self, existing_agent_ids: Iterable[str | int], today: date) -> int:
        """Delete the stale keys (module docstring); how many were deleted."""
