"""One contract for Watcher's repositories, run on the in-memory fakes, SQLite and PostgreSQL:
what a use case reads back is the same whichever backs it (tonight's tasks by priority, the
priority inputs of a hand-built history, tasks with their leases in UTC, alerts stored once,
batch deletes bounded by their limit). Each test owns its database."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from adolf.adapters.sqlalchemy.app_unit_of_work import AppSqlUnitOfWork
from adolf.adapters.sqlalchemy.engine import build_session_factory
from adolf.adapters.sqlalchemy.watcher_agents import SqlAgentRepository
from adolf.adapters.sqlalchemy.watcher_tables import watcher_agents, watcher_competitor_products
from adolf.application.watcher.ports import NewAlert
from adolf.domain.alerts.severity import Severity
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.agents import Agent, AgentEvent, AgentStatus
from adolf.domain.watcher.alert_conditions import AlertDecision
from adolf.domain.watcher.alerts import AlertKind
from adolf.domain.watcher.catalog import Competitor, CompetitorProduct, OurProduct, Subscription
from adolf.domain.watcher.observations import PriceObservation
from adolf.domain.watcher.priority import PriorityInputs
from adolf.domain.watcher.tasks import ParsingTask, TaskStatus, claim, complete, fail
from tests.support.fakes.watcher_repos import FakeWatcherUnitOfWork
from tests.support.migrations import CONTRACT_STORES, contract_engine

WB, OZON = Marketplace.WB, Marketplace.OZON
T0 = datetime(2026, 3, 10, 21, 0, tzinfo=UTC)
MSK = timezone(timedelta(hours=3))
NIGHT = date(2026, 3, 10)


class Db:
    """Hands out a unit of work per block, as a use case gets one; ``resolve`` and ``metrics``
    reach past the ports (nothing resolves alerts yet; metrics are written, never read)."""

    def __init__(self, engine: Engine | None) -> None:
        self.fake = FakeWatcherUnitOfWork() if engine is None else None
        self.factory = build_session_factory(engine) if engine is not None else None

    def uow(self) -> Any:
        if self.fake is not None:
            return self.fake
        assert self.factory is not None
        return AppSqlUnitOfWork(self.factory)

    def resolve(self, alert_id: int, at: datetime) -> None:
        with self.uow() as uow:
            uow.watcher_alerts.resolve(alert_id, at)
            uow.commit()

    def metrics(self, agent_id: str) -> dict[str, Any]:
        if self.fake is not None:
            return dict(self.fake.watcher.metrics[agent_id])
        with self.uow() as uow:
            assert isinstance(uow.watcher_agents, SqlAgentRepository)
            query = select(watcher_agents.c.metrics).where(watcher_agents.c.id == agent_id)
            return dict(uow.session.execute(query).scalar_one())

    def priority_stamps(self) -> dict[int, datetime | None]:
        """``priority_updated_at`` per competitor product (not in a port: nothing reads it)."""
        if self.fake is not None:
            t = self.fake.watcher
            return {i: t.priority_updated_at.get(i) for i in t.competitor_products}
        with self.uow() as uow:
            c = watcher_competitor_products.c
            rows = uow.session.execute(select(c.id, c.priority_updated_at)).all()
            return {i: None if at is None else at.astimezone(UTC) for i, at in rows}


@pytest.fixture(params=CONTRACT_STORES)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    for engine in contract_engine(request, tmp_path):
        yield Db(engine)


# --- builders -----------------------------------------------------------------------------


@dataclass
class Catalog:
    products: list[int]
    competitors: list[int]
    items: list[int]
    subscriptions: list[int]


def build(
    db: Db,
    products: list[OurProduct],
    competitors: list[Competitor],
    items: list[CompetitorProduct],
    subscriptions: Sequence[tuple[int, int, bool]] = (),
) -> Catalog:
    """Rows whose foreign keys are positions in the lists before them (ids come back)."""
    with db.uow() as uow:
        c = uow.watcher_catalog
        product_ids = c.add_products(products)
        competitor_ids = c.add_competitors(competitors)
        item_ids = c.add_competitor_products(
            [
                replace(
                    i,
                    competitor_id=competitor_ids[i.competitor_id],
                    our_product_id=None if i.our_product_id is None else product_ids[i.our_product_id],
                )
                for i in items
            ]
        )
        subscription_ids = c.add_subscriptions(
            [
                Subscription(0, product_ids[p], item_ids[i], items[i].marketplace, active)
                for p, i, active in subscriptions
            ]
        )
        uow.commit()
    return Catalog(product_ids, competitor_ids, item_ids, subscription_ids)


def product(sku: str, price: str | None = "1000.00", marketplace: Marketplace = WB, active: bool = True) -> OurProduct:
    return OurProduct(
        0, "ohana_market", sku, f"Плед {sku}", marketplace, Decimal(price) if price else None, active=active
    )


def item(
    external_id: str, competitor: int = 0, ours: int | None = 0, priority: int = 50, marketplace: Marketplace = WB
) -> CompetitorProduct:
    return CompetitorProduct(0, competitor, marketplace, external_id, None, None, ours, priority)


def seen(item_id: int, price: str | None, at: datetime, **extra: Any) -> PriceObservation:
    return PriceObservation(item_id, Decimal(price) if price else None, price is not None, at, **extra)


def one_subscription(db: Db, count: int = 1) -> Catalog:
    return build(
        db,
        [product("A-1")],
        [Competitor(0, "Rival", WB)],
        [item(str(100 + n)) for n in range(count)],
        [(0, n, True) for n in range(count)],
    )


def new_alert(item_id: int, key: str, kind: AlertKind = AlertKind.DUMPING_DETECTED, **extra: Any) -> NewAlert:
    decision = AlertDecision(kind, Severity.CRITICAL, f"alert {key}", key, {"new_price": "90.00"})
    values: dict[str, Any] = {
        "decision": decision,
        "competitor_product_id": item_id,
        "our_product_id": None,
        "brand": "ohana_market",
        "marketplace": WB,
        "created_at": T0,
    }
    return NewAlert(**(values | extra))


# --- tonight's tasks ----------------------------------------------------------------------


def test_a_night_is_generated_once_per_active_subscription_highest_priority_first(db: Db) -> None:
    catalog = build(
        db,
        [product("A-1"), product("A-2", active=False), product("O-1", marketplace=OZON)],
        [Competitor(0, "Rival", WB), Competitor(0, "Gone", WB, active=False), Competitor(0, "Oz", OZON)],
        [
            item("1", priority=40),
            item("2", priority=90),
            item("3", priority=90),  # a tie: the older subscription first
            item("4", priority=100, competitor=1),  # its competitor is inactive
            item("5", priority=70, ours=1),  # our product is inactive
            item("6", priority=10),  # subscribed, but the subscription is off
            item("o1", competitor=2, ours=2, priority=5, marketplace=OZON),
            item("o2", competitor=2, ours=2, priority=60, marketplace=OZON),
        ],
        [
            (0, 0, True),
            (0, 2, True),
            (0, 1, True),
            (0, 3, True),
            (1, 4, True),
            (0, 5, False),
            (2, 6, True),
            (2, 7, True),
        ],
    )
    with db.uow() as uow:
        created = uow.watcher_tasks.create_for_date(NIGHT, T0)
        uow.commit()
    assert set(created) == {WB, OZON}
    with db.uow() as uow:
        tasks = uow.watcher_tasks.get_many([i for ids in created.values() for i in ids])
    items = catalog.items
    assert [tasks[i].competitor_product_id for i in created[WB]] == [items[2], items[1], items[0]]
    assert [tasks[i].subscription_id for i in created[WB]] == [catalog.subscriptions[n] for n in (1, 2, 0)]
    assert [tasks[i].competitor_product_id for i in created[OZON]] == [items[7], items[6]]
    assert all(t.marketplace is OZON for i, t in tasks.items() if i in created[OZON])
    first = tasks[created[WB][0]]
    assert first == ParsingTask(first.id, catalog.subscriptions[1], items[2], WB, NIGHT)

    with db.uow() as uow:
        assert uow.watcher_tasks.create_for_date(NIGHT, T0 + timedelta(minutes=5)) == {}
        uow.commit()
        assert uow.watcher_tasks.counts(NIGHT) == {(WB, TaskStatus.PENDING): 3, (OZON, TaskStatus.PENDING): 2}
        tomorrow = uow.watcher_tasks.create_for_date(NIGHT + timedelta(days=1), T0)
        assert {mp: len(ids) for mp, ids in tomorrow.items()} == {WB: 3, OZON: 2}
        assert not set(tomorrow[WB]) & set(created[WB])


def test_work_not_committed_is_rolled_back(db: Db) -> None:
    one_subscription(db)
    with db.uow() as uow:
        assert len(uow.watcher_tasks.create_for_date(NIGHT, T0)[WB]) == 1
        uow.watcher_agents.add(Agent("agent-1", "one", WB))
    with db.uow() as uow:
        assert uow.watcher_tasks.counts(NIGHT) == {}
        assert uow.watcher_agents.all() == []
        assert len(uow.watcher_tasks.create_for_date(NIGHT, T0)[WB]) == 1


# --- priority inputs ----------------------------------------------------------------------

SINCE = T0 - timedelta(days=30)


def test_priority_inputs_of_a_hand_built_history_are_the_seed_aggregates(db: Db) -> None:
    catalog = build(
        db,
        [product("A-1", "100.00"), product("A-2", None)],
        [Competitor(0, "Rival", WB), Competitor(0, "Gone", WB, active=False)],
        [
            item("busy"),
            item("quiet", ours=None),
            item("old", ours=1),
            item("tied"),
            item("gone", competitor=1),
            item("lapsed"),
        ],
    )
    busy, quiet, old, tied, gone, lapsed = catalog.items
    hour = timedelta(hours=1)
    history = [
        seen(busy, "90.00", SINCE - hour, discount_percent=Decimal("50")),  # before the window: no change, no discount
        seen(busy, "100.00", SINCE, discount_percent=Decimal("10.00")),  # the window includes its start
        seen(busy, None, SINCE + hour, discount_percent=Decimal("20.50")),  # no price: breaks no pair
        seen(busy, "100.00", SINCE + 2 * hour),
        seen(busy, "105.00", SINCE + 3 * hour, old_price=Decimal("140.00")),  # implied discount 25.00
        seen(busy, "105.00", SINCE + 4 * hour),
        seen(busy, "99.00", SINCE + 5 * hour, discount_percent=Decimal("30.25")),
        seen(busy, "99.50", SINCE + 6 * hour),
        seen(busy, None, SINCE + 7 * hour),  # the latest observation has no price
        seen(old, "500.00", SINCE - 10 * hour),
        seen(old, "480.00", SINCE - 9 * hour),
        seen(tied, "10.00", SINCE + hour),
        seen(tied, "12.00", SINCE + hour),  # same instant: the later row is the latest
        seen(gone, "1.00", SINCE + hour),
        seen(lapsed, "70.00", SINCE - hour),  # its latest price, though before the window
        seen(lapsed, None, SINCE + hour, discount_percent=Decimal("5")),  # in the window, no price
    ]
    alerts = [
        new_alert(busy, "d0", created_at=SINCE - hour),  # before the window
        new_alert(busy, "d1", created_at=SINCE),
        new_alert(busy, "d2", created_at=T0),
        new_alert(busy, "p1", kind=AlertKind.PRICE_DROP, created_at=T0),
        new_alert(tied, "d3", created_at=SINCE + hour),
    ]
    with db.uow() as uow:
        uow.watcher_prices.add(history)
        uow.watcher_alerts.add(alerts)
        uow.commit()
    with db.uow() as uow:
        inputs = uow.watcher_catalog.priority_inputs(SINCE)
        # a few products' own (an inactive competitor's and an unknown id give nothing)
        only = uow.watcher_catalog.priority_inputs(SINCE, [tied, busy, gone, 999, busy])
        assert uow.watcher_catalog.priority_inputs(SINCE, []) == {}
    assert only == {busy: inputs[busy], tied: inputs[tied]}
    assert inputs == {
        # changes 100→105→99→99.50; discounts (10.00 + 20.50 + 25.00 + 30.25) / 4
        busy: PriorityInputs(3, Decimal("21.4375"), Decimal("99.50"), Decimal("100.00"), 2),
        quiet: PriorityInputs(0, None, None, None, 0),
        old: PriorityInputs(0, None, Decimal("480.00"), None, 0),
        tied: PriorityInputs(1, None, Decimal("12.00"), Decimal("100.00"), 1),
        lapsed: PriorityInputs(0, Decimal("5"), Decimal("70.00"), Decimal("100.00"), 0),
    }
    assert str(inputs[busy].latest_price) == "99.50"


def test_priorities_are_written_in_bulk_and_listed_highest_first(db: Db) -> None:
    catalog = build(
        db,
        [product("A-1")],
        [Competitor(0, "Rival", WB), Competitor(0, "Gone", WB, active=False)],
        [item("1"), item("2"), item("3"), item("4", competitor=1)],
    )
    a, b, c, gone = catalog.items
    with db.uow() as uow:
        uow.watcher_catalog.set_priorities({a: 70, b: 20, c: 70, gone: 100}, T0.astimezone(MSK))
        uow.commit()
    with db.uow() as uow:
        top = uow.watcher_catalog.top_priorities(2)
        assert [(p.id, n) for p, n in top] == [(a, 70), (c, 70)]
        assert top[0][0] == replace(item("1", catalog.competitors[0], catalog.products[0], 70), id=a)
        assert [p.id for p, _ in uow.watcher_catalog.top_priorities(10)] == [a, c, b]
        assert uow.watcher_catalog.competitor_products([gone])[gone].priority == 100
    assert db.priority_stamps() == {a: T0, b: T0, c: T0, gone: T0}


def test_only_a_changed_priority_is_written_and_stamped(db: Db) -> None:
    catalog = build(db, [product("A-1")], [Competitor(0, "Rival", WB)], [item("1"), item("2"), item("3")])
    a, b, c = catalog.items
    later = T0 + timedelta(days=1)
    with db.uow() as uow:
        uow.watcher_catalog.set_priorities({a: 70, b: 50, c: 20}, T0)  # b stays at the default 50
        uow.commit()
    assert db.priority_stamps() == {a: T0, b: None, c: T0}
    with db.uow() as uow:
        uow.watcher_catalog.set_priorities({a: 70, b: 60, c: 20}, later)
        uow.watcher_catalog.set_priorities({}, later)
        uow.commit()
    assert db.priority_stamps() == {a: T0, b: later, c: T0}
    with db.uow() as uow:
        assert {i: p.priority for i, p in uow.watcher_catalog.competitor_products([a, b, c]).items()} == {
            a: 70,
            b: 60,
            c: 20,
        }


def test_catalog_rows_round_trip_with_our_prices_in_cents(db: Db) -> None:
    catalog = build(
        db,
        [product("A-1", "1990.00"), product("A-2", None, active=False)],
        [Competitor(0, "Rival", WB), Competitor(0, "Quiet", WB, active=False)],
        [item("1"), item("2", competitor=1, ours=None)],
        [(0, 0, True), (1, 1, False)],
    )
    first, second = catalog.products
    with db.uow() as uow:
        uow.watcher_catalog.set_our_prices({first: Decimal("2000.005"), second: Decimal("15")})
        uow.commit()
    with db.uow() as uow:
        found = uow.watcher_catalog.products([first, second, 999])
        assert found[first] == replace(product("A-1", "2000.01"), id=first)
        assert found[second].price == Decimal("15.00") and not found[second].active
        assert set(found) == {first, second}
        rival, quiet = catalog.competitors
        assert uow.watcher_catalog.competitors([quiet, rival, 999]) == {
            rival: Competitor(rival, "Rival", WB),
            quiet: Competitor(quiet, "Quiet", WB, active=False),
        }
        items = uow.watcher_catalog.competitor_products(catalog.items)
        assert items[catalog.items[1]] == CompetitorProduct(
            catalog.items[1], catalog.competitors[1], WB, "2", None, None, None, 50
        )
        assert uow.watcher_catalog.counts() == {
            "products": 1,
            "competitors": 1,
            "competitor_products": 1,
            "subscriptions": 1,
        }


# --- prices -------------------------------------------------------------------------------


def test_observations_keep_cents_utc_and_their_implied_discount(db: Db) -> None:
    busy = one_subscription(db).items[0]
    at = T0.astimezone(MSK)
    with db.uow() as uow:
        ids = uow.watcher_prices.add(
            [
                seen(busy, "99.999", at, old_price=Decimal("150"), agent_id="agent-1"),
                seen(busy, "120.00", at + timedelta(minutes=1), discount_percent=Decimal("12.349")),
                seen(busy, None, at + timedelta(minutes=2)),
            ],
            task_id=7,
        )
        uow.commit()
    with db.uow() as uow:
        stored = uow.watcher_prices.observed_since(T0)
    assert [s.id for s in stored] == ids
    assert [s.task_id for s in stored] == [7, 7, 7]
    first = stored[0].observation
    assert (first.price, first.old_price, first.discount_percent) == (
        Decimal("100.00"),
        Decimal("150.00"),
        Decimal("33.33"),
    )
    assert first.observed_at == T0 and first.observed_at.utcoffset() == timedelta(0)
    assert first.agent_id == "agent-1"
    assert stored[1].observation.discount_percent == Decimal("12.34")
    assert stored[2].observation == seen(busy, None, T0 + timedelta(minutes=2))


def test_the_observation_just_before_each_one_is_found_in_one_call(db: Db) -> None:
    a, b = one_subscription(db, 2).items
    minute = timedelta(minutes=1)
    with db.uow() as uow:
        uow.watcher_prices.add(
            [
                seen(a, "10.00", T0 - 60 * minute),
                seen(a, "11.00", T0 - 30 * minute),
                seen(a, "12.00", T0),
                seen(b, "20.00", T0 - minute),
                seen(a, "13.00", T0 + minute),
            ]
        )
        uow.commit()
    with db.uow() as uow:
        window = uow.watcher_prices.observed_since(T0 - 10 * minute)
        assert [(s.observation.competitor_product_id, s.observation.price) for s in window] == [
            (b, Decimal("20.00")),
            (a, Decimal("12.00")),
            (a, Decimal("13.00")),
        ]
        asked = [(s.observation.competitor_product_id, s.observation.observed_at) for s in window]
        asked.append((a, (T0 - 30 * minute).astimezone(MSK)))
        before = uow.watcher_prices.previous(asked)
        assert {key: o.price for key, o in before.items()} == {
            (a, T0): Decimal("11.00"),
            (a, T0 + minute): Decimal("12.00"),
            (a, (T0 - 30 * minute).astimezone(MSK)): Decimal("10.00"),
        }
        assert uow.watcher_prices.previous([]) == {}
        assert uow.watcher_prices.changes_since(T0 - 45 * minute) == 2  # 11→12→13; b has one price
        assert uow.watcher_prices.changes_since(T0 + minute) == 0


# --- parsing tasks ------------------------------------------------------------------------


def _night(
    db: Db, count: int, agents: tuple[str, ...] = ("agent-1", "agent-2")
) -> tuple[list[ParsingTask], dict[str, Agent]]:
    one_subscription(db, count)
    online = {a: Agent(a, a, WB, status=AgentStatus.ONLINE) for a in agents}
    with db.uow() as uow:
        ids = uow.watcher_tasks.create_for_date(NIGHT, T0)[WB]
        for agent in online.values():
            uow.watcher_agents.add(agent)
        uow.commit()
        tasks = uow.watcher_tasks.get_many(ids)
    return [tasks[i] for i in ids], online


def test_a_task_round_trips_with_its_lease_and_times_in_utc(db: Db) -> None:
    [task, other], agents = _night(db, 2)
    now = T0.astimezone(MSK)
    claimed = claim(task, agents["agent-1"], now, lease_seconds=600)
    with db.uow() as uow:
        uow.watcher_tasks.save(claimed)
        uow.commit()
    with db.uow() as uow:
        loaded = uow.watcher_tasks.get(task.id)
        assert loaded == claimed
        assert loaded is not None and loaded.lease_until is not None
        assert loaded.lease_until.utcoffset() == timedelta(0) and loaded.lease_until == T0 + timedelta(minutes=10)
        assert uow.watcher_tasks.get(999_999) is None
        failed = fail(claimed, "agent-1", "captcha")
        assert failed.status is TaskStatus.PENDING and failed.retry_count == 1
        done = complete(claim(other, agents["agent-2"], now), "agent-2", now + timedelta(seconds=30))
        uow.watcher_tasks.save_many([failed, done])
        uow.commit()
    with db.uow() as uow:
        assert uow.watcher_tasks.get_many([task.id, other.id, 999_999]) == {task.id: failed, other.id: done}


def test_leases_expire_at_their_time_and_an_agent_finds_its_tasks_in_progress(db: Db) -> None:
    tasks, agents = _night(db, 5)
    one, two = agents["agent-1"], agents["agent-2"]
    claimed = [
        claim(tasks[0], one, T0 - timedelta(minutes=20)),  # lease ended 10 minutes ago
        claim(tasks[1], two, T0 - timedelta(minutes=10)),  # lease ends now, exactly
        claim(tasks[2], one, T0 - timedelta(minutes=9)),  # a minute to go
        complete(claim(tasks[3], one, T0 - timedelta(minutes=30)), "agent-1", T0 - timedelta(minutes=29)),
    ]
    with db.uow() as uow:
        uow.watcher_tasks.save_many(claimed)
        uow.commit()
    with db.uow() as uow:
        assert uow.watcher_tasks.expired_leases(T0) == [claimed[0], claimed[1]]
        assert uow.watcher_tasks.expired_leases(T0.astimezone(MSK) - timedelta(minutes=11)) == []
        assert uow.watcher_tasks.in_progress_of("agent-1") == [claimed[0], claimed[2]]
        assert uow.watcher_tasks.in_progress_of("agent-3") == []


def test_a_nights_counts_failures_and_work_done_per_agent(db: Db) -> None:
    tasks, agents = _night(db, 5)
    one, two = agents["agent-1"], agents["agent-2"]
    broken = claim(tasks[0], one, T0)
    for _ in range(3):
        broken = fail(broken, "agent-1", "ban")
        if broken.status is TaskStatus.PENDING:
            broken = claim(broken, one, T0)
    saved = [
        broken,
        complete(claim(tasks[1], one, T0), "agent-1", T0),
        complete(claim(tasks[2], one, T0), "agent-1", T0),
        complete(claim(tasks[3], two, T0), "agent-2", T0),
    ]
    with db.uow() as uow:
        uow.watcher_tasks.save_many(saved)
        uow.commit()
    with db.uow() as uow:
        assert uow.watcher_tasks.counts(NIGHT) == {
            (WB, TaskStatus.FAILED): 1,
            (WB, TaskStatus.DONE): 3,
            (WB, TaskStatus.PENDING): 1,
        }
        assert uow.watcher_tasks.counts(NIGHT + timedelta(days=1)) == {}
        assert uow.watcher_tasks.failed_of(NIGHT) == [broken]
        assert broken.retry_count == 3 and broken.error == "ban"
        assert uow.watcher_tasks.failed_of(NIGHT - timedelta(days=1)) == []
        assert uow.watcher_tasks.done_by_agent(NIGHT) == {"agent-1": 2, "agent-2": 1}


def test_old_tasks_are_deleted_in_batches_bounded_by_the_limit(db: Db) -> None:
    one_subscription(db)
    with db.uow() as uow:
        for days in range(5, 0, -1):
            uow.watcher_tasks.create_for_date(NIGHT - timedelta(days=days), T0)
        uow.watcher_tasks.create_for_date(NIGHT, T0)
        uow.commit()
    with db.uow() as uow:
        assert [uow.watcher_tasks.delete_before(NIGHT, 2) for _ in range(4)] == [2, 2, 1, 0]
        assert uow.watcher_tasks.delete_before(NIGHT + timedelta(days=1), 0) == 0
        uow.commit()
        assert uow.watcher_tasks.counts(NIGHT) == {(WB, TaskStatus.PENDING): 1}


# --- agents -------------------------------------------------------------------------------


def test_an_agent_is_found_by_the_hash_of_its_token_and_saved_with_its_metrics(db: Db) -> None:
    beat = T0.astimezone(MSK)
    with db.uow() as uow:
        uow.watcher_agents.add(Agent("agent-2", "two", None), token_hash="h2")
        uow.watcher_agents.add(Agent("agent-1", "one", WB, ip="2001:db8::1"), token_hash="h1")
        uow.watcher_agents.add(Agent("agent-3", "three", OZON))
        uow.commit()
    with db.uow() as uow:
        found = uow.watcher_agents.by_token_hash("h1")
        assert found == Agent("agent-1", "one", WB, ip="2001:db8::1")
        assert uow.watcher_agents.by_token_hash("nope") is None
        assert uow.watcher_agents.get("agent-9") is None
        online = replace(found, status=AgentStatus.ONLINE, last_heartbeat=beat, cookies_valid=False)
        uow.watcher_agents.save(online, {"cpu": 12.5, "tasks": 3})
        uow.watcher_agents.save(replace(online, status=AgentStatus.PANIC))  # metrics kept
        uow.commit()
    with db.uow() as uow:
        assert [a.id for a in uow.watcher_agents.all()] == ["agent-1", "agent-2", "agent-3"]
        loaded = uow.watcher_agents.get("agent-1")
        assert loaded == replace(online, status=AgentStatus.PANIC)
        assert loaded is not None and loaded.last_heartbeat is not None
        assert loaded.last_heartbeat.utcoffset() == timedelta(0)
        assert uow.watcher_agents.by_token_hash("h2") == Agent("agent-2", "two", None)
    assert db.metrics("agent-1") == {"cpu": 12.5, "tasks": 3}


def test_agent_events_are_listed_newest_first_and_deleted_in_bounded_batches(db: Db) -> None:
    events = [
        AgentEvent("agent-1", AgentStatus.ONLINE, "heartbeat received", T0 - timedelta(days=40)),
        AgentEvent("agent-1", AgentStatus.OFFLINE, "no heartbeat", T0 - timedelta(days=35)),
        AgentEvent("agent-2", AgentStatus.PANIC, "captcha", T0 - timedelta(days=31), {"ip": "10.0.0.1"}),
        AgentEvent("agent-1", AgentStatus.ONLINE, "heartbeat received", T0.astimezone(MSK)),
    ]
    with db.uow() as uow:
        for event in events:
            uow.watcher_agents.add_event(event)
        uow.commit()
    with db.uow() as uow:
        newest = uow.watcher_agents.events()
        assert [e.message for e in newest] == ["heartbeat received", "captcha", "no heartbeat", "heartbeat received"]
        assert newest[0].created_at == T0 and newest[0].severity is Severity.INFO
        assert newest[1] == events[2] and dict(newest[1].details) == {"ip": "10.0.0.1"}
        assert uow.watcher_agents.events("agent-1", limit=2) == [replace(events[3], created_at=T0), events[1]]
        cutoff = T0 - timedelta(days=30)
        assert [uow.watcher_agents.delete_events_before(cutoff, 2) for _ in range(3)] == [2, 1, 0]
        uow.commit()
        assert [e.created_at for e in uow.watcher_agents.events()] == [T0]


# --- alerts -------------------------------------------------------------------------------


def test_an_alert_is_stored_once_per_dedupe_key(db: Db) -> None:
    busy = one_subscription(db).items[0]
    with db.uow() as uow:
        first = uow.watcher_alerts.add([new_alert(busy, "k1"), new_alert(busy, "k2"), new_alert(busy, "k1")])
        assert len(first) == 2
        uow.commit()
    with db.uow() as uow:
        again = uow.watcher_alerts.add([new_alert(busy, "k2"), new_alert(busy, "k3", our_product_id=None)])
        assert len(again) == 1 and again[0] not in first
        assert uow.watcher_alerts.add([]) == []
        uow.commit()
        stored = uow.watcher_alerts.get(first[0])
        assert stored is not None
        assert (stored.kind, stored.severity, stored.dedupe_key, stored.brand) == (
            AlertKind.DUMPING_DETECTED,
            Severity.CRITICAL,
            "k1",
            "ohana_market",
        )
        assert stored.created_at == T0 and dict(stored.details) == {"new_price": "90.00"} and not stored.resolved
        assert uow.watcher_alerts.get(999_999) is None
        assert [a.dedupe_key for a in uow.watcher_alerts.recent()] == ["k3", "k2", "k1"]


def test_alerts_are_counted_in_their_window_notified_once_marked_and_listed_by_kind(db: Db) -> None:
    busy = one_subscription(db).items[0]
    hour = timedelta(hours=1)
    with db.uow() as uow:
        ids = uow.watcher_alerts.add(
            [
                new_alert(busy, "a", created_at=T0 - hour),
                new_alert(busy, "b", created_at=T0),
                new_alert(busy, "c", kind=AlertKind.PRICE_RISE, created_at=T0 + hour),
                new_alert(busy, "d", created_at=T0 + 2 * hour),  # the window's end is open
            ]
        )
        uow.watcher_alerts.mark_notified(ids[1], T0)
        uow.commit()
    with db.uow() as uow:
        assert uow.watcher_alerts.counts(T0, T0 + 2 * hour) == {
            (AlertKind.DUMPING_DETECTED, "critical"): 1,
            (AlertKind.PRICE_RISE, "critical"): 1,
        }
        assert [uow.watcher_alerts.notified(i) for i in ids] == [False, True, False, False]
        assert [a.dedupe_key for a in uow.watcher_alerts.recent(2)] == ["d", "c"]
        assert [a.dedupe_key for a in uow.watcher_alerts.recent(kind=AlertKind.PRICE_RISE)] == ["c"]


def test_resolved_alerts_are_deleted_in_batches_bounded_by_the_limit(db: Db) -> None:
    busy = one_subscription(db).items[0]
    old = T0 - timedelta(days=400)
    with db.uow() as uow:
        ids = uow.watcher_alerts.add([new_alert(busy, f"k{n}", created_at=old) for n in range(5)])
        ids += uow.watcher_alerts.add([new_alert(busy, "recent", created_at=T0)])
        uow.commit()
    for alert_id in [*ids[:3], ids[5]]:
        db.resolve(alert_id, T0)
    cutoff = T0 - timedelta(days=365)
    with db.uow() as uow:
        assert [uow.watcher_alerts.delete_resolved_before(cutoff, 2) for _ in range(3)] == [2, 1, 0]
        uow.commit()
        assert sorted(a.id for a in uow.watcher_alerts.recent()) == [ids[3], ids[4], ids[5]]
