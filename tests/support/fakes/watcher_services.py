"""``FakeWatcherServices``: what a Watcher use case is handed, every port a fake.

It is a ``FakeServices`` (so Marketing's ports are there too, over the same unit of work:
the dumping hand-off runs Marketing's real ``DumpingRecommendations`` on it) whose unit of
work is a ``FakeWatcherUnitOfWork``, with the Redis-held state (``FakeWatcherState``) on the
fake clock's monotonic time: ``clock.advance(3600)`` expires an IP block.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from adolf.application.marketing.dumping import DumpingRecommendations
from adolf.application.watcher.ports import DumpingHandoff
from adolf.domain.watcher.alert_rules import AlertRules
from tests.support.fakes.services import FakeServices
from tests.support.fakes.watcher_repos import FakeWatcherUnitOfWork
from tests.support.fakes.watcher_state import FakeIpBlocks, FakeParsingQueue, FakeWatcherState, FakeWatcherStatsStore


class FakeMaintenance:
    def __init__(self) -> None:
        self.vacuumed: list[str] = []

    def vacuum_analyze(self, table: str) -> bool:
        self.vacuumed.append(table)
        return True


class RecordingHandoff:
    """Records every hand-off, then lets Marketing's real implementation handle it."""

    def __init__(self, services: FakeWatcherServices) -> None:
        self.services = services
        self.handed: list[DumpingHandoff] = []

    def dumping_detected(self, handoff: DumpingHandoff) -> int:
        self.handed.append(handoff)
        return DumpingRecommendations(self.services).dumping_detected(handoff)


@dataclass
class FakeWatcherServices(FakeServices):
    unit_of_work: FakeWatcherUnitOfWork = field(default_factory=FakeWatcherUnitOfWork)
    alert_rules: AlertRules = field(default_factory=AlertRules)
    maintenance: FakeMaintenance = field(default_factory=FakeMaintenance)
    state: FakeWatcherState = field(init=False)
    marketing_handoff: RecordingHandoff = field(init=False)

    def __post_init__(self) -> None:
        self.state = FakeWatcherState(now=self.clock.perf_counter)
        self.marketing_handoff = RecordingHandoff(self)

    def uow(self) -> FakeWatcherUnitOfWork:
        return self.unit_of_work

    @property
    def parsing_queue(self) -> FakeParsingQueue:
        return self.state.queue

    @property
    def ip_blocks(self) -> FakeIpBlocks:
        return self.state.ip_blocks

    @property
    def watcher_stats(self) -> FakeWatcherStatsStore:
        return self.state.stats
