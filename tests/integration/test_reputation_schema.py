"""Reputation's schema (migration 0009_reputation) on SQLite and PostgreSQL: it goes up and down
on its own, matches the code's tables (CHECKs and indexes too, which the general comparison in
test_migrations.py does not look at), and its constraints and indexes do what they are for."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import CheckConstraint, Connection, Engine, Table, delete, func, insert, inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from adolf.adapters.sqlalchemy.reputation_tables import (
    ITEM_STATUSES,
    reputation_analyses,
    reputation_daily_analytics,
    reputation_items,
    reputation_items_archive,
    reputation_responses,
)
from adolf.adapters.sqlalchemy.tables import metadata
from tests.support.migrations import assert_round_trip

BEFORE = "0008_logistic"
REPUTATION = "0009_reputation"
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
DAY = date(2026, 3, 10)
REPUTATION_TABLES = {name for name in metadata.tables if name.startswith("reputation_")}


def test_the_tables_are_the_issues_list() -> None:
    tables = REPUTATION_TABLES
    assert tables == {
        "reputation_items",
        "reputation_analyses",
        "reputation_responses",
        "reputation_daily_analytics",
        "reputation_items_archive",
    }


def test_reputation_migration_goes_up_down_and_up_again_on_its_own(database_url: str) -> None:
    assert_round_trip(database_url, BEFORE, REPUTATION, REPUTATION_TABLES)


def test_reputation_tables_match_the_migration_with_checks_and_indexes(migrated_engine: Engine) -> None:
    with migrated_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_server_default": True, "compare_type": True})
        assert [d for d in compare_metadata(context, metadata) if "reputation_" in repr(d)] == []
        inspector = inspect(connection)
        for name in sorted(REPUTATION_TABLES):
            migrated = {c["name"] for c in inspector.get_check_constraints(name)}
            coded = {c.name for c in metadata.tables[name].constraints if isinstance(c, CheckConstraint)}
            assert migrated == coded, name
            indexes = {i["name"] for i in inspector.get_indexes(name) if "duplicates_constraint" not in i}
            assert indexes == {i.name for i in metadata.tables[name].indexes}, name


# --- rows ---------------------------------------------------------------------------------


@pytest.fixture
def conn(migrated_engine: Engine) -> Iterator[Connection]:
    with migrated_engine.connect() as connection:
        yield connection


def _item(external_id: str = "r1", **values: Any) -> dict[str, Any]:
    return {
        "platform": "wb",
        "item_type": "review",
        "external_id": external_id,
        "brand": "ohana_market",
        "product_id": "123456",
        "product_name": "Плед",
        "text": "Отлично",
        "author": "Анна",
        "rating": 5,
        "status": "new",
        "created_at": T0,
        "fetched_at": T0,
        "status_changed_at": T0,
    } | values


def _id(conn: Connection, external_id: str = "r1", **values: Any) -> int:
    return int(
        conn.execute(
            insert(reputation_items).values(**_item(external_id, **values)).returning(reputation_items.c.id)
        ).scalar_one()
    )


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _refused(conn: Connection, statement: Any) -> None:
    with pytest.raises(IntegrityError):
        conn.execute(statement)
    conn.rollback()


def test_items_are_one_per_key_and_take_only_their_platforms_types_statuses_and_ratings(conn: Connection) -> None:
    _id(conn)
    _id(conn, platform="ozon")
    _id(conn, item_type="question", rating=None, text="Размер?")
    for n, status in enumerate(ITEM_STATUSES):
        _id(conn, f"s{n}", status=status)
    conn.commit()
    _refused(conn, insert(reputation_items).values(**_item()))
    for bad in (
        {"platform": "amazon"},
        {"item_type": "complaint"},
        {"status": "pending"},  # the seed's word; the lifecycle says pending_review
        {"rating": 0},
        {"rating": 6},
        {"rating": None},  # a review has a rating
        {"item_type": "question", "rating": 3},  # a question has none
    ):
        _refused(conn, insert(reputation_items).values(**_item("bad", **bad)))
    assert _count(conn, reputation_items) == 3 + len(ITEM_STATUSES)


def test_an_analysis_and_an_answer_are_one_per_item_and_go_with_it(conn: Connection) -> None:
    item_id = _id(conn)
    analysis = {
        "item_id": item_id,
        "sentiment": "positive",
        "urgency": "low",
        "topics": "[]",
        "model": "m",
        "analyzed_at": T0,
    }
    answer = {
        "item_id": item_id,
        "text": "Спасибо",
        "source": "model",
        "status": "draft",
        "attempts": 0,
        "created_at": T0,
    }
    conn.execute(insert(reputation_analyses).values(**analysis))
    conn.execute(insert(reputation_responses).values(**answer))
    conn.commit()
    _refused(conn, insert(reputation_analyses).values(**analysis))
    _refused(conn, insert(reputation_responses).values(**answer))
    _refused(conn, insert(reputation_analyses).values(**analysis | {"item_id": 999}))
    for bad in ({"sentiment": "angry"}, {"urgency": "urgent"}):
        _refused(conn, update(reputation_analyses).values(**bad))
    for bad in ({"source": "human"}, {"status": "sent"}, {"attempts": -1}, {"status": "published"}):
        _refused(conn, update(reputation_responses).values(**bad))  # published needs its time
    conn.execute(update(reputation_responses).values(status="published", published_at=T0))
    conn.commit()
    conn.execute(delete(reputation_items))
    conn.commit()
    assert (_count(conn, reputation_analyses), _count(conn, reputation_responses)) == (0, 0)


def test_analytics_are_one_row_per_day_platform_and_brand_and_the_archive_one_per_key(conn: Connection) -> None:
    row = {
        "day": DAY,
        "platform": "wb",
        "brand": "ohana_market",
        "total": 3,
        "reviews": 2,
        "questions": 1,
        "positive": 1,
        "negative": 1,
        "avg_rating": Decimal("4.50"),
        "published": 1,
    }
    conn.execute(insert(reputation_daily_analytics).values(**row))
    conn.execute(insert(reputation_daily_analytics).values(**row | {"brand": "ohana_kids", "avg_rating": None}))
    conn.execute(insert(reputation_daily_analytics).values(**row | {"day": DAY + timedelta(days=1)}))
    conn.commit()
    assert conn.execute(select(reputation_daily_analytics.c.avg_rating).limit(1)).scalar_one() == Decimal("4.50")
    _refused(conn, insert(reputation_daily_analytics).values(**row))
    for bad in ({"total": 4}, {"positive": -1}, {"avg_rating": Decimal("0.99")}, {"platform": "x"}):
        _refused(conn, update(reputation_daily_analytics).values(**bad))
    # The archive keeps one row per key, as live items are.
    row = _item() | {"item_id": 7, "archived_at": T0}
    conn.execute(insert(reputation_items_archive).values(**row))
    conn.execute(insert(reputation_items_archive).values(**row | {"platform": "ym"}))
    conn.commit()
    _refused(conn, insert(reputation_items_archive).values(**row | {"item_id": 8}))
    assert _count(conn, reputation_items_archive) == 2


# --- indexes ----------------------------------------------------------------------------

PARAMS = {"start": T0 - timedelta(days=1), "end": T0, "cutoff": T0 - timedelta(days=365)}

# (what, SQL, the index that serves it).
QUERIES = [
    (
        "items pending review, oldest first",
        "SELECT id FROM reputation_items WHERE status = 'pending_review' ORDER BY created_at LIMIT 100",
        {"ix_reputation_items_status_created"},
    ),
    (
        "a batch of finished items older than a year",
        """SELECT id FROM reputation_items WHERE status IN ('published', 'skipped') AND created_at < :cutoff
           ORDER BY created_at, id LIMIT 1000""",
        # Live items are mostly younger than a year (the older are archived): either index
        # narrows the batch to the few old ones.
        {"ix_reputation_items_status_created", "ix_reputation_items_created_at"},
    ),
    (
        "a day's items for the analytics",
        "SELECT id FROM reputation_items WHERE created_at >= :start AND created_at < :end",
        {"ix_reputation_items_created_at"},
    ),
    (
        "failed answers to retry, oldest first",
        "SELECT item_id FROM reputation_responses WHERE status = 'failed' AND attempts < 5 ORDER BY created_at LIMIT 1000",
        {"ix_reputation_responses_status_created"},
    ),
    (
        "answers published in a window",
        "SELECT item_id FROM reputation_responses WHERE published_at >= :start AND published_at < :end",
        {"ix_reputation_responses_published_at"},
    ),
    (
        "a page's keys already known",
        "SELECT id FROM reputation_items WHERE platform = 'wb' AND item_type = 'review' AND external_id = 'r17'",
        {"uq_reputation_items_platform_type_external_id", "sqlite_autoindex_reputation_items_1"},
    ),
]


@pytest.fixture
def populated(conn: Connection) -> Connection:
    """A few hundred rows, analysed, so the planners weigh real selectivities."""
    statuses = ITEM_STATUSES
    rows = [_item(f"r{n}", status=statuses[n % len(statuses)], created_at=T0 - timedelta(days=n)) for n in range(400)]
    ids = conn.execute(insert(reputation_items).returning(reputation_items.c.id), rows).scalars().all()
    answers = [
        {
            "item_id": item_id,
            "text": "Спасибо",
            "source": "model",
            "status": ("draft", "approved", "published", "failed")[n % 4],
            "attempts": n % 6,
            "published_at": T0 - timedelta(hours=5 * n) if n % 4 == 2 else None,
            "created_at": T0 - timedelta(hours=5 * n),
        }
        for n, item_id in enumerate(ids)
    ]
    conn.execute(insert(reputation_responses), answers)
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


def test_an_index_serves_each_query(populated: Connection) -> None:
    unserved = []
    for what, sql, indexes in QUERIES:
        plan = _plan(populated, sql)
        populated.rollback()
        if not any(index in plan for index in indexes):
            unserved.append(f"{what}:\n{plan}")
    assert unserved == []
