"""In-memory Reputation repositories (``adolf.application.reputation.ports``) and
``FakeReputationUnitOfWork``.

All rows live in one ``FakeReputationTables`` (dicts keyed as the tables are); the repositories
are views over it, because some reads cross tables as the SQL does (facts join analyses and
answers, the archive moves an item with both). The unit of work snapshots the tables once, so a
rollback restores every view together. Rows are frozen dataclasses: a snapshot copies the
containers only.

The same rules as the SQL repositories (the contract suite runs both):
- an item is one per (platform, item_type, external_id); ``add_new`` keeps the first of a key
  given twice in one page, takes an archived key as known, and answers the ids of the items
  inserted now, in the order given; ids are never reused;
- a fact is ``published`` when its item is, or its answer is;
- ``move`` is a compare-and-set on the status, stamping ``status_changed_at``;
- listings are oldest first (``created_at``, ties on id); an analysis and an answer are one per
  item, replaced by ``save``, and need their item;
- analytics are one row per (day, platform, brand); ``replace_day`` makes the day's rows
  exactly those given;
- the archive takes ``published`` and ``skipped`` items created before the cutoff, oldest first,
  with their analysis and answer, and one archived row per key (a second archiving of a key
  keeps the first row); live + archived counts stay equal across a move;
- times are kept in UTC; answer minutes to 2 places, ROUND_HALF_UP.

``FakeReputationUnitOfWork()`` is a ``FakeUnitOfWork`` (system stores, ``users``) plus the
``reputation_*`` repositories and ``reputation`` (the tables, for assertions). Rows added outside
``with uow:`` count as committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.analytics import DailyAnalytics, ItemFact
from adolf.domain.reputation.items import Analysis, Item, ItemType, Response, ResponseStatus
from adolf.domain.reputation.lifecycle import ItemStatus
from tests.support.fakes.state import Stateful, Tables
from tests.support.fakes.unit_of_work import FakeUnitOfWork

CENT = Decimal("0.01")
ARCHIVABLE = (ItemStatus.PUBLISHED, ItemStatus.SKIPPED)
Key = tuple[Marketplace, ItemType, str]


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else _utc(value)


def minutes_between(start: datetime, end: datetime) -> Decimal:
    """Minutes from ``start`` to ``end``, to 2 places (exact microseconds, no float)."""
    micros = (end - start) // timedelta(microseconds=1)
    return (Decimal(micros) / Decimal(60_000_000)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class ItemRow:
    """An item as the table keeps it: the domain's item and when its status last changed."""

    item: Item
    status_changed_at: datetime


@dataclass(frozen=True, slots=True)
class ArchivedItem:
    """A row of the archive: the item with its analysis and answer as they were."""

    id: int
    item: Item
    status_changed_at: datetime
    analysis: Analysis | None
    response: Response | None
    archived_at: datetime


class FakeReputationTables(Tables):
    def __init__(self) -> None:
        super().__init__()
        self.items: dict[int, ItemRow] = {}
        self.keys: dict[Key, int] = {}
        self.analyses: dict[int, Analysis] = {}
        self.responses: dict[int, Response] = {}
        self.analytics: dict[tuple[date, Marketplace, str], DailyAnalytics] = {}
        self.archive: dict[Key, ArchivedItem] = {}

    def need_item(self, item_id: int) -> None:
        if item_id not in self.items:
            raise ValueError(f"item_id={item_id}: no such item")


def _oldest_first(rows: Sequence[ItemRow]) -> list[ItemRow]:
    return sorted(rows, key=lambda row: (row.item.created_at, row.item.id))


class FakeItemRepository:
    def __init__(self, tables: FakeReputationTables) -> None:
        self.tables = tables

    def add_new(self, items: Sequence[Item], at: datetime) -> list[int]:
        self.tables.count("items.add_new")
        ids = []
        for item in items:
            if item.key in self.tables.keys or item.key in self.tables.archive:
                continue
            item_id = self.tables.next_id("items")
            stored = replace(
                item,
                id=item_id,
                created_at=_utc(item.created_at),
                fetched_at=_utc(at),
            )
            self.tables.items[item_id] = ItemRow(stored, _utc(at))
            self.tables.keys[item.key] = item_id
            ids.append(item_id)
        return ids

    def get(self, item_id: int) -> Item | None:
        row = self.tables.items.get(item_id)
        return None if row is None else row.item

    def get_many(self, item_ids: Sequence[int]) -> dict[int, Item]:
        self.tables.count("items.get_many")
        return {i: self.tables.items[i].item for i in item_ids if i in self.tables.items}

    def move(self, item_id: int, expected: ItemStatus, target: ItemStatus, at: datetime) -> bool:
        row = self.tables.items.get(item_id)
        if row is None or row.item.status is not ItemStatus(expected):
            return False
        self.tables.items[item_id] = ItemRow(replace(row.item, status=ItemStatus(target)), _utc(at))
        return True

    def listing(
        self,
        status: ItemStatus | None = None,
        brands: Sequence[str] | None = None,
        platform: Marketplace | None = None,
        limit: int = 100,
    ) -> list[Item]:
        wanted = None if brands is None else set(brands)
        rows = [
            row
            for row in self.tables.items.values()
            if (status is None or row.item.status is status)
            and (wanted is None or row.item.brand in wanted)
            and (platform is None or row.item.platform is platform)
        ]
        return [row.item for row in _oldest_first(rows)[:limit]]

    def counts(self) -> dict[tuple[Marketplace, ItemStatus], int]:
        result: dict[tuple[Marketplace, ItemStatus], int] = {}
        for row in self.tables.items.values():
            key = (row.item.platform, row.item.status)
            result[key] = result.get(key, 0) + 1
        return result

    def facts(self, start: datetime, end: datetime) -> list[ItemFact]:
        self.tables.count("items.facts")
        facts = []
        for row in _oldest_first(list(self.tables.items.values())):
            item = row.item
            if not start <= item.created_at < end:
                continue
            analysis = self.tables.analyses.get(item.id)
            response = self.tables.responses.get(item.id)
            facts.append(
                ItemFact(
                    platform=item.platform,
                    brand=item.brand,
                    item_type=item.item_type,
                    rating=item.rating,
                    sentiment=None if analysis is None else analysis.sentiment,
                    published=item.status is ItemStatus.PUBLISHED
                    or (response is not None and response.status is ResponseStatus.PUBLISHED),
                )
            )
        return facts


class FakeAnalysisRepository:
    def __init__(self, tables: FakeReputationTables) -> None:
        self.tables = tables

    def save(self, analysis: Analysis) -> None:
        self.tables.need_item(analysis.item_id)
        self.tables.analyses[analysis.item_id] = replace(analysis, analyzed_at=_utc(analysis.analyzed_at))

    def get(self, item_id: int) -> Analysis | None:
        return self.tables.analyses.get(item_id)


class FakeResponseRepository:
    def __init__(self, tables: FakeReputationTables) -> None:
        self.tables = tables

    def save(self, response: Response) -> None:
        self.tables.need_item(response.item_id)
        self.tables.responses[response.item_id] = replace(
            response,
            created_at=_utc(response.created_at),
            published_at=_utc_or_none(response.published_at),
        )

    def get(self, item_id: int) -> Response | None:
        return self.tables.responses.get(item_id)

    def get_many(self, item_ids: Sequence[int]) -> dict[int, Response]:
        self.tables.count("responses.get_many")
        return {i: self.tables.responses[i] for i in item_ids if i in self.tables.responses}

    def failed_for_retry(self, max_attempts: int, limit: int = 1000) -> list[int]:
        failed = [
            r for r in self.tables.responses.values() if r.status is ResponseStatus.FAILED and r.attempts < max_attempts
        ]
        failed.sort(key=lambda r: (r.created_at, r.item_id))
        return [r.item_id for r in failed[:limit]]

    def answer_minutes(self, start: datetime, end: datetime, platform: Marketplace | None = None) -> list[Decimal]:
        published = [
            (r.published_at, r.item_id)
            for r in self.tables.responses.values()
            if r.published_at is not None
            and start <= r.published_at < end
            and (platform is None or self.tables.items[r.item_id].item.platform is platform)
        ]
        return [
            minutes_between(self.tables.items[item_id].item.created_at, at)
            for at, item_id in sorted(published)
            if item_id in self.tables.items
        ]


class FakeReputationAnalyticsRepository:
    def __init__(self, tables: FakeReputationTables) -> None:
        self.tables = tables

    def replace_day(self, day: date, rows: Sequence[DailyAnalytics]) -> int:
        self.tables.count("analytics.replace_day")
        for row in rows:
            if row.day != day:
                raise ValueError(f"day={row.day} of a row for {row.platform}/{row.brand} is not day={day}")
        kept = {key: row for key, row in self.tables.analytics.items() if key[0] != day}
        fresh = {(row.day, row.platform, row.brand): row for row in rows}
        if len(fresh) != len(rows):
            raise ValueError(f"day={day}: a platform × brand is given twice")
        self.tables.analytics = kept | {
            key: replace(row, avg_rating=None if row.avg_rating is None else row.avg_rating.quantize(CENT))
            for key, row in fresh.items()
        }
        return len(rows)

    def rows(self, start: date, end: date) -> list[DailyAnalytics]:
        return [row for key, row in sorted(self.tables.analytics.items()) if start <= key[0] <= end]


class FakeArchiveRepository:
    def __init__(self, tables: FakeReputationTables) -> None:
        self.tables = tables

    def move_before(self, cutoff: datetime, limit: int) -> int:
        self.tables.count("archive.move_before")
        due = _oldest_first(
            [
                row
                for row in self.tables.items.values()
                if row.item.status in ARCHIVABLE and row.item.created_at < cutoff
            ]
        )[:limit]
        now = datetime.now(UTC)
        for row in due:
            item = row.item
            self.tables.archive.setdefault(
                item.key,
                ArchivedItem(
                    id=self.tables.next_id("archive"),
                    item=item,
                    status_changed_at=row.status_changed_at,
                    analysis=self.tables.analyses.get(item.id),
                    response=self.tables.responses.get(item.id),
                    archived_at=now,
                ),
            )
            self.tables.analyses.pop(item.id, None)
            self.tables.responses.pop(item.id, None)
            del self.tables.items[item.id]
            del self.tables.keys[item.key]
        return len(due)

    def counts(self) -> tuple[int, int]:
        return len(self.tables.items), len(self.tables.archive)


class FakeReputationUnitOfWork(FakeUnitOfWork):
    """``ReputationUnitOfWork``: ``FakeUnitOfWork``'s stores plus the Reputation repositories
    over one ``FakeReputationTables`` (``self.reputation``), rolled back and committed with the
    rest."""

    def __init__(self) -> None:
        super().__init__()
        self.reputation = FakeReputationTables()
        self.reputation_items = FakeItemRepository(self.reputation)
        self.reputation_analyses = FakeAnalysisRepository(self.reputation)
        self.reputation_responses = FakeResponseRepository(self.reputation)
        self.reputation_analytics = FakeReputationAnalyticsRepository(self.reputation)
        self.reputation_archive = FakeArchiveRepository(self.reputation)

    @property
    def _stateful(self) -> list[Stateful]:
        return [*super()._stateful, self.reputation]
