"""The in-memory ``ParsingQueue``, ``IpBlocks`` and ``WatcherStatsStore`` under the names the
tests use. They are the embedded default's own implementations
(``adolf.adapters.redis.memory_watcher_state``), so there is one copy: build them on a fake
clock (``FakeWatcherState(now=clock.perf_counter)``) and assert on ``state.keys`` (``ttl``,
``names``, ``raw``) as on Redis.
"""

from __future__ import annotations

from adolf.adapters.redis.memory_watcher_state import MemoryIpBlocks as FakeIpBlocks
from adolf.adapters.redis.memory_watcher_state import MemoryKeyspace as FakeKeyspace
from adolf.adapters.redis.memory_watcher_state import MemoryParsingQueue as FakeParsingQueue
from adolf.adapters.redis.memory_watcher_state import MemoryWatcherState as FakeWatcherState
from adolf.adapters.redis.memory_watcher_state import MemoryWatcherStatsStore as FakeWatcherStatsStore

__all__ = ["FakeIpBlocks", "FakeKeyspace", "FakeParsingQueue", "FakeWatcherState", "FakeWatcherStatsStore"]
