"""``FakeUnitOfWork``: the repositories of one in-memory database, in a transaction.

State written inside ``with uow:`` survives only if ``commit()`` is called: entering takes a
snapshot of every stateful repository, ``commit()`` moves the snapshot forward, and
``rollback()`` (also run on leaving the block) restores it. Data put into the repositories
outside any ``with`` block (a test's setup) counts as already committed.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from tests.support.fakes.campaigns import FakeCampaignRepository
from tests.support.fakes.marketing_repos import (
    FakeBidHistory,
    FakeCompetitorBids,
    FakeRecommendations,
    FakeStatsRepository,
    FakeUsers,
)
from tests.support.fakes.state import Stateful
from tests.support.fakes.system_repos import (
    FakeAlertQueries,
    FakeAlertStore,
    FakeDeadLetters,
    FakeIdempotencyKeys,
    FakeOutbox,
    FakeTaskRunLog,
)


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.campaigns = FakeCampaignRepository()
        self.bid_history = FakeBidHistory()
        self.stats = FakeStatsRepository()
        self.alerts = FakeAlertStore()
        self.alert_queries = FakeAlertQueries(self.alerts)
        self.competitor_bids = FakeCompetitorBids()
        self.users = FakeUsers()
        self.recommendations = FakeRecommendations()
        self.dead_letters = FakeDeadLetters()
        self.idempotency = FakeIdempotencyKeys()
        self.outbox = FakeOutbox()
        self.task_runs = FakeTaskRunLog()
        self.committed = False  # set by the first commit, never reset (cosmicpython's flag)
        self.commits = 0
        self.rollbacks = 0
        self.entered = 0
        self._saved: list[object] | None = None

    @property
    def _stateful(self) -> list[Stateful]:
        return [
            self.campaigns,
            self.bid_history,
            self.stats,
            self.alerts,
            self.competitor_bids,
            self.users,
            self.recommendations,
            self.dead_letters,
            self.idempotency,
            self.outbox,
            self.task_runs,
        ]

    def __enter__(self) -> Self:
        self.entered += 1
        self._saved = [repo.snapshot() for repo in self._stateful]
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.rollback()
        self._saved = None

    def commit(self) -> None:
        self._saved = [repo.snapshot() for repo in self._stateful]
        self.committed = True
        self.commits += 1

    def rollback(self) -> None:
        self.rollbacks += 1
        if self._saved is None:
            return
        for repo, saved in zip(self._stateful, self._saved, strict=True):
            repo.restore(saved)
