"""``SqlStatsRepository``: snapshots as collected, and the daily and monthly rows made from them.

- Snapshots are day-so-far totals; the day's total of a campaign is its *latest*
  campaign-level snapshot of that day, picked with one window query.
- Daily and monthly rows are upserts on (campaign, day) / (campaign, year, month), so
  re-running an aggregation overwrites instead of duplicating.
- Keyword daily rows are upserts on (keyword, day). ``keyword_windows`` sums them over
  several spans in one grouped query per chunk of campaigns: one ``SUM(CASE WHEN day >=
  since THEN … ELSE 0 END)`` per span and total, over the days of the longest span (the
  (campaign_id, day) index), decoded from plain tuples into ``StatsTotals`` built without
  re-validating the database's own sums (a shared zero for empty windows).
- Retention deletes are single statements; snapshot deletion adds a ``day`` bound the
  (day, campaign_id, captured_at) index can use (a snapshot is never of a day later than the
  day after its capture in UTC, so the bound only narrows the scan, never skips a row).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, and_, case, cast, delete, func, select
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.marketing_bulk import bulk_insert, chunks, upsert
from adolf.adapters.sqlalchemy.tables import daily_stats, keyword_daily_stats, monthly_stats, stats_snapshots
from adolf.adapters.sqlalchemy.timestamps import utc
from adolf.application.marketing.ports import DailyStats, KeywordDailyStats, MonthlyStats, StatsSnapshot
from adolf.domain.marketing.metrics import StatsTotals

_TOTALS = ("views", "clicks", "orders", "spent", "revenue")
_COUNTS = frozenset({"views", "clicks", "orders"})
#: campaigns per ``keyword_windows`` query: 500 ids stay far below every driver's parameter
#: limit, and a chunk of the bid cycle (500 campaigns × 50 keywords) is one query
WINDOW_CHUNK = 500
_EMPTY = StatsTotals()


def _unchecked_totals() -> Callable[[int, int, int, Decimal, Decimal], StatsTotals]:
    """A ``StatsTotals`` maker that skips the validation of ``__post_init__`` (¾ of the cost
    of building one), for sums the database made of rows that were validated on the way in.
    Falls back to the constructor if ``StatsTotals`` stops being a slotted dataclass of
    exactly these fields."""
    names = tuple(f.name for f in fields(StatsTotals))
    slots = getattr(StatsTotals, "__slots__", ())
    if names != _TOTALS or set(slots) != set(names):
        return StatsTotals
    views, clicks, orders, spent, revenue = (getattr(StatsTotals, name).__set__ for name in names)
    new = object.__new__

    def make(v: int, c: int, o: int, s: Decimal, r: Decimal) -> StatsTotals:
        totals: StatsTotals = new(StatsTotals)
        views(totals, v)
        clicks(totals, c)
        orders(totals, o)
        spent(totals, s)
        revenue(totals, r)
        return totals

    return make


_summed_totals = _unchecked_totals()


def _totals_values(totals: StatsTotals) -> dict[str, Any]:
    return {name: getattr(totals, name) for name in _TOTALS}


def _totals(row: Any) -> StatsTotals:
    return StatsTotals(
        views=int(row["views"]),
        clicks=int(row["clicks"]),
        orders=int(row["orders"]),
        spent=row["spent"],
        revenue=row["revenue"],
    )


def _count(result: Result[Any]) -> int:
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


class SqlStatsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_snapshots(self, snapshots: Sequence[StatsSnapshot]) -> int:
        if not snapshots:
            return 0
        rows = [
            {
                "campaign_id": s.campaign_id,
                "keyword_id": s.keyword_id,
                "day": s.day,
                "captured_at": utc(s.captured_at),
                "avg_position": s.avg_position,
                **_totals_values(s.totals),
            }
            for s in snapshots
        ]
        bulk_insert(self.session, stats_snapshots, rows)
        return len(rows)

    def last_snapshots_of_day(self, day: date) -> list[StatsSnapshot]:
        s = stats_snapshots.c
        rank = func.row_number().over(partition_by=s.campaign_id, order_by=(s.captured_at.desc(), s.id.desc()))
        ranked = select(stats_snapshots, rank.label("rank")).where(s.day == day, s.keyword_id.is_(None)).subquery()
        query = select(ranked).where(ranked.c.rank == 1).order_by(ranked.c.campaign_id)
        return [
            StatsSnapshot(
                campaign_id=r["campaign_id"],
                day=r["day"],
                captured_at=utc(r["captured_at"]),
                totals=_totals(r),
                keyword_id=None,
                avg_position=r["avg_position"],
            )
            for r in self.session.execute(query).mappings()
        ]

    def upsert_daily(self, rows: Sequence[DailyStats]) -> int:
        now = datetime.now(UTC)
        values = [
            {"campaign_id": r.campaign_id, "day": r.day, "updated_at": now, **_totals_values(r.totals)} for r in rows
        ]
        upsert(self.session, daily_stats, values, ("campaign_id", "day"), (*_TOTALS, "updated_at"))
        return len(rows)

    def daily_between(self, start: date, end: date, campaign_ids: Sequence[int] | None = None) -> list[DailyStats]:
        query = select(daily_stats).where(daily_stats.c.day >= start, daily_stats.c.day <= end)
        if campaign_ids is None:
            queries = [query]
        else:
            queries = [query.where(daily_stats.c.campaign_id.in_(chunk)) for chunk in chunks(list(campaign_ids))]
        found = [
            DailyStats(campaign_id=r["campaign_id"], day=r["day"], totals=_totals(r))
            for q in queries
            for r in self.session.execute(q).mappings()
        ]
        return sorted(found, key=lambda row: (row.campaign_id, row.day))

    def upsert_keyword_daily(self, rows: Sequence[KeywordDailyStats]) -> int:
        values = [
            {"keyword_id": r.keyword_id, "campaign_id": r.campaign_id, "day": r.day, **_totals_values(r.totals)}
            for r in rows
        ]
        upsert(self.session, keyword_daily_stats, values, ("keyword_id", "day"), ("campaign_id", *_TOTALS))
        return len(rows)

    def keyword_windows(
        self, campaign_ids: Sequence[int], today: date, spans: Sequence[int]
    ) -> dict[int, tuple[StatsTotals, ...]]:
        longest = max(spans, default=0)
        if longest < 1 or not campaign_ids:
            return {}
        k = keyword_daily_stats.c
        sums: list[ColumnElement[Any]] = []
        for span in spans:
            since = today - timedelta(days=span)
            for name in _TOTALS:
                total: ColumnElement[Any] = func.sum(case((k.day >= since, k[name]), else_=0))
                # PostgreSQL sums BIGINT into NUMERIC: cast back so counts arrive as ints
                sums.append(cast(total, BigInteger) if name in _COUNTS else total)
        width, make = len(_TOTALS), _summed_totals
        found: dict[int, tuple[StatsTotals, ...]] = {}
        ids = list(dict.fromkeys(campaign_ids))
        for chunk in chunks(ids, WINDOW_CHUNK):
            query = (
                select(k.keyword_id, *sums)
                .where(and_(k.campaign_id.in_(chunk), k.day >= today - timedelta(days=longest), k.day < today))
                .group_by(k.keyword_id)
            )
            for row in self.session.execute(query):
                windows = []
                for start in range(1, len(row), width):
                    views, clicks, orders, spent, revenue = row[start : start + width]
                    windows.append(
                        make(views, clicks, orders, spent, revenue)
                        if views or clicks or orders or spent or revenue
                        else _EMPTY
                    )
                found[row[0]] = tuple(windows)
        return found

    def delete_keyword_daily_before(self, day: date) -> int:
        return _count(self.session.execute(delete(keyword_daily_stats).where(keyword_daily_stats.c.day < day)))

    def upsert_monthly(self, rows: Sequence[MonthlyStats]) -> int:
        now = datetime.now(UTC)
        values = [
            {
                "campaign_id": r.campaign_id,
                "year": r.year,
                "month": r.month,
                "updated_at": now,
                **_totals_values(r.totals),
            }
            for r in rows
        ]
        upsert(self.session, monthly_stats, values, ("campaign_id", "year", "month"), (*_TOTALS, "updated_at"))
        return len(rows)

    def monthly(self, year: int, month: int) -> list[MonthlyStats]:
        query = (
            select(monthly_stats)
            .where(monthly_stats.c.year == year, monthly_stats.c.month == month)
            .order_by(monthly_stats.c.campaign_id)
        )
        return [
            MonthlyStats(campaign_id=r["campaign_id"], year=r["year"], month=r["month"], totals=_totals(r))
            for r in self.session.execute(query).mappings()
        ]

    def delete_snapshots_before(self, cutoff: datetime) -> int:
        at = utc(cutoff)
        statement = delete(stats_snapshots).where(
            stats_snapshots.c.day <= at.date() + timedelta(days=1), stats_snapshots.c.captured_at < at
        )
        return _count(self.session.execute(statement))

    def delete_daily_before(self, day: date) -> int:
        return _count(self.session.execute(delete(daily_stats).where(daily_stats.c.day < day)))
