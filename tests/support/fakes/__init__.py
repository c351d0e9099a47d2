"""In-memory fakes of every application port (cosmicpython style): real implementations
that keep their state, so tests assert on what happened (``committed``, ``sent``,
``calls``, ``dead_letters``) rather than on mock expectations."""

from tests.support.fakes.campaigns import FakeCampaignRepository
from tests.support.fakes.marketing_repos import (
    FakeBidHistory,
    FakeCompetitorBids,
    FakeRecommendations,
    FakeStatsRepository,
    FakeUsers,
)
from tests.support.fakes.marketplace import FakeMarketplace
from tests.support.fakes.runtime import (
    FakeClock,
    FakeHealth,
    FakeLanguageModel,
    FakeLock,
    FakeLockHandle,
    FakeNotifier,
    FakeQueue,
    FakeStatusBoard,
)
from tests.support.fakes.services import FakeServices
from tests.support.fakes.system_repos import FakeAlertQueries, FakeAlertStore, FakeDeadLetters, FakeIdempotencyKeys
from tests.support.fakes.unit_of_work import FakeUnitOfWork

__all__ = [
    "FakeAlertQueries",
    "FakeAlertStore",
    "FakeBidHistory",
    "FakeCampaignRepository",
    "FakeClock",
    "FakeCompetitorBids",
    "FakeDeadLetters",
    "FakeHealth",
    "FakeIdempotencyKeys",
    "FakeLanguageModel",
    "FakeLock",
    "FakeLockHandle",
    "FakeMarketplace",
    "FakeNotifier",
    "FakeQueue",
    "FakeRecommendations",
    "FakeServices",
    "FakeStatsRepository",
    "FakeStatusBoard",
    "FakeUnitOfWork",
    "FakeUsers",
]
