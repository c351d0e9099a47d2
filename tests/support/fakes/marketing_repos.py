"""In-memory Marketing repositories (besides campaigns): lists and dicts behind the ports of
``adolf.application.marketing.ports``, with the same rules as the SQL ones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from adolf.application.marketing.ports import (
    BidChangeRecord,
    DailyStats,
    KeywordDailyStats,
    MonthlyStats,
    Recommendation,
    StatsSnapshot,
)
from adolf.domain.alerts.users import User
from adolf.domain.marketing.metrics import StatsTotals
from adolf.domain.marketplace import Marketplace
from tests.support.fakes.state import Stateful


class FakeBidHistory(Stateful):
    def __init__(self) -> None:
        self.records: list[BidChangeRecord] = []

    def add_many(self, records: Sequence[BidChangeRecord]) -> None:
        self.records.extend(records)

    def for_campaign(self, campaign_id: int, limit: int = 100) -> list[BidChangeRecord]:
        """Newest first."""
        rows = [r for r in reversed(self.records) if r.campaign_id == campaign_id]
        return sorted(rows, key=lambda r: r.created_at, reverse=True)[:limit]

    def count_between(self, start: datetime, end: datetime) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.records:
            if start <= r.created_at < end:
                counts[r.source] = counts.get(r.source, 0) + 1
        return counts

    def delete_before(self, cutoff: datetime) -> int:
        kept = [r for r in self.records if r.created_at >= cutoff]
        deleted = len(self.records) - len(kept)
        self.records = kept
        return deleted


class FakeStatsRepository(Stateful):
    def __init__(self) -> None:
        self.snapshots: list[StatsSnapshot] = []
        self.daily: dict[tuple[int, date], DailyStats] = {}
        self.monthly_rows: dict[tuple[int, int, int], MonthlyStats] = {}
        self.keyword_daily: dict[tuple[int, date], KeywordDailyStats] = {}

    def add_snapshots(self, snapshots: Sequence[StatsSnapshot]) -> int:
        self.snapshots.extend(snapshots)
        return len(snapshots)

    def last_snapshots_of_day(self, day: date) -> list[StatsSnapshot]:
        latest: dict[int, StatsSnapshot] = {}
        for s in self.snapshots:  # insertion order breaks ties of captured_at, as the SQL id does
            if s.day == day and s.keyword_id is None:
                current = latest.get(s.campaign_id)
                if current is None or s.captured_at >= current.captured_at:
                    latest[s.campaign_id] = s
        return [latest[cid] for cid in sorted(latest)]

    def upsert_daily(self, rows: Sequence[DailyStats]) -> int:
        for row in rows:
            self.daily[(row.campaign_id, row.day)] = row
        return len(rows)

    def daily_between(self, start: date, end: date, campaign_ids: Sequence[int] | None = None) -> list[DailyStats]:
        wanted = None if campaign_ids is None else set(campaign_ids)
        return [
            row
            for key, row in sorted(self.daily.items())
            if start <= row.day <= end and (wanted is None or row.campaign_id in wanted)
        ]

    def upsert_keyword_daily(self, rows: Sequence[KeywordDailyStats]) -> int:
        for row in rows:
            self.keyword_daily[(row.keyword_id, row.day)] = row
        return len(rows)

    def keyword_windows(
        self, campaign_ids: Sequence[int], today: date, spans: Sequence[int]
    ) -> dict[int, tuple[StatsTotals, ...]]:
        wanted, longest = set(campaign_ids), max(spans, default=0)
        found: dict[int, list[StatsTotals]] = {}
        for row in self.keyword_daily.values():
            age = (today - row.day).days
            if row.campaign_id not in wanted or not 1 <= age <= longest:
                continue
            sums = found.setdefault(row.keyword_id, [StatsTotals() for _ in spans])
            for index, span in enumerate(spans):
                if age <= span:
                    sums[index] = sums[index] + row.totals
        return {kid: tuple(sums) for kid, sums in found.items()}

    def delete_keyword_daily_before(self, day: date) -> int:
        doomed = [key for key, row in self.keyword_daily.items() if row.day < day]
        for key in doomed:
            del self.keyword_daily[key]
        return len(doomed)

    def upsert_monthly(self, rows: Sequence[MonthlyStats]) -> int:
        for row in rows:
            self.monthly_rows[(row.campaign_id, row.year, row.month)] = row
        return len(rows)

    def monthly(self, year: int, month: int) -> list[MonthlyStats]:
        return [r for key, r in sorted(self.monthly_rows.items()) if (r.year, r.month) == (year, month)]

    def delete_snapshots_before(self, cutoff: datetime) -> int:
        kept = [s for s in self.snapshots if s.captured_at >= cutoff]
        deleted = len(self.snapshots) - len(kept)
        self.snapshots = kept
        return deleted

    def delete_daily_before(self, day: date) -> int:
        doomed = [key for key, row in self.daily.items() if row.day < day]
        for key in doomed:
            del self.daily[key]
        return len(doomed)


class FakeCompetitorBids(Stateful):
    def __init__(self) -> None:
        self.bids: dict[tuple[Marketplace, str], tuple[Decimal, ...]] = {}
        self.observed_at: dict[tuple[Marketplace, str], datetime] = {}

    def bids_for(self, marketplace: Marketplace, keyword_external_ids: Sequence[str]) -> dict[str, tuple[Decimal, ...]]:
        return {
            ext: self.bids[(marketplace, ext)]
            for ext in dict.fromkeys(keyword_external_ids)
            if (marketplace, ext) in self.bids
        }

    def replace(self, marketplace: Marketplace, bids: Mapping[str, Sequence[Decimal]], observed_at: datetime) -> None:
        for ext, values in bids.items():
            self.bids[(marketplace, ext)] = tuple(sorted(values, reverse=True))
            self.observed_at[(marketplace, ext)] = observed_at


class FakeUsers(Stateful):
    def __init__(self) -> None:
        self.users: list[User] = []

    def active(self) -> list[User]:
        return [u for u in self.users if u.active]

    def add(self, user: User) -> None:
        self.users.append(user)


class FakeRecommendations(Stateful):
    def __init__(self) -> None:
        self.items: list[Recommendation] = []

    def add_many(self, items: Sequence[Recommendation]) -> None:
        self.items.extend(items)

    def for_day(self, day: date) -> list[Recommendation]:
        return [r for r in self.items if r.day == day]
