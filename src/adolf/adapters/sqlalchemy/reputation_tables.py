"""Reputation's tables (SPEC §3 Reputation; seed 002), on the same ``metadata`` as ``tables.py``
(which imports this module, so the metadata Alembic compares is complete). Migration
``0009_reputation`` creates them.

- items (``reputation_items``): a review or a question, one per (platform, item_type,
  external_id) — the marketplace's id is unique per platform and type only, so a poll inserts a
  page with ``INSERT … ON CONFLICT (platform, item_type, external_id) DO NOTHING``. ``rating``
  1 … 5 for a review, NULL for a question (a CHECK, besides the domain's message). ``fetched_at``
  is when ADOLF first saw it, ``status_changed_at`` when its status last moved (the seed's
  ``updated_at``; a compare-and-set ``move`` stamps it).
- analyses (``reputation_analyses``) and answers (``reputation_responses``): one per item, keyed
  by ``item_id`` (the seed keeps the analysis as JSON in the item; a table of its own is read
  by the analytics' join and replaced without touching the item). ``topics`` is a JSON array
  as TEXT (choice: a topic may hold a comma, so a comma-joined list could not be split back;
  TEXT rather than JSON so SQLite and PostgreSQL store and compare it alike). Both go with
  their item (ON DELETE CASCADE), though the archive deletes them itself, first.
- daily analytics (``reputation_daily_analytics``): one row per day × platform × brand (the
  primary key): ``replace_day`` deletes a day's rows and inserts them again. ``avg_rating``
  NUMERIC(3, 2), NULL on a day without a rated review.
- the archive (``reputation_items_archive``): an item's columns (its live id as ``item_id``)
  with its analysis and answer flattened beside them (``response_*`` for the answer's), and
  ``archived_at``. Unique per (platform, item_type, external_id), as live items are: archiving
  a key twice cannot make two rows; a poll treats an archived key as known.

CHECKs back the domain's enumerations and counts; the domain refuses bad values first, with a
message.

Indexes, by the query each serves:
- items (status, created_at): a status' queue oldest first (``listing``: pending review, the
  dashboard's queue size) and the archive's batch (``published``/``skipped`` created before the
  cutoff); (created_at): a day's items for the analytics (``facts``).
- responses (status, created_at): failed answers to retry, oldest first; (published_at): the
  answers published in a window (minutes to answer).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from adolf.adapters.sqlalchemy.tables import Id, metadata

TS = DateTime(timezone=True)  # always UTC; read back through timestamps.as_utc (SQLite drops the offset)
Brand = String(64)
Platform = String(8)

PLATFORMS = ("wb", "ozon", "ym")
ITEM_TYPES = ("review", "question")
ITEM_STATUSES = ("new", "analyzed", "pending_review", "approved", "published", "failed", "skipped")
SENTIMENTS = ("positive", "neutral", "negative")
URGENCIES = ("low", "medium", "high")
SOURCES = ("model", "manager")
RESPONSE_STATUSES = ("draft", "approved", "published", "failed")
KEY = ("platform", "item_type", "external_id")

RATED = "(item_type = 'review' AND rating IS NOT NULL AND rating BETWEEN 1 AND 5) OR (item_type = 'question' AND rating IS NULL)"
COUNTS = ("total", "reviews", "questions", "positive", "negative", "published")


def one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _item(table: str) -> Column[Any]:
    return Column(
        "item_id",
        Id,
        ForeignKey("reputation_items.id", name=f"fk_{table}_item_id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )


def _item_columns() -> list[Column[Any]]:
    """What a marketplace says of an item, and where it is in its lifecycle."""
    return [
        Column("platform", Platform, nullable=False),
        Column("item_type", String(16), nullable=False),
        Column("external_id", String(64), nullable=False),  # the marketplace's id (WB's, an Ozon UUID)
        Column("brand", Brand, nullable=False),
        Column("product_id", String(64), nullable=False),  # WB nmId, Ozon SKU, YM offer id, as text
        Column("product_name", Text, nullable=False),
        Column("text", Text, nullable=False),  # "" for a bare rating
        Column("author", Text, nullable=False),
        Column("rating", SmallInteger, nullable=True),
        Column("status", String(16), nullable=False),
        Column("created_at", TS, nullable=False),  # the buyer's time, as the marketplace says
        Column("fetched_at", TS, nullable=False),
        Column("status_changed_at", TS, nullable=False),
    ]


reputation_items = Table(
    "reputation_items",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    *_item_columns(),
    CheckConstraint(one_of("platform", PLATFORMS), name="platform"),
    CheckConstraint(one_of("item_type", ITEM_TYPES), name="item_type"),
    CheckConstraint(one_of("status", ITEM_STATUSES), name="status"),
    CheckConstraint(RATED, name="rating"),
    UniqueConstraint(*KEY, name="uq_reputation_items_platform_type_external_id"),
    Index("ix_reputation_items_status_created", "status", "created_at"),
    Index("ix_reputation_items_created_at", "created_at"),
)

reputation_analyses = Table(
    "reputation_analyses",
    metadata,
    _item("reputation_analyses"),
    Column("sentiment", String(16), nullable=False),
    Column("urgency", String(16), nullable=False),
    Column("topics", Text, nullable=False),  # a JSON array of strings
    Column("model", String(128), nullable=False),
    Column("analyzed_at", TS, nullable=False),
    CheckConstraint(one_of("sentiment", SENTIMENTS), name="sentiment"),
    CheckConstraint(one_of("urgency", URGENCIES), name="urgency"),
)

reputation_responses = Table(
    "reputation_responses",
    metadata,
    _item("reputation_responses"),
    Column("text", Text, nullable=False),
    Column("source", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("published_at", TS, nullable=True),
    Column("created_at", TS, nullable=False),
    Column("instructions", Text, nullable=True),  # a manager's, for a regenerated draft
    CheckConstraint(one_of("source", SOURCES), name="source"),
    CheckConstraint(one_of("status", RESPONSE_STATUSES), name="status"),
    CheckConstraint("attempts >= 0", name="attempts_non_negative"),
    CheckConstraint("status <> 'published' OR published_at IS NOT NULL", name="published_has_time"),
    Index("ix_reputation_responses_status_created", "status", "created_at"),
    Index("ix_reputation_responses_published_at", "published_at"),
)

reputation_daily_analytics = Table(
    "reputation_daily_analytics",
    metadata,
    Column("day", Date, nullable=False),
    Column("platform", Platform, nullable=False),
    Column("brand", Brand, nullable=False),
    *(Column(name, Integer, nullable=False) for name in COUNTS),
    Column("avg_rating", Numeric(3, 2), nullable=True),
    PrimaryKeyConstraint("day", "platform", "brand", name="pk_reputation_daily_analytics"),
    CheckConstraint(one_of("platform", PLATFORMS), name="platform"),
    *(CheckConstraint(f"{name} >= 0", name=f"{name}_non_negative") for name in COUNTS),
    CheckConstraint("reviews + questions = total", name="total_agrees"),
    CheckConstraint("avg_rating BETWEEN 1 AND 5", name="avg_rating_range"),
)

reputation_items_archive = Table(
    "reputation_items_archive",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("item_id", Id, nullable=False),  # its id while live
    *_item_columns(),
    Column("sentiment", String(16), nullable=True),  # the analysis: NULL for an item never analysed
    Column("urgency", String(16), nullable=True),
    Column("topics", Text, nullable=True),
    Column("model", String(128), nullable=True),
    Column("analyzed_at", TS, nullable=True),
    Column("response_text", Text, nullable=True),  # the answer: NULL for an item never answered
    Column("response_source", String(16), nullable=True),
    Column("response_status", String(16), nullable=True),
    Column("response_attempts", Integer, nullable=True),
    Column("response_last_error", Text, nullable=True),
    Column("response_published_at", TS, nullable=True),
    Column("response_created_at", TS, nullable=True),
    Column("response_instructions", Text, nullable=True),
    Column("archived_at", TS, nullable=False),
    UniqueConstraint(*KEY, name="uq_reputation_items_archive_platform_type_external_id"),
)
