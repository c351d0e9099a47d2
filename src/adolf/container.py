"""Composition root: the only place that decides which adapter backs which port.

Nothing is built at import time; entrypoints create a container from settings and ask it
for what they need. Framework-specific adapters (Celery, RQ) are imported only when the
settings select them, so `adolf[core]` works without them.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from dependency_injector import containers, providers

from adolf.adapters.clocks import SystemClock
from adolf.adapters.health import StoreHealthProbe
from adolf.adapters.notifier import LogNotifier
from adolf.adapters.queues.inline import InlineTaskQueue
from adolf.adapters.services import AppServices
from adolf.adapters.sqlalchemy.app_unit_of_work import AppSqlUnitOfWork
from adolf.adapters.sqlalchemy.engine import build_engine, build_session_factory
from adolf.application.catalogue import Catalogue
from adolf.application.logistic.policy_config import policy_from_text
from adolf.application.marketing.adviser import RuleBasedAdviser
from adolf.application.marketing.calendar import Calendar
from adolf.application.marketing.severities import AlertSeverities
from adolf.application.ports.tasks import TaskStatus
from adolf.application.runtime import TaskRunner
from adolf.application.tasks_catalogue import build_catalogue
from adolf.application.watcher.alert_config import alert_rules_from_text
from adolf.extras import install_hint
from adolf.settings import Settings

if TYPE_CHECKING:
    from redis import Redis


class ContainerError(Exception):
    """The settings ask for something the container cannot build; names the setting."""


def _missing_extra(exc: ModuleNotFoundError, wanted_by: str, extra: str | None = None) -> Exception:
    """A ContainerError naming the extra to install; the error itself when no extra brings the module."""
    hint = install_hint(exc, wanted_by, extra)
    return ContainerError(hint) if hint else exc


REDIS_CONNECT_TIMEOUT = 5.0


def _redis_client(settings: Settings) -> Redis | None:
    """A connect to an unanswering Redis fails in seconds (and is retried as transient)
    instead of hanging a job on the OS's connect timeout."""
    if not settings.redis_url:
        return None
    try:
        from redis import Redis
    except ModuleNotFoundError as exc:
        backend = settings.queue_backend.value
        if backend in ("celery", "rq"):  # its extra brings redis too
            raise _missing_extra(exc, f"ADOLF_QUEUE_BACKEND={backend}", backend) from exc
        raise _missing_extra(exc, "ADOLF_REDIS_URL", "redis") from exc
    return Redis.from_url(settings.redis_url, socket_connect_timeout=REDIS_CONNECT_TIMEOUT, health_check_interval=30)


def _lock(redis: Redis | None) -> Any:
    from adolf.adapters.redis.lock import LocalLock, RedisLock

    return RedisLock(redis) if redis is not None else LocalLock()


def _dead_letter_spool(redis: Redis | None) -> Any:
    from adolf.adapters.redis.dead_letter_spool import MemoryDeadLetterSpool, RedisDeadLetterSpool

    return RedisDeadLetterSpool(redis) if redis is not None else MemoryDeadLetterSpool()


def _redactor(settings: Settings) -> Any:
    from adolf.adapters.observability.logging import redactor

    return redactor(settings.secret_values())


def _task_metrics(settings: Settings) -> Any:
    """Prometheus when its client is installed (the api extra), else nothing is kept; asking
    for a metrics directory or port without it names the extra."""
    try:
        from adolf.adapters.observability.metrics import PrometheusTaskMetrics
    except ModuleNotFoundError as exc:
        if settings.metrics_dir is None and settings.metrics_port is None:
            from adolf.application.ports.metrics import NO_METRICS

            return NO_METRICS
        raise ContainerError(
            f"ADOLF_METRICS_DIR/ADOLF_METRICS_PORT need {exc.name!r}, which is not installed: pip install 'adolf[api]'"
        ) from exc
    return PrometheusTaskMetrics(
        settings.queue_backend.value, directory=settings.metrics_dir, port=settings.metrics_port
    )


def _runner(catalogue: Catalogue, services: Any, settings: Settings, spool: Any, metrics: Any) -> TaskRunner:
    from adolf.adapters.transient import is_transient

    return TaskRunner(
        catalogue,
        services,
        settings.queue_backend.value,
        transient=is_transient,
        spool=spool,
        redact=_redactor(settings),
        lock_ttl=settings.lock_ttl,
        transient_delay=settings.transient_retry_delay,
        metrics=metrics,
    )


def _load_object(path: str) -> Any:
    module, _, attr = path.partition(":")
    if not attr:
        raise ContainerError(f"ADOLF_EXTRA_CATALOGUES entry {path!r} must be 'module:attribute'")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise ContainerError(f"ADOLF_EXTRA_CATALOGUES entry {path!r} cannot be loaded: {exc}") from exc


def _catalogue(settings: Settings) -> Catalogue:
    extras = [_load_object(path) for path in settings.extra_catalogues]
    return build_catalogue(*extras)


def _clock(settings: Settings, redis: Redis | None) -> Any:
    if settings.clock == "simulated":
        if redis is None:
            raise ContainerError("ADOLF_CLOCK=simulated needs ADOLF_REDIS_URL (the simulation publishes time there)")
        from adolf.adapters.redis.sim_clock import RedisSimulatedClock

        return RedisSimulatedClock(redis)
    return SystemClock()


def _status_board(redis: Redis | None) -> Any:
    from adolf.adapters.redis.status_board import InMemoryStatusBoard, RedisStatusBoard

    return RedisStatusBoard(redis) if redis is not None else InMemoryStatusBoard()


def _watcher_state(redis: Redis | None) -> Any:
    """Watcher's parsing queues, IP blocks and stats hashes: Redis when configured (shared by
    every process: agents pop what the scheduler pushed), else in this process's memory."""
    if redis is None:
        from adolf.adapters.redis.memory_watcher_state import MemoryWatcherState

        return MemoryWatcherState()
    from adolf.adapters.redis.watcher_ip_blocks import RedisIpBlocks
    from adolf.adapters.redis.watcher_queue import RedisParsingQueue
    from adolf.adapters.redis.watcher_stats import RedisWatcherStatsStore

    return SimpleNamespace(
        queue=RedisParsingQueue(redis), ip_blocks=RedisIpBlocks(redis), stats=RedisWatcherStatsStore(redis)
    )


def _maintenance(engine: Any) -> Any:
    from adolf.adapters.sqlalchemy.maintenance import SqlDatabaseMaintenance

    return SqlDatabaseMaintenance(engine)


def _anthropic_client(settings: Settings) -> Any:
    """The process's one Claude client (timeouts, retries, the daily token budget), shared by
    Marketing's adviser and Reputation's model; built only when a key is set."""
    key = settings.anthropic_api_key
    if key is None:
        raise RuntimeError("ADOLF_ANTHROPIC_API_KEY is not set: the Claude client is built only with a key")
    try:
        from adolf.adapters.llm.anthropic_client import build_anthropic_client
    except ModuleNotFoundError as exc:
        raise RuntimeError(
            f"ADOLF_ANTHROPIC_API_KEY is set but {exc.name!r} is not installed: pip install 'adolf[llm]', "
            "or unset the key to use the rule-based adviser and the local Reputation model"
        ) from exc
    return build_anthropic_client(
        key.get_secret_value(), settings.anthropic_model, base_url=settings.anthropic_base_url
    )


def _language_model(settings: Settings, anthropic_client: Callable[[], Any]) -> Any:
    rules = RuleBasedAdviser()
    if settings.anthropic_api_key is None:
        return rules
    client = anthropic_client()
    from adolf.adapters.llm.anthropic_adviser import AnthropicAdviser

    return AnthropicAdviser(client, rules)


def _sim_engine(settings: Settings, engine: Any) -> Any:
    """The simulated market is another company's system: on SQLite it gets a file of its
    own, so a job holding our write lock while it calls the market never waits on itself."""
    if engine.url.get_backend_name() != "sqlite" or not engine.url.database:
        return engine
    own = Path(engine.url.database).with_suffix(".market.sqlite3")
    return build_engine(f"sqlite:///{own}")


def _sim_market(settings: Settings, clock: Any, engine: Any) -> Any:
    from adolf.adapters.marketplaces.simulated import InMemorySimState, SqlSimState, build_simulated_market

    state = SqlSimState(_sim_engine(settings, engine)) if settings.sim_state == "database" else InMemorySimState()
    return build_simulated_market(settings.sim_seed, settings.sim_campaigns, settings.sim_keywords, clock, state)


def _ozon_fbo_state(settings: Settings, engine: Any) -> Any:
    """Where the simulated Ozon FBO keeps its first day and its shipments: beside the simulated
    market's state (``ADOLF_SIM_STATE``), so every worker process sees the supplies shipped."""
    from adolf.adapters.marketplaces.simulated.fbo_sql_state import SqlFboState
    from adolf.adapters.marketplaces.simulated.fbo_state import InMemoryFboState

    return SqlFboState(_sim_engine(settings, engine)) if settings.sim_state == "database" else InMemoryFboState()


def _ozon_fbo(settings: Settings, clock: Any, state: Any, live: Callable[[], Any]) -> Any:
    """Logistic's Ozon FBO: the simulated one, on the shared state above (its first day is the
    one the first process to use it stored); live, the Ozon Seller API of the first brand.

    The port has no brand (Logistic plans one FBO stock), so live it reads the seller cabinet
    of ``ADOLF_BRANDS``' first brand, on the Ozon Seller clients whose 429s are never slept
    through (``_live_marketplace_clients``)."""
    if settings.marketplace == "live":
        from adolf.adapters.marketplaces.http.ozon_fbo import OzonFboHttp
        from adolf.adapters.marketplaces.http.quotas import OZON_SELLER

        return OzonFboHttp(live().ozon_seller.client(OZON_SELLER, _cabinet_brand(settings)))
    from adolf.adapters.marketplaces.simulated.ozon_fbo import SimulatedOzonFbo

    return SimulatedOzonFbo(settings.sim_seed, settings.sim_fbo_articles, clock, state=state())


def _reputation_state(settings: Settings, engine: Any) -> Any:
    """Where the simulated reviews and questions keep their answers, publish attempts and
    counters: beside the simulated market's state (``ADOLF_SIM_STATE``), so a worker's publish
    and the next poll in another process see the same answers."""
    from adolf.adapters.marketplaces.simulated.reputation_state import InMemoryReputationState

    if settings.sim_state != "database":
        return InMemoryReputationState()
    from adolf.adapters.marketplaces.simulated.reputation_sql_state import SqlReputationState

    return SqlReputationState(_sim_engine(settings, engine))


def _reputation_marketplace(settings: Settings, clock: Any, state: Any, live: Callable[[], Any]) -> Any:
    """Reputation's reviews and questions: the simulated ones, on the shared state above, with
    the fault plan ``adolf simulate`` hands its workers (``ADOLF_SIM_REPUTATION_FAULTS``); live,
    WB's feedbacks API, Ozon Seller's reviews and questions and YM's goods feedback, every brand
    in its own cabinet (YM's business ids from ``ADOLF_YM_BUSINESS_ID[__<BRAND>]``)."""
    if settings.marketplace == "live":
        return _live_reputation(settings, live())
    from adolf.adapters.marketplaces.simulated.reputation import SimulatedReputation
    from adolf.adapters.marketplaces.simulated.reputation_fault_plan import faults_from_text

    faults = faults_from_text(settings.sim_reputation_faults) if settings.sim_reputation_faults else None
    return SimulatedReputation(settings.sim_seed, clock, faults=faults, state=state())


def _reputation_model(settings: Settings, anthropic_client: Callable[[], Any]) -> Any:
    """The local rules by default (offline, deterministic); Claude when a key is set, on the
    same client as Marketing's adviser."""
    from adolf.adapters.llm.local_reputation import LocalReputationModel

    if settings.anthropic_api_key is None:
        return LocalReputationModel()
    client = anthropic_client()
    from adolf.adapters.llm.anthropic_reputation import AnthropicReputationModel

    return AnthropicReputationModel(client)


def _breaker_policy(settings: Settings) -> Any:
    from datetime import timedelta

    from adolf.domain.reputation.circuit import BreakerPolicy

    return BreakerPolicy(
        settings.reputation_breaker_failures,
        timedelta(seconds=settings.reputation_breaker_cooldown),
        timedelta(seconds=settings.reputation_breaker_probe_timeout),
    )


def _circuit_breaker(redis: Redis | None, policy: Any) -> Any:
    """Shared by every worker in Redis; in this process's memory where the runtime has no Redis
    (as the locks and the status board)."""
    if redis is None:
        from adolf.adapters.redis.memory_circuit_breaker import MemoryCircuitBreaker

        return MemoryCircuitBreaker(policy)
    from adolf.adapters.redis.circuit_breaker import RedisCircuitBreaker

    return RedisCircuitBreaker(redis, policy)


def _marketplaces(settings: Settings, market: Any, live: Callable[[], Any]) -> Any:
    if settings.marketplace == "live":
        from adolf.adapters.marketplaces.live_ads import LiveAdsMarketplaces

        return LiveAdsMarketplaces(live().default, _cabinet_brand(settings), os.environ, ContainerError)
    from adolf.domain.marketplace import Marketplace

    return {mp: market().adapter(mp) for mp in Marketplace}


# An Ozon Seller 429 asking for longer than this raises QuotaExceeded instead of being slept
# through: the analytics quota is one call a minute, and Logistic's jobs chain their next page
# a minute later rather than hold a worker asleep (``http/ozon_fbo.py``).
OZON_SELLER_MAX_RETRY_AFTER = 20.0


def _cabinet_brand(settings: Settings) -> str:
    """The cabinet of the ports that carry no brand (the ads marketplaces, Ozon FBO)."""
    if not settings.brands:
        raise ContainerError("ADOLF_MARKETPLACE=live needs ADOLF_BRANDS: its first brand's cabinet is used")
    return settings.brands[0]


def _live_marketplace_clients(settings: Settings, redis: Redis | None) -> Any:
    """The marketplaces' HTTP clients (``ADOLF_MARKETPLACE=live``), imported only then so a bare
    install runs without httpx. Every process shares the quota windows and Ozon Performance's
    tokens through Redis when ``ADOLF_REDIS_URL`` is set (two workers together keep a quota),
    else this process's memory. ``ozon_seller`` are the same clients with 429s never slept
    through past ``OZON_SELLER_MAX_RETRY_AFTER``."""
    try:
        from adolf.adapters.marketplaces.http.client import RetryPolicy
        from adolf.adapters.marketplaces.http.factory import MarketplaceClients
        from adolf.adapters.marketplaces.http.limiter import memory_limiter, redis_limiter
        from adolf.adapters.marketplaces.http.token_store import MemoryTokenStore, RedisTokenStore
    except ModuleNotFoundError as exc:
        raise _missing_extra(exc, "ADOLF_MARKETPLACE=live", "marketplaces") from exc
    prefix = settings.marketplace_redis_prefix
    limiter = redis_limiter(redis, prefix) if redis is not None else memory_limiter()
    tokens: Any = RedisTokenStore(redis, prefix) if redis is not None else MemoryTokenStore()
    env = dict(os.environ)
    return SimpleNamespace(
        default=MarketplaceClients(limiter, tokens, env),
        ozon_seller=MarketplaceClients(
            limiter, tokens, env, retry=RetryPolicy(max_retry_after=OZON_SELLER_MAX_RETRY_AFTER)
        ),
    )


def _live_reputation(settings: Settings, live: Any) -> Any:
    from adolf.adapters.marketplaces.http.ozon_reviews import OzonReputationHttp
    from adolf.adapters.marketplaces.http.reputation_router import HttpReputationMarketplace
    from adolf.adapters.marketplaces.http.wb_feedbacks import WbFeedbacksClient
    from adolf.adapters.marketplaces.http.ym_reviews import YmReviewsClient, business_ids_from_env
    from adolf.domain.marketplace import Marketplace

    try:
        business_ids = business_ids_from_env(settings.brands, os.environ)
    except ValueError as exc:
        raise ContainerError(str(exc)) from exc
    return HttpReputationMarketplace(
        {
            Marketplace.WB: WbFeedbacksClient(live.default),
            Marketplace.OZON: OzonReputationHttp.from_clients(live.ozon_seller),
            Marketplace.YM: YmReviewsClient(live.default, business_ids),
        }
    )


def _result_sink(uow_factory: Any, clock: Any) -> Any:
    def sink(status: TaskStatus, payload: dict[str, Any], attempts: int) -> None:
        with uow_factory() as uow:
            uow.task_runs.save(status, payload, attempts, clock.now())
            uow.commit()

    return sink


def _result_source(uow_factory: Any) -> Any:
    def source(task_id: str) -> TaskStatus | None:
        with uow_factory() as uow:
            found: TaskStatus | None = uow.task_runs.get(task_id)
            return found

    return source


def _backend(container: Container) -> str:
    return f"ADOLF_QUEUE_BACKEND={container.settings().queue_backend.value}"


def _celery_queue(container: Container) -> Any:
    try:
        from adolf.adapters.queues.celery_queue import CeleryTaskQueue
    except ModuleNotFoundError as exc:
        raise _missing_extra(exc, _backend(container), "celery") from exc

    return CeleryTaskQueue(container.celery_app())


def _celery_app(container: Container) -> Any:
    try:
        from adolf.adapters.queues.celery_app import build_celery_app
    except ModuleNotFoundError as exc:
        raise _missing_extra(exc, _backend(container), "celery") from exc

    return build_celery_app(container.catalogue(), container.runner(), container.settings())


def _rq_queue(container: Container) -> Any:
    try:
        from adolf.adapters.queues.rq_queue import RqTaskQueue
    except ModuleNotFoundError as exc:
        raise _missing_extra(exc, _backend(container), "rq") from exc

    redis = container.redis()
    assert redis is not None  # settings validation requires ADOLF_REDIS_URL for rq
    return RqTaskQueue(redis, container.catalogue())


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    __self__ = providers.Self()

    engine = providers.Singleton(build_engine, settings.provided.database_url)
    session_factory = providers.Singleton(build_session_factory, engine)
    uow = providers.Factory(AppSqlUnitOfWork, session_factory)
    redis = providers.Singleton(_redis_client, settings)
    clock: providers.Provider[Any] = providers.Singleton(_clock, settings, redis)
    status_board = providers.Singleton(_status_board, redis)
    watcher_state = providers.Singleton(_watcher_state, redis)
    maintenance = providers.Singleton(_maintenance, engine)
    anthropic_client = providers.Singleton(_anthropic_client, settings)
    language_model = providers.Singleton(_language_model, settings, anthropic_client.provider)
    sim_market = providers.Singleton(_sim_market, settings, clock, engine)
    live_marketplace_clients = providers.Singleton(_live_marketplace_clients, settings, redis)
    marketplaces = providers.Singleton(_marketplaces, settings, sim_market.provider, live_marketplace_clients.provider)
    ozon_fbo_state = providers.Singleton(_ozon_fbo_state, settings, engine)
    ozon_fbo = providers.Singleton(
        _ozon_fbo, settings, clock, ozon_fbo_state.provider, live_marketplace_clients.provider
    )
    reputation_state = providers.Singleton(_reputation_state, settings, engine)
    reputation_marketplace = providers.Singleton(
        _reputation_marketplace, settings, clock, reputation_state.provider, live_marketplace_clients.provider
    )
    reputation_model = providers.Singleton(_reputation_model, settings, anthropic_client.provider)
    breaker_policy = providers.Singleton(_breaker_policy, settings)
    circuit_breaker = providers.Singleton(_circuit_breaker, redis, breaker_policy)
    lock = providers.Singleton(_lock, redis)
    notifier = providers.Singleton(LogNotifier)
    catalogue = providers.Singleton(_catalogue, settings)

    celery_app = providers.Singleton(_celery_app, __self__)
    task_queue: providers.Provider[Any] = providers.Selector(
        providers.Callable(lambda s: s.queue_backend.value, settings),
        inline=providers.Singleton(
            InlineTaskQueue,
            providers.Callable(lambda c: c.runner(), __self__),
            clock,
            result_sink=providers.Callable(_result_sink, uow.provider, clock),
            result_source=providers.Callable(_result_source, uow.provider),
        ),
        celery=providers.Singleton(_celery_queue, __self__),
        rq=providers.Singleton(_rq_queue, __self__),
    )
    health = providers.Singleton(
        StoreHealthProbe, engine, redis, providers.Callable(lambda c: c.task_queue().queue_lengths, __self__)
    )
    services = providers.Singleton(
        AppServices,
        clock=clock,
        lock=lock,
        notifier=notifier,
        health=health,
        uow_factory=uow.provider,
        queue_factory=task_queue.provider,
        status_board=status_board,
        language_model=language_model,
        marketplace_factory=marketplaces.provider,
        dry_run=settings.provided.dry_run,
        brands=settings.provided.brands,
        calendar=providers.Callable(Calendar.of, settings.provided.timezone),
        severities=providers.Callable(AlertSeverities.from_text, settings.provided.alert_severities),
        alert_rules=providers.Callable(alert_rules_from_text, settings.provided.watcher_alerts),
        parsing_queue=watcher_state.provided.queue,
        ip_blocks=watcher_state.provided.ip_blocks,
        watcher_stats=watcher_state.provided.stats,
        maintenance=maintenance,
        ozon_fbo_factory=ozon_fbo.provider,
        supply_policy=providers.Callable(policy_from_text, settings.provided.logistic_policy),
        reputation_marketplace_factory=reputation_marketplace.provider,
        reputation_model_factory=reputation_model.provider,
        circuit_breaker_factory=circuit_breaker.provider,
        breaker_policy=breaker_policy,
        auto_approve_brands=providers.Callable(frozenset, settings.provided.reputation_auto_approve),
    )
    # The same services, as the Watcher entrypoints (the agents' HTTP routes) ask for them.
    watcher_services = services
    dead_letter_spool = providers.Singleton(_dead_letter_spool, redis)
    task_metrics = providers.Singleton(_task_metrics, settings)
    runner = providers.Singleton(
        _runner, catalogue, services.provider, settings, dead_letter_spool.provider, task_metrics
    )


def build_container(settings: Settings) -> Container:
    container = Container(settings=settings)
    return container
