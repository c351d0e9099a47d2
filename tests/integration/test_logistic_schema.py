"""Logistic's schema (migration 0008_logistic) on SQLite and PostgreSQL: it goes up and down on
its own, matches the code's tables (defaults and CHECKs too, which the general comparison in
test_migrations.py does not look at), and its constraints, cascades and indexes do what they
are for."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    CheckConstraint,
    Connection,
    Engine,
    Table,
    delete,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from adolf.adapters.sqlalchemy.logistic_tables import (
    BRAIN_TABLES,
    COVERAGES,
    PRIORITIES,
    TASK_STATUSES,
    brain_customer_orders,
    brain_stock_balance,
    logistic_alerts,
    logistic_articles,
    logistic_clusters,
    logistic_fbo_stock,
    logistic_sales_velocity,
    logistic_stock_cache,
    logistic_supply_tasks,
    logistic_unmapped_codes,
    logistic_warehouse_history,
    logistic_warehouse_stock,
)
from adolf.adapters.sqlalchemy.tables import metadata
from adolf.adapters.sqlalchemy.timestamps import as_utc
from tests.support.migrations import assert_round_trip

BEFORE = "0007_watcher_price_indexes"
LOGISTIC = "0008_logistic"
T0 = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # 07:00 in Moscow
DAY = date(2026, 3, 10)
LOGISTIC_TABLES = {name for name in metadata.tables if name.startswith(("logistic_", "brain_"))}


def test_the_tables_are_the_issues_list() -> None:
    assert set(BRAIN_TABLES) <= LOGISTIC_TABLES
    assert len(LOGISTIC_TABLES) == 14


def test_logistic_migration_goes_up_down_and_up_again_on_its_own(database_url: str) -> None:
    assert_round_trip(database_url, BEFORE, LOGISTIC, LOGISTIC_TABLES)


def test_logistic_tables_match_the_migration_with_defaults_checks_and_indexes(migrated_engine: Engine) -> None:
    with migrated_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_server_default": True, "compare_type": True})
        diff = [d for d in compare_metadata(context, metadata) if "logistic_" in repr(d) or "brain_" in repr(d)]
        assert diff == []
        inspector = inspect(connection)
        for name in sorted(LOGISTIC_TABLES):
            migrated = {c["name"] for c in inspector.get_check_constraints(name)}
            coded = {c.name for c in metadata.tables[name].constraints if isinstance(c, CheckConstraint)}
            assert migrated == coded, name
            # PostgreSQL lists a unique constraint's index too: not an index of its own.
            indexes = {i["name"] for i in inspector.get_indexes(name) if "duplicates_constraint" not in i}
            assert indexes == {i.name for i in metadata.tables[name].indexes}, name


# --- rows ---------------------------------------------------------------------------------


@pytest.fixture
def conn(migrated_engine: Engine) -> Iterator[Connection]:
    with migrated_engine.connect() as connection:
        yield connection


def _id(conn: Connection, table: Table, **values: Any) -> int:
    return int(conn.execute(insert(table).values(**values).returning(table.c.id)).scalar_one())


def _article(conn: Connection, code: str = "A-1", sku: int | None = 1001, brand: str = "ohana_market") -> int:
    return _id(
        conn,
        logistic_articles,
        brand=brand,
        code=code,
        name=f"Плед {code}",
        ozon_sku=sku,
        active=True,
        created_at=T0,
    )


def _cluster(conn: Connection, cluster_id: int = 4, name: str = "Москва, МО и Дальние регионы") -> int:
    conn.execute(insert(logistic_clusters).values(id=cluster_id, name=name, updated_at=T0))
    return cluster_id


def _stock(article: int, cluster: int, at: datetime = T0, **values: Any) -> dict[str, Any]:
    return {
        "article_id": article,
        "cluster_id": cluster,
        "available": 10,
        "in_transit": 2,
        "requested": 0,
        "avg_daily_sales": Decimal("1.25"),
        "days_left": Decimal("8.0"),
        "turnover_grade": "GREEN",
        "observed_at": at,
    } | values


def _task(article: int, cluster: int, day: date = DAY, **values: Any) -> dict[str, Any]:
    return {
        "article_id": article,
        "cluster_id": cluster,
        "brand": "ohana_market",
        "task_date": day,
        "status": "new",
        "priority": "urgent",
        "coverage": "partial",
        "quantity": 30,
        "allocated": 12,
        "days_of_cover": Decimal("3.5"),
        "created_at": T0,
        "updated_at": T0,
    } | values


def _alert(**values: Any) -> dict[str, Any]:
    return {
        "kind": "OUT_OF_STOCK",
        "severity": "critical",
        "brand": "ohana_market",
        "message": "no stock",
        "details": {"available": 0},
        "created_at": T0,
    } | values


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _refused(conn: Connection, statement: Any) -> None:
    with pytest.raises(IntegrityError):
        conn.execute(statement)
    conn.rollback()


def test_articles_are_unique_by_1c_code_and_by_ozon_sku_which_may_be_unknown(conn: Connection) -> None:
    big = 2**40  # Ozon SKUs pass 2**31
    _article(conn, "A-1", big)
    _article(conn, "A-2", None)
    _article(conn, "A-3", None)  # many articles without a SKU yet
    conn.commit()
    assert (
        conn.execute(select(logistic_articles.c.ozon_sku).where(logistic_articles.c.code == "A-1")).scalar_one() == big
    )
    for bad in ({"code": "A-1", "sku": 7}, {"code": "A-9", "sku": big}, {"code": "A-9", "sku": 0}):
        with pytest.raises(IntegrityError):
            _article(conn, bad["code"], bad["sku"])
        conn.rollback()
    assert _count(conn, logistic_articles) == 3


def test_stock_rows_refuse_negative_units_and_rates(conn: Connection) -> None:
    article, cluster = _article(conn), _cluster(conn)
    conn.execute(insert(logistic_fbo_stock).values(**_stock(article, cluster, days_left=None, turnover_grade=None)))
    conn.execute(insert(logistic_stock_cache).values(**_stock(article, cluster), updated_at=T0))
    conn.commit()
    stored = conn.execute(select(logistic_stock_cache)).one()
    assert (stored.avg_daily_sales, stored.days_left) == (Decimal("1.25"), Decimal("8.0"))
    assert as_utc(stored.observed_at) == T0
    for column in ("available", "in_transit", "requested", "avg_daily_sales", "days_left"):
        _refused(conn, insert(logistic_fbo_stock).values(**_stock(article, cluster, **{column: -1})))
        _refused(conn, update(logistic_stock_cache).values(**{column: -1}))
    # The cache holds one row per article × cluster; snapshots as many as observed.
    _refused(conn, insert(logistic_stock_cache).values(**_stock(article, cluster), updated_at=T0))
    conn.execute(insert(logistic_fbo_stock).values(**_stock(article, cluster, T0 + timedelta(minutes=30))))
    conn.commit()
    assert _count(conn, logistic_fbo_stock) == 2
    # A snapshot needs a known article and cluster.
    _refused(conn, insert(logistic_fbo_stock).values(**_stock(article, 999)))
    velocity = {"article_id": article, "ordered_units_28d": 35, "avg_daily_sales": Decimal("1.25"), "computed_at": T0}
    conn.execute(insert(logistic_sales_velocity).values(**velocity))
    conn.commit()
    _refused(conn, insert(logistic_sales_velocity).values(**velocity))  # one per article
    _refused(conn, update(logistic_sales_velocity).values(ordered_units_28d=-1))
    _refused(conn, update(logistic_sales_velocity).values(avg_daily_sales=Decimal("-0.01")))


def test_supply_tasks_take_only_their_statuses_priorities_and_coverage(conn: Connection) -> None:
    article, cluster = _article(conn), _cluster(conn)
    for offset, status in enumerate(TASK_STATUSES):
        conn.execute(
            insert(logistic_supply_tasks).values(**_task(article, cluster, DAY + timedelta(offset), status=status))
        )
    conn.commit()
    statuses = conn.execute(select(logistic_supply_tasks.c.status).order_by(logistic_supply_tasks.c.task_date))
    assert tuple(statuses.scalars()) == TASK_STATUSES
    other = DAY - timedelta(days=30)
    for priority in PRIORITIES:  # each accepted (and taken back)
        conn.execute(insert(logistic_supply_tasks).values(**_task(article, cluster, other, priority=priority)))
        conn.rollback()
    for bad in (
        {"status": "done"},
        {"status": "NEW"},
        {"priority": "high"},
        {"coverage": "some"},
        {"quantity": 0},  # a task exists for a deficit only
        {"allocated": -1},
        {"allocated": 31},  # more than the deficit
        {"days_of_cover": Decimal("-0.1")},
    ):
        _refused(conn, insert(logistic_supply_tasks).values(**_task(article, cluster, other, **bad)))
    _refused(conn, update(logistic_supply_tasks).values(status="lost"))
    assert _count(conn, logistic_supply_tasks) == 4


@pytest.mark.parametrize(
    ("coverage", "allocated", "agrees"),
    [
        ("full", 30, True),
        ("full", 29, False),
        ("partial", 1, True),
        ("partial", 29, True),
        ("partial", 0, False),
        ("partial", 30, False),
        ("none", 0, True),
        ("none", 1, False),
    ],
)
def test_coverage_agrees_with_the_allocated_units(
    conn: Connection, coverage: str, allocated: int, agrees: bool
) -> None:
    assert coverage in COVERAGES
    article, cluster = _article(conn), _cluster(conn)
    conn.commit()
    statement = insert(logistic_supply_tasks).values(**_task(article, cluster, coverage=coverage, allocated=allocated))
    if agrees:
        conn.execute(statement)
        conn.commit()
        assert _count(conn, logistic_supply_tasks) == 1
    else:
        _refused(conn, statement)


def _insert_ignoring_duplicates(conn: Connection, rows: list[dict[str, Any]]) -> int:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(logistic_supply_tasks).on_conflict_do_nothing(
        index_elements=["task_date", "article_id", "cluster_id"]
    )
    return int(conn.execute(statement, rows).rowcount)


def test_a_day_generated_twice_makes_each_task_once(conn: Connection) -> None:
    first, second = _article(conn, "A-1", 1), _article(conn, "A-2", 2)
    moscow, kazan = _cluster(conn, 4), _cluster(conn, 7, "Казань")
    day = [_task(a, c) for a in (first, second) for c in (moscow, kazan)]
    assert _insert_ignoring_duplicates(conn, day) == 4
    assert _insert_ignoring_duplicates(conn, day) == 0
    conn.commit()
    # The next day is another task of the same article × cluster.
    conn.execute(insert(logistic_supply_tasks).values(**_task(first, moscow, DAY + timedelta(days=1))))
    conn.commit()
    _refused(conn, insert(logistic_supply_tasks).values(**_task(first, moscow, status="cancelled")))
    assert _count(conn, logistic_supply_tasks) == 5


def test_the_1c_extract_keeps_junk_as_text_and_history_keeps_anomalies(conn: Connection) -> None:
    raw = {"code": "00-001", "name": "Плед", "warehouse": None, "quantity": None, "line": None, "loaded_at": T0}
    conn.execute(
        insert(brain_stock_balance),
        [raw | {"warehouse": "Основной", "quantity": "12", "line": 2}, raw | {"quantity": "двенадцать"}, raw],
    )
    conn.execute(
        insert(brain_customer_orders).values(
            code="00-001", quantity="3", document_date=DAY, document_number="ЗК-1", loaded_at=T0
        )
    )
    conn.commit()
    assert conn.execute(select(brain_customer_orders.c.document_date)).scalar_one() == DAY
    quantities = conn.execute(select(brain_stock_balance.c.quantity).order_by(brain_stock_balance.c.id)).scalars()
    assert list(quantities) == ["12", "двенадцать", None]
    _refused(conn, insert(brain_stock_balance).values(code=None, quantity="1", loaded_at=T0))
    article = _article(conn)
    history = {"article_id": article, "recorded_at": T0}
    conn.execute(
        insert(logistic_warehouse_history),
        [
            history | {"quantity": 40, "classification": "validated"},
            history | {"quantity": -5, "classification": "anomaly", "reason": "negative"},
            history | {"quantity": 10**12, "classification": "anomaly", "reason": "above the ceiling"},
        ],
    )
    conn.execute(insert(logistic_warehouse_stock).values(article_id=article, quantity=40, updated_at=T0))
    conn.commit()
    _refused(conn, insert(logistic_warehouse_history).values(**history, quantity=1, classification="unmapped"))
    _refused(conn, update(logistic_warehouse_stock).values(quantity=-1))  # what is applied is validated
    conn.execute(insert(logistic_unmapped_codes).values(code="ZZ-9", first_seen=T0, last_seen=T0))
    conn.commit()
    assert conn.execute(select(logistic_unmapped_codes.c.times)).scalar_one() == 1  # the column's default
    _refused(conn, insert(logistic_unmapped_codes).values(code="ZZ-9", first_seen=T0, last_seen=T0))
    _refused(conn, update(logistic_unmapped_codes).values(times=0))


def test_alerts_open_by_default_and_a_dedupe_key_raises_one(conn: Connection) -> None:
    conn.execute(insert(logistic_alerts).values(**_alert(article_id=1, cluster_id=4, dedupe_key="OUT_OF_STOCK:1:4")))
    conn.execute(insert(logistic_alerts).values(**_alert(kind="DATA_STALE", brand=None, severity="critical")))
    conn.commit()
    assert conn.execute(select(logistic_alerts.c.open)).scalars().all() == [True, True]
    _refused(conn, insert(logistic_alerts).values(**_alert(dedupe_key="OUT_OF_STOCK:1:4")))
    conn.execute(update(logistic_alerts).values(open=False, resolved_at=T0))
    conn.commit()
    assert not any(conn.execute(select(logistic_alerts.c.open)).scalars())


def test_what_goes_with_a_deleted_article_or_cluster(conn: Connection) -> None:
    gone, kept = _article(conn, "A-1", 1), _article(conn, "A-2", 2)
    moscow, kazan = _cluster(conn, 4), _cluster(conn, 7, "Казань")
    for article in (gone, kept):
        for cluster in (moscow, kazan):
            conn.execute(insert(logistic_fbo_stock).values(**_stock(article, cluster)))
            conn.execute(insert(logistic_stock_cache).values(**_stock(article, cluster), updated_at=T0))
            conn.execute(insert(logistic_supply_tasks).values(**_task(article, cluster)))
        conn.execute(
            insert(logistic_sales_velocity).values(
                article_id=article, ordered_units_28d=28, avg_daily_sales=Decimal(1), computed_at=T0
            )
        )
        conn.execute(insert(logistic_warehouse_stock).values(article_id=article, quantity=5, updated_at=T0))
        conn.execute(
            insert(logistic_warehouse_history).values(
                article_id=article, quantity=5, classification="validated", recorded_at=T0
            )
        )
        conn.execute(insert(logistic_alerts).values(**_alert(article_id=article, cluster_id=moscow)))
    conn.commit()
    owned = [
        logistic_fbo_stock,
        logistic_stock_cache,
        logistic_supply_tasks,
        logistic_sales_velocity,
        logistic_warehouse_stock,
        logistic_warehouse_history,
    ]
    before = {table.name: _count(conn, table) for table in owned}

    conn.execute(delete(logistic_articles).where(logistic_articles.c.id == gone))
    conn.commit()
    for table in owned:
        assert _count(conn, table) == before[table.name] // 2, table.name
        assert set(conn.execute(select(table.c.article_id)).scalars()) == {kept}, table.name
    assert _count(conn, logistic_alerts) == 2  # alerts are a log: kept

    conn.execute(delete(logistic_clusters).where(logistic_clusters.c.id == kazan))
    conn.commit()
    for table in (logistic_fbo_stock, logistic_stock_cache, logistic_supply_tasks):
        assert set(conn.execute(select(table.c.cluster_id)).scalars()) == {moscow}, table.name
    assert _count(conn, logistic_warehouse_stock) == 1  # not a cluster's


# --- indexes ----------------------------------------------------------------------------

PARAMS = {"since": T0 - timedelta(days=7), "cutoff": T0 - timedelta(days=90), "article": 3, "cluster": 4}

# (what, SQL, the index that serves it).
QUERIES = [
    (
        "an article × cluster's latest snapshot",
        """SELECT * FROM logistic_fbo_stock WHERE article_id = :article AND cluster_id = :cluster
           ORDER BY observed_at DESC LIMIT 1""",
        {"ix_logistic_fbo_stock_article_cluster_observed"},
    ),
    (
        "a batch of snapshots older than 90 days",
        "SELECT id FROM logistic_fbo_stock WHERE observed_at < :cutoff LIMIT 1000",
        {"ix_logistic_fbo_stock_observed_at"},
    ),
    (
        "an article's recent warehouse quantities",
        """SELECT quantity FROM logistic_warehouse_history
           WHERE article_id = :article AND recorded_at >= :since AND classification = 'validated'""",
        {"ix_logistic_warehouse_history_article_recorded"},
    ),
    (
        "a batch of warehouse history older than 90 days",
        "SELECT id FROM logistic_warehouse_history WHERE recorded_at < :cutoff LIMIT 1000",
        {"ix_logistic_warehouse_history_recorded_at"},
    ),
    (
        "tasks still new after 48 hours",
        "SELECT id FROM logistic_supply_tasks WHERE status = 'new' AND created_at < :since",
        {"ix_logistic_supply_tasks_status_created"},
    ),
    (
        "finished tasks older than 90 days",
        "SELECT id FROM logistic_supply_tasks WHERE status IN ('shipped', 'cancelled') AND created_at < :cutoff",
        {"ix_logistic_supply_tasks_status_created"},
    ),
    (
        "one day's tasks",
        "SELECT article_id, cluster_id FROM logistic_supply_tasks WHERE task_date = '2026-03-10'",
        {"uq_logistic_supply_tasks_day_article_cluster", "sqlite_autoindex_logistic_supply_tasks_1"},
    ),
    (
        "the open alert of a kind for an article × cluster",
        """SELECT id FROM logistic_alerts
           WHERE open AND article_id = :article AND cluster_id = :cluster AND kind = 'LOW_STOCK'""",
        {"ix_logistic_alerts_open_article_cluster_kind"},
    ),
    (
        "a batch of read alerts older than 90 days",
        "SELECT id FROM logistic_alerts WHERE created_at < :cutoff AND read_at IS NOT NULL LIMIT 1000",
        {"ix_logistic_alerts_created_at"},
    ),
    *(
        (f"when {table} was loaded", f"SELECT MAX(loaded_at) FROM {table}", {f"ix_{table}_loaded_at"})
        for table in BRAIN_TABLES
    ),
    (
        "an article by its Ozon SKU",
        "SELECT id FROM logistic_articles WHERE ozon_sku = 1005",
        {"uq_logistic_articles_ozon_sku", "sqlite_autoindex_logistic_articles_2"},
    ),
    (
        "a brand's articles",
        "SELECT id FROM logistic_articles WHERE brand = 'ohana_kids'",
        {"ix_logistic_articles_brand"},
    ),
]


@pytest.fixture
def populated(conn: Connection) -> Connection:
    """A few hundred rows of each kind, analysed, so the planners weigh real selectivities."""
    articles = [_article(conn, f"A-{n}", 1000 + n, ("ohana_market", "ohana_kids")[n % 2]) for n in range(20)]
    clusters = [_cluster(conn, n, f"cluster {n}") for n in range(1, 11)]
    snapshots, tasks, history, alerts = [], [], [], []
    for n in range(400):
        article, cluster = articles[n % 20], clusters[n % 10]
        at = T0 - timedelta(hours=6 * n)
        snapshots.append(_stock(article, cluster, at))
        history.append({"article_id": article, "quantity": n, "classification": "validated", "recorded_at": at})
        status = TASK_STATUSES[n % 4]
        tasks.append(_task(article, cluster, DAY - timedelta(days=n // 20), status=status, created_at=at))
        alerts.append(
            _alert(kind=("LOW_STOCK", "OUT_OF_STOCK")[n % 2], article_id=article, cluster_id=cluster)
            | {"created_at": at, "open": n % 5 == 0, "read_at": at if n % 3 else None}
        )
    conn.execute(insert(logistic_fbo_stock), snapshots)
    conn.execute(insert(logistic_warehouse_history), history)
    _insert_ignoring_duplicates(conn, tasks)
    conn.execute(insert(logistic_alerts), alerts)
    for table in BRAIN_TABLES:
        rows = [
            {"code": f"{n:05d}", "quantity": str(n), "loaded_at": T0 - timedelta(days=n // 100)} for n in range(300)
        ]
        conn.execute(insert(metadata.tables[table]), rows)
    conn.commit()
    conn.execute(text("ANALYZE"))
    conn.commit()
    return conn


def _plan(conn: Connection, sql: str) -> str:
    if conn.dialect.name == "postgresql":
        # Small tables are cheapest to read whole; with sequential scans priced out the plan
        # shows which index, if any, can serve the query.
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        return "\n".join(conn.execute(text(f"EXPLAIN {sql}"), PARAMS).scalars())
    return "\n".join(str(row[-1]) for row in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}"), PARAMS))


@pytest.mark.parametrize(("what", "sql", "indexes"), QUERIES, ids=[q[0] for q in QUERIES])
def test_an_index_serves_each_query(populated: Connection, what: str, sql: str, indexes: set[str]) -> None:
    plan = _plan(populated, sql)
    populated.rollback()
    assert any(index in plan for index in indexes), f"{what}:\n{plan}"
