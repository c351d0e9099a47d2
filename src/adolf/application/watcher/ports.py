"""Ports the Watcher use cases need (besides the shared ones in application/ports and the
Redis-held state in ``state_ports``).

Repositories speak domain rows (``adolf.domain.watcher``). Whatever runs over every
competitor or subscription is one set-based call here (``priority_inputs``,
``create_for_date``), never a loop of per-row queries in a use case: the night's generation
and the priority scoring run over 100 000 rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from adolf.application.marketing.calendar import Calendar
from adolf.application.ports.maintenance import DatabaseMaintenance
from adolf.application.ports.services import Services, SystemUnitOfWork
from adolf.application.ports.status_board import StatusBoard
from adolf.application.watcher.state_ports import IpBlocks, ParsingQueue, WatcherStatsStore
from adolf.domain.alerts.users import User
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.agents import Agent, AgentEvent
from adolf.domain.watcher.alert_conditions import AlertDecision
from adolf.domain.watcher.alert_rules import AlertRules
from adolf.domain.watcher.alerts import AlertKind, WatcherAlert
from adolf.domain.watcher.catalog import Competitor, CompetitorProduct, OurProduct, Subscription
from adolf.domain.watcher.observations import PriceObservation
from adolf.domain.watcher.priority import PriorityInputs
from adolf.domain.watcher.tasks import ParsingTask, TaskStatus


@dataclass(frozen=True, slots=True)
class StoredObservation:
    """A price observation as stored, with what ties it to the rest."""

    id: int
    observation: PriceObservation
    task_id: int | None = None


@dataclass(frozen=True, slots=True)
class NewAlert:
    """An alert decided on an observation, ready to store (dedupe key from the decision)."""

    decision: AlertDecision
    competitor_product_id: int
    our_product_id: int | None
    brand: str
    marketplace: Marketplace
    created_at: datetime


class CatalogRepository(Protocol):
    """Our products, competitors, their products, subscriptions — and the set-based reads
    over them."""

    def add_products(self, products: Sequence[OurProduct]) -> list[int]: ...

    def add_competitors(self, competitors: Sequence[Competitor]) -> list[int]: ...

    def add_competitor_products(self, products: Sequence[CompetitorProduct]) -> list[int]: ...

    def add_subscriptions(self, subscriptions: Sequence[Subscription]) -> list[int]: ...

    def products(self, ids: Sequence[int]) -> dict[int, OurProduct]:
        """Our products by id, in one query."""

    def competitors(self, ids: Sequence[int]) -> dict[int, Competitor]:
        """Competitors by id, in one query."""

    def competitor_products(self, ids: Sequence[int]) -> dict[int, CompetitorProduct]:
        """Competitor products by id, in one query."""

    def set_our_prices(self, prices: Mapping[int, Decimal]) -> None:
        """(our product id → our current price) in bulk."""

    def priority_inputs(self, since: datetime, ids: Sequence[int] | None = None) -> dict[int, PriorityInputs]:
        """Every active competitor product's scoring inputs (SPEC §4.3) since ``since`` (30
        days), keyed by competitor product id: a few aggregate queries for all at once.
        With ``ids``, only those products' (the ones ``adolf watcher priorities`` shows)."""

    def set_priorities(self, priorities: Mapping[int, int], at: datetime) -> None:
        """(competitor product id → priority 0…100) in bulk."""

    def top_priorities(self, limit: int) -> list[tuple[CompetitorProduct, int]]:
        """The highest-priority competitor products first."""

    def counts(self) -> dict[str, int]:
        """products, competitors, competitor_products, subscriptions (active ones)."""


class PriceRepository(Protocol):
    def add(self, observations: Sequence[PriceObservation], task_id: int | None = None) -> list[int]: ...

    def observed_since(self, since: datetime) -> list[StoredObservation]:
        """Observations made at or after ``since``, oldest first (check_alerts' window)."""

    def previous(self, pairs: Sequence[tuple[int, datetime]]) -> dict[tuple[int, datetime], PriceObservation]:
        """For each (competitor product id, observed at): the observation of that product
        just before that time, if any — one query for the whole window."""

    def changes_since(self, since: datetime) -> int:
        """How many observations changed a product's price since ``since`` (metrics)."""


class ParsingTaskRepository(Protocol):
    def create_for_date(self, day: date, now: datetime) -> dict[Marketplace, list[int]]:
        """One task per active subscription for ``day``, in one statement; only tasks that
        did not exist yet (a second run creates none). New ids per marketplace, highest
        priority first."""

    def get(self, task_id: int) -> ParsingTask | None: ...

    def get_many(self, task_ids: Sequence[int]) -> dict[int, ParsingTask]: ...

    def save(self, task: ParsingTask) -> None:
        """Store the task's status, retry count, agent, lease, error and times."""

    def save_many(self, tasks: Sequence[ParsingTask]) -> None: ...

    def in_progress_of(self, agent_id: str) -> list[ParsingTask]: ...

    def expired_leases(self, now: datetime) -> list[ParsingTask]: ...

    def failed_of(self, day: date) -> list[ParsingTask]: ...

    def counts(self, day: date) -> dict[tuple[Marketplace, TaskStatus], int]: ...

    def done_by_agent(self, day: date) -> dict[str, int]: ...

    def delete_before(self, day: date, limit: int) -> int:
        """Delete at most ``limit`` tasks dated before ``day``; how many went (call again
        until 0: bounded batches, short transactions)."""


class AgentRepository(Protocol):
    def add(self, agent: Agent, token_hash: str | None = None) -> None: ...

    def get(self, agent_id: str) -> Agent | None: ...

    def by_token_hash(self, token_hash: str) -> Agent | None: ...

    def all(self) -> list[Agent]: ...

    def save(self, agent: Agent, metrics: Mapping[str, Any] | None = None) -> None: ...

    def add_event(self, event: AgentEvent) -> None: ...

    def events(self, agent_id: str | None = None, limit: int = 50) -> list[AgentEvent]: ...

    def delete_events_before(self, cutoff: datetime, limit: int) -> int: ...


class WatcherAlertRepository(Protocol):
    def add(self, alerts: Sequence[NewAlert]) -> list[int]:
        """Store new alerts; one already stored under the same dedupe key is skipped. The
        ids of the rows added."""

    def get(self, alert_id: int) -> WatcherAlert | None: ...

    def mark_notified(self, alert_id: int, at: datetime) -> None: ...

    def notified(self, alert_id: int) -> bool: ...

    def recent(self, limit: int = 50, kind: AlertKind | None = None) -> list[WatcherAlert]: ...

    def counts(self, since: datetime, until: datetime) -> dict[tuple[AlertKind, str], int]:
        """(kind, severity) → how many were raised in [since, until)."""

    def delete_resolved_before(self, cutoff: datetime, limit: int) -> int: ...


class UserDirectory(Protocol):
    def active(self) -> list[User]: ...


class WatcherUnitOfWork(SystemUnitOfWork, Protocol):
    watcher_catalog: CatalogRepository
    watcher_prices: PriceRepository
    watcher_tasks: ParsingTaskRepository
    watcher_agents: AgentRepository
    watcher_alerts: WatcherAlertRepository

    @property
    def users(self) -> UserDirectory:
        """Read-only here (covariant), so a unit of work may hold a richer directory under
        the same name (Marketing's, which also adds users)."""


@dataclass(frozen=True, slots=True)
class DumpingHandoff:
    """What Watcher tells Marketing about a competitor dumping on one of our products."""

    alert_id: int
    our_product_id: int | None
    brand: str
    marketplace: Marketplace
    competitor_product_id: int
    competitor_price: Decimal | None
    our_price: Decimal | None
    observed_at: datetime
    details: Mapping[str, str] = field(default_factory=dict)


class MarketingHandoff(Protocol):
    """Marketing as Watcher sees it: told of dumping, it recommends for the campaigns that
    advertise the product (returns how many campaigns it touched); given the competitor bids
    the agents saw on the search pages, it keeps them for its bid cycle."""

    def dumping_detected(self, handoff: DumpingHandoff) -> int: ...

    def competitor_bids_observed(
        self, marketplace: Marketplace, bids: Mapping[str, Sequence[Decimal]], observed_at: datetime
    ) -> int:
        """Replace the bids of the keywords given (keyword external id → bids, highest
        first), leaving the others as they were; idempotent. How many keywords were stored."""


class WatcherServices(Services, Protocol):
    def uow(self) -> WatcherUnitOfWork: ...

    @property
    def parsing_queue(self) -> ParsingQueue: ...

    @property
    def ip_blocks(self) -> IpBlocks: ...

    @property
    def watcher_stats(self) -> WatcherStatsStore: ...

    @property
    def marketing_handoff(self) -> MarketingHandoff: ...

    @property
    def calendar(self) -> Calendar:
        """Days in the configured time zone (``ADOLF_TIMEZONE``): tonight's tasks, yesterday's stats."""

    @property
    def alert_rules(self) -> AlertRules:
        """Thresholds and severities of the alert conditions (SPEC §4.2)."""

    @property
    def status_board(self) -> StatusBoard:
        """The Office Dashboard's board (SPEC §5)."""

    @property
    def maintenance(self) -> DatabaseMaintenance:
        """VACUUM ANALYZE after the large cleanups (a no-op on SQLite)."""
