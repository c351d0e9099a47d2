"""Ports the Reputation use cases need (besides the shared ones in ``application/ports``, the
marketplace port in ``marketplace``, the model in ``language_model`` and the breakers in
``circuit_breaker``).

Repositories speak domain rows (``adolf.domain.reputation``). Calls over many rows are
set-based: one call whose number of statements does not grow with the rows (a poll inserts a
page of up to 5000 items at once). Timestamps are UTC and tz-aware both ways. Brand filters take
a sequence of brand names, or None for every brand.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from adolf.application.marketing.calendar import Calendar
from adolf.application.ports.services import Services, SystemUnitOfWork
from adolf.application.ports.status_board import StatusBoard
from adolf.application.reputation.circuit_breaker import CircuitBreaker
from adolf.application.reputation.language_model import ReputationModel
from adolf.application.reputation.marketplace import ReputationMarketplace
from adolf.domain.alerts.users import User
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.analytics import DailyAnalytics, ItemFact
from adolf.domain.reputation.circuit import BreakerPolicy
from adolf.domain.reputation.items import Analysis, Item, Response
from adolf.domain.reputation.lifecycle import ItemStatus


class ItemRepository(Protocol):
    def add_new(self, items: Sequence[Item], at: datetime) -> list[int]:
        """Insert the items whose (platform, item_type, external_id) is not known yet, in one
        set-based statement (``ON CONFLICT DO NOTHING``), ``fetched_at`` = ``at``; the ids of
        those inserted now, in the order given. Known items are left as they are."""

    def get(self, item_id: int) -> Item | None: ...

    def get_many(self, item_ids: Sequence[int]) -> dict[int, Item]: ...

    def move(self, item_id: int, expected: ItemStatus, target: ItemStatus, at: datetime) -> bool:
        """Compare-and-set: the item's status becomes ``target`` only if it is ``expected``
        (the caller checked the transition is legal); False, changing nothing, otherwise."""

    def listing(
        self,
        status: ItemStatus | None = None,
        brands: Sequence[str] | None = None,
        platform: Marketplace | None = None,
        limit: int = 100,
    ) -> list[Item]:
        """Oldest first (the queue a manager works through)."""

    def counts(self) -> dict[tuple[Marketplace, ItemStatus], int]: ...

    def facts(self, start: datetime, end: datetime) -> list[ItemFact]:
        """The items created in ``[start, end)``, with their analysis' sentiment and whether
        their answer is published."""


class AnalysisRepository(Protocol):
    def save(self, analysis: Analysis) -> None:
        """Insert or replace the item's analysis (one per item)."""

    def get(self, item_id: int) -> Analysis | None: ...


class ResponseRepository(Protocol):
    def save(self, response: Response) -> None:
        """Insert or replace the item's answer (one current answer per item)."""

    def get(self, item_id: int) -> Response | None: ...

    def get_many(self, item_ids: Sequence[int]) -> dict[int, Response]: ...

    def failed_for_retry(self, max_attempts: int, limit: int = 1000) -> list[int]:
        """Items whose answer failed with fewer than ``max_attempts`` sends, oldest first."""

    def answer_minutes(self, start: datetime, end: datetime, platform: Marketplace | None = None) -> list[Decimal]:
        """Minutes from item creation to publication, for answers published in ``[start, end)``
        (to items of ``platform`` when given)."""


class ReputationAnalyticsRepository(Protocol):
    def replace_day(self, day: date, rows: Sequence[DailyAnalytics]) -> int:
        """The day's rows become exactly ``rows`` (a rerun replaces, never doubles)."""

    def rows(self, start: date, end: date) -> list[DailyAnalytics]:
        """Days in ``[start, end]``."""


class ArchiveRepository(Protocol):
    def move_before(self, cutoff: datetime, limit: int) -> int:
        """Move up to ``limit`` items ``published`` or ``skipped`` created before ``cutoff``
        (with their analysis and answer) into the archive and out of the live tables, in one
        transaction; how many moved (0: done)."""

    def counts(self) -> tuple[int, int]:
        """(live items, archived items)."""


class UserDirectory(Protocol):
    def active(self) -> list[User]: ...


class ReputationUnitOfWork(SystemUnitOfWork, Protocol):
    reputation_items: ItemRepository
    reputation_analyses: AnalysisRepository
    reputation_responses: ResponseRepository
    reputation_analytics: ReputationAnalyticsRepository
    reputation_archive: ArchiveRepository

    @property
    def users(self) -> UserDirectory:
        """Read-only here (covariant), so a unit of work may hold a richer directory."""


class ReputationServices(Services, Protocol):
    def uow(self) -> ReputationUnitOfWork: ...

    @property
    def reputation_marketplace(self) -> ReputationMarketplace: ...

    @property
    def reputation_model(self) -> ReputationModel: ...

    @property
    def circuit_breaker(self) -> CircuitBreaker: ...

    @property
    def breaker_policy(self) -> BreakerPolicy: ...

    @property
    def calendar(self) -> Calendar: ...

    @property
    def status_board(self) -> StatusBoard: ...

    @property
    def brands(self) -> tuple[str, ...]:
        """The configured brands (``ADOLF_BRANDS``)."""

    @property
    def auto_approve_brands(self) -> frozenset[str]:
        """Brands whose 5★ reviews with no question in them skip the manager (off by default:
        ``ADOLF_REPUTATION_AUTO_APPROVE``)."""
