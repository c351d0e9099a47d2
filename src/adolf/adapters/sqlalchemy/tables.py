"""Table definitions (SQLAlchemy Core). Alembic migrations are the source of the schema in
a deployment; this metadata mirrors them and is used by the repositories and tests."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# BigInteger ids that still autoincrement on SQLite (which only does so for INTEGER).
Id = BigInteger().with_variant(Integer(), "sqlite")

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("task_id", String(64), nullable=False),
    Column("task_name", String(128), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("exception", Text, nullable=False),
    Column("traceback", Text, nullable=False),
    Column("failed_at", DateTime(timezone=True), nullable=False),
    Column("runtime", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("retried_at", DateTime(timezone=True), nullable=True),
    Index("ix_dead_letters_failed_at", "failed_at"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("module", String(32), nullable=False),
    Column("type", String(64), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("message", Text, nullable=False),
    Column("brand", String(64), nullable=True),
    Column("campaign_id", String(64), nullable=True),
    Column("details", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_alerts_module_created", "module", "created_at"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("task_name", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

task_runs = Table(
    "task_runs",
    metadata,
    Column("task_id", String(64), primary_key=True),
    Column("task_name", String(128), nullable=False),
    Column("state", String(16), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("result", JSON, nullable=True),
    Column("error", Text, nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
