"""One contract for Reputation's repositories, run on the in-memory fakes, SQLite and PostgreSQL:
what a use case reads back is the same whichever backs it (items deduplicated by platform,
type and external id — an archived one too —, the status moved by compare-and-set, listings
oldest first, the analytics' facts, one analysis and one answer per item, failed answers to
retry, minutes to answer, a day's analytics replaced, the archive moving items with their
analysis and answer without losing one). On SQL, a poll's page takes as many statements for
500 items as for 10, and an archive batch as many for 60 items as for 3. Each test owns its
database."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, event, select

from adolf.adapters.sqlalchemy.app_unit_of_work import AppSqlUnitOfWork
from adolf.adapters.sqlalchemy.engine import build_session_factory
from adolf.adapters.sqlalchemy.reputation_rows import topics_from
from adolf.adapters.sqlalchemy.reputation_tables import reputation_items, reputation_items_archive
from adolf.adapters.sqlalchemy.timestamps import as_utc, utc
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.analytics import DailyAnalytics, ItemFact
from adolf.domain.reputation.items import (
    Analysis,
    Item,
    ItemType,
    Response,
    ResponseSource,
    ResponseStatus,
    Sentiment,
    Urgency,
)
from adolf.domain.reputation.lifecycle import ItemStatus
from tests.support.fakes.reputation_repos import FakeReputationUnitOfWork
from tests.support.migrations import CONTRACT_STORES, contract_engine

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
MSK = timezone(timedelta(hours=3))
DAY = date(2026, 3, 10)
KIDS, MARKET = "ohana_kids", "ohana_market"
WB, OZON, YM = Marketplace.WB, Marketplace.OZON, Marketplace.YM
REVIEW, QUESTION = ItemType.REVIEW, ItemType.QUESTION
S = ItemStatus
PROPERTY = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
_serial = itertools.count()


class Db:
    """Hands out a unit of work per block, as a use case gets one; the other methods reach past
    the ports to what no port reads (the archive's rows, when an item's status changed)."""

    def __init__(self, engine: Engine | None) -> None:
        self.engine = engine
        self.fake = FakeReputationUnitOfWork() if engine is None else None
        self.factory = build_session_factory(engine) if engine is not None else None

    def uow(self) -> Any:
        if self.fake is not None:
            return self.fake
        assert self.factory is not None
        return AppSqlUnitOfWork(self.factory)

    def archived(self) -> list[tuple[Any, ...]]:
        """(external_id, status, sentiment, topics, answer text, answer status, published_at) of
        every archived row, by external id."""
        if self.fake is not None:
            rows = []
            for row in self.fake.reputation.archive.values():
                a, r = row.analysis, row.response
                rows.append(
                    (
                        row.item.external_id,
                        row.item.status.value,
                        None if a is None else a.sentiment.value,
                        () if a is None else a.topics,
                        None if r is None else r.text,
                        None if r is None else r.status.value,
                        None if r is None else r.published_at,
                    )
                )
            return sorted(rows)
        c = reputation_items_archive.c
        query = select(
            c.external_id, c.status, c.sentiment, c.topics, c.response_text, c.response_status, c.response_published_at
        ).order_by(c.external_id)
        with self.uow() as uow:
            return [
                (e, st_, sen, topics_from(t), text, rs, as_utc(p))
                for e, st_, sen, t, text, rs, p in uow.session.execute(query)
            ]

    def status_changed_at(self, item_id: int) -> datetime:
        if self.fake is not None:
            return self.fake.reputation.items[item_id].status_changed_at
        with self.uow() as uow:
            query = select(reputation_items.c.status_changed_at).where(reputation_items.c.id == item_id)
            return utc(uow.session.execute(query).scalar_one())

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


@pytest.fixture(params=CONTRACT_STORES[1:])
def sql(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    """SQL only: statement counts."""
    for engine in contract_engine(request, tmp_path):
        yield Db(engine)


# --- builders -----------------------------------------------------------------------------


def item(
    external_id: str,
    platform: Marketplace = WB,
    kind: ItemType = REVIEW,
    brand: str = MARKET,
    at: datetime = T0,
    rating: int | None = 5,
    text: str = "Отличный плед, спасибо!",
    status: ItemStatus = S.NEW,
) -> Item:
    return Item(
        id=0,
        platform=platform,
        item_type=kind,
        external_id=external_id,
        brand=brand,
        product_id="123456",
        text=text,
        created_at=at,
        status=status,
        rating=rating if kind is REVIEW else None,
        author="Анна",
        product_name="Плед вязаный",
    )


def add(db: Db, items: Sequence[Item], at: datetime = T0) -> list[int]:
    with db.uow() as uow:
        ids = uow.reputation_items.add_new(list(items), at)
        uow.commit()
    return list(ids)


def analysis(item_id: int, sentiment: Sentiment = Sentiment.POSITIVE, topics: Sequence[str] = ()) -> Analysis:
    return Analysis(item_id, sentiment, Urgency.LOW, "local-rules-1", T0, tuple(topics))


def answer(
    item_id: int,
    status: ResponseStatus = ResponseStatus.DRAFT,
    attempts: int = 0,
    at: datetime = T0,
    published_at: datetime | None = None,
    text: str = "Спасибо за отзыв!",
) -> Response:
    return Response(
        item_id, text, ResponseSource.MODEL, status, at, attempts, "timeout" if attempts else None, published_at
    )


def move(db: Db, item_id: int, *path: ItemStatus, at: datetime = T0) -> None:
    """Move an item along ``path`` (its statuses after ``new``), each move expected to succeed."""
    with db.uow() as uow:
        current = S.NEW
        for target in path:
            assert uow.reputation_items.move(item_id, current, target, at)
            current = target
        uow.commit()


# --- items: dedupe ------------------------------------------------------------------------


def test_a_page_inserts_only_unknown_keys_in_the_order_given(db: Db) -> None:
    first = add(db, [item("r1"), item("r2")])
    assert len(first) == 2 and first[0] < first[1]
    page = [
        item("r3"),
        item("r1", text="edited later"),  # known: left as it was
        item("r4"),
        item("r3", text="the same key again"),  # twice in the page: the first kept
        item("r1", platform=OZON),  # another platform: new
        item("r1", kind=QUESTION, text="Какой размер?"),  # another type: new
        item("r2", platform=YM, kind=QUESTION, text="Стирать можно?"),
    ]
    ids = add(db, page, T0 + timedelta(minutes=5))
    assert len(ids) == 5 and len(set(ids) | set(first)) == 7
    with db.uow() as uow:
        got = uow.reputation_items.get_many([*first, *ids])
    keys = [got[i].key for i in ids]
    assert keys == [
        (WB, REVIEW, "r3"),
        (WB, REVIEW, "r4"),
        (OZON, REVIEW, "r1"),
        (WB, QUESTION, "r1"),
        (YM, QUESTION, "r2"),
    ]
    assert got[ids[0]].text == "Отличный плед, спасибо!"
    assert got[first[0]].text == "Отличный плед, спасибо!"
    assert got[first[0]].fetched_at == T0 and got[ids[0]].fetched_at == T0 + timedelta(minutes=5)
    assert add(db, page) == []
    assert add(db, []) == []


def test_an_item_reads_back_as_given_with_its_id_and_times_in_utc(db: Db) -> None:
    given = [
        item("q1", OZON, QUESTION, KIDS, T0.astimezone(MSK), text="Есть ли размер 2XL?"),
        item("r1", YM, REVIEW, MARKET, T0, rating=1, text=""),  # a bare rating
        # What PostgreSQL's array text must escape or could misread, as the buyer wrote it.
        item('r"2', text='Пишу "в кавычках", с \\ обратной чертой, {скобками} и словом NULL', rating=3),
        item("r3", text="NULL"),
    ]
    ids = add(db, given, T0.astimezone(MSK))
    with db.uow() as uow:
        got = [uow.reputation_items.get(i) for i in ids]
        assert uow.reputation_items.get(10**9) is None
    for item_id, original, stored in zip(ids, given, got, strict=True):
        assert stored == replace(original, id=item_id, fetched_at=T0)
        assert stored is not None and stored.created_at.tzinfo is not None
        assert stored.created_at.utcoffset() == timedelta(0)
    assert db.status_changed_at(ids[0]) == T0


keys = st.tuples(st.sampled_from([WB, OZON]), st.sampled_from([REVIEW, QUESTION]), st.sampled_from("abcdef"))


@PROPERTY
@given(pages=st.lists(st.lists(keys, max_size=8), min_size=1, max_size=4))
def test_polls_insert_each_key_once_whatever_the_pages(db: Db, pages: list[list[tuple[Any, ...]]]) -> None:
    tag = f"p{next(_serial)}-"  # the examples share the database
    seen: set[tuple[Any, ...]] = set()
    all_ids: list[int] = []
    for page in pages:
        expected = [key for key in dict.fromkeys(page) if key not in seen]
        ids = add(db, [item(tag + e, p, k, text="Вопрос?") for p, k, e in page])
        with db.uow() as uow:
            got = uow.reputation_items.get_many(ids)
        assert [(got[i].platform, got[i].item_type, got[i].external_id) for i in ids] == [
            (p, k, tag + e) for p, k, e in expected
        ]
        seen.update(page)
        all_ids.extend(ids)
    assert len(set(all_ids)) == len(seen)


def test_a_page_is_set_based_on_sql(sql: Db) -> None:
    counts = []
    for size in (10, 500):
        page = [item(f"s{size}-{n}") for n in range(size)]
        sent, stop = sql.counting()
        try:
            assert len(add(sql, page + page[:3])) == size
        finally:
            stop()
        counts.append(sum(1 for s in sent if s.lstrip().upper().startswith(("INSERT", "SELECT"))))
    assert counts[0] == counts[1] <= 2


# --- items: moves, listings, counts, facts ------------------------------------------------


def test_move_is_a_compare_and_set_on_the_status(db: Db) -> None:
    (item_id,) = add(db, [item("r1")])
    later = T0 + timedelta(hours=1)
    with db.uow() as uow:
        assert uow.reputation_items.move(item_id, S.NEW, S.ANALYZED, later)
        assert not uow.reputation_items.move(item_id, S.NEW, S.SKIPPED, later)  # a second worker's
        assert not uow.reputation_items.move(10**9, S.NEW, S.ANALYZED, later)
        uow.commit()
    with db.uow() as uow:
        got = uow.reputation_items.get(item_id)
    assert got is not None and got.status is S.ANALYZED
    assert db.status_changed_at(item_id) == later
    with db.uow() as uow:  # not committed: rolled back
        assert uow.reputation_items.move(item_id, S.ANALYZED, S.SKIPPED, later)
    with db.uow() as uow:
        got = uow.reputation_items.get(item_id)
    assert got is not None and got.status is S.ANALYZED


def test_listing_is_oldest_first_and_filters_by_status_brand_and_platform(db: Db) -> None:
    ids = add(
        db,
        [
            item("r3", at=T0 + timedelta(hours=3)),
            item("r1", at=T0 + timedelta(hours=1)),
            item("k1", brand=KIDS, at=T0 + timedelta(hours=2)),
            item("o1", platform=OZON, at=T0),
            item("r2", at=T0 + timedelta(hours=1)),  # a tie with r1: by id
        ],
    )
    r3, r1, k1, o1, r2 = ids
    move(db, r1, S.ANALYZED)
    with db.uow() as uow:
        items = uow.reputation_items

        def ext(found: list[Item]) -> list[str]:
            return [i.external_id for i in found]

        assert ext(items.listing()) == ["o1", "r1", "r2", "k1", "r3"]
        assert ext(items.listing(status=S.NEW)) == ["o1", "r2", "k1", "r3"]
        assert ext(items.listing(status=S.ANALYZED)) == ["r1"]
        assert ext(items.listing(brands=[KIDS])) == ["k1"]
        assert ext(items.listing(brands=[KIDS, MARKET], platform=WB)) == ["r1", "r2", "k1", "r3"]
        assert ext(items.listing(brands=[])) == []
        assert ext(items.listing(platform=OZON)) == ["o1"]
        assert ext(items.listing(status=S.NEW, limit=2)) == ["o1", "r2"]
        assert items.counts() == {(WB, S.NEW): 3, (WB, S.ANALYZED): 1, (OZON, S.NEW): 1}
    assert {r3, k1, o1, r2}.isdisjoint({r1})


def test_facts_are_the_window_s_items_with_sentiment_and_publication(db: Db) -> None:
    ids = add(
        db,
        [
            item("r1", rating=5, at=T0),
            item("r2", rating=2, at=T0 + timedelta(hours=5)),
            item("q1", kind=QUESTION, text="Размер?", platform=OZON, brand=KIDS, at=T0 + timedelta(hours=1)),
            item("late", at=T0 + timedelta(days=1)),  # the window's end: excluded
            item("early", at=T0 - timedelta(seconds=1)),
        ],
    )
    r1, r2, q1 = ids[:3]
    with db.uow() as uow:
        uow.reputation_analyses.save(analysis(r1, Sentiment.POSITIVE))
        uow.reputation_analyses.save(analysis(r2, Sentiment.NEGATIVE))
        uow.reputation_responses.save(answer(r1, ResponseStatus.PUBLISHED, 1, published_at=T0 + timedelta(hours=2)))
        uow.reputation_responses.save(answer(q1, ResponseStatus.DRAFT))
        uow.commit()
        facts = uow.reputation_items.facts(T0, T0 + timedelta(days=1))
    assert facts == [
        ItemFact(WB, MARKET, REVIEW, 5, Sentiment.POSITIVE, True),
        ItemFact(OZON, KIDS, QUESTION, None, None, False),
        ItemFact(WB, MARKET, REVIEW, 2, Sentiment.NEGATIVE, False),
    ]


# --- analyses and answers -----------------------------------------------------------------


def test_an_analysis_is_one_per_item_and_replaced_by_save(db: Db) -> None:
    (item_id,) = add(db, [item("r1")])
    first = analysis(item_id, Sentiment.NEUTRAL, ["доставка", "размер, цвет"])
    second = replace(analysis(item_id, Sentiment.NEGATIVE, []), analyzed_at=T0.astimezone(MSK) + timedelta(hours=1))
    with db.uow() as uow:
        assert uow.reputation_analyses.get(item_id) is None
        uow.reputation_analyses.save(first)
        uow.commit()
    with db.uow() as uow:
        assert uow.reputation_analyses.get(item_id) == first
        uow.reputation_analyses.save(second)
        uow.commit()
    with db.uow() as uow:
        got = uow.reputation_analyses.get(item_id)
    assert got == second and got is not None and got.topics == ()


def test_an_answer_is_one_per_item_and_replaced_by_save(db: Db) -> None:
    a, b = add(db, [item("r1"), item("r2")])
    draft = Response(a, "Спасибо!", ResponseSource.MODEL, ResponseStatus.DRAFT, T0, instructions="короче")
    sent = replace(
        draft,
        text="Спасибо большое!",
        source=ResponseSource.MANAGER,
        status=ResponseStatus.PUBLISHED,
        attempts=2,
        last_error="503",
        published_at=T0.astimezone(MSK) + timedelta(minutes=30),
    )
    with db.uow() as uow:
        uow.reputation_responses.save(draft)
        uow.commit()
    with db.uow() as uow:
        assert uow.reputation_responses.get(a) == draft
        uow.reputation_responses.save(sent)
        uow.commit()
    with db.uow() as uow:
        assert uow.reputation_responses.get(a) == sent
        assert uow.reputation_responses.get(b) is None
        assert uow.reputation_responses.get_many([a, b, a]) == {a: sent}


def test_failed_answers_with_attempts_to_spare_are_retried_oldest_first(db: Db) -> None:
    ids = add(db, [item(f"r{n}") for n in range(6)])
    with db.uow() as uow:
        save = uow.reputation_responses.save
        save(answer(ids[0], ResponseStatus.FAILED, 4, T0 + timedelta(minutes=3)))
        save(answer(ids[1], ResponseStatus.FAILED, 5, T0))  # out of attempts
        save(answer(ids[2], ResponseStatus.FAILED, 1, T0 + timedelta(minutes=1)))
        save(answer(ids[3], ResponseStatus.PUBLISHED, 1, T0, T0 + timedelta(minutes=2)))  # never again
        save(answer(ids[4], ResponseStatus.APPROVED, 0, T0))
        save(answer(ids[5], ResponseStatus.FAILED, 0, T0 + timedelta(minutes=1)))
        uow.commit()
        retry = uow.reputation_responses.failed_for_retry
        assert retry(5) == [ids[2], ids[5], ids[0]]
        assert retry(4) == [ids[2], ids[5]]
        assert retry(5, limit=1) == [ids[2]]
        assert retry(0) == []


def test_answer_minutes_are_from_creation_to_publication_in_the_window(db: Db) -> None:
    ids = add(
        db,
        [item("r1", at=T0), item("r2", at=T0 + timedelta(hours=1)), item("r3", at=T0), item("r4", at=T0)],
    )
    end = T0 + timedelta(days=1)
    with db.uow() as uow:
        save = uow.reputation_responses.save
        save(answer(ids[0], ResponseStatus.PUBLISHED, 1, published_at=T0 + timedelta(minutes=90, seconds=1)))
        save(
            answer(
                ids[1], ResponseStatus.PUBLISHED, 1, published_at=(T0 + timedelta(hours=1, minutes=5)).astimezone(MSK)
            )
        )
        save(answer(ids[2], ResponseStatus.PUBLISHED, 1, published_at=end))  # the window's end: out
        save(answer(ids[3], ResponseStatus.DRAFT))
        uow.commit()
        assert uow.reputation_responses.answer_minutes(T0, end) == [Decimal("5.00"), Decimal("90.02")]
        assert uow.reputation_responses.answer_minutes(end, end + timedelta(days=1)) == [Decimal("1440.00")]


def test_answer_minutes_of_one_marketplace_leave_the_others_out(db: Db) -> None:
    ids = add(db, [item("w1", WB, at=T0), item("o1", Marketplace.OZON, at=T0)])
    with db.uow() as uow:
        uow.reputation_responses.save(
            answer(ids[0], ResponseStatus.PUBLISHED, 1, published_at=T0 + timedelta(minutes=3))
        )
        uow.reputation_responses.save(
            answer(ids[1], ResponseStatus.PUBLISHED, 1, published_at=T0 + timedelta(minutes=7))
        )
        uow.commit()
        end = T0 + timedelta(days=1)
        assert uow.reputation_responses.answer_minutes(T0, end, WB) == [Decimal("3.00")]
        assert uow.reputation_responses.answer_minutes(T0, end, Marketplace.OZON) == [Decimal("7.00")]
        assert uow.reputation_responses.answer_minutes(T0, end, Marketplace.YM) == []
        assert len(uow.reputation_responses.answer_minutes(T0, end)) == 2


# --- analytics ----------------------------------------------------------------------------


def day_row(day: date, platform: Marketplace, brand: str, total: int = 3, avg: str | None = "4.67") -> DailyAnalytics:
    return DailyAnalytics(day, platform, brand, total, total - 1, 1, 1, 0, None if avg is None else Decimal(avg), 1)


def test_replace_day_makes_the_day_exactly_the_rows_given(db: Db) -> None:
    before, after = DAY - timedelta(days=1), DAY + timedelta(days=1)
    first = [day_row(DAY, WB, MARKET), day_row(DAY, OZON, KIDS, 2, None), day_row(DAY, YM, MARKET, 1, "5")]
    with db.uow() as uow:
        analytics = uow.reputation_analytics
        assert analytics.replace_day(before, [day_row(before, WB, MARKET, 5)]) == 1
        assert analytics.replace_day(DAY, first) == 3
        assert analytics.replace_day(DAY, first) == 3  # a rerun: the same rows, not twice
        uow.commit()
    with db.uow() as uow:
        rows = uow.reputation_analytics.rows(DAY, DAY)
        assert rows == sorted(first, key=lambda r: (r.platform.value, r.brand))
        assert rows[-1].avg_rating == Decimal("5.00")
        fewer = [day_row(DAY, WB, MARKET, 4)]
        uow.reputation_analytics.replace_day(DAY, fewer)
        uow.commit()
    with db.uow() as uow:
        assert uow.reputation_analytics.rows(before, after) == [day_row(before, WB, MARKET, 5), *fewer]
        assert uow.reputation_analytics.rows(after, after) == []
        with pytest.raises(ValueError, match="day=2026-03-09"):
            uow.reputation_analytics.replace_day(DAY, [day_row(before, WB, MARKET)])
        with pytest.raises(ValueError, match="twice"):
            uow.reputation_analytics.replace_day(DAY, [day_row(DAY, WB, MARKET), day_row(DAY, WB, MARKET, 1)])


@PROPERTY
@given(
    runs=st.lists(
        st.lists(st.tuples(st.sampled_from([WB, OZON, YM]), st.sampled_from([MARKET, KIDS])), unique=True),
        min_size=1,
        max_size=3,
    )
)
def test_the_day_is_the_last_run_s_rows(db: Db, runs: list[list[tuple[Marketplace, str]]]) -> None:
    day = DAY + timedelta(days=next(_serial))
    for run in runs:
        with db.uow() as uow:
            uow.reputation_analytics.replace_day(day, [day_row(day, p, b) for p, b in run])
            uow.commit()
    with db.uow() as uow:
        got = uow.reputation_analytics.rows(day, day)
    assert [(r.platform, r.brand) for r in got] == sorted(runs[-1], key=lambda k: (k[0].value, k[1]))


# --- archive ------------------------------------------------------------------------------

CUTOFF = T0 - timedelta(days=365)
OLD = CUTOFF - timedelta(days=1)


def test_the_archive_moves_finished_old_items_with_their_analysis_and_answer(db: Db) -> None:
    ids = add(
        db,
        [
            item("published", at=OLD),
            item("skipped", at=OLD - timedelta(days=1)),
            item("failed", at=OLD),  # still in work: stays
            item("recent", at=CUTOFF),  # not before the cutoff: stays
            item("new", at=OLD),
        ],
    )
    published, skipped, failed, recent, _ = ids
    move(db, published, S.ANALYZED, S.APPROVED, S.PUBLISHED)
    move(db, skipped, S.SKIPPED)
    move(db, failed, S.ANALYZED, S.APPROVED, S.FAILED)
    move(db, recent, S.SKIPPED)
    sent_at = OLD + timedelta(hours=2)
    with db.uow() as uow:
        uow.reputation_analyses.save(analysis(published, Sentiment.POSITIVE, ["качество", "доставка"]))
        uow.reputation_responses.save(answer(published, ResponseStatus.PUBLISHED, 1, OLD, sent_at, "Спасибо!"))
        uow.reputation_responses.save(answer(failed, ResponseStatus.FAILED, 2, OLD))
        uow.commit()
    with db.uow() as uow:
        assert uow.reputation_archive.counts() == (5, 0)
        assert uow.reputation_archive.move_before(CUTOFF, 1) == 1  # the oldest first
        assert uow.reputation_archive.move_before(CUTOFF, 10) == 1
        assert uow.reputation_archive.move_before(CUTOFF, 10) == 0
        uow.commit()
    with db.uow() as uow:
        assert uow.reputation_archive.counts() == (3, 2)
        assert uow.reputation_items.get_many([published, skipped]) == {}
        assert uow.reputation_analyses.get(published) is None
        assert uow.reputation_responses.get(published) is None
        assert uow.reputation_responses.get(failed) is not None
        assert {i.external_id for i in uow.reputation_items.listing()} == {"failed", "recent", "new"}
    assert db.archived() == [
        ("published", "published", "positive", ("качество", "доставка"), "Спасибо!", "published", sent_at),
        ("skipped", "skipped", None, (), None, None, None),
    ]
    # A marketplace serving an archived item again: known, not new.
    assert add(db, [item("published", at=OLD), item("skipped", at=OLD)]) == []


def test_an_archive_move_not_committed_loses_nothing(db: Db) -> None:
    (item_id,) = add(db, [item("r1", at=OLD)])
    move(db, item_id, S.SKIPPED)
    with db.uow() as uow:
        assert uow.reputation_archive.move_before(CUTOFF, 10) == 1
    with db.uow() as uow:
        assert uow.reputation_archive.counts() == (1, 0)
        assert uow.reputation_archive.move_before(CUTOFF, 0) == 0


FINAL_OR_NOT = {
    S.NEW: (),
    S.SKIPPED: (S.SKIPPED,),
    S.PUBLISHED: (S.ANALYZED, S.APPROVED, S.PUBLISHED),
    S.FAILED: (S.ANALYZED, S.APPROVED, S.FAILED),
}


@PROPERTY
@given(
    rows=st.lists(st.tuples(st.sampled_from(list(FINAL_OR_NOT)), st.integers(-3, 3), st.booleans()), max_size=8),
    limit=st.integers(1, 4),
)
def test_archiving_loses_no_item(db: Db, rows: list[tuple[ItemStatus, int, bool]], limit: int) -> None:
    tag = f"a{next(_serial)}-"
    ids = add(db, [item(f"{tag}{n}", at=CUTOFF + timedelta(days=days)) for n, (_, days, _) in enumerate(rows)])
    for item_id, (status, _, answered) in zip(ids, rows, strict=True):
        move(db, item_id, *FINAL_OR_NOT[status])
        if answered:
            with db.uow() as uow:
                uow.reputation_responses.save(answer(item_id))
                uow.commit()
    due = {f"{tag}{n}" for n, (status, days, _) in enumerate(rows) if status in (S.SKIPPED, S.PUBLISHED) and days < 0}
    with db.uow() as uow:
        live, archived = uow.reputation_archive.counts()
    moved = []
    while True:
        with db.uow() as uow:
            n = uow.reputation_archive.move_before(CUTOFF, limit)
            uow.commit()
        if n == 0:
            break
        assert n <= limit
        moved.append(n)
        with db.uow() as uow:
            assert sum(uow.reputation_archive.counts()) == live + archived
    assert sum(moved) == len(due)
    assert {row[0] for row in db.archived() if row[0].startswith(tag)} == due


def test_an_archive_batch_is_set_based_on_sql(sql: Db) -> None:
    counts = []
    for size in (3, 60):
        ids = add(sql, [item(f"b{size}-{n}", at=OLD) for n in range(size)])
        for item_id in ids:
            move(sql, item_id, S.SKIPPED)
        sent, stop = sql.counting()
        try:
            with sql.uow() as uow:
                assert uow.reputation_archive.move_before(CUTOFF, 100) == size
                uow.commit()
        finally:
            stop()
        counts.append(sum(1 for s in sent if s.lstrip().upper().startswith(("INSERT", "SELECT", "DELETE"))))
    assert counts[0] == counts[1] <= 5
