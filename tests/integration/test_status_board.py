"""The status boards keep hashes and counters with a TTL: Redis (db 15) and in-memory alike."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from redis import Redis

from adolf.adapters.redis.status_board import InMemoryStatusBoard, RedisStatusBoard, WrongKind
from adolf.application.marketing.ports import StatusBoard
from tests.support.services import require_redis


@pytest.fixture(params=["redis", "memory"])
def board(request: pytest.FixtureRequest) -> Iterator[StatusBoard]:
    if request.param == "memory":
        yield InMemoryStatusBoard()
        return
    client = Redis.from_url(require_redis())
    prefix = f"test:{uuid.uuid4().hex[:8]}:"
    yield _Prefixed(RedisStatusBoard(client), prefix)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


class _Prefixed:
    """Keeps each test's Redis keys apart, so parallel runs never see each other's keys."""

    def __init__(self, inner: RedisStatusBoard, prefix: str) -> None:
        self.inner, self.prefix = inner, prefix

    def put(self, key: str, values: Mapping[str, Any], ttl: int | None = None) -> None:
        self.inner.put(self.prefix + key, values, ttl)

    def get(self, key: str) -> dict[str, str]:
        return self.inner.get(self.prefix + key)

    def incr(self, key: str, amount: int = 1, ttl: int | None = None) -> int:
        return self.inner.incr(self.prefix + key, amount, ttl)


def test_put_merges_fields_as_text_and_get_reads_them_back(board: StatusBoard) -> None:
    at = datetime(2026, 3, 10, 9, 7, tzinfo=UTC)
    board.put("marketing:last_bid_cycle", {"status": "completed", "campaigns": 10_000, "started_at": at}, ttl=3600)
    board.put("marketing:last_bid_cycle", {"bids_updated": 42, "spent": Decimal("12.50"), "error": None})
    assert board.get("marketing:last_bid_cycle") == {
        "status": "completed",
        "campaigns": "10000",
        "started_at": "2026-03-10T09:07:00+00:00",
        "bids_updated": "42",
        "spent": "12.50",
        "error": "",
    }
    assert board.get("marketing:never_written") == {}


def test_a_hash_expires_one_ttl_after_its_last_put(board: StatusBoard) -> None:
    board.put("marketing:api_status:wb", {"status": "ok"}, ttl=1)
    time.sleep(0.6)
    board.put("marketing:api_status:wb", {"status": "slow"}, ttl=1)
    time.sleep(0.6)
    assert board.get("marketing:api_status:wb") == {"status": "slow"}
    time.sleep(0.6)
    assert board.get("marketing:api_status:wb") == {}


def test_a_counter_window_opens_at_its_first_increment_and_is_not_extended(board: StatusBoard) -> None:
    assert board.incr("marketing:api_errors:wb", ttl=1) == 1
    time.sleep(0.6)
    assert board.incr("marketing:api_errors:wb", 2, ttl=1) == 3
    time.sleep(0.6)
    assert board.incr("marketing:api_errors:wb", ttl=1) == 1  # the first window closed


def test_a_counter_without_ttl_keeps_counting(board: StatusBoard) -> None:
    assert [board.incr("marketing:cycles") for _ in range(3)] == [1, 2, 3]


def test_the_in_memory_board_expires_by_its_clock() -> None:
    now = [1000.0]
    board = InMemoryStatusBoard(clock=lambda: now[0])
    board.put("k", {"a": 1}, ttl=60)
    board.incr("n", ttl=60)
    now[0] += 59.9
    assert board.get("k") == {"a": "1"}
    now[0] += 0.1
    assert board.get("k") == {}
    assert board.incr("n") == 1


def test_the_in_memory_board_refuses_to_mix_hashes_and_counters() -> None:
    board = InMemoryStatusBoard()
    board.put("h", {"a": 1})
    board.incr("n")
    with pytest.raises(WrongKind):
        board.incr("h")
    with pytest.raises(WrongKind):
        board.get("n")
