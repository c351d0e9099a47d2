"""In-memory Watcher repositories (``adolf.application.watcher.ports``) and
``FakeWatcherUnitOfWork``.

All rows live in one ``FakeWatcherTables`` (dicts keyed by id, as the tables are); the
repositories are views over it, because some reads cross tables as the SQL does (priority
inputs read prices and alerts, a night's tasks read subscriptions and priorities). The unit of
work snapshots the tables once, so a rollback restores every view together.

The same rules as the SQL repositories (one contract suite runs both:
tests/integration/watcher/test_repositories_contract.py):
- amounts are kept to the cent (ROUND_HALF_UP; a discount is truncated, so 99.999 stays a
  discount under 100), an observation keeps the discount it implies (``discount``) when the
  agent sent none, and every time is kept in UTC;
- a competitor product is *active* when its competitor is; a night's task is made for an
  active subscription of an active product of ours and an active competitor;
- ordering ties break on id; batch deletes take at most ``limit`` rows.

``FakeWatcherUnitOfWork()`` is a ``FakeUnitOfWork`` (system stores, ``users``, the Marketing
repositories) plus ``watcher_catalog``, ``watcher_prices``, ``watcher_tasks``,
``watcher_agents``, ``watcher_alerts`` and ``watcher`` (the tables, for assertions). Rows
added outside ``with uow:`` count as committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any, TypeVar

from adolf.application.watcher.ports import NewAlert, StoredObservation
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.agents import Agent, AgentEvent
from adolf.domain.watcher.alerts import AlertKind, WatcherAlert
from adolf.domain.watcher.catalog import Competitor, CompetitorProduct, OurProduct, Subscription
from adolf.domain.watcher.observations import PriceObservation
from adolf.domain.watcher.priority import PriorityInputs, count_price_changes
from adolf.domain.watcher.tasks import ParsingTask, TaskStatus
from tests.support.fakes.state import Stateful, Tables
from tests.support.fakes.unit_of_work import FakeUnitOfWork

Row = TypeVar("Row")
CENT = Decimal("0.01")


class IntegrityViolation(Exception):
    """A unique key is taken or a referenced row is missing (SQL raises ``IntegrityError``)."""


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def cents(amount: Decimal | None, rounding: str = ROUND_HALF_UP) -> Decimal | None:
    return None if amount is None else amount.quantize(CENT, rounding=rounding)


def stored_form(observation: PriceObservation) -> PriceObservation:
    """What the table keeps of an observation: cents, the implied discount, UTC."""
    return replace(
        observation,
        price=cents(observation.price),
        old_price=cents(observation.old_price),
        discount_percent=cents(observation.discount, ROUND_DOWN),
        observed_at=_utc(observation.observed_at),
    )


class FakeWatcherTables(Tables):
    """Every Watcher row. Rows are frozen dataclasses, so a snapshot copies the containers
    only (``Stateful``'s deepcopy cannot copy the read-only mappings rows carry)."""

    def __init__(self) -> None:
        super().__init__()
        self.products: dict[int, OurProduct] = {}
        self.competitors: dict[int, Competitor] = {}
        self.competitor_products: dict[int, CompetitorProduct] = {}
        self.priority_updated_at: dict[int, datetime] = {}
        self.subscriptions: dict[int, Subscription] = {}
        self.prices: dict[int, StoredObservation] = {}
        self.tasks: dict[int, ParsingTask] = {}
        self.agents: dict[str, Agent] = {}
        self.token_hashes: dict[str, str] = {}  # agent id → hash of its token
        self.metrics: dict[str, Mapping[str, Any]] = {}  # agent id → last heartbeat's metrics
        self.events: dict[int, AgentEvent] = {}
        self.alerts: dict[int, WatcherAlert] = {}
        self.notified_at: dict[int, datetime] = {}

    def active_competitor_products(self) -> list[CompetitorProduct]:
        return [p for p in self.competitor_products.values() if self.competitors[p.competitor_id].active]

    def history(self) -> dict[int, list[PriceObservation]]:
        """Each product's observations, oldest first (ties: insertion order, as ids)."""
        found: dict[int, list[PriceObservation]] = {}
        for stored in sorted(self.prices.values(), key=lambda s: (s.observation.observed_at, s.id)):
            found.setdefault(stored.observation.competitor_product_id, []).append(stored.observation)
        return found


def _add(tables: FakeWatcherTables, table: dict[int, Row], name: str, rows: Sequence[Row]) -> list[int]:
    ids = []
    for row in rows:
        row_id = tables.next_id(name)
        table[row_id] = replace(row, id=row_id)  # type: ignore[type-var]
        ids.append(row_id)
    return ids


def _unique(taken: Iterable[tuple[object, ...]], rows: Sequence[tuple[object, ...]], what: str) -> None:
    seen = set(taken)
    for key in rows:
        if key in seen:
            raise IntegrityViolation(f"{what} {key} exists")
        seen.add(key)


class FakeCatalogRepository:
    def __init__(self, tables: FakeWatcherTables) -> None:
        self.tables = tables

    def add_products(self, products: Sequence[OurProduct]) -> list[int]:
        taken = ((p.marketplace, p.sku) for p in self.tables.products.values())
        _unique(taken, [(p.marketplace, p.sku) for p in products], "product (marketplace, sku)")
        stored = [replace(p, price=cents(p.price)) for p in products]
        return _add(self.tables, self.tables.products, "products", stored)

    def add_competitors(self, competitors: Sequence[Competitor]) -> list[int]:
        return _add(self.tables, self.tables.competitors, "competitors", competitors)

    def add_competitor_products(self, products: Sequence[CompetitorProduct]) -> list[int]:
        taken = ((p.marketplace, p.external_id) for p in self.tables.competitor_products.values())
        _unique(taken, [(p.marketplace, p.external_id) for p in products], "competitor product (marketplace, id)")
        for product in products:
            if product.competitor_id not in self.tables.competitors:
                raise IntegrityViolation(f"competitor_id={product.competitor_id} does not exist")
        return _add(self.tables, self.tables.competitor_products, "competitor_products", products)

    def add_subscriptions(self, subscriptions: Sequence[Subscription]) -> list[int]:
        taken = ((s.our_product_id, s.competitor_product_id, s.marketplace) for s in self.tables.subscriptions.values())
        keys = [(s.our_product_id, s.competitor_product_id, s.marketplace) for s in subscriptions]
        _unique(taken, keys, "subscription")
        return _add(self.tables, self.tables.subscriptions, "subscriptions", subscriptions)

    def products(self, ids: Sequence[int]) -> dict[int, OurProduct]:
        return {i: self.tables.products[i] for i in ids if i in self.tables.products}

    def competitors(self, ids: Sequence[int]) -> dict[int, Competitor]:
        return {i: self.tables.competitors[i] for i in ids if i in self.tables.competitors}

    def competitor_products(self, ids: Sequence[int]) -> dict[int, CompetitorProduct]:
        return {i: self.tables.competitor_products[i] for i in ids if i in self.tables.competitor_products}

    def set_our_prices(self, prices: Mapping[int, Decimal]) -> None:
        for product_id, price in prices.items():
            if product_id in self.tables.products:
                self.tables.products[product_id] = replace(self.tables.products[product_id], price=cents(price))

    def priority_inputs(self, since: datetime, ids: Sequence[int] | None = None) -> dict[int, PriorityInputs]:
        since = _utc(since)
        wanted = None if ids is None else set(ids)
        history = self.tables.history()
        dumping: dict[int, int] = {}
        for alert in self.tables.alerts.values():
            if alert.kind is AlertKind.DUMPING_DETECTED and alert.created_at >= since:
                dumping[alert.competitor_product_id] = dumping.get(alert.competitor_product_id, 0) + 1
        found = {}
        for product in self.tables.active_competitor_products():
            if wanted is not None and product.id not in wanted:
                continue
            observed = history.get(product.id, [])
            window = [o for o in observed if o.observed_at >= since]
            discounts = [o.discount_percent for o in window if o.discount_percent is not None]
            ours = self.tables.products.get(product.our_product_id) if product.our_product_id else None
            found[product.id] = PriorityInputs(
                changes_30d=count_price_changes(o.price for o in window),
                avg_discount=sum(discounts, Decimal(0)) / len(discounts) if discounts else None,
                latest_price=next((o.price for o in reversed(observed) if o.price is not None), None),
                our_price=ours.price if ours else None,
                dumping_alerts_30d=dumping.get(product.id, 0),
            )
        return found

    def set_priorities(self, priorities: Mapping[int, int], at: datetime) -> None:
        for product_id, priority in priorities.items():
            if product_id in self.tables.competitor_products:
                product = self.tables.competitor_products[product_id]
                if product.priority != priority:  # only a change is written, as in SQL
                    self.tables.competitor_products[product_id] = replace(product, priority=priority)
                    self.tables.priority_updated_at[product_id] = _utc(at)

    def top_priorities(self, limit: int) -> list[tuple[CompetitorProduct, int]]:
        ranked = sorted(self.tables.active_competitor_products(), key=lambda p: (-p.priority, p.id))
        return [(p, p.priority) for p in ranked[:limit]]

    def counts(self) -> dict[str, int]:
        t = self.tables
        return {
            "products": sum(p.active for p in t.products.values()),
            "competitors": sum(c.active for c in t.competitors.values()),
            "competitor_products": len(t.active_competitor_products()),
            "subscriptions": sum(s.active for s in t.subscriptions.values()),
        }


class FakePriceRepository:
    def __init__(self, tables: FakeWatcherTables) -> None:
        self.tables = tables

    def add(self, observations: Sequence[PriceObservation], task_id: int | None = None) -> list[int]:
        ids = []
        for observation in observations:
            if observation.competitor_product_id not in self.tables.competitor_products:
                raise IntegrityViolation(f"competitor_product_id={observation.competitor_product_id} does not exist")
            price_id = self.tables.next_id("prices")
            self.tables.prices[price_id] = StoredObservation(price_id, stored_form(observation), task_id)
            ids.append(price_id)
        return ids

    def observed_since(self, since: datetime) -> list[StoredObservation]:
        found = [s for s in self.tables.prices.values() if s.observation.observed_at >= _utc(since)]
        return sorted(found, key=lambda s: (s.observation.observed_at, s.id))

    def previous(self, pairs: Sequence[tuple[int, datetime]]) -> dict[tuple[int, datetime], PriceObservation]:
        history = self.tables.history()
        found = {}
        for product_id, at in pairs:
            before = [o for o in history.get(product_id, []) if o.observed_at < _utc(at)]
            if before:
                found[(product_id, at)] = before[-1]
        return found

    def changes_since(self, since: datetime) -> int:
        return sum(
            count_price_changes(o.price for o in observed if o.observed_at >= _utc(since))
            for observed in self.tables.history().values()
        )


class FakeParsingTaskRepository:
    def __init__(self, tables: FakeWatcherTables) -> None:
        self.tables = tables

    def create_for_date(self, day: date, now: datetime) -> dict[Marketplace, list[int]]:
        t = self.tables
        planned = {task.subscription_id for task in t.tasks.values() if task.scheduled_date == day}
        due = [
            s
            for s in t.subscriptions.values()
            if s.active
            and s.id not in planned
            and t.products[s.our_product_id].active
            and t.competitors[t.competitor_products[s.competitor_product_id].competitor_id].active
        ]
        due.sort(key=lambda s: (-t.competitor_products[s.competitor_product_id].priority, s.id))
        created: dict[Marketplace, list[int]] = {}
        for subscription in due:
            task_id = t.next_id("tasks")
            t.tasks[task_id] = ParsingTask(
                task_id, subscription.id, subscription.competitor_product_id, subscription.marketplace, day
            )
            created.setdefault(subscription.marketplace, []).append(task_id)
        return created

    def get(self, task_id: int) -> ParsingTask | None:
        return self.tables.tasks.get(task_id)

    def get_many(self, task_ids: Sequence[int]) -> dict[int, ParsingTask]:
        return {i: self.tables.tasks[i] for i in task_ids if i in self.tables.tasks}

    def save(self, task: ParsingTask) -> None:
        self.save_many([task])

    def save_many(self, tasks: Sequence[ParsingTask]) -> None:
        """Writes what ``save`` stores; the task's subscription, product, marketplace and
        date are the row's own and stay."""
        for task in tasks:
            stored = self.tables.tasks.get(task.id)
            if stored is None:
                continue
            if task.agent_id is not None and task.agent_id not in self.tables.agents:
                raise IntegrityViolation(f"agent_id={task.agent_id!r} does not exist")
            self.tables.tasks[task.id] = replace(
                stored,
                status=task.status,
                retry_count=task.retry_count,
                agent_id=task.agent_id,
                lease_until=_utc(task.lease_until) if task.lease_until else None,
                error=task.error,
                started_at=_utc(task.started_at) if task.started_at else None,
                completed_at=_utc(task.completed_at) if task.completed_at else None,
            )

    def in_progress_of(self, agent_id: str) -> list[ParsingTask]:
        return [
            t
            for _, t in sorted(self.tables.tasks.items())
            if t.status is TaskStatus.IN_PROGRESS and t.agent_id == agent_id
        ]

    def expired_leases(self, now: datetime) -> list[ParsingTask]:
        expired = [
            t
            for t in self.tables.tasks.values()
            if t.status is TaskStatus.IN_PROGRESS and t.lease_until is not None and t.lease_until <= _utc(now)
        ]
        return sorted(expired, key=lambda t: (t.lease_until, t.id))

    def failed_of(self, day: date) -> list[ParsingTask]:
        return [
            t for _, t in sorted(self.tables.tasks.items()) if t.status is TaskStatus.FAILED and t.scheduled_date == day
        ]

    def counts(self, day: date) -> dict[tuple[Marketplace, TaskStatus], int]:
        found: dict[tuple[Marketplace, TaskStatus], int] = {}
        for t in self.tables.tasks.values():
            if t.scheduled_date == day:
                found[(t.marketplace, t.status)] = found.get((t.marketplace, t.status), 0) + 1
        return found

    def done_by_agent(self, day: date) -> dict[str, int]:
        found: dict[str, int] = {}
        for t in self.tables.tasks.values():
            if t.scheduled_date == day and t.status is TaskStatus.DONE and t.agent_id is not None:
                found[t.agent_id] = found.get(t.agent_id, 0) + 1
        return found

    def delete_before(self, day: date, limit: int) -> int:
        doomed = [i for i, t in sorted(self.tables.tasks.items()) if t.scheduled_date < day][: max(limit, 0)]
        for task_id in doomed:
            del self.tables.tasks[task_id]
        return len(doomed)


class FakeAgentRepository:
    def __init__(self, tables: FakeWatcherTables) -> None:
        self.tables = tables

    def add(self, agent: Agent, token_hash: str | None = None) -> None:
        if agent.id in self.tables.agents:
            raise IntegrityViolation(f"agent {agent.id!r} exists")
        if token_hash is not None and token_hash in self.tables.token_hashes.values():
            raise IntegrityViolation("token hash is another agent's")
        self.tables.agents[agent.id] = self._utc(agent)
        self.tables.metrics[agent.id] = MappingProxyType({})
        if token_hash is not None:
            self.tables.token_hashes[agent.id] = token_hash

    def get(self, agent_id: str) -> Agent | None:
        return self.tables.agents.get(agent_id)

    def by_token_hash(self, token_hash: str) -> Agent | None:
        owner = next((a for a, h in self.tables.token_hashes.items() if h == token_hash), None)
        return self.tables.agents.get(owner) if owner is not None else None

    def all(self) -> list[Agent]:
        return [a for _, a in sorted(self.tables.agents.items())]

    def save(self, agent: Agent, metrics: Mapping[str, Any] | None = None) -> None:
        if agent.id not in self.tables.agents:
            return
        self.tables.agents[agent.id] = self._utc(agent)
        if metrics is not None:
            self.tables.metrics[agent.id] = MappingProxyType(dict(metrics))

    def add_event(self, event: AgentEvent) -> None:
        details = MappingProxyType(dict(event.details))
        self.tables.events[self.tables.next_id("events")] = replace(
            event, created_at=_utc(event.created_at), details=details
        )

    def events(self, agent_id: str | None = None, limit: int = 50) -> list[AgentEvent]:
        found = [
            (e.created_at, i, e) for i, e in self.tables.events.items() if agent_id is None or e.agent_id == agent_id
        ]
        return [e for _, _, e in sorted(found, key=lambda f: (f[0], f[1]), reverse=True)][:limit]

    def delete_events_before(self, cutoff: datetime, limit: int) -> int:
        doomed = [i for i, e in sorted(self.tables.events.items()) if e.created_at < _utc(cutoff)][: max(limit, 0)]
        for event_id in doomed:
            del self.tables.events[event_id]
        return len(doomed)

    @staticmethod
    def _utc(agent: Agent) -> Agent:
        return replace(agent, last_heartbeat=_utc(agent.last_heartbeat) if agent.last_heartbeat else None)


class FakeWatcherAlertRepository:
    def __init__(self, tables: FakeWatcherTables) -> None:
        self.tables = tables

    def add(self, alerts: Sequence[NewAlert]) -> list[int]:
        keys = {a.dedupe_key for a in self.tables.alerts.values()}
        ids = []
        for new in alerts:
            decision = new.decision
            if decision.dedupe_key in keys:
                continue
            keys.add(decision.dedupe_key)
            alert_id = self.tables.next_id("alerts")
            self.tables.alerts[alert_id] = WatcherAlert(
                id=alert_id,
                kind=decision.kind,
                severity=decision.severity,
                competitor_product_id=new.competitor_product_id,
                our_product_id=new.our_product_id,
                brand=new.brand,
                marketplace=new.marketplace,
                message=decision.message,
                created_at=_utc(new.created_at),
                details=MappingProxyType(dict(decision.details)),
                dedupe_key=decision.dedupe_key,
            )
            ids.append(alert_id)
        return ids

    def get(self, alert_id: int) -> WatcherAlert | None:
        return self.tables.alerts.get(alert_id)

    def mark_notified(self, alert_id: int, at: datetime) -> None:
        if alert_id in self.tables.alerts:
            self.tables.notified_at[alert_id] = _utc(at)

    def notified(self, alert_id: int) -> bool:
        return alert_id in self.tables.notified_at

    def resolve(self, alert_id: int, at: datetime) -> None:
        """Not a port method yet (nothing resolves alerts); cleanup tests use it."""
        if alert_id in self.tables.alerts:
            self.tables.alerts[alert_id] = replace(self.tables.alerts[alert_id], resolved=True)

    def recent(self, limit: int = 50, kind: AlertKind | None = None) -> list[WatcherAlert]:
        found = [a for a in self.tables.alerts.values() if kind is None or a.kind is kind]
        return sorted(found, key=lambda a: (a.created_at, a.id), reverse=True)[:limit]

    def counts(self, since: datetime, until: datetime) -> dict[tuple[AlertKind, str], int]:
        found: dict[tuple[AlertKind, str], int] = {}
        for a in self.tables.alerts.values():
            if _utc(since) <= a.created_at < _utc(until):
                key = (a.kind, a.severity.value)
                found[key] = found.get(key, 0) + 1
        return found

    def delete_resolved_before(self, cutoff: datetime, limit: int) -> int:
        doomed = [i for i, a in sorted(self.tables.alerts.items()) if a.resolved and a.created_at < _utc(cutoff)][
            : max(limit, 0)
        ]
        for alert_id in doomed:
            del self.tables.alerts[alert_id]
            self.tables.notified_at.pop(alert_id, None)
        return len(doomed)


class FakeWatcherUnitOfWork(FakeUnitOfWork):
    """``WatcherUnitOfWork``: ``FakeUnitOfWork``'s stores plus the Watcher repositories over
    one ``FakeWatcherTables`` (``self.watcher``), rolled back and committed with the rest."""

    def __init__(self) -> None:
        super().__init__()
        self.watcher = FakeWatcherTables()
        self.watcher_catalog = FakeCatalogRepository(self.watcher)
        self.watcher_prices = FakePriceRepository(self.watcher)
        self.watcher_tasks = FakeParsingTaskRepository(self.watcher)
        self.watcher_agents = FakeAgentRepository(self.watcher)
        self.watcher_alerts = FakeWatcherAlertRepository(self.watcher)

    @property
    def _stateful(self) -> list[Stateful]:
        return [*super()._stateful, self.watcher]
