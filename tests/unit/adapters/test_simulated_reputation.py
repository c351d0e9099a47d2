"""The simulated reviews and questions (``SimulatedReputation``): a deterministic Russian feed,
items repeated until answered, one answer per item, outages, publish faults, malformed rows,
pages and quotas."""

from __future__ import annotations

import re
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, text

from adolf.adapters.marketplaces.simulated.reputation import (
    ANSWER_LIMITS,
    PAGE_SIZES,
    Outage,
    PublishFailure,
    ReputationFaults,
    SimulatedReputation,
)
from adolf.adapters.marketplaces.simulated.reputation_feed import (
    RATINGS,
    ReputationFeed,
    external_id,
    read_id,
    slot_at,
)
from adolf.adapters.marketplaces.simulated.reputation_parsing import parse_item
from adolf.adapters.marketplaces.simulated.reputation_sql_state import SqlReputationState
from adolf.adapters.marketplaces.simulated.reputation_state import (
    InMemoryReputationState,
    ReputationStateMismatch,
)
from adolf.adapters.marketplaces.simulated.timeline import MOSCOW
from adolf.application.ports.ads_marketplace import MarketplaceError, MarketplaceRejected
from adolf.application.reputation.marketplace import PublishOutcome
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import ItemType
from tests.support.services import require_postgres

MIDNIGHT = datetime(2026, 3, 9, 21, 0, tzinfo=UTC)  # Moscow midnight of 10 March
EVENING = MIDNIGHT + timedelta(hours=20)  # 20:00 Moscow
BRANDS = ("ohana_market", "ohana_kids")
WB, OZON, YM = Marketplace.WB, Marketplace.OZON, Marketplace.YM
REVIEW, QUESTION = ItemType.REVIEW, ItemType.QUESTION
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


def market(clock: FakeClock, **kwargs: object) -> SimulatedReputation:
    return SimulatedReputation(7, clock, start=MIDNIGHT, **kwargs)  # type: ignore[arg-type]


def test_two_instances_with_one_seed_serve_the_same_feed_and_another_seed_another() -> None:
    one, other = market(FakeClock(EVENING)), market(FakeClock(EVENING))
    for platform in Marketplace:
        for kind in ItemType:
            for brand in BRANDS:
                first = one.fetch(platform, kind, brand, None)
                assert first.items  # a day of a brand has items of every kind
                assert other.fetch(platform, kind, brand, None) == first
    elsewhere = SimulatedReputation(8, FakeClock(EVENING), start=MIDNIGHT).fetch(WB, REVIEW, BRANDS[0], None)
    assert elsewhere.items != one.fetch(WB, REVIEW, BRANDS[0], None).items


def test_fetch_is_newest_first_within_since_and_now_of_the_brand_and_type_asked() -> None:
    clock = FakeClock(EVENING)
    since = EVENING - timedelta(hours=6)
    fetched = market(clock).fetch(OZON, QUESTION, "ohana_kids", since)
    assert fetched.items
    times = [item.created_at for item in fetched.items]
    assert times == sorted(times, reverse=True)
    assert all(since <= t <= EVENING for t in times)
    assert {(i.platform, i.item_type, i.brand, i.rating) for i in fetched.items} == {
        (OZON, QUESTION, "ohana_kids", None)
    }
    everything = market(clock).fetch(OZON, QUESTION, "ohana_kids", None).items
    assert len(everything) > len(fetched.items)
    assert min(i.created_at for i in everything) >= MIDNIGHT  # nothing before the feed starts


def test_items_repeat_on_every_poll_until_answered_and_then_disappear() -> None:
    clock = FakeClock(EVENING)
    sim = market(clock)
    first = sim.fetch(WB, REVIEW, "ohana_market", None).items
    clock.current += timedelta(minutes=5)
    second = sim.fetch(WB, REVIEW, "ohana_market", None).items
    assert set(first) <= set(second)  # the same items again, and maybe new ones
    answered = first[3]
    assert (
        sim.publish(WB, REVIEW, "ohana_market", answered.external_id, "Спасибо за отзыв!") is PublishOutcome.PUBLISHED
    )
    third = sim.fetch(WB, REVIEW, "ohana_market", None).items
    assert answered.key not in {i.key for i in third}
    assert {i.key for i in third} == {i.key for i in second} - {answered.key}
    assert sim.fetch(WB, QUESTION, "ohana_market", None).items  # another type is unaffected


def test_a_second_publish_is_already_answered_and_stores_no_second_answer() -> None:
    clock = FakeClock(EVENING)
    sim = market(clock)
    item = sim.fetch(YM, QUESTION, "ohana_kids", None).items[0]
    assert sim.publish(YM, QUESTION, "ohana_kids", item.external_id, "Да, 100% хлопок.") is PublishOutcome.PUBLISHED
    for words in ("Да, 100% хлопок.", "Другой ответ"):
        again = sim.publish(YM, QUESTION, "ohana_kids", item.external_id, words)
        assert again is PublishOutcome.ALREADY_ANSWERED
    answers = [a for a in sim.answers() if a.key == item.key]
    assert len(answers) == 1 and answers[0].text == "Да, 100% хлопок." and answers[0].answered_at == EVENING
    counters = sim.counters()
    assert (counters["published"], counters["already_answered"], sim.double_posts) == (1, 2, 2)
    assert sim.calls(YM, QUESTION, answer=True) == 3


def test_an_outage_refuses_fetch_and_publish_on_its_platform_only_then_recovers() -> None:
    clock = FakeClock(EVENING)
    down = Outage(OZON, EVENING + timedelta(hours=1), EVENING + timedelta(hours=2))
    sim = market(clock, faults=ReputationFaults(outages=(down,)))
    item = sim.fetch(OZON, REVIEW, "ohana_market", None).items[0]
    clock.current = down.start
    with pytest.raises(MarketplaceError, match="503"):
        sim.fetch(OZON, REVIEW, "ohana_market", None)
    with pytest.raises(MarketplaceError, match="503") as refused:
        sim.publish(OZON, REVIEW, "ohana_market", item.external_id, "Спасибо!")
    assert not isinstance(refused.value, MarketplaceRejected)  # it may pass: worth a retry
    assert sim.fetch(WB, REVIEW, "ohana_market", None).items  # another platform is up
    clock.current = down.end - timedelta(microseconds=1)
    with pytest.raises(MarketplaceError):
        sim.fetch(OZON, QUESTION, "ohana_market", None)
    clock.current = down.end
    assert item in sim.fetch(OZON, REVIEW, "ohana_market", None).items
    assert sim.publish(OZON, REVIEW, "ohana_market", item.external_id, "Спасибо!") is PublishOutcome.PUBLISHED
    assert sim.counters()["outage_refusals"] == 3
    assert sim.answer_of(OZON, REVIEW, item.external_id) is not None


def test_a_planned_publish_failure_fails_twice_then_succeeds_once() -> None:
    clock = FakeClock(EVENING)
    probe = market(clock)
    item = probe.fetch(WB, QUESTION, "ohana_kids", None).items[0]
    plan = ReputationFaults(failing_publishes=(PublishFailure(WB, QUESTION, item.external_id, 2),))
    sim = market(clock, faults=plan)
    for _ in range(2):
        with pytest.raises(MarketplaceError, match="502"):
            sim.publish(WB, QUESTION, "ohana_kids", item.external_id, "Будет в апреле.")
        assert sim.answer_of(WB, QUESTION, item.external_id) is None
    assert sim.publish(WB, QUESTION, "ohana_kids", item.external_id, "Будет в апреле.") is PublishOutcome.PUBLISHED
    assert sim.publish(WB, QUESTION, "ohana_kids", item.external_id, "Будет в апреле.") is (
        PublishOutcome.ALREADY_ANSWERED
    )
    assert len(sim.answers()) == 1 and sim.counters()["publish_failures"] == 2
    other = sim.fetch(WB, QUESTION, "ohana_kids", None).items[0]
    assert sim.publish(WB, QUESTION, "ohana_kids", other.external_id, "Да.") is PublishOutcome.PUBLISHED


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "empty"), ("   ", "empty"), ("Я" * (ANSWER_LIMITS[YM] + 1), "at most 4096")],
)
def test_publish_refuses_an_empty_or_too_long_answer(text: str, reason: str) -> None:
    sim = market(FakeClock(EVENING))
    item = sim.fetch(YM, REVIEW, "ohana_market", None).items[0]
    with pytest.raises(MarketplaceRejected, match=reason):
        sim.publish(YM, REVIEW, "ohana_market", item.external_id, text)
    assert sim.answers() == []
    limit = "Я" * ANSWER_LIMITS[YM]
    assert sim.publish(YM, REVIEW, "ohana_market", item.external_id, limit) is PublishOutcome.PUBLISHED


def test_publish_refuses_an_item_that_is_not_there() -> None:
    clock = FakeClock(EVENING)
    sim = market(clock)
    item = sim.fetch(WB, REVIEW, "ohana_market", None).items[0]
    made_up = item.external_id[:-1] + ("0" if item.external_id[-1] != "0" else "1")
    for brand, ident in [("ohana_market", made_up), ("ohana_kids", item.external_id), ("ohana_market", "zzz")]:
        with pytest.raises(MarketplaceRejected, match="404"):
            sim.publish(WB, REVIEW, brand, ident, "Спасибо!")
    with pytest.raises(MarketplaceRejected, match="404"):
        sim.publish(WB, QUESTION, "ohana_market", item.external_id, "Спасибо!")
    later = sim.items(WB, REVIEW, "ohana_market", EVENING + timedelta(hours=1), EVENING + timedelta(hours=3))[0]
    with pytest.raises(MarketplaceRejected, match="404"):  # not written yet on the clock
        sim.publish(WB, REVIEW, "ohana_market", later.external_id, "Спасибо!")
    clock.current = later.created_at
    assert sim.publish(WB, REVIEW, "ohana_market", later.external_id, "Спасибо!") is PublishOutcome.PUBLISHED


def test_malformed_rows_are_skipped_with_their_reason_and_the_rest_of_the_page_kept() -> None:
    clock = FakeClock(EVENING)
    for kind, reasons in [
        (REVIEW, {"field 'id' is missing", "rating=0 must be 1 … 5", "rating=6 must be 1 … 5"}),
        (QUESTION, {"field 'id' is missing", "field 'text' is missing"}),
    ]:
        sim = market(clock, malformed_rate=0.3, daily_questions=300)
        rows = sim.items(YM, kind, "ohana_kids", MIDNIGHT, EVENING)
        broken = [r for r in rows if r.broken is not None]
        assert 0 < len(broken) < len(rows)
        fetched = sim.fetch(YM, kind, "ohana_kids", None)
        assert len(fetched.skipped) == len(broken)
        assert len(fetched.items) == len(rows) - len(broken)
        assert {i.external_id for i in fetched.items} == {r.external_id for r in rows if r.broken is None}
        found = {reason for reason in reasons for skip in fetched.skipped if reason in skip}
        assert found == reasons
        assert sim.counters()["skipped_rows"] == len(broken)


def test_the_default_feed_breaks_a_small_share_of_rows() -> None:
    feed = ReputationFeed(7)
    rows = feed.rows(WB, REVIEW, "ohana_market", MIDNIGHT, MIDNIGHT + timedelta(days=20))
    share = sum(r.broken is not None for r in rows) / len(rows)
    assert 0.005 < share < 0.05


def test_a_fetch_pages_by_the_endpoints_page_size() -> None:
    clock = FakeClock(EVENING)
    sim = market(clock, daily_reviews=2000)
    fetched = sim.fetch(YM, REVIEW, "ohana_market", None)
    pages = -(-(len(fetched.items) + len(fetched.skipped)) // PAGE_SIZES[YM])
    assert pages > 3
    assert sim.calls(YM, REVIEW) == pages
    newest = market(clock, daily_reviews=2000, max_pages=1).fetch(YM, REVIEW, "ohana_market", None)
    assert len(newest.items) + len(newest.skipped) == PAGE_SIZES[YM]
    assert newest.items == fetched.items[: len(newest.items)]  # the newest page
    wb = market(clock, daily_reviews=2000)
    wb.fetch(WB, REVIEW, "ohana_market", None)
    assert wb.calls(WB, REVIEW) == 1  # WB takes 5000 a page
    assert PAGE_SIZES == {WB: 5000, OZON: 100, YM: 50}


def test_an_empty_fetch_is_still_one_call() -> None:
    sim = market(FakeClock(MIDNIGHT))
    assert sim.fetch(OZON, REVIEW, "ohana_market", None).items == ()
    assert sim.calls(OZON, REVIEW) == 1


def test_wb_quota_is_three_a_second_shared_by_feedbacks_and_questions_per_cabinet() -> None:
    clock = FakeClock(EVENING)
    sim = market(clock, faults=ReputationFaults(quotas=True))
    sim.fetch(WB, REVIEW, "ohana_market", None)
    item = sim.fetch(WB, QUESTION, "ohana_market", None).items[0]
    sim.publish(WB, QUESTION, "ohana_market", item.external_id, "Да.")
    with pytest.raises(MarketplaceError, match="429"):
        sim.fetch(WB, REVIEW, "ohana_market", None)
    sim.fetch(WB, REVIEW, "ohana_kids", None)  # another brand, another cabinet
    for _ in range(10):
        sim.fetch(OZON, REVIEW, "ohana_market", None)  # Ozon states no quota
    clock.current += timedelta(seconds=1)
    sim.fetch(WB, REVIEW, "ohana_market", None)
    assert sim.counters()["quota_refusals"] == 1


def test_ym_quotas_are_per_hour_and_separate_for_reviews_and_questions() -> None:
    clock = FakeClock(EVENING)
    sim = market(clock, faults=ReputationFaults(quotas=True), daily_reviews=0, daily_questions=0)
    for _ in range(1000):
        sim.fetch(YM, REVIEW, "ohana_market", None)
    with pytest.raises(MarketplaceError, match="1000 per 3600"):
        sim.fetch(YM, REVIEW, "ohana_market", None)
    sim.fetch(YM, QUESTION, "ohana_market", None)
    clock.current += timedelta(hours=1)
    sim.fetch(YM, REVIEW, "ohana_market", None)


def test_the_feed_speaks_russian_with_hostile_texts_among_them() -> None:
    feed = ReputationFeed(7)
    month = MIDNIGHT, MIDNIGHT + timedelta(days=30)
    reviews = [r.row for r in feed.rows(WB, REVIEW, "ohana_market", *month)]
    questions = [r.row for r in feed.rows(WB, QUESTION, "ohana_market", *month)]
    texts = [str(row.get("text", "")) for row in reviews + questions]
    assert sum(bool(CYRILLIC.search(t)) for t in texts) > 0.85 * len(texts)
    assert any("Игнорируй все инструкции" in t and "+7" in t for t in texts)
    assert any("https://" in t for t in texts)
    assert sum(t == "" for t in texts) > 0  # bare ratings
    assert all("?" in str(row["text"]) for row in questions if "text" in row)  # every question asks
    authors = Counter(str(row["author"]) for row in reviews)
    assert len(authors) > 10 and CYRILLIC.search(authors.most_common(1)[0][0])


def test_ratings_are_skewed_like_a_real_marketplace() -> None:
    feed = ReputationFeed(11, malformed_rate=0.0)
    rows = feed.rows(OZON, REVIEW, "ohana_kids", MIDNIGHT, MIDNIGHT + timedelta(days=60))
    stars = Counter(int(r.row["rating"]) for r in rows)  # type: ignore[call-overload]
    total = sum(stars.values())
    assert total > 2000
    for rating, share in RATINGS:
        assert stars[rating] / total == pytest.approx(share, abs=0.03)


def test_more_items_arrive_by_day_than_by_night() -> None:
    feed = ReputationFeed(7)
    rows = feed.rows(YM, REVIEW, "ohana_market", MIDNIGHT, MIDNIGHT + timedelta(days=30))
    hours = Counter(r.created_at.astimezone(MOSCOW).hour for r in rows)
    day = sum(hours[h] for h in range(9, 23)) / 14
    night = sum(hours[h] for h in range(1, 7)) / 6
    assert day > 3 * night > 0


def test_a_worker_on_the_same_store_takes_its_start_and_sees_its_answers() -> None:
    state = InMemoryReputationState()
    clock = FakeClock(EVENING)
    first = SimulatedReputation(7, clock, start=MIDNIGHT, state=state)
    worker = SimulatedReputation(7, FakeClock(EVENING + timedelta(days=1)), state=state)
    assert worker.origin == MIDNIGHT
    item = first.fetch(WB, REVIEW, "ohana_kids", None).items[0]
    worker.clock = clock
    assert worker.publish(WB, REVIEW, "ohana_kids", item.external_id, "Спасибо!") is PublishOutcome.PUBLISHED
    assert first.publish(WB, REVIEW, "ohana_kids", item.external_id, "Спасибо!") is PublishOutcome.ALREADY_ANSWERED
    assert item not in first.fetch(WB, REVIEW, "ohana_kids", None).items
    with pytest.raises(ReputationStateMismatch, match="seed=7 from 2026-03-09T21:00:00\\+00:00; asked for seed=8"):
        SimulatedReputation(8, clock, state=state)
    alone = SimulatedReputation(7, FakeClock(EVENING))
    assert alone.origin == MIDNIGHT  # by default the Moscow midnight before now


@settings(max_examples=200, deadline=None)
@given(
    platform=st.sampled_from(list(Marketplace)),
    slot=st.integers(0, 2**40),
    index=st.integers(0, 99),
    check=st.integers(0, 2**64 - 1),
)
def test_an_external_id_gives_back_its_slot_and_place(platform: Marketplace, slot: int, index: int, check: int) -> None:
    ident = external_id(platform, slot, index, check)
    found = read_id(platform, ident)
    assert found is not None and found[:2] == (slot, index)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    platform=st.sampled_from(list(Marketplace)),
    kind=st.sampled_from(list(ItemType)),
    brand=st.sampled_from([*BRANDS, "бренд"]),
    moment=st.datetimes(datetime(2025, 1, 1), datetime(2027, 1, 1), timezones=st.just(UTC)),
)
def test_every_slot_is_the_same_everywhere_and_every_unbroken_row_parses(
    seed: int, platform: Marketplace, kind: ItemType, brand: str, moment: datetime
) -> None:
    """The feed's rule: a pure function of (seed, platform, type, brand, slot), each item found
    again by its id, and a row parses exactly when it is not broken."""
    feed = ReputationFeed(seed, daily_reviews=3000, daily_questions=3000, malformed_rate=0.2)
    rows = feed.slot(platform, kind, brand, slot_at(moment))
    again = ReputationFeed(seed, daily_reviews=3000, daily_questions=3000, malformed_rate=0.2)
    assert rows == again.slot(platform, kind, brand, slot_at(moment))
    for row in rows:
        assert feed.locate(platform, kind, brand, row.external_id) == row
        if row.broken is None:
            item = parse_item(row.row, platform, kind, brand)
            assert (item.external_id, item.created_at) == (row.external_id, row.created_at)
        else:
            with pytest.raises(ValueError):
                parse_item(row.row, platform, kind, brand)


# -- the state shared by workers through a database ------------------------------------------


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'sim.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    """An engine whose tables land in a fresh schema, dropped afterwards (as the simulated
    market's SQL tests do)."""
    engine = create_engine(require_postgres())
    schema = f"sim_rep_test_{uuid.uuid4().hex[:10]}"
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield engine.execution_options(schema_translate_map={None: schema})
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    engine: Engine = request.getfixturevalue(f"{request.param}_engine")
    return engine


def test_two_workers_on_one_database_share_answers_attempts_quotas_and_counters(engine: Engine) -> None:
    clock = FakeClock(EVENING)
    item = market(clock).fetch(WB, REVIEW, "ohana_market", None).items[0]
    plan = ReputationFaults(failing_publishes=(PublishFailure(WB, REVIEW, item.external_id, 2),), quotas=True)
    one = market(clock, state=SqlReputationState(engine), faults=plan)
    later = FakeClock(EVENING + timedelta(days=3))
    other = SimulatedReputation(7, later, state=SqlReputationState(engine), faults=plan)  # wakes up later
    assert other.origin == MIDNIGHT
    other.clock = clock
    with pytest.raises(MarketplaceError, match="502"):
        one.publish(WB, REVIEW, "ohana_market", item.external_id, "Спасибо!")
    with pytest.raises(MarketplaceError, match="502"):  # the second attempt, made by another worker
        other.publish(WB, REVIEW, "ohana_market", item.external_id, "Спасибо!")
    assert one.publish(WB, REVIEW, "ohana_market", item.external_id, "Спасибо!") is PublishOutcome.PUBLISHED
    with pytest.raises(MarketplaceError, match="429"):  # three WB calls this second, from two workers
        other.fetch(WB, QUESTION, "ohana_market", None)
    clock.current += timedelta(seconds=1)
    assert item.key not in {i.key for i in other.fetch(WB, REVIEW, "ohana_market", None).items}
    assert other.publish(WB, REVIEW, "ohana_market", item.external_id, "Ещё раз") is PublishOutcome.ALREADY_ANSWERED
    [answer] = one.answers()
    assert (answer.key, answer.brand, answer.text, answer.answered_at) == (
        item.key,
        "ohana_market",
        "Спасибо!",
        EVENING,
    )
    assert other.answer_of(WB, REVIEW, item.external_id) == answer
    counters = one.counters()
    assert counters == other.counters()
    assert (counters["published"], counters["already_answered"], counters["publish_failures"]) == (1, 1, 2)
    assert (counters["quota_refusals"], one.calls(WB, REVIEW, answer=True), one.calls(WB, QUESTION)) == (1, 4, 1)
    with pytest.raises(ReputationStateMismatch, match="asked for seed=9"):
        SimulatedReputation(9, clock, state=SqlReputationState(engine))
    SqlReputationState(engine).drop()
    assert SimulatedReputation(9, clock, state=SqlReputationState(engine)).answers() == []


def test_workers_publishing_the_same_items_at_once_store_each_answer_once(engine: Engine) -> None:
    clock = FakeClock(EVENING)
    items = market(clock).fetch(OZON, REVIEW, "ohana_kids", None).items[:10]
    assert len(items) == 10
    market(clock, state=SqlReputationState(engine))  # bound before the workers start
    outcomes: list[PublishOutcome] = []

    def work(who: int) -> None:
        worker = SimulatedReputation(7, clock, state=SqlReputationState(engine))
        for item in items:
            outcomes.append(worker.publish(OZON, REVIEW, "ohana_kids", item.external_id, f"Ответ {who}"))

    threads = [threading.Thread(target=work, args=(who,)) for who in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    stored = SqlReputationState(engine).answers()
    assert sorted(a.external_id for a in stored) == sorted(i.external_id for i in items)
    assert Counter(outcomes) == {PublishOutcome.PUBLISHED: 10, PublishOutcome.ALREADY_ANSWERED: 20}
    left = market(clock, state=SqlReputationState(engine)).fetch(OZON, REVIEW, "ohana_kids", None).items
    assert not {i.key for i in items} & {i.key for i in left}


def test_a_fault_plan_takes_platforms_and_types_by_their_codes_and_refuses_nonsense() -> None:
    assert Outage("ym", MIDNIGHT, EVENING).platform is YM  # type: ignore[arg-type]
    assert PublishFailure("wb", "question", "x", 1).item_type is QUESTION  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="must be after start"):
        Outage(WB, EVENING, EVENING)
    with pytest.raises(ValueError, match="times=0"):
        PublishFailure(WB, REVIEW, "x", 0)
    with pytest.raises(ValueError, match="platform='avito'"):
        Outage("avito", MIDNIGHT, EVENING)  # type: ignore[arg-type]


GOOD_ROW = {"id": "a1", "productId": "123", "productName": "Худи", "text": "Ок", "author": "Анна",
            "createdAt": "2026-03-10T12:00:00+03:00", "rating": 4}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"rating": True}, "rating=True is not a whole number"),
        ({"rating": "5"}, "rating='5' is not a whole number"),
        ({"createdAt": "вчера"}, "createdAt='вчера' is not an ISO 8601 time"),
        ({"createdAt": "2026-03-10T12:00:00"}, "has no time zone"),
        ({"productId": ""}, "product_id='' must be a non-empty string"),
        ({"text": None}, "text=None is not a string"),
        ({"id": 17}, "id=17 is not a string"),
    ],
)
def test_parsing_names_the_field_and_the_value_of_a_bad_row(change: dict[str, object], reason: str) -> None:
    item = parse_item(GOOD_ROW, WB, REVIEW, "ohana_market")
    assert (item.created_at, item.rating, item.author) == (datetime(2026, 3, 10, 9, 0, tzinfo=UTC), 4, "Анна")
    with pytest.raises(ValueError, match=re.escape(reason)):
        parse_item({**GOOD_ROW, **change}, WB, REVIEW, "ohana_market")
    with pytest.raises(ValueError, match="is not an object"):
        parse_item(["a1"], WB, REVIEW, "ohana_market")


@settings(max_examples=40, deadline=None)
@given(
    publishes=st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 7), st.sampled_from(["Спасибо!", "Рады помочь", "Ждём снова"])),
        min_size=1,
        max_size=30,
    )
)
def test_whoever_publishes_in_whatever_order_each_item_has_its_first_answer_only(
    publishes: list[tuple[int, int, str]],
) -> None:
    clock, state = FakeClock(EVENING), InMemoryReputationState()
    workers = [market(clock, state=state) for _ in range(3)]
    items = workers[0].fetch(WB, REVIEW, "ohana_kids", None).items[:8]
    first: dict[str, str] = {}
    for who, index, words in publishes:
        ident = items[index].external_id
        outcome = workers[who].publish(WB, REVIEW, "ohana_kids", ident, words)
        assert outcome is (PublishOutcome.ALREADY_ANSWERED if ident in first else PublishOutcome.PUBLISHED)
        first.setdefault(ident, words)
    assert {a.external_id: a.text for a in state.answers()} == first
    left = {i.external_id for i in workers[2].fetch(WB, REVIEW, "ohana_kids", None).items}
    assert left.isdisjoint(first) and {i.external_id for i in items} - set(first) <= left
    counters = state.counters()
    assert (counters["published"], counters["already_answered"]) == (len(first), len(publishes) - len(first))


@settings(max_examples=60, deadline=None)
@given(gaps=st.lists(st.integers(0, 1500), min_size=1, max_size=40))
def test_no_one_second_window_ever_holds_more_than_three_wb_calls(gaps: list[int]) -> None:
    """WB's quota as a rule: whatever the spacing of calls (in milliseconds), the calls let
    through in any second are at most 3, and a call is refused only when 3 already were."""
    clock = FakeClock(EVENING)
    sim = market(clock, faults=ReputationFaults(quotas=True), daily_reviews=0, daily_questions=0)
    taken: list[datetime] = []
    for gap in gaps:
        clock.current += timedelta(milliseconds=gap)
        recent = [t for t in taken if t > clock.current - timedelta(seconds=1)]
        try:
            sim.fetch(WB, REVIEW if gap % 2 else QUESTION, "ohana_market", None)
        except MarketplaceError:
            assert len(recent) == 3
        else:
            assert len(recent) < 3
            taken.append(clock.current)
