"""One contract for Watcher's Redis-held state, run on the in-memory fakes and on Redis alike:
task queues, IP blocks and the stats hashes keep the seed's key names, order and TTLs."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from redis import Redis

from adolf.adapters.redis.watcher_ip_blocks import RedisIpBlocks
from adolf.adapters.redis.watcher_queue import RedisParsingQueue
from adolf.adapters.redis.watcher_stats import RedisWatcherStatsStore
from adolf.application.watcher.state_ports import IpBlocks, ParsingQueue, WatcherStatsStore
from adolf.domain.marketplace import Marketplace
from tests.support.fakes.watcher_state import FakeWatcherState
from tests.support.services import require_redis

REDIS_DB = 10  # never flushed: each test keeps to its own key prefix and deletes its keys
WB, OZON, YM = Marketplace.WB, Marketplace.OZON, Marketplace.YM
TODAY = date(2024, 5, 10)
DAY = 86400


@dataclass
class Backend:
    queue: ParsingQueue
    ip_blocks: IpBlocks
    stats: WatcherStatsStore
    ttl: Callable[[str], float | None]  # seconds left; None: no expiry; KeyError: no key
    exists: Callable[[str], bool]
    plant_hash: Callable[[str, dict[str, str]], None]  # written outside the ports, no TTL
    wait: Callable[[float], None]


@pytest.fixture(params=["fake", pytest.param("redis", marks=pytest.mark.redis)])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    if request.param == "fake":
        clock = [1000.0]
        state = FakeWatcherState(now=lambda: clock[0])

        def advance(seconds: float) -> None:
            clock[0] += seconds

        yield Backend(
            state.queue,
            state.ip_blocks,
            state.stats,
            ttl=state.keys.ttl,
            exists=lambda key: state.keys.raw(key) is not None,
            plant_hash=state.keys.put,
            wait=advance,
        )
        return
    client = Redis.from_url(require_redis(REDIS_DB))
    prefix = f"test:{uuid.uuid4().hex[:8]}:"

    def ttl(key: str) -> float | None:
        left = int(client.ttl(prefix + key))
        if left == -2:
            raise KeyError(key)
        return None if left == -1 else float(left)

    def plant_hash(key: str, fields: dict[str, str]) -> None:
        client.hset(prefix + key, mapping=fields)  # type: ignore[arg-type]

    try:
        yield Backend(
            RedisParsingQueue(client, prefix),
            RedisIpBlocks(client, prefix),
            RedisWatcherStatsStore(client, prefix),
            ttl=ttl,
            exists=lambda key: bool(client.exists(prefix + key)),
            plant_hash=plant_hash,
            wait=time.sleep,
        )
    finally:
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()


# --- the parsing queue -------------------------------------------------------------------


def test_ids_pushed_at_the_tail_come_out_first_in_first_out(backend: Backend) -> None:
    assert backend.queue.push(WB, [1, 2, 3]) == 3
    assert backend.queue.push(WB, [4, 5]) == 5
    assert backend.queue.push(WB, []) == 5
    assert backend.exists("watcher:task_queue:wb")
    assert [backend.queue.pop(WB) for _ in range(6)] == [1, 2, 3, 4, 5, None]
    assert not backend.exists("watcher:task_queue:wb")


def test_ids_pushed_to_the_head_are_popped_first_in_the_order_given(backend: Backend) -> None:
    backend.queue.push(OZON, [1, 2, 3])
    assert backend.queue.push_front(OZON, [10, 11, 12]) == 6
    assert backend.queue.push_front(OZON, []) == 6
    assert [backend.queue.pop(OZON) for _ in range(6)] == [10, 11, 12, 1, 2, 3]


def test_each_marketplace_has_its_own_queue_under_the_seed_key(backend: Backend) -> None:
    assert backend.queue.lengths() == {WB: 0, OZON: 0, YM: 0}
    backend.queue.push(WB, [1])
    backend.queue.push(Marketplace("ym"), [2, 3])
    assert backend.queue.lengths() == {WB: 1, OZON: 0, YM: 2}
    assert backend.queue.length(YM) == 2
    assert backend.exists("watcher:task_queue:ym") and not backend.exists("watcher:task_queue:ozon")
    assert backend.queue.pop(OZON) is None


def test_remove_drops_every_occurrence_and_clear_empties_the_queue(backend: Backend) -> None:
    backend.queue.push(WB, [7, 8, 7, 9])
    assert backend.queue.remove(WB, 7) == 2
    assert backend.queue.remove(WB, 42) == 0
    assert backend.queue.length(WB) == 2
    assert backend.queue.clear(WB) == 2
    assert backend.queue.clear(WB) == 0
    assert backend.queue.pop(WB) is None


def test_a_push_with_an_id_that_is_not_an_int_is_refused_whole(backend: Backend) -> None:
    backend.queue.push(WB, [1])
    for bad in (["2"], [2.0], [True]):
        with pytest.raises(TypeError):
            backend.queue.push(WB, [3, *bad])
        with pytest.raises(TypeError):
            backend.queue.push_front(WB, bad)  # type: ignore[arg-type]
    assert backend.queue.length(WB) == 1


def test_two_agents_popping_at_once_get_each_id_exactly_once(backend: Backend) -> None:
    ids = list(range(1, 1001))
    backend.queue.push(WB, ids)
    start = threading.Barrier(2)
    taken: list[list[int]] = [[], []]

    def drain(mine: list[int]) -> None:
        start.wait()
        while (task_id := backend.queue.pop(WB)) is not None:
            mine.append(task_id)

    threads = [threading.Thread(target=drain, args=(mine,)) for mine in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(taken[0] + taken[1]) == ids
    assert all(mine == sorted(mine) for mine in taken)  # each agent still sees queue order


# --- IP blocks ---------------------------------------------------------------------------


def test_a_blocked_ip_stays_blocked_for_an_hour_by_default(backend: Backend) -> None:
    backend.ip_blocks.block("10.0.0.7", reason="captcha")
    backend.ip_blocks.block("2001:db8::1")
    assert backend.ip_blocks.is_blocked("10.0.0.7")
    assert not backend.ip_blocks.is_blocked("10.0.0.8")
    assert backend.ip_blocks.blocked() == ["10.0.0.7", "2001:db8::1"]
    left = backend.ttl("watcher:ip_blocked:10.0.0.7")
    assert left is not None and 3590 < left <= 3600


def test_an_ip_block_expires_after_its_seconds(backend: Backend) -> None:
    backend.ip_blocks.block("10.0.0.7", seconds=1)
    backend.ip_blocks.block("10.0.0.9", seconds=30)
    assert backend.ip_blocks.is_blocked("10.0.0.7")
    backend.wait(1.5)
    assert not backend.ip_blocks.is_blocked("10.0.0.7")
    assert backend.ip_blocks.blocked() == ["10.0.0.9"]


def test_a_block_is_renewed_by_blocking_again_and_lifted_by_hand(backend: Backend) -> None:
    backend.ip_blocks.block("10.0.0.7", seconds=1)
    backend.ip_blocks.block("10.0.0.7", seconds=60)
    backend.wait(1.5)
    assert backend.ip_blocks.is_blocked("10.0.0.7")
    assert backend.ip_blocks.unblock("10.0.0.7")
    assert not backend.ip_blocks.unblock("10.0.0.7")
    assert backend.ip_blocks.blocked() == []


def test_a_block_of_less_than_a_second_is_refused(backend: Backend) -> None:
    with pytest.raises(ValueError):
        backend.ip_blocks.block("10.0.0.7", seconds=0)
    assert not backend.ip_blocks.is_blocked("10.0.0.7")


# --- stats hashes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "ttl", "write", "read"),
    [
        (
            "watcher:generation:2024-05-10",
            7 * DAY,
            lambda s, f: s.write_generation(TODAY, f),
            lambda s: s.read_generation(TODAY),
        ),
        ("watcher:agents:stats", 120, lambda s, f: s.write_agents_stats(f), lambda s: s.read_agents_stats()),
        (
            "watcher:daily_stats:2024-05-10",
            90 * DAY,
            lambda s, f: s.write_daily_stats(TODAY, f),
            lambda s: s.read_daily_stats(TODAY),
        ),
    ],
    ids=["generation", "agents_stats", "daily_stats"],
)
def test_each_stats_hash_is_written_under_its_key_with_its_ttl(
    backend: Backend,
    key: str,
    ttl: int,
    write: Callable[[WatcherStatsStore, dict[str, object]], None],
    read: Callable[[WatcherStatsStore], dict[str, str]],
) -> None:
    assert read(backend.stats) == {}
    write(backend.stats, {"total": 12, "wb": 7, "spend": Decimal("12.50"), "big": Decimal("1E+2"), "status": "ok"})
    assert read(backend.stats) == {"total": "12", "wb": "7", "spend": "12.50", "big": "100", "status": "ok"}
    left = backend.ttl(key)
    assert left is not None and ttl - 5 < left <= ttl
    write(backend.stats, {"status": "failed", "error": "db down"})  # a retry's write replaces
    assert read(backend.stats) == {"status": "failed", "error": "db down"}
    left = backend.ttl(key)
    assert left is not None and ttl - 5 < left <= ttl
    write(backend.stats, {})
    assert read(backend.stats) == {}
    assert not backend.exists(key)


def test_a_stats_value_that_is_not_str_int_or_decimal_is_refused_and_changes_nothing(backend: Backend) -> None:
    backend.stats.write_generation(TODAY, {"status": "completed"})
    for bad in (1.5, None, True):
        with pytest.raises(TypeError, match="total"):
            backend.stats.write_generation(TODAY, {"status": "x", "total": bad})  # type: ignore[dict-item]
    assert backend.stats.read_generation(TODAY) == {"status": "completed"}


def test_an_agents_state_has_no_ttl(backend: Backend) -> None:
    backend.stats.write_agent_state(7, {"status": "online"})
    assert backend.stats.read_agent_state("7") == {"status": "online"}
    assert backend.ttl("watcher:agent:7:state") is None


def test_agents_stats_expire_after_two_minutes_on_the_fake_clock() -> None:
    clock = [0.0]
    state = FakeWatcherState(now=lambda: clock[0])
    state.stats.write_agents_stats({"online": 3})
    clock[0] = 119.9
    assert state.stats.read_agents_stats() == {"online": "3"}
    clock[0] = 120.0
    assert state.stats.read_agents_stats() == {}
    assert state.keys.names() == []


# --- cleanup_redis_keys -----------------------------------------------------------------------


def test_cleanup_drops_stale_stats_and_state_of_agents_that_are_gone(backend: Backend) -> None:
    stats = backend.stats
    for agent_id in (1, 2, 3):
        stats.write_agent_state(agent_id, {"status": "online"})
    stats.write_generation(TODAY, {"status": "completed"})  # kept
    stats.write_generation(TODAY - timedelta(days=7), {"status": "completed"})  # kept: 7 days is within
    stats.write_generation(TODAY - timedelta(days=8), {"status": "completed"})  # stale: rewritten late
    stats.write_daily_stats(TODAY - timedelta(days=90), {"tasks": 5})  # kept
    stats.write_daily_stats(TODAY - timedelta(days=91), {"tasks": 5})  # stale
    stats.write_agents_stats({"online": 2})  # kept
    backend.plant_hash("watcher:generation:2024-05-09", {"status": "failed"})  # no TTL: stale
    backend.plant_hash("watcher:daily_stats:yesterday", {"tasks": "1"})  # not a date, no TTL: stale
    backend.queue.push(WB, [1, 2])
    backend.ip_blocks.block("10.0.0.7")
    backend.plant_hash("watcher:agent_settings", {"x": "1"})  # not a key cleanup judges

    assert stats.cleanup([1, "3"], TODAY) == 5

    assert stats.read_agent_state(1) and stats.read_agent_state(3)
    assert stats.read_agent_state(2) == {}
    assert stats.read_generation(TODAY) and stats.read_generation(TODAY - timedelta(days=7))
    assert stats.read_generation(TODAY - timedelta(days=8)) == {}
    assert stats.read_generation(TODAY - timedelta(days=1)) == {}
    assert stats.read_daily_stats(TODAY - timedelta(days=90)) == {"tasks": "5"}
    assert stats.read_daily_stats(TODAY - timedelta(days=91)) == {}
    assert not backend.exists("watcher:daily_stats:yesterday")
    assert stats.read_agents_stats() == {"online": "2"}
    assert backend.queue.length(WB) == 2
    assert backend.ip_blocks.is_blocked("10.0.0.7")
    assert backend.exists("watcher:agent_settings")
    assert stats.cleanup([1, 3], TODAY) == 0


def test_cleanup_drops_agents_stats_that_lost_their_ttl(backend: Backend) -> None:
    backend.plant_hash("watcher:agents:stats", {"online": "1"})
    assert backend.stats.cleanup([], TODAY) == 1
    assert backend.stats.read_agents_stats() == {}


def test_a_whole_night_of_ids_goes_in_with_one_push(backend: Backend) -> None:
    assert backend.queue.push(YM, range(1, 100_001)) == 100_000
    assert backend.queue.pop(YM) == 1
    assert backend.queue.clear(YM) == 99_999
