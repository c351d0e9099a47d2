"""Watcher's schema (migration 0006_watcher) on SQLite and PostgreSQL: it goes up and down on
its own, matches the code's tables (defaults and CHECKs too, which the general comparison in
test_migrations.py does not look at), and its constraints and indexes do what they are for."""

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

from adolf.adapters.sqlalchemy.tables import metadata
from adolf.adapters.sqlalchemy.timestamps import as_utc
from adolf.adapters.sqlalchemy.watcher_tables import (
    TASK_STATUSES,
    watcher_agent_events,
    watcher_agents,
    watcher_alerts,
    watcher_competitor_products,
    watcher_competitors,
    watcher_parsing_tasks,
    watcher_prices,
    watcher_products,
    watcher_subscriptions,
)
from tests.support.migrations import assert_round_trip

BEFORE = "0005_bid_constraints"
WATCHER = "0006_watcher"
T0 = datetime(2026, 3, 10, 21, 0, tzinfo=UTC)
NIGHT = date(2026, 3, 10)
WATCHER_TABLES = {name for name in metadata.tables if name.startswith("watcher_")}


def test_watcher_migration_goes_up_down_and_up_again_on_its_own(database_url: str) -> None:
    assert_round_trip(database_url, BEFORE, WATCHER, WATCHER_TABLES)


def test_watcher_tables_match_the_migration_with_defaults_and_checks(migrated_engine: Engine) -> None:
    with migrated_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_server_default": True, "compare_type": True})
        diff = [d for d in compare_metadata(context, metadata) if "watcher_" in repr(d)]
        assert diff == []
        inspector = inspect(connection)
        for name in sorted(WATCHER_TABLES):
            migrated = {c["name"] for c in inspector.get_check_constraints(name)}
            coded = {c.name for c in metadata.tables[name].constraints if isinstance(c, CheckConstraint)}
            assert migrated == coded, name


# --- rows ---------------------------------------------------------------------------------


@pytest.fixture
def conn(migrated_engine: Engine) -> Iterator[Connection]:
    with migrated_engine.connect() as connection:
        yield connection


def _id(conn: Connection, table: Any, **values: Any) -> int:
    return int(conn.execute(insert(table).values(**values).returning(table.c.id)).scalar_one())


def _subscription(conn: Connection, sku: str = "A-1", external_id: str = "111") -> dict[str, int]:
    product = _id(
        conn,
        watcher_products,
        brand="ohana_market",
        marketplace="wb",
        sku=sku,
        name="Плед",
        price=Decimal("1990.00"),
        active=True,
        created_at=T0,
    )
    competitor = _id(conn, watcher_competitors, name="Rival", marketplace="wb", active=True)
    item = _id(
        conn,
        watcher_competitor_products,
        competitor_id=competitor,
        marketplace="wb",
        external_id=external_id,
        our_product_id=product,
    )
    subscription = _id(
        conn,
        watcher_subscriptions,
        our_product_id=product,
        competitor_product_id=item,
        marketplace="wb",
        active=True,
        created_at=T0,
    )
    conn.commit()
    return {"product": product, "competitor": competitor, "item": item, "subscription": subscription}


def _task(subscription: dict[str, int], task_date: date = NIGHT, status: str = "pending") -> dict[str, Any]:
    return {
        "subscription_id": subscription["subscription"],
        "competitor_product_id": subscription["item"],
        "marketplace": "wb",
        "task_date": task_date,
        "status": status,
        "created_at": T0,
        "updated_at": T0,
    }


def _insert_ignoring_duplicates(conn: Connection, rows: list[dict[str, Any]]) -> int:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(watcher_parsing_tasks).on_conflict_do_nothing(
        index_elements=["subscription_id", "task_date"]
    )
    return int(conn.execute(statement, rows).rowcount)


def test_a_night_generated_twice_queues_each_task_once(conn: Connection) -> None:
    first, second = _subscription(conn, "A-1", "111"), _subscription(conn, "A-2", "222")
    night = [_task(first), _task(second)]
    assert _insert_ignoring_duplicates(conn, night) == 2
    assert _insert_ignoring_duplicates(conn, night) == 0
    conn.commit()
    assert conn.execute(select(func.count()).select_from(watcher_parsing_tasks)).scalar_one() == 2
    # The next night is another task of the same subscription.
    conn.execute(insert(watcher_parsing_tasks).values(**_task(first, NIGHT + timedelta(days=1))))
    conn.commit()
    with pytest.raises(IntegrityError):
        conn.execute(insert(watcher_parsing_tasks).values(**_task(first)))
    conn.rollback()
    assert conn.execute(select(func.count()).select_from(watcher_parsing_tasks)).scalar_one() == 3


def test_a_parsing_task_takes_only_the_four_statuses(conn: Connection) -> None:
    subscription = _subscription(conn)
    for offset, status in enumerate(TASK_STATUSES):
        conn.execute(
            insert(watcher_parsing_tasks).values(**_task(subscription, NIGHT + timedelta(days=offset), status))
        )
    conn.commit()
    row = conn.execute(select(watcher_parsing_tasks).where(watcher_parsing_tasks.c.status == "pending")).one()
    assert row.retry_count == 0  # the column's default
    for bad in ("completed", "PENDING", ""):  # "completed" is the seed's word; this schema says done
        with pytest.raises(IntegrityError):
            conn.execute(insert(watcher_parsing_tasks).values(**_task(subscription, NIGHT - timedelta(days=9), bad)))
        conn.rollback()
    with pytest.raises(IntegrityError):
        conn.execute(update(watcher_parsing_tasks).where(watcher_parsing_tasks.c.id == row.id).values(status="lost"))
    conn.rollback()
    with pytest.raises(IntegrityError):
        conn.execute(update(watcher_parsing_tasks).where(watcher_parsing_tasks.c.id == row.id).values(retry_count=-1))
    conn.rollback()
    statuses = conn.execute(select(watcher_parsing_tasks.c.status).order_by(watcher_parsing_tasks.c.task_date))
    assert tuple(statuses.scalars()) == TASK_STATUSES


def _agent(agent_id: str, status: str = "online", token_hash: str | None = None) -> dict[str, Any]:
    return {
        "id": agent_id,
        "name": agent_id,
        "marketplace": "wb",
        "ip": "2001:db8::1",
        "status": status,
        "cookies_valid": True,
        "token_hash": token_hash,
        "metrics": {},
        "created_at": T0,
    }


def test_an_agent_takes_only_its_three_statuses_and_a_token_hash_is_one_agents_own(conn: Connection) -> None:
    for status in ("online", "offline", "panic"):
        conn.execute(insert(watcher_agents).values(**_agent(f"agent-{status}", status)))
    conn.commit()
    with pytest.raises(IntegrityError):
        conn.execute(insert(watcher_agents).values(**_agent("agent-x", "working")))
    conn.rollback()
    conn.execute(insert(watcher_agents).values(**_agent("agent-a", token_hash="h1") | {"marketplace": None}))
    conn.execute(
        insert(watcher_agent_events).values(agent_id="agent-a", kind="online", message="", details={}, created_at=T0)
    )
    conn.commit()
    assert conn.execute(select(watcher_agent_events.c.severity)).scalar_one() == "info"
    with pytest.raises(IntegrityError):
        conn.execute(insert(watcher_agents).values(**_agent("agent-b", token_hash="h1")))
    conn.rollback()
    assert conn.execute(select(func.count()).select_from(watcher_agents)).scalar_one() == 4


def test_prices_keep_exact_money_and_utc_and_refuse_impossible_values(conn: Connection) -> None:
    item = _subscription(conn)["item"]
    observed = datetime(2026, 3, 10, 23, 59, 59, tzinfo=UTC)
    row = {"competitor_product_id": item, "in_stock": True, "observed_at": observed, "agent_id": "agent-1"}
    conn.execute(
        insert(watcher_prices).values(
            **row, price=Decimal("1234567890.99"), old_price=Decimal("2000.10"), discount_percent=Decimal("38.27")
        )
    )
    conn.execute(insert(watcher_prices).values(**row | {"in_stock": False}))  # out of stock: no price shown
    conn.commit()
    stored = conn.execute(select(watcher_prices).order_by(watcher_prices.c.id)).all()
    assert (stored[0].price, stored[0].old_price, stored[0].discount_percent) == (
        Decimal("1234567890.99"),
        Decimal("2000.10"),
        Decimal("38.27"),
    )
    assert as_utc(stored[0].observed_at) == observed
    assert stored[1].price is None
    for bad in ({"price": Decimal("0")}, {"old_price": Decimal("-1")}, {"discount_percent": Decimal("100.01")}):
        with pytest.raises(IntegrityError):
            conn.execute(insert(watcher_prices).values(**row, **bad))
        conn.rollback()


def test_defaults_and_what_goes_with_a_deleted_competitor(conn: Connection) -> None:
    kept = _subscription(conn, "A-1", "111")
    gone = _subscription(conn, "A-2", "222")
    conn.execute(insert(watcher_agents).values(**_agent("agent-1")))
    for subscription in (kept, gone):
        conn.execute(insert(watcher_parsing_tasks).values(**_task(subscription), agent_id="agent-1"))
        conn.execute(
            insert(watcher_prices).values(
                competitor_product_id=subscription["item"], price=Decimal("10.00"), in_stock=True, observed_at=T0
            )
        )
        conn.execute(
            insert(watcher_alerts).values(
                kind="dumping_detected",
                severity="critical",
                competitor_product_id=subscription["item"],
                marketplace="wb",
                message="undercut",
                details={},
                created_at=T0,
            )
        )
    conn.commit()
    item = conn.execute(
        select(watcher_competitor_products).where(watcher_competitor_products.c.id == kept["item"])
    ).one()
    assert (item.priority, item.priority_updated_at) == (50, None)
    assert not conn.execute(select(watcher_alerts.c.resolved)).scalars().first()
    for bad in (101, -1):
        with pytest.raises(IntegrityError):
            conn.execute(update(watcher_competitor_products).values(priority=bad))
        conn.rollback()

    conn.execute(delete(watcher_competitors).where(watcher_competitors.c.id == gone["competitor"]))
    conn.execute(delete(watcher_agents))
    conn.commit()

    def count(table: Any) -> int:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

    assert (count(watcher_competitor_products), count(watcher_subscriptions)) == (1, 1)
    assert (count(watcher_parsing_tasks), count(watcher_prices)) == (1, 1)
    assert count(watcher_alerts) == 2  # alerts are a log: kept
    assert count(watcher_products) == 2  # our products are not the competitor's
    assert conn.execute(select(watcher_parsing_tasks.c.agent_id)).scalar_one() is None  # its agent is gone


# --- indexes ----------------------------------------------------------------------------

SINCE = {"since": T0 - timedelta(days=30), "now": T0, "cutoff": NIGHT - timedelta(days=90), "agent": "agent-1"}

# (what, SQL, the index that serves it). Each query covers every competitor at once.
QUERIES = [
    (
        "price changes per competitor in 30 days",
        """SELECT cp.competitor_id, COUNT(*) FROM (
               SELECT competitor_product_id, price,
                      LAG(price) OVER (PARTITION BY competitor_product_id ORDER BY observed_at) AS previous
               FROM watcher_prices WHERE observed_at >= :since AND price IS NOT NULL) p
           JOIN watcher_competitor_products cp ON cp.id = p.competitor_product_id
           WHERE p.previous <> p.price GROUP BY cp.competitor_id""",
        {"ix_watcher_prices_product_observed", "ix_watcher_prices_observed_at"},
    ),
    (
        "average discount per competitor in 30 days",
        """SELECT cp.competitor_id, AVG(p.discount_percent) FROM watcher_prices p
           JOIN watcher_competitor_products cp ON cp.id = p.competitor_product_id
           WHERE p.observed_at >= :since AND p.discount_percent IS NOT NULL GROUP BY cp.competitor_id""",
        {"ix_watcher_prices_observed_at", "ix_watcher_prices_product_observed"},
    ),
    (
        "latest price per competitor product",
        """SELECT p.competitor_product_id, p.price FROM watcher_prices p
           JOIN (SELECT competitor_product_id, MAX(observed_at) AS observed_at FROM watcher_prices
                 GROUP BY competitor_product_id) latest
             ON latest.competitor_product_id = p.competitor_product_id AND latest.observed_at = p.observed_at""",
        {"ix_watcher_prices_product_observed"},
    ),
    (
        "dumping alerts per competitor in 30 days",
        """SELECT cp.competitor_id, COUNT(*) FROM watcher_alerts a
           JOIN watcher_competitor_products cp ON cp.id = a.competitor_product_id
           WHERE a.kind = 'dumping_detected' AND a.created_at >= :since GROUP BY cp.competitor_id""",
        # PostgreSQL reads the kind's range and joins; SQLite may walk each product's alerts instead.
        {"ix_watcher_alerts_kind_created", "ix_watcher_alerts_product_kind_created"},
    ),
    (
        "prices observed since the last alert check",
        "SELECT * FROM watcher_prices WHERE observed_at >= :now",
        {"ix_watcher_prices_observed_at"},
    ),
    (
        "a batch of parsing tasks older than 90 days",
        "SELECT id FROM watcher_parsing_tasks WHERE task_date < :cutoff LIMIT 1000",
        {"ix_watcher_parsing_tasks_date_status_mp"},
    ),
    (
        "a batch of agent events older than 30 days",
        "SELECT id FROM watcher_agent_events WHERE created_at < :since LIMIT 1000",
        {"ix_watcher_agent_events_created_at"},
    ),
    (
        "a batch of resolved alerts older than a year",
        "SELECT id FROM watcher_alerts WHERE created_at < :since AND resolved LIMIT 1000",
        {"ix_watcher_alerts_created_at"},
    ),
    (
        "in-progress tasks whose lease expired",
        "SELECT id FROM watcher_parsing_tasks WHERE status = 'in_progress' AND lease_until < :now",
        {"ix_watcher_parsing_tasks_status_lease"},
    ),
    (
        "an agent's in-progress tasks",
        "SELECT id FROM watcher_parsing_tasks WHERE agent_id = :agent AND status = 'in_progress'",
        {"ix_watcher_parsing_tasks_agent_status"},
    ),
]


@pytest.fixture
def populated(conn: Connection) -> Connection:
    """A few hundred rows of each kind, analysed, so the planners weigh real selectivities."""
    items = [_subscription(conn, f"A-{n}", str(100 + n)) for n in range(10)]
    agents = [_agent(f"agent-{n}", token_hash=f"h{n}") for n in range(30)]
    conn.execute(insert(watcher_agents), agents)
    kinds = ("dumping_detected", "price_drop", "price_rise", "out_of_stock")
    tasks, prices, alerts, events = [], [], [], []
    for n in range(300):
        item = items[n % 10]
        at = T0 - timedelta(hours=n)
        status = TASK_STATUSES[n % 4]
        tasks.append(_task(item, NIGHT - timedelta(days=n // 10), status) | {"agent_id": agents[n % 30]["id"]})
        tasks[-1]["lease_until"] = at if status == "in_progress" else None
        prices.append(
            {
                "competitor_product_id": item["item"],
                "price": Decimal(100 + n % 7),
                "discount_percent": Decimal(n % 40),
                "in_stock": True,
                "observed_at": at,
            }
        )
        alerts.append(
            {
                "kind": kinds[n % 4],
                "severity": "warning",
                "competitor_product_id": item["item"],
                "marketplace": "wb",
                "message": "",
                "details": {},
                "created_at": at,
                "resolved": n % 2 == 0,
            }
        )
        events.append(
            {
                "agent_id": agents[n % 30]["id"],
                "kind": "heartbeat",
                "severity": "info",
                "message": "",
                "details": {},
                "created_at": at,
            }
        )
    conn.execute(insert(watcher_parsing_tasks), tasks)
    conn.execute(insert(watcher_prices), prices)
    conn.execute(insert(watcher_alerts), alerts)
    conn.execute(insert(watcher_agent_events), events)
    conn.commit()
    conn.execute(text("ANALYZE"))
    conn.commit()
    return conn


def _plan(conn: Connection, sql: str) -> str:
    if conn.dialect.name == "postgresql":
        # Empty tables are cheapest to read whole; with sequential scans priced out the plan
        # shows which index, if any, can serve the query.
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        return "\n".join(conn.execute(text(f"EXPLAIN {sql}"), SINCE).scalars())
    return "\n".join(str(row[-1]) for row in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}"), SINCE))


@pytest.mark.parametrize(("what", "sql", "indexes"), QUERIES, ids=[q[0] for q in QUERIES])
def test_an_index_serves_each_set_based_query(populated: Connection, what: str, sql: str, indexes: set[str]) -> None:
    plan = _plan(populated, sql)
    populated.rollback()
    assert any(index in plan for index in indexes), f"{what}:\n{plan}"
