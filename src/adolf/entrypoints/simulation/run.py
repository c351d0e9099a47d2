"""`adolf simulate`: the schedule of the selected modules (Marketing, Watcher, Logistic,
Reputation) on a simulated clock against the simulated market.

Inline runs everything in this process, jumping the clock from fire to fire. Celery and RQ
run the same fires through real worker processes: the driver publishes the simulated time
in Redis, queues each fire, and waits for the queue to drain before moving the clock on.

With Watcher, the run's events are its fires (``watcher_run.drives``) and the parsing
agents' minutes (``watcher_agents``); the fleet works the night before the first day at the
start (``watcher_run.night_zero``), and the competitor bids Marketing reads are the ones the
agents observed. Without Watcher the setup seeds them from the market, standing in for it.

With Logistic, the run's events add the seller's 1C exports and the seller working the supply
tasks (``logistic_run.events``), both in this process (``logistic_run.prepare_logistic``). The
simulated Ozon FBO's first day and shipments are kept where the simulated market's state is:
in memory inline, in the database under Celery/RQ, where the workers' simulated Ozons read the
supplies this process's seller ships (``fbo_sql_state``).

With Reputation, the run's events add the simulated manager's rounds (``reputation_run``), in
this process, on the simulated reviews and questions of ``reputation_setup`` (Ozon down for an
hour on the first afternoon, one answer failing twice), whose fault plan every process reads
from the settings (``ADOLF_SIM_REPUTATION_FAULTS``) and whose answers are kept where the market's
state is. Inline, Reputation's fires and the manager's actions queue their jobs for the loop's
next drain instead of running them eagerly, so the retries they plan run on the simulated clock.

With ``marketplace="http"`` (inline only), the jobs reach those same simulated objects through
the real marketplace clients and the wire-level fake this process starts (``http_market``).
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dependency_injector import providers
from sqlalchemy.engine import make_url

from adolf.adapters.clocks import ManualClock
from adolf.adapters.queues.waiting import wait_for
from adolf.adapters.sqlalchemy import migrate
from adolf.application.catalogue import TaskSpec
from adolf.application.ports.tasks import TaskState
from adolf.container import Container, build_container
from adolf.domain.marketplace import Marketplace
from adolf.entrypoints.simulation.setup import seed_campaigns, seed_users
from adolf.settings import Settings, load_settings

MOSCOW = ZoneInfo("Europe/Moscow")
DEFAULT_DATABASE = "sqlite:///var/simulation.sqlite3"
MODULES = ("marketing", "watcher", "logistic", "reputation")
MARKETPLACES = ("simulated", "http")
HTTP_INLINE_ONLY = (
    "--marketplace http runs with --backend inline only: the fake marketplace serves this process's "
    "simulated objects, which celery and rq workers in other processes cannot reach"
)
Progress = Callable[[datetime, str], None]


@dataclass(frozen=True)
class SimulationOptions:
    days: int = 7
    campaigns: int = 50
    keywords: int = 20
    seed: int = 7
    backend: str = "inline"
    database_url: str = DEFAULT_DATABASE
    start: date = date(2026, 1, 12)  # a Monday
    workers: int = 2
    # Its own Redis database by default: the run purges its queues and owns the clock key,
    # which must never touch a deployment's ADOLF_REDIS_URL.
    redis_url: str = "redis://127.0.0.1:6379/9"
    # `adolf simulate` runs all of them; code that drives the schedule itself (tests,
    # benchmarks) gets Marketing alone unless it asks.
    modules: tuple[str, ...] = ("marketing",)
    articles: int = 40  # Logistic: articles on Ozon FBO (× the simulated Ozon's 10 clusters)
    # simulated: the jobs call the simulated objects; http: the real clients over the wire-level
    # fake serving the same objects (``http_market``), inline only, quotas × ``quota_scale``
    marketplace: str = "simulated"
    quota_scale: int = 100

    def __post_init__(self) -> None:
        unknown = [m for m in self.modules if m not in MODULES]
        if unknown or not self.modules:
            raise ValueError(f"modules={','.join(self.modules)!r}: choose from {', '.join(MODULES)}")
        if self.marketplace not in MARKETPLACES:
            raise ValueError(f"marketplace={self.marketplace!r}: choose from {', '.join(MARKETPLACES)}")
        if self.marketplace == "http" and self.backend != "inline":
            raise ValueError(HTTP_INLINE_ONLY)
        if self.quota_scale < 1:
            raise ValueError(f"quota_scale={self.quota_scale} must be >= 1")

    @property
    def marketing(self) -> bool:
        return "marketing" in self.modules

    @property
    def watcher(self) -> bool:
        return "watcher" in self.modules

    @property
    def logistic(self) -> bool:
        return "logistic" in self.modules

    @property
    def reputation(self) -> bool:
        return "reputation" in self.modules

    @property
    def per_marketplace(self) -> int:
        return math.ceil(self.campaigns / len(Marketplace))

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, MOSCOW).astimezone(UTC)

    @property
    def end_at(self) -> datetime:
        return self.start_at + timedelta(days=self.days)


def is_marketing(spec: TaskSpec) -> bool:
    return spec.module == "marketing"


def drives(options: SimulationOptions, spec: TaskSpec, at: datetime) -> bool:
    """Whether the run fires ``spec`` at ``at``: a selected module's, as Watcher's and
    Logistic's rules say."""
    from adolf.entrypoints.simulation.logistic_run import drives as logistic_drives
    from adolf.entrypoints.simulation.reputation_run import drives as reputation_drives
    from adolf.entrypoints.simulation.watcher_run import drives as watcher_drives

    return (
        spec.module in options.modules
        and watcher_drives(spec, at)
        and logistic_drives(spec, at)
        and reputation_drives(spec, at, options.start_at)
    )


def simulation_settings(options: SimulationOptions, **extra: Any) -> Settings:
    if options.reputation:
        from adolf.entrypoints.simulation.reputation_setup import reputation_settings

        # the fault plan names an item of the first configured brand (ADOLF_BRANDS or the default)
        brands = load_settings(database_url=options.database_url).brands
        extra = {**reputation_settings(options.seed, options.start, brands), **extra}
    return load_settings(
        database_url=options.database_url,
        queue_backend=options.backend,
        sim_seed=options.seed,
        sim_campaigns=options.per_marketplace,
        sim_keywords=options.keywords,
        sim_fbo_articles=options.articles,
        sim_state="memory" if options.backend == "inline" else "database",
        marketplace="live" if options.marketplace == "http" else "simulated",
        timezone="Europe/Moscow",  # the simulated marketplaces close their days at Moscow midnight
        anthropic_api_key=None,  # simulated campaigns are not worth a paid model's tokens
        **extra,
    )


def fresh_database(url: str, container: Container) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        container.engine().dispose()
        market = Path(parsed.database).with_suffix(".market.sqlite3")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
            Path(f"{market}{suffix}").unlink(missing_ok=True)
    else:
        from adolf.adapters.marketplaces.simulated import SqlSimState
        from adolf.adapters.marketplaces.simulated.fbo_sql_state import SqlFboState
        from adolf.adapters.marketplaces.simulated.reputation_sql_state import SqlReputationState

        SqlSimState(container.engine()).drop()
        SqlFboState(container.engine()).drop()
        SqlReputationState(container.engine()).drop()
        migrate.downgrade(container.engine(), "base")
    migrate.upgrade(container.engine())


def planned_fires(options: SimulationOptions) -> list[tuple[datetime, str]]:
    """Every event of the run, (time, task), in order — the progress bar's total: the fires
    of the selected modules and, with Watcher, the agents' minutes (``FLEET``), with Logistic
    the 1C exports and the seller's rounds (``logistic_run.events``)."""
    from adolf.adapters.queues.schedules import fire_times
    from adolf.application.tasks_catalogue import build_catalogue
    from adolf.entrypoints.simulation import logistic_run, reputation_run
    from adolf.entrypoints.simulation.watcher_agents import events

    found = [
        (at, spec.name)
        for spec in build_catalogue().scheduled()
        if spec.module in options.modules and spec.schedule is not None
        for at in fire_times(spec.schedule, options.start_at, options.end_at)
        if drives(options, spec, at)
    ]
    if options.watcher:
        found += events(options.start_at, options.end_at)
    if options.logistic:
        found += logistic_run.events(options.start_at, options.end_at)
    if options.reputation:
        found += reputation_run.events(options.start_at, options.end_at)
    return sorted(found)


def run_with_workers(options: SimulationOptions, progress: Progress | None = None) -> dict[str, Any]:
    from adolf.entrypoints.simulation.workers import run_with_workers as run

    return run(options, progress)


def prepare(container: Container, options: SimulationOptions) -> dict[str, Any]:
    """A fresh database with the seller's users and campaigns (Watcher's world, when
    selected, is ``watcher_run.prepare_watcher``'s). Competitor bids are seeded from the
    market only when Watcher is not there to observe them."""
    fresh_database(options.database_url, container)
    services = container.services()
    brands = container.settings().brands
    users = seed_users(services, brands)
    campaigns = seed_campaigns(services, brands, container.sim_market(), competitor_bids=not options.watcher)
    return {"users": users, "campaigns": campaigns}


@contextmanager
def watcher_fleet(
    container: Container, options: SimulationOptions, setup: dict[str, Any], wait: Callable[[str], object]
) -> Iterator[Any]:
    """Watcher's world and its agent fleet, the night before worked through; None without Watcher."""
    if not options.watcher:
        yield None
        return
    from adolf.entrypoints.simulation.watcher_run import agent_fleet, night_zero, prepare_watcher

    world = prepare_watcher(container, options)
    setup["watcher"] = world.summary()
    with agent_fleet(container, container.settings(), options, world, wait) as fleet:
        setup["watcher"]["night_before"] = night_zero(container, options, fleet)["created"]
        yield fleet


def run_inline(options: SimulationOptions, progress: Progress | None = None) -> dict[str, Any]:
    container = build_container(simulation_settings(options))
    clock = ManualClock(options.start_at)
    container.clock.override(providers.Object(clock))
    with marketplace_link(container, options, clock) as link:
        setup = prepare(container, options)
        with (
            watcher_fleet(container, options, setup, wait=lambda job_id: None) as fleet,
            tempfile.TemporaryDirectory(prefix="adolf-1c-") as extracts,
        ):
            logistic = logistic_world(container, options, setup, clock, Path(extracts))
            reputation = reputation_world(container, options, clock)
            if link is not None:
                if logistic is not None:
                    link.attach_ozon(container, logistic.world.ozon)
                if reputation is not None:
                    link.attach_reputation(container, reputation.market)
            report = _schedule(container, options, setup, clock, fleet, logistic, reputation, progress)
        if link is not None:
            report["api_calls"] = link.api_calls()
        return report


@contextmanager
def marketplace_link(container: Container, options: SimulationOptions, clock: ManualClock) -> Iterator[Any]:
    """With ``--marketplace http``, the fake started over the container's simulated market and the
    container's live clients pointed at it (``http_market``); None with the simulated one."""
    if options.marketplace != "http":
        yield None
        return
    from adolf.entrypoints.simulation.http_market import http_marketplace

    brands = container.settings().brands
    with http_marketplace(container.sim_market(), clock, brands, options.quota_scale) as link:
        link.connect(container)
        yield link


def _schedule(
    container: Container,
    options: SimulationOptions,
    setup: dict[str, Any],
    clock: ManualClock,
    fleet: Any,
    logistic: Any,
    reputation: Any,
    progress: Progress | None,
) -> dict[str, Any]:
    """InlineScheduler.run_until's loop, with the fleet's minutes, Logistic's and Reputation's
    events among the fires, then the report."""
    from adolf.application.tasks_catalogue import build_catalogue
    from adolf.entrypoints.simulation.watcher_agents import FLEET

    queue = container.task_queue()
    catalogue = build_catalogue()
    eager = queue.eager
    for at, name in planned_fires(options):
        queue.drain(advance=True, until=at)
        if clock.now() < at:
            clock.set(at)
        if progress is not None:
            progress(at, name)
        # Reputation's jobs fail and retry by design (the outage, the failing publish): an
        # eager queue would wait out their countdowns in wall time; deferred, the drains of
        # this loop run them on the simulated clock.
        queue.eager = eager and not (reputation is not None and reputation.defers(name))
        if name == FLEET:
            fleet.tick(at)
        elif logistic is not None and logistic.handles(name):
            logistic.tick(at, name)
        elif reputation is not None and reputation.handles(name):
            reputation.tick(at, name)
        else:
            if logistic is not None:
                logistic.before(name, at)
            task_id = queue.enqueue(name, dict(catalogue.get(name).scheduled_payload))
            if logistic is not None:
                logistic.enqueued(name, at, task_id)
            if reputation is not None:
                reputation.enqueued(name, at, task_id)
        queue.drain(advance=False)
        queue.eager = eager
    queue.drain(advance=True, until=options.end_at)
    if clock.now() < options.end_at:
        clock.set(options.end_at)
    return finish(container, options, setup, fleet, logistic, reputation)


def logistic_world(
    container: Container, options: SimulationOptions, setup: dict[str, Any], clock: Any, extracts: Path
) -> Any:
    """Logistic's world and its driver (``logistic_run``); None without Logistic."""
    if not options.logistic:
        return None
    from adolf.entrypoints.simulation.logistic_run import prepare_logistic

    driver = prepare_logistic(container, options, clock, extracts)
    setup["logistic"] = driver.world.summary()
    return driver


def reputation_world(container: Container, options: SimulationOptions, clock: Any) -> Any:
    """Reputation's marketplace and its manager (``reputation_run``); None without Reputation."""
    if not options.reputation:
        return None
    from adolf.entrypoints.simulation.reputation_run import prepare_reputation

    return prepare_reputation(container, options, clock)


def finish(
    container: Container,
    options: SimulationOptions,
    setup: dict[str, Any],
    fleet: Any = None,
    logistic: Any = None,
    reputation: Any = None,
) -> dict[str, Any]:
    """Aggregate the last day (its 00:30 run falls after the end) and build the report."""
    last_day = options.start + timedelta(days=options.days - 1)
    outcome = None
    report: dict[str, Any] = {"period": {"start": options.start.isoformat(), "end": last_day.isoformat()}}
    if options.marketing:
        outcome = _run(container, "marketing.aggregate_daily_stats", {"day": last_day.isoformat()})
        report = _run(
            container, "marketing.generate_report", {"start": options.start.isoformat(), "end": last_day.isoformat()}
        )
    with container.uow() as uow:
        letters = uow.dead_letters.list(limit=1000)
    report["dead_letters"] = len(letters)
    report["setup"] = setup
    report["backend"] = options.backend
    report["marketplace"] = options.marketplace
    # Worker processes count their own calls; only an in-process run sees them all.
    report["api_calls"] = _api_calls(container) if options.backend == "inline" else {}
    if options.marketing:
        report["last_day_aggregated"] = outcome
    if fleet is not None:
        from adolf.entrypoints.simulation.watcher_report import watcher_report

        report["watcher"] = watcher_report(container, options, fleet)
    if logistic is not None:
        from adolf.entrypoints.simulation.logistic_report import logistic_report

        report["logistic"] = logistic_report(container, options, logistic)
    if reputation is not None:
        from adolf.entrypoints.simulation.reputation_report import reputation_report

        report["reputation"] = reputation_report(container, options, reputation)
    return report


def _run(container: Container, name: str, payload: dict[str, Any]) -> Any:
    queue = container.task_queue()
    task_id = queue.enqueue(name, payload)
    status = wait_for(queue, task_id)
    if status.state is not TaskState.SUCCEEDED:
        raise RuntimeError(f"{name} ended {status.state.value}: {status.error}")
    return status.result


def _api_calls(container: Container) -> dict[str, int]:
    calls: dict[str, int] = {}
    for marketplace, api in container.marketplaces().items():
        counter = getattr(api, "calls", None)
        if counter is not None:
            calls[marketplace.value] = sum(counter.values())
    return calls
