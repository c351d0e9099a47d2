"""The ``Services`` handed to use cases, assembled by the composition root."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from adolf.adapters.sqlalchemy.app_unit_of_work import AppSqlUnitOfWork
from adolf.application.logistic.ozon_fbo import OzonFbo
from adolf.application.logistic.ports import SupplyShipments
from adolf.application.marketing.calendar import Calendar
from adolf.application.marketing.ports import LanguageModel, StatusBoard
from adolf.application.marketing.severities import AlertSeverities
from adolf.application.marketing.watcher_handoff import WatcherHandoff
from adolf.application.ports.ads_marketplace import AdsMarketplace
from adolf.application.ports.alerts import Notifier
from adolf.application.ports.clock import Clock
from adolf.application.ports.lock import Lock
from adolf.application.ports.maintenance import DatabaseMaintenance
from adolf.application.ports.services import HealthProbe
from adolf.application.ports.tasks import TaskQueue
from adolf.application.reputation.circuit_breaker import CircuitBreaker
from adolf.application.reputation.language_model import ReputationModel
from adolf.application.reputation.marketplace import ReputationMarketplace
from adolf.application.watcher.ports import MarketingHandoff
from adolf.application.watcher.state_ports import IpBlocks, ParsingQueue, WatcherStatsStore
from adolf.domain.logistic.policy import SupplyPolicy
from adolf.domain.logistic.supply_tasks import SupplyTask
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.circuit import BreakerPolicy
from adolf.domain.watcher.alert_rules import AlertRules

_log = logging.getLogger(__name__)
T = TypeVar("T")


class MarketplaceNotConfigured(LookupError):
    pass


def _built(factory: Callable[[], T] | None, what: str) -> T:
    # The container's providers are singletons: asking again costs a lookup, not a build.
    if factory is None:
        raise MarketplaceNotConfigured(f"{what} is not configured")
    return factory()


class SimulatedShipments:
    """Logistic's ``SupplyShipments`` over the simulated Ozon's ``ship`` hook: a shipped
    task's allocated units leave for its cluster (keyed by the task, so shipping it twice ships
    once)."""

    def __init__(self, ozon: Any) -> None:
        self.ozon = ozon  # the simulated Ozon: only it has ``ship``

    def shipped(self, task: SupplyTask, sku: int, at: datetime) -> None:
        self.ozon.ship(sku, task.cluster_id, task.allocated, at, key=f"supply_task:{task.id}")


@dataclass
class AppServices:
    clock: Clock
    lock: Lock
    notifier: Notifier
    health: HealthProbe
    uow_factory: Callable[[], AppSqlUnitOfWork]
    queue_factory: Callable[[], TaskQueue]
    status_board: StatusBoard
    language_model: LanguageModel
    marketplace_factory: Callable[[], Mapping[Marketplace, AdsMarketplace]]
    dry_run: bool = False
    brands: tuple[str, ...] = ()
    calendar: Calendar = field(default_factory=Calendar)
    severities: AlertSeverities = field(default_factory=AlertSeverities)
    # Watcher (``WatcherServices``): the Redis-held state (in memory without Redis: the
    # container decides), the alert rules, database housekeeping.
    parsing_queue: ParsingQueue = field(kw_only=True)
    ip_blocks: IpBlocks = field(kw_only=True)
    watcher_stats: WatcherStatsStore = field(kw_only=True)
    maintenance: DatabaseMaintenance = field(kw_only=True)
    alert_rules: AlertRules = field(default_factory=AlertRules, kw_only=True)
    # Logistic (``LogisticServices``): Ozon's FBO (built late, as the marketplaces), the
    # supply policy (``ADOLF_LOGISTIC_POLICY``).
    ozon_fbo_factory: Callable[[], OzonFbo] | None = field(default=None, kw_only=True)
    supply_policy: SupplyPolicy = field(default_factory=SupplyPolicy, kw_only=True)
    # Reputation (``ReputationServices``): the reviews and questions, the model and the circuit
    # breakers built late (a Marketing job never builds them), the breakers' policy
    # (``ADOLF_REPUTATION_BREAKER_*``), the brands whose 5★ reviews skip the manager.
    reputation_marketplace_factory: Callable[[], ReputationMarketplace] | None = field(default=None, kw_only=True)
    reputation_model_factory: Callable[[], ReputationModel] | None = field(default=None, kw_only=True)
    circuit_breaker_factory: Callable[[], CircuitBreaker] | None = field(default=None, kw_only=True)
    breaker_policy: BreakerPolicy = field(default_factory=BreakerPolicy, kw_only=True)
    auto_approve_brands: frozenset[str] = field(default_factory=frozenset, kw_only=True)
    _ozon: OzonFbo | None = field(default=None, repr=False)
    _apis: Mapping[Marketplace, AdsMarketplace] | None = field(default=None, repr=False)

    @property
    def queue(self) -> TaskQueue:
        # Late: the queue's runner needs these services, so the queue is built after them.
        return self.queue_factory()

    def uow(self) -> AppSqlUnitOfWork:
        return self.uow_factory()

    @property
    def marketing_handoff(self) -> MarketingHandoff:
        """Watcher's dumping alerts and observed competitor bids reach Marketing in this
        process: its recommendations and its competitor bids store."""
        return WatcherHandoff(self)

    @property
    def ozon_fbo(self) -> OzonFbo:
        if self._ozon is None:
            if self.ozon_fbo_factory is None:
                raise MarketplaceNotConfigured("Ozon FBO (Logistic) is not configured")
            self._ozon = self.ozon_fbo_factory()
        return self._ozon

    @property
    def reputation_marketplace(self) -> ReputationMarketplace:
        return _built(self.reputation_marketplace_factory, "the reviews and questions marketplace (Reputation)")

    @property
    def reputation_model(self) -> ReputationModel:
        return _built(self.reputation_model_factory, "the Reputation language model")

    @property
    def circuit_breaker(self) -> CircuitBreaker:
        return _built(self.circuit_breaker_factory, "the Reputation circuit breakers")

    @property
    def supply_shipments(self) -> SupplyShipments | None:
        """The simulated Ozon's shipment hook when Ozon is the simulated one; else nobody: no
        Ozon configured, or one that cannot be built here (``ADOLF_MARKETPLACE=live``: the live
        Ozon FBO client is not in this release), or one without ``ship`` (a real Ozon learns of
        a supply from the seller's cabinet). Never raises: it is asked after a task is shipped."""
        if self.ozon_fbo_factory is None:
            return None
        try:
            ozon = self.ozon_fbo
        except Exception as exc:  # noqa: BLE001 — the factory refuses (a live Ozon): no simulated one
            _log.info("no supply shipments hook: Ozon FBO cannot be built here (%s)", exc)
            return None
        return SimulatedShipments(ozon) if hasattr(ozon, "ship") else None

    def _marketplaces(self) -> Mapping[Marketplace, AdsMarketplace]:
        # Late too: a no-op task never builds marketplace clients.
        if self._apis is None:
            self._apis = self.marketplace_factory()
        return self._apis

    @property
    def marketplaces(self) -> tuple[Marketplace, ...]:
        return tuple(self._marketplaces())

    def marketplace(self, marketplace: Marketplace) -> AdsMarketplace:
        try:
            return self._marketplaces()[marketplace]
        except KeyError:
            raise MarketplaceNotConfigured(f"marketplace={marketplace.value!r} is not configured") from None
