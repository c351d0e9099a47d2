"""One contract for Logistic's repositories, run on the in-memory fakes, SQLite and PostgreSQL:
what a use case reads back is the same whichever backs it (articles upserted by 1C code, the
stock cache of active articles, velocity replaced, the 1C extract in file order, the warehouse
with its history and unmapped codes, supply tasks created once per day × article × cluster,
alerts stored once per dedupe key and resolved per article × cluster × kind, batch deletes
bounded by their limit). On SQL, the bulk methods take as many statements for 500 rows as
for 10. Each test owns its database."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, event, func, insert, select

from adolf.adapters.sqlalchemy import migrate
from adolf.adapters.sqlalchemy.app_unit_of_work import AppSqlUnitOfWork
from adolf.adapters.sqlalchemy.engine import build_engine, build_session_factory
from adolf.adapters.sqlalchemy.logistic_tables import (
    brain_stock_balance,
    logistic_fbo_stock,
    logistic_supply_tasks,
    logistic_warehouse_history,
)
from adolf.adapters.sqlalchemy.tables import metadata
from adolf.adapters.sqlalchemy.timestamps import as_utc, utc
from adolf.application.logistic.ports import ArticleVelocity, BalanceLine, NewLogisticAlert, NewSupplyTask
from adolf.domain.alerts.severity import Severity
from adolf.domain.logistic.alerts import StockAlertKind
from adolf.domain.logistic.allocation import Coverage
from adolf.domain.logistic.articles import Article, Cluster
from adolf.domain.logistic.brain_import import Anomaly
from adolf.domain.logistic.deficit import SupplyPriority
from adolf.domain.logistic.freshness import BRAIN_TABLES
from adolf.domain.logistic.stock import FboStock
from adolf.domain.logistic.supply_tasks import SupplyTask, SupplyTaskStatus, with_status
from tests.support.fakes.logistic_repos import FakeLogisticUnitOfWork
from tests.support.migrations import CONTRACT_STORES, contract_engine

T0 = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # 07:00 in Moscow: generate_supply_tasks
MSK = timezone(timedelta(hours=3))
DAY = date(2026, 3, 10)
KIDS, MARKET = "ohana_kids", "ohana_market"
OOS, URGENT, LOW = StockAlertKind.OUT_OF_STOCK, StockAlertKind.URGENT_STOCK, StockAlertKind.LOW_STOCK
NEW, ACCEPTED, SHIPPED, CANCELLED = (
    SupplyTaskStatus.NEW,
    SupplyTaskStatus.ACCEPTED,
    SupplyTaskStatus.SHIPPED,
    SupplyTaskStatus.CANCELLED,
)


class Db:
    """Hands out a unit of work per block, as a use case gets one; the other methods reach past
    the ports to what no port reads (snapshots, history rows, a 1C load)."""

    def __init__(self, engine: Engine | None) -> None:
        self.engine = engine
        self.fake = FakeLogisticUnitOfWork() if engine is None else None
        self.factory = build_session_factory(engine) if engine is not None else None

    def uow(self) -> Any:
        if self.fake is not None:
            return self.fake
        assert self.factory is not None
        return AppSqlUnitOfWork(self.factory)

    def snapshots(self) -> int:
        if self.fake is not None:
            return len(self.fake.logistic.snapshots)
        with self.uow() as uow:
            return int(uow.session.execute(select(func.count()).select_from(logistic_fbo_stock)).scalar_one())

    def history(self) -> list[tuple[int, int, str, str | None, datetime]]:
        """(article, quantity, classification, reason, recorded_at) of every history row, by id."""
        if self.fake is not None:
            rows = sorted(self.fake.logistic.history.items())
            return [(r.article_id, r.quantity, r.classification, r.reason, r.recorded_at) for _, r in rows]
        h = logistic_warehouse_history.c
        with self.uow() as uow:
            query = select(h.article_id, h.quantity, h.classification, h.reason, h.recorded_at).order_by(h.id)
            return [(a, q, c, r, utc(at)) for a, q, c, r, at in uow.session.execute(query)]

    def task_updated_at(self, task_id: int) -> datetime:
        if self.fake is not None:
            return self.fake.logistic.tasks[task_id].updated_at
        with self.uow() as uow:
            query = select(logistic_supply_tasks.c.updated_at).where(logistic_supply_tasks.c.id == task_id)
            found = as_utc(uow.session.execute(query).scalar_one())
            assert found is not None
            return found

    def load_brain(self, table: str, lines: Sequence[BalanceLine], at: datetime) -> None:
        if self.fake is not None:
            self.fake.logistic.load_brain(table, lines, at)
            return
        rows = [
            {"line": b.line, "code": b.code, "quantity": b.quantity, "name": b.name, "loaded_at": utc(at)}
            | ({"warehouse": b.warehouse} if table == "brain_stock_balance" else {})
            for b in lines
        ]
        with self.uow() as uow:
            uow.session.execute(insert(metadata.tables[table]), rows)
            uow.commit()

    def counting(self) -> tuple[list[str], Callable[[], None]]:
        """Statements sent from now on (SQL only), and how to stop counting."""
        assert self.engine is not None
        sent: list[str] = []

        def listener(*args: Any) -> None:
            sent.append(str(args[2]))

        event.listen(self.engine, "before_cursor_execute", listener)
        return sent, lambda: event.remove(self.engine, "before_cursor_execute", listener)


@pytest.fixture(params=CONTRACT_STORES)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    for engine in contract_engine(request, tmp_path):
        yield Db(engine)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sql(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    """SQL only: statement counts, rows an extractor wrote without a line."""
    url = (
        f"sqlite:///{tmp_path / 'adolf.sqlite3'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    engine = build_engine(url)
    migrate.upgrade(engine)
    try:
        yield Db(engine)
    finally:
        migrate.downgrade(engine, "base")
        engine.dispose()


# --- builders -----------------------------------------------------------------------------


def article(code: str, brand: str = MARKET, sku: int | None = None, active: bool = True, name: str = "") -> Article:
    return Article(0, brand, code, name or f"Плед {code}", sku, active)


def catalogue(db: Db, articles: Sequence[Article], clusters: Sequence[int] = (1, 2)) -> list[int]:
    with db.uow() as uow:
        ids = uow.logistic_articles.add(list(articles), T0)
        uow.logistic_clusters.upsert([Cluster(c, f"Кластер {c}") for c in clusters], T0)
        uow.commit()
    return list(ids)


def stock(article_id: int, cluster_id: int, available: int = 10, at: datetime = T0, **extra: Any) -> FboStock:
    values: dict[str, Any] = {"in_transit": 2, "requested": 1, "avg_daily_sales": Decimal("1.50")}
    return FboStock(article_id, cluster_id, available, observed_at=at, **(values | extra))


def new_task(
    article_id: int,
    cluster_id: int = 1,
    day: date = DAY,
    quantity: int = 10,
    allocated: int = 10,
    priority: SupplyPriority = SupplyPriority.URGENT,
    at: datetime = T0,
    brand: str = MARKET,
) -> NewSupplyTask:
    coverage = Coverage.FULL if allocated == quantity else Coverage.NONE if allocated == 0 else Coverage.PARTIAL
    return NewSupplyTask(
        article_id, cluster_id, brand, day, quantity, allocated, priority, coverage, Decimal("3.5"), at
    )


def alert(
    key: str,
    kind: StockAlertKind = OOS,
    article_id: int | None = 1,
    cluster_id: int | None = 1,
    at: datetime = T0,
    brand: str | None = MARKET,
    is_open: bool = True,
) -> NewLogisticAlert:
    return NewLogisticAlert(
        kind, kind.severity, f"alert {key}", at, key, brand, article_id, cluster_id, {"available": "0"}, is_open
    )


def drain(delete: Callable[[int], int], limit: int) -> list[int]:
    """Call a batch delete until it deletes nothing; what each call deleted."""
    counts = [delete(limit)]
    while counts[-1]:
        counts.append(delete(limit))
    return counts


# --- the unit of work ---------------------------------------------------------------------


def test_work_not_committed_is_rolled_back(db: Db) -> None:
    with db.uow() as uow:
        uow.logistic_articles.add([article("00-001")], T0)
        uow.logistic_clusters.upsert([Cluster(1, "Москва")], T0)
    with db.uow() as uow:
        assert uow.logistic_articles.all() == []
        assert uow.logistic_clusters.all() == []


# --- articles and clusters ----------------------------------------------------------------


def test_articles_are_upserted_by_1c_code_keeping_their_ids(db: Db) -> None:
    first = catalogue(db, [article("00-001", sku=111), article("00-002", KIDS), article("00-003", active=False)])
    assert len(set(first)) == 3
    with db.uow() as uow:
        again = uow.logistic_articles.add(
            [
                article("00-002", MARKET, sku=222, name="Плед детский"),  # re-branded, mapped to Ozon
                article("00-004", KIDS),
                article("00-001", sku=111, active=False),  # switched off
                article("00-004", KIDS, name="Плед последний"),  # the same code again: the last one wins
            ],
            T0 + timedelta(days=1),
        )
        uow.commit()
    assert again[0] == first[1] and again[2] == first[0]
    assert again[1] == again[3] and again[1] not in first
    with db.uow() as uow:
        articles = uow.logistic_articles
        assert [a.code for a in articles.all()] == ["00-002", "00-004"]
        assert [a.code for a in articles.all(active_only=False)] == ["00-001", "00-002", "00-003", "00-004"]
        assert [a.code for a in articles.all(KIDS)] == ["00-004"]
        assert articles.by_ids([first[1], 999]) == {first[1]: Article(first[1], MARKET, "00-002", "Плед детский", 222)}
        assert articles.by_codes(["00-004", "nope"])["00-004"].name == "Плед последний"
        assert set(articles.by_skus([111, 222, 333])) == {111, 222}
        assert articles.by_skus([111])[111].active is False
        assert articles.ids_by_code() == {
            "00-001": first[0],
            "00-002": first[1],
            "00-003": first[2],
            "00-004": again[1],
        }
        assert articles.brands() == [KIDS, MARKET]


def test_clusters_are_added_and_renamed_never_deleted(db: Db) -> None:
    with db.uow() as uow:
        assert uow.logistic_clusters.upsert([Cluster(7, "Москва"), Cluster(3, "Урал")], T0) == 2
        uow.commit()
    with db.uow() as uow:
        assert uow.logistic_clusters.upsert([Cluster(3, "Урал и Сибирь"), Cluster(9, "Юг")], T0) == 2
        uow.commit()
    with db.uow() as uow:
        assert uow.logistic_clusters.all() == [Cluster(3, "Урал и Сибирь"), Cluster(7, "Москва"), Cluster(9, "Юг")]


# --- FBO stock and velocity ---------------------------------------------------------------


def test_stock_is_snapshotted_and_cached_per_article_and_cluster(db: Db) -> None:
    a, b, off = catalogue(db, [article("00-001"), article("00-002", KIDS), article("00-003", active=False)])
    later = T0 + timedelta(minutes=30)
    with db.uow() as uow:
        assert uow.logistic_stock.record([stock(a, 1), stock(a, 2), stock(b, 1), stock(off, 1)], T0) == 4
        uow.commit()
    moscow_time = later.astimezone(MSK)
    fresh = stock(a, 1, 3, moscow_time, days_left=Decimal("2.5"), turnover_grade="DEFICIT")
    with db.uow() as uow:
        assert uow.logistic_stock.record([fresh, stock(b, 1, 7, later)], later) == 2
        uow.commit()
    assert db.snapshots() == 6
    with db.uow() as uow:
        current = uow.logistic_stock.current()
        assert [(s.article_id, s.cluster_id) for s in current] == [(a, 1), (a, 2), (b, 1)]  # not the inactive one
        assert current[0] == replace(fresh, observed_at=later)
        assert current[0].observed_at.tzinfo is not None and current[0].observed_at.utcoffset() == timedelta(0)
        assert current[0].avg_daily_sales == Decimal("1.50") and isinstance(current[0].days_left, Decimal)
        assert [s.available for s in uow.logistic_stock.current(KIDS)] == [7]


def test_current_selling_only_leaves_out_the_cells_that_sell_nothing(db: Db) -> None:
    (a,) = catalogue(db, [article("00-001")])
    with db.uow() as uow:
        idle = stock(a, 2, 0, avg_daily_sales=Decimal("0.00"))
        uow.logistic_stock.record([stock(a, 1, avg_daily_sales=Decimal("0.01")), idle], T0)
        uow.commit()
    with db.uow() as uow:
        assert [s.cluster_id for s in uow.logistic_stock.current()] == [1, 2]
        assert [s.cluster_id for s in uow.logistic_stock.current(selling_only=True)] == [1]


def test_old_snapshots_are_deleted_in_batches_bounded_by_the_limit(db: Db) -> None:
    (a,) = catalogue(db, [article("00-001")])
    with db.uow() as uow:
        for hours in range(5):
            at = T0 + timedelta(hours=hours)
            uow.logistic_stock.record([stock(a, 1, at=at), stock(a, 2, at=at)], at)
        uow.commit()
    with db.uow() as uow:
        assert drain(lambda n: uow.logistic_stock.delete_snapshots_before(T0 + timedelta(hours=3), n), 4) == [4, 2, 0]
        assert uow.logistic_stock.delete_snapshots_before(T0 + timedelta(days=1), 0) == 0
        uow.commit()
    assert db.snapshots() == 4
    with db.uow() as uow:
        assert len(uow.logistic_stock.current()) == 2  # the cache is not the history


def test_velocity_is_replaced_whole(db: Db) -> None:
    a, b, c = catalogue(db, [article("00-001"), article("00-002"), article("00-003")])
    with db.uow() as uow:
        rows = [ArticleVelocity(a, 28, Decimal("1")), ArticleVelocity(b, 3, Decimal("0.107"))]
        assert uow.logistic_velocity.replace(rows, T0) == 2
        uow.commit()
    with db.uow() as uow:
        assert uow.logistic_velocity.all() == {
            a: ArticleVelocity(a, 28, Decimal("1.00")),
            b: ArticleVelocity(b, 3, Decimal("0.11")),
        }
        assert uow.logistic_velocity.replace([ArticleVelocity(c, 56, Decimal("2"))], T0) == 1
        uow.commit()
    with db.uow() as uow:
        assert uow.logistic_velocity.all() == {c: ArticleVelocity(c, 56, Decimal("2"))}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rates=st.lists(st.decimals(min_value=0, max_value=9999, places=4), min_size=1, max_size=3))
def test_any_velocity_reads_back_rounded_half_up_to_two_places(db: Db, rates: list[Decimal]) -> None:
    ids = catalogue(db, [article(f"00-{n:03}") for n in range(len(rates))])
    with db.uow() as uow:
        uow.logistic_velocity.replace([ArticleVelocity(i, 1, r) for i, r in zip(ids, rates, strict=True)], T0)
        uow.commit()
    with db.uow() as uow:
        stored = uow.logistic_velocity.all()
    for article_id, rate in zip(ids, rates, strict=True):
        expected = rate.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert stored[article_id].avg_daily_sales == expected and isinstance(
            stored[article_id].avg_daily_sales, Decimal
        )


# --- the 1C extract and the warehouse -----------------------------------------------------


def test_the_1c_extract_reads_in_file_order_and_says_when_each_table_was_loaded(db: Db) -> None:
    with db.uow() as uow:
        assert uow.logistic_brain.loaded_at() == dict.fromkeys(BRAIN_TABLES)
        assert uow.logistic_brain.stock_balance() == []
    lines = [BalanceLine(3, "00-003", "junk", "Плед", "Основной"), BalanceLine(2, " 00-001 ", "12", None, None)]
    db.load_brain("brain_stock_balance", lines, T0.astimezone(MSK))
    db.load_brain("brain_goods_receipts", [BalanceLine(1, "00-001", "5")], T0 - timedelta(days=2))
    with db.uow() as uow:
        assert uow.logistic_brain.stock_balance() == [lines[1], lines[0]]
        loaded = uow.logistic_brain.loaded_at()
    assert loaded == {
        "brain_stock_balance": T0,
        "brain_customer_orders": None,
        "brain_supplier_orders": None,
        "brain_goods_receipts": T0 - timedelta(days=2),
    }
    assert all(at is None or at.utcoffset() == timedelta(0) for at in loaded.values())


def test_rows_an_extractor_wrote_without_a_line_read_back_by_their_id(sql: Db) -> None:
    with sql.uow() as uow:
        b = brain_stock_balance.c
        uow.session.execute(
            insert(brain_stock_balance),
            [
                {"line": None, "code": "X", "quantity": "1", "loaded_at": T0},
                {"line": None, "code": "Y", "quantity": None, "loaded_at": T0},
            ],
        )
        ids = list(uow.session.execute(select(b.id).order_by(b.id)).scalars())
        assert [(line.line, line.code, line.quantity) for line in uow.logistic_brain.stock_balance()] == [
            (ids[0], "X", "1"),
            (ids[1], "Y", None),
        ]


def test_validated_quantities_are_applied_with_history_and_anomalies_kept_aside(db: Db) -> None:
    a, b, c = catalogue(db, [article("00-001"), article("00-002", KIDS), article("00-003")])
    later = T0 + timedelta(days=1)
    with db.uow() as uow:
        uow.logistic_warehouse.apply({a: 40, b: 5}, [], T0)
        uow.commit()
    with db.uow() as uow:
        jump = Anomaly("00-003", c, 900, None, "JUMP")
        negative = Anomaly("00-002", b, -4, 5, "NEGATIVE")
        uow.logistic_warehouse.apply({a: 0}, [negative, jump], later.astimezone(MSK))
        uow.commit()
    with db.uow() as uow:
        assert uow.logistic_warehouse.quantities() == {a: 0, b: 5}  # anomalies applied nothing
        assert uow.logistic_warehouse.quantities(KIDS) == {b: 5}
    assert db.history() == [
        (a, 40, "validated", None, T0),
        (b, 5, "validated", None, T0),
        (a, 0, "validated", None, later),
        (b, -4, "anomaly", "NEGATIVE", later),
        (c, 900, "anomaly", "JUMP", later),
    ]
    with db.uow() as uow:
        delete = uow.logistic_warehouse.delete_history_before
        assert drain(lambda n: delete(later, n), 1) == [1, 1, 0]
        uow.commit()
    assert len(db.history()) == 3


def test_unmapped_codes_are_counted_per_load_and_keep_a_name(db: Db) -> None:
    later = T0 + timedelta(days=1)
    with db.uow() as uow:
        assert uow.logistic_warehouse.note_unmapped({"X-1": "Плед", "X-2": None, "X-3": "Подушка"}, T0) == 3
        uow.commit()
    with db.uow() as uow:
        assert uow.logistic_warehouse.note_unmapped({"X-1": "", "X-2": "Одеяло"}, later.astimezone(MSK)) == 2
        uow.commit()
    with db.uow() as uow:
        found = uow.logistic_warehouse.unmapped()
        assert [(u.code, u.name, u.first_seen, u.last_seen, u.times) for u in found] == [
            ("X-2", "Одеяло", T0, later, 2),
            ("X-1", "Плед", T0, later, 2),  # a blank name keeps the known one
            ("X-3", "Подушка", T0, T0, 1),
        ]
        assert [u.code for u in uow.logistic_warehouse.unmapped(limit=1)] == ["X-2"]


# --- supply tasks -------------------------------------------------------------------------


def test_supply_tasks_are_created_once_per_day_article_and_cluster(db: Db) -> None:
    a, b = catalogue(db, [article("00-001"), article("00-002", KIDS)])
    given = [new_task(a, 1), new_task(b, 2, brand=KIDS), new_task(a, 1, quantity=99)]
    with db.uow() as uow:
        inserted = uow.logistic_tasks.create_many(given)
        uow.commit()
    first = list(inserted)
    assert list(inserted.values()) == given[:2]  # what was inserted, as given, in order
    assert len(first) == 2 and first[0] != first[1]
    later = [new_task(a, 2), new_task(a, 1), new_task(a, 1, DAY + timedelta(days=1))]
    with db.uow() as uow:
        inserted = uow.logistic_tasks.create_many(later)
        assert uow.logistic_tasks.create_many([new_task(a, 1), new_task(b, 2, brand=KIDS)]) == {}
        uow.commit()
    again = list(inserted)
    assert list(inserted.values()) == [later[0], later[2]]  # the existing key skipped
    assert len(again) == 2 and not set(again) & set(first)
    with db.uow() as uow:
        tasks = uow.logistic_tasks.get_many([*first, *again, 999])
        assert set(tasks) == {*first, *again}
        assert tasks[first[0]].quantity == 10  # the first of a key within a call
        assert [(t.article_id, t.cluster_id, t.task_date) for t in (tasks[i] for i in again)] == [
            (a, 2, DAY),
            (a, 1, DAY + timedelta(days=1)),
        ]


def test_a_supply_task_round_trips_and_saves_its_status_with_its_own_time(db: Db) -> None:
    (a,) = catalogue(db, [article("00-001")])
    with db.uow() as uow:
        (task_id,) = uow.logistic_tasks.create_many(
            [new_task(a, 2, quantity=12, allocated=5, priority=SupplyPriority.PLANNED, at=T0.astimezone(MSK))]
        )
        uow.commit()
    expected = SupplyTask(
        task_id, a, 2, MARKET, 12, 5, SupplyPriority.PLANNED, Coverage.PARTIAL, NEW, T0, DAY, Decimal("3.5")
    )
    with db.uow() as uow:
        task = uow.logistic_tasks.get(task_id)
        assert task == expected and uow.logistic_tasks.get(999) is None
        assert task.created_at.utcoffset() == timedelta(0)
    assert db.task_updated_at(task_id) == T0
    accepted_at, shipped_at = T0 + timedelta(hours=2), T0 + timedelta(hours=30)
    with db.uow() as uow:
        uow.logistic_tasks.save(with_status(task, ACCEPTED, accepted_at), accepted_at.astimezone(MSK))
        uow.commit()
    with db.uow() as uow:
        accepted = uow.logistic_tasks.get(task_id)
        assert accepted == replace(expected, status=ACCEPTED, accepted_at=accepted_at)
        uow.logistic_tasks.save(with_status(accepted, SHIPPED, shipped_at), shipped_at)
        uow.commit()
    with db.uow() as uow:
        assert uow.logistic_tasks.get(task_id) == replace(
            expected, status=SHIPPED, accepted_at=accepted_at, shipped_at=shipped_at
        )
    assert db.task_updated_at(task_id) == shipped_at


def test_many_tasks_are_saved_per_status_and_listed_by_status_brand_and_day(db: Db) -> None:
    a, b = catalogue(db, [article("00-001"), article("00-002", KIDS)])
    tomorrow = DAY + timedelta(days=1)
    with db.uow() as uow:
        ids = list(
            uow.logistic_tasks.create_many(
                [
                    new_task(a, 1, at=T0),
                    new_task(a, 2, at=T0 + timedelta(minutes=1), priority=SupplyPriority.RECOMMENDED),
                    new_task(b, 1, at=T0 + timedelta(minutes=2), brand=KIDS),
                    new_task(b, 2, at=T0 + timedelta(minutes=3), brand=KIDS),
                    new_task(a, 1, tomorrow, at=T0 + timedelta(days=1)),
                ]
            )
        )
        uow.commit()
    at = T0 + timedelta(hours=5)
    with db.uow() as uow:
        tasks = uow.logistic_tasks.get_many(ids)
        uow.logistic_tasks.save_many(
            [
                with_status(tasks[ids[0]], ACCEPTED, at),
                with_status(tasks[ids[1]], CANCELLED, at),
                with_status(tasks[ids[2]], CANCELLED, at),
            ],
            at,
        )
        uow.commit()
    with db.uow() as uow:
        t = uow.logistic_tasks
        saved = t.get_many(ids)
        assert [saved[i].status for i in ids] == [ACCEPTED, CANCELLED, CANCELLED, NEW, NEW]
        assert saved[ids[1]].cancelled_at == at and saved[ids[1]].accepted_at is None
        assert [x.id for x in t.open_tasks()] == [ids[0], ids[3], ids[4]]
        assert [x.id for x in t.open_tasks(KIDS)] == [ids[3]]
        assert [x.id for x in t.listing()] == ids[::-1]  # newest first
        assert [x.id for x in t.listing(status=CANCELLED)] == [ids[2], ids[1]]
        assert [x.id for x in t.listing(brand=KIDS, day=DAY)] == [ids[3], ids[2]]
        assert [x.id for x in t.listing(day=tomorrow)] == [ids[4]]
        assert [x.id for x in t.listing(limit=2)] == [ids[4], ids[3]]
        assert [x.id for x in t.new_before(T0 + timedelta(days=1))] == [ids[3]]
        assert t.counts(DAY) == {
            (ACCEPTED, SupplyPriority.URGENT): 1,
            (CANCELLED, SupplyPriority.RECOMMENDED): 1,
            (CANCELLED, SupplyPriority.URGENT): 1,
            (NEW, SupplyPriority.URGENT): 1,
        }
        assert t.counts()[(NEW, SupplyPriority.URGENT)] == 2
    assert db.task_updated_at(ids[0]) == at and db.task_updated_at(ids[3]) == T0 + timedelta(minutes=3)


def test_finished_tasks_are_deleted_in_batches_and_open_ones_stay(db: Db) -> None:
    (a,) = catalogue(db, [article("00-001")], clusters=(1, 2, 3, 4))
    with db.uow() as uow:
        ids = list(uow.logistic_tasks.create_many([new_task(a, c) for c in (1, 2, 3, 4)]))
        tasks = uow.logistic_tasks.get_many(ids)
        uow.logistic_tasks.save_many([with_status(tasks[i], CANCELLED, T0) for i in ids[:3]], T0)
        accepted = with_status(tasks[ids[3]], ACCEPTED, T0)
        uow.logistic_tasks.save(accepted, T0)
        uow.commit()
    with db.uow() as uow:
        assert uow.logistic_tasks.delete_finished_before(T0, 10) == 0  # created at T0: not before it
        later = T0 + timedelta(days=91)
        assert drain(lambda n: uow.logistic_tasks.delete_finished_before(later, n), 2) == [2, 1, 0]
        uow.commit()
    with db.uow() as uow:
        assert list(uow.logistic_tasks.get_many(ids)) == [ids[3]]


# --- alerts -------------------------------------------------------------------------------


def test_an_alert_is_stored_once_per_dedupe_key(db: Db) -> None:
    with db.uow() as uow:
        ids = uow.logistic_alerts.add([alert("k1"), alert("k2", LOW), alert("k1", URGENT)])
        uow.commit()
    assert len(ids) == 2 and ids[0] != ids[1]
    with db.uow() as uow:
        again = uow.logistic_alerts.add([alert("k2"), alert("k3", article_id=2), alert("k1")])
        uow.commit()
    assert len(again) == 1 and again[0] not in ids
    with db.uow() as uow:
        stored = uow.logistic_alerts.get(ids[0])
        assert stored is not None and stored.kind is OOS  # the first of a key within a call
        assert uow.logistic_alerts.get(999) is None
        assert set(uow.logistic_alerts.get_many([*ids, *again, 999])) == {*ids, *again}


def test_an_alert_round_trips_with_its_times_in_utc(db: Db) -> None:
    stale = NewLogisticAlert(
        StockAlertKind.DATA_STALE,
        Severity.CRITICAL,
        "1C data is stale",
        T0.astimezone(MSK),
        "logistic:DATA_STALE:-:-:2026-03-10",
        details={"tables": "brain_stock_balance"},
    )
    with db.uow() as uow:
        (alert_id,) = uow.logistic_alerts.add([stale])
        uow.logistic_alerts.mark_notified([alert_id, 999], T0 + timedelta(minutes=1))
        uow.commit()
    with db.uow() as uow:
        found = uow.logistic_alerts.get(alert_id)
    assert found is not None
    assert (found.kind, found.severity, found.message, found.dedupe_key) == (
        StockAlertKind.DATA_STALE,
        Severity.CRITICAL,
        "1C data is stale",
        stale.dedupe_key,
    )
    assert (found.brand, found.article_id, found.cluster_id, found.open) == (None, None, None, False)
    assert dict(found.details) == {"tables": "brain_stock_balance"}
    assert found.created_at == T0 and found.created_at.utcoffset() == timedelta(0)
    assert found.notified_at == T0 + timedelta(minutes=1)
    assert (found.resolved_at, found.read_at) == (None, None)


def test_open_alerts_are_found_per_article_and_cluster_and_resolved_by_kind(db: Db) -> None:
    with db.uow() as uow:
        ids = uow.logistic_alerts.add(
            [
                alert("a", OOS, 1, 1),
                alert("b", LOW, 1, 2),
                alert("c", StockAlertKind.OZON_URGENT, 1, 2),
                alert("d", URGENT, 2, 1, brand=KIDS),
                alert("e", StockAlertKind.WAREHOUSE_LOW, 1, None, is_open=False),  # an event: stored closed
            ]
        )
        uow.commit()
    with db.uow() as uow:
        a = uow.logistic_alerts
        assert a.open_stock_alerts() == {(1, 1): {OOS}, (1, 2): {LOW, StockAlertKind.OZON_URGENT}, (2, 1): {URGENT}}
        assert a.open_stock_alerts(KIDS) == {(2, 1): {URGENT}}
        at = T0 + timedelta(hours=1)
        assert a.resolve([(1, 1, OOS), (1, 2, LOW), (1, 2, LOW), (2, 1, LOW), (9, 9, OOS)], at.astimezone(MSK)) == 2
        assert a.resolve([(1, 1, OOS)], at) == 0  # closed already
        uow.commit()
    with db.uow() as uow:
        a = uow.logistic_alerts
        assert a.open_stock_alerts() == {(1, 2): {StockAlertKind.OZON_URGENT}, (2, 1): {URGENT}}
        closed = a.get(ids[0])
        assert closed is not None and not closed.open and closed.resolved_at == T0 + timedelta(hours=1)
        assert [x.id for x in a.recent(open_only=True)] == [ids[3], ids[2]]
        assert [x.id for x in a.recent(kind=LOW)] == [ids[1]]
        assert [x.id for x in a.recent(limit=2)] == [ids[4], ids[3]]


def test_alerts_are_counted_in_their_window(db: Db) -> None:
    with db.uow() as uow:
        uow.logistic_alerts.add(
            [
                alert("a", OOS, at=T0 - timedelta(seconds=1)),
                alert("b", OOS, at=T0),
                alert("c", OOS, 2, at=T0 + timedelta(hours=1)),
                alert("d", LOW, at=T0 + timedelta(hours=2)),
                alert("e", LOW, at=T0 + timedelta(days=1)),
            ]
        )
        uow.commit()
    with db.uow() as uow:
        counts = uow.logistic_alerts.counts(T0, T0 + timedelta(days=1))
    assert counts == {(OOS, Severity.CRITICAL): 2, (LOW, Severity.WARNING): 1}


def test_closed_alerts_are_deleted_in_batches_and_open_ones_never(db: Db) -> None:
    old = T0 - timedelta(days=100)
    with db.uow() as uow:
        ids = uow.logistic_alerts.add(
            [
                alert("open", OOS, 1, 1, at=old),
                alert("resolved", LOW, 1, 2, at=old),
                alert("event-1", StockAlertKind.TASKS_GENERATED, None, None, at=old, is_open=False),
                alert("event-2", StockAlertKind.TASK_OVERDUE, None, None, at=old, is_open=False),
                alert("recent", StockAlertKind.TASK_OVERDUE, None, None, at=T0, is_open=False),
            ]
        )
        uow.logistic_alerts.resolve([(1, 2, LOW)], T0)
        uow.commit()
    with db.uow() as uow:
        assert drain(lambda n: uow.logistic_alerts.delete_closed_before(T0 - timedelta(days=90), n), 2) == [2, 1, 0]
        uow.commit()
    with db.uow() as uow:
        assert set(uow.logistic_alerts.get_many(ids)) == {ids[0], ids[4]}


# --- set-based: statements do not grow with rows (SQL only) -------------------------------


def _statements(db: Db, work: Callable[[Any], None]) -> int:
    with db.uow() as uow:
        sent, stop = db.counting()
        try:
            work(uow)
        finally:
            stop()
        uow.commit()
    return len(sent)


@pytest.mark.parametrize("size", [10, 500])
def test_bulk_writes_take_the_same_few_statements_for_500_rows_as_for_10(sql: Db, size: int) -> None:
    clusters = [Cluster(c, f"Кластер {c}") for c in range(1, 11)]
    articles = [article(f"00-{n:04}", sku=1000 + n) for n in range(size // 10)]
    counts: dict[str, int] = {}
    counts["clusters.upsert"] = _statements(sql, lambda uow: uow.logistic_clusters.upsert(clusters, T0))
    counts["articles.add"] = _statements(sql, lambda uow: uow.logistic_articles.add(articles, T0))
    counts["articles.add again"] = _statements(sql, lambda uow: uow.logistic_articles.add(articles, T0))
    with sql.uow() as uow:
        ids = [a.id for a in uow.logistic_articles.all()]
    pairs = [(a, c.id) for a in ids for c in clusters]
    assert len(pairs) == size
    stocks = [stock(a, c, available=n % 7) for n, (a, c) in enumerate(pairs)]
    counts["stock.record"] = _statements(sql, lambda uow: uow.logistic_stock.record(stocks, T0))
    speeds = [ArticleVelocity(a, 10, Decimal("0.36")) for a in ids]
    counts["velocity.replace"] = _statements(sql, lambda uow: uow.logistic_velocity.replace(speeds, T0))
    anomalies = [Anomaly(f"00-{n:04}", a, -1, None, "NEGATIVE") for n, a in enumerate(ids)]
    counts["warehouse.apply"] = _statements(
        sql, lambda uow: uow.logistic_warehouse.apply({a: 5 for a in ids}, anomalies, T0)
    )
    codes = {f"X-{n}": None for n in range(size)}
    counts["warehouse.note_unmapped"] = _statements(sql, lambda uow: uow.logistic_warehouse.note_unmapped(codes, T0))
    counts["warehouse.note_unmapped again"] = _statements(
        sql, lambda uow: uow.logistic_warehouse.note_unmapped(codes, T0)
    )
    tasks = [new_task(a, c, allocated=n % 3, quantity=2) for n, (a, c) in enumerate(pairs)]
    created: list[int] = []
    counts["tasks.create_many"] = _statements(sql, lambda uow: created.extend(uow.logistic_tasks.create_many(tasks)))
    counts["tasks.create_many again"] = _statements(sql, lambda uow: uow.logistic_tasks.create_many(tasks))
    assert len(created) == size
    with sql.uow() as uow:
        saved = list(uow.logistic_tasks.get_many(created).values())
    moved = [with_status(t, ACCEPTED if n % 2 else CANCELLED, T0) for n, t in enumerate(saved)]
    counts["tasks.save_many"] = _statements(sql, lambda uow: uow.logistic_tasks.save_many(moved, T0))
    alerts = [alert(f"k{n}", OOS, a, c) for n, (a, c) in enumerate(pairs)]
    added: list[int] = []
    counts["alerts.add"] = _statements(sql, lambda uow: added.extend(uow.logistic_alerts.add(alerts)))
    counts["alerts.mark_notified"] = _statements(sql, lambda uow: uow.logistic_alerts.mark_notified(added, T0))
    targets = [(a, c, OOS) for a, c in pairs]
    closed: list[int] = []
    counts["alerts.resolve"] = _statements(sql, lambda uow: closed.append(uow.logistic_alerts.resolve(targets, T0)))
    assert closed == [size] and len(added) == size

    assert counts == {
        "clusters.upsert": 1,
        "articles.add": 1,
        "articles.add again": 1,
        "stock.record": 2,  # the snapshots, the cache
        "velocity.replace": 2,  # DELETE, INSERT
        "warehouse.apply": 2,  # the current stock, the history
        "warehouse.note_unmapped": 1,
        "warehouse.note_unmapped again": 1,
        "tasks.create_many": 1,
        "tasks.create_many again": 1,
        "tasks.save_many": 2,  # one UPDATE per status
        "alerts.add": 1,
        "alerts.mark_notified": 1,
        "alerts.resolve": 1,
    }
