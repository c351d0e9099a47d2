"""Logistic in ``adolf simulate``: its world, the events the run adds to its fires, and the
simulated seller.

Fires. Every Logistic job runs on its catalogue schedule (``LOGISTIC_CATALOGUE``, Moscow
time): ``sync_ozon_stocks`` every 30 minutes chaining ``generate_alerts``, the analytics at
05:00 (its pages chained a simulated minute apart), 1C at 06:30, the freshness check at 08:00,
supply tasks at 07:00, ``auto_cancel_expired`` every 6 hours, the weekly and monthly ones when
they fall in the run. Two are thinned for run time (``drives``), as Watcher's every-minute jobs
are: ``sync_ozon_stocks`` runs on the hour instead of every 30 minutes (its chained
``generate_alerts`` with it: the two are three quarters of Logistic's cost in a run, and stock
moves little in half an hour of simulated sales), and ``generate_alerts``' own schedule is left
out — it falls on the same minutes as the stock sync, whose chained run has just read the very
snapshots it would read.

Events of the run besides the fires (``events``), in Moscow time each day:

* ``EXTRACT`` 05:30 — the seller's 1C exports the morning's four files (``brain_extract``),
  written to the run's directory and loaded with ``load_brain_csv`` as ``adolf logistic
  load-brain`` would; on the world's missing morning nothing comes. At 05:30, not 06:00 (choice):
  a table is stale when its last load is *more than* 26 h old (SPEC), so a load at 06:00 sharp
  missed the next morning would be exactly 26 h old at the 08:00 check — fresh — and a missing
  morning would never be flagged. 1C's export landing half an hour before the seed's 06:00
  extractor leaves the check its margin.
* ``SELLER`` 09:00 — a person works the supply tasks through ``supply_actions`` (as ``adolf
  logistic accept|ship|cancel`` does): today's *urgent* tasks accepted and shipped at once;
  *planned* ones accepted, shipped the next morning; *recommended* ones: every third (by id)
  accepted and shipped the next morning, the others ignored, so ``auto_cancel_expired``
  cancels them after 48 h (``TASK_OVERDUE``); a task with nothing allocated from the warehouse
  (coverage ``none``) is cancelled (nothing to ship: ``WAREHOUSE_LOW`` asked for a purchase).
  Shipping tells the simulated Ozon (the container's ``supply_shipments`` hook: in transit,
  arriving 2–5 days later) and the simulated 1C (the units leave the warehouse by the next
  morning's balance).

Before each ``generate_supply_tasks`` the run notes what the warehouse can give (its
quantities less the units open tasks reserve), for the report's "allocated vs available".
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from adolf.adapters.sqlalchemy.logistic_brain_load import load_brain_csv
from adolf.application.catalogue import TaskSpec
from adolf.application.logistic import supply_actions
from adolf.domain.logistic.deficit import SupplyPriority
from adolf.domain.logistic.supply_tasks import SupplyTask, SupplyTaskStatus
from adolf.entrypoints.simulation.logistic_setup import LogisticWorld, build_world, seed_logistic

MOSCOW = ZoneInfo("Europe/Moscow")
EXTRACT = "logistic:1c_export"
SELLER = "logistic:seller"
EXTRACT_AT = time(5, 30)
SELLER_AT = time(9, 0)
GENERATE = "logistic.generate_supply_tasks"
AUTO_CANCEL = "logistic.auto_cancel_expired"
RECORDED = frozenset({"logistic.sync_brain_stocks", GENERATE, "logistic.check_brain_freshness", AUTO_CANCEL})
HOURLY = frozenset({"logistic.sync_ozon_stocks"})  # on the hour, not every 30 minutes
CHAINED_ONLY = frozenset({"logistic.generate_alerts"})  # run by the stock sync's chain, not its schedule
RECOMMENDED_TAKEN = 3  # every third recommended task is taken, the rest ignored
ALL = 1_000_000


def drives(spec: TaskSpec, at: datetime) -> bool:
    """Whether the run fires ``spec`` at ``at`` (the rule above; other modules: always)."""
    if spec.name in CHAINED_ONLY:
        return False
    return spec.name not in HOURLY or at.astimezone(MOSCOW).minute == 0


def events(start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    """The 1C exports and the seller's rounds within [start, end)."""
    found = []
    day = start.astimezone(MOSCOW).date()
    while True:
        for moment, name in ((EXTRACT_AT, EXTRACT), (SELLER_AT, SELLER)):
            at = datetime.combine(day, moment, MOSCOW).astimezone(UTC)
            if start <= at < end:
                found.append((at, name))
        day += timedelta(days=1)
        if datetime.combine(day, time.min, MOSCOW) >= end:
            return found


@dataclass
class SellerLedger:
    """What the simulated seller and 1C did, for the report."""

    accepted: int = 0
    shipped: int = 0
    shipped_units: Counter[str] = field(default_factory=Counter)  # Moscow day → units shipped
    cancelled: int = 0  # by the seller (nothing allocated)
    ignored: int = 0  # recommended tasks left for auto_cancel_expired
    not_told: int = 0  # shipped but the simulated Ozon was not told (no hook)
    loads: dict[str, dict[str, Any]] = field(default_factory=dict)  # day → table → load report
    missing: list[str] = field(default_factory=list)  # mornings without an export
    available: dict[str, int] = field(default_factory=dict)  # day → warehouse units to allocate at 07:00
    results: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # job → [(day, task id)]
    # task id → its final status, noted as the run waits for it under Celery/RQ (their results expire)
    statuses: dict[str, Any] = field(default_factory=dict)


class LogisticDriver:
    """The run's Logistic events on one world (see the module's docstring)."""

    def __init__(self, container: Any, world: LogisticWorld) -> None:
        self.container = container
        self.world = world
        self.ledger = SellerLedger()

    @property
    def services(self) -> Any:
        return self.container.services()

    def handles(self, name: str) -> bool:
        return name in (EXTRACT, SELLER)

    def tick(self, at: datetime, name: str) -> None:
        day = at.astimezone(MOSCOW).date()
        if name == EXTRACT:
            self.export(day, at)
        elif name == SELLER:
            self.work_tasks(day)

    def before(self, name: str, at: datetime) -> None:
        if name == GENERATE:
            self.ledger.available[at.astimezone(MOSCOW).date().isoformat()] = self.available()

    def enqueued(self, name: str, at: datetime, task_id: str) -> None:
        if name in RECORDED:
            self.ledger.results.setdefault(name, []).append((at.astimezone(MOSCOW).date().isoformat(), task_id))

    def finished(self, task_id: str, status: Any) -> None:
        """The job's final status as the run saw it (workers: RQ forgets a result after a while)."""
        self.ledger.statuses[task_id] = status

    # -- 1C ------------------------------------------------------------------------------

    def export(self, day: date, at: datetime) -> None:
        if day == self.world.missing_on:
            self.world.one_c.morning(day)  # the warehouse moves on; only the export is missing
            self.ledger.missing.append(day.isoformat())
            return
        engine = self.container.engine()
        loaded = {}
        for table, path in self.world.one_c.write(day, self.world.extracts).items():
            loaded[table] = load_brain_csv(engine, path, table, at).as_dict()
        self.ledger.loads[day.isoformat()] = loaded

    def available(self) -> int:
        with self.services.uow() as uow:
            quantities = uow.logistic_warehouse.quantities()
            reserved = Counter[int]()
            for task in uow.logistic_tasks.open_tasks():
                reserved[task.article_id] += task.allocated
        return sum(max(0, units - reserved[article]) for article, units in quantities.items())

    # -- the seller ------------------------------------------------------------------------

    def work_tasks(self, day: date) -> None:
        with self.services.uow() as uow:
            waiting = uow.logistic_tasks.listing(status=SupplyTaskStatus.ACCEPTED, limit=ALL)
            fresh = uow.logistic_tasks.listing(status=SupplyTaskStatus.NEW, day=day, limit=ALL)
        for task in sorted(waiting, key=lambda t: t.id):
            if task.task_date < day:
                self._ship(task, day)
        for task in sorted(fresh, key=lambda t: t.id):
            if task.allocated == 0:
                supply_actions.cancel(self.services, task.id)
                self.ledger.cancelled += 1
            elif task.priority is SupplyPriority.URGENT:
                supply_actions.accept(self.services, task.id)
                self.ledger.accepted += 1
                self._ship(task, day)
            elif task.priority is SupplyPriority.PLANNED or task.id % RECOMMENDED_TAKEN == 0:
                supply_actions.accept(self.services, task.id)
                self.ledger.accepted += 1
            else:
                self.ledger.ignored += 1

    def _ship(self, task: SupplyTask, day: date) -> None:
        answer = supply_actions.ship(self.services, task.id)
        self.ledger.shipped += 1
        if not answer.get("shipment_told"):
            self.ledger.not_told += 1
        article = self.world.articles.get(task.article_id)
        if article is not None and task.allocated:
            self.world.one_c.shipped(article.code, task.allocated, day)
            self.ledger.shipped_units[day.isoformat()] += task.allocated


def prepare_logistic(container: Any, options: Any, clock: Any, extracts: Path | None = None) -> LogisticDriver:
    """The world of the run, its Ozon the container's (``container.ozon_fbo`` overridden, so the
    jobs run here and the seller's shipments reach the same simulated Ozon) on the container's
    Ozon state (``container.ozon_fbo_state``: in memory inline; in the database the workers'
    own simulated Ozons read under Celery/RQ), seeded."""
    from dependency_injector import providers

    directory = extracts or Path(tempfile.mkdtemp(prefix="adolf-1c-"))
    state = container.ozon_fbo_state()
    world = build_world(options.seed, options.articles, options.start, options.days, clock, directory, state)
    container.ozon_fbo.override(providers.Object(world.ozon))
    seed_logistic(container.services(), container.settings().brands, world)
    return LogisticDriver(container, world)


Tick = Callable[[datetime, str], None]
