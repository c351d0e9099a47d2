"""`adolf reputation pending | items | show | approve | edit | regenerate | skip` through typer's
CliRunner on the embedded SQLite database, as an operator (role admin) works the drafts.

The world, written through the SQL unit of work (oldest first):

====  ========  ============  ========  ==============  ===================================
id    platform  brand         type      status          answer
====  ========  ============  ========  ==============  ===================================
m1    wb        ohana_market  review 4  pending_review  the model's polite draft
m2    ozon      ohana_kids    question  pending_review  the model's draft
m3    wb        ohana_market  review 1  analyzed        a draft refused by the checks (a link)
m4    ym        ohana_market  review 5  published       published
====  ========  ============  ========  ==============  ===================================

The container's queue is replaced by a recording one, so a test sees what an action queued
(``send_response``, ``regenerate_response``) without a worker running it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from dependency_injector import providers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from adolf.adapters.clocks import ManualClock
from adolf.adapters.sqlalchemy import migrate
from adolf.adapters.sqlalchemy.app_unit_of_work import AppSqlUnitOfWork
from adolf.adapters.sqlalchemy.engine import build_engine, build_session_factory
from adolf.domain.marketplace import Marketplace
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
from adolf.entrypoints.cli import context
from adolf.entrypoints.cli.app import app as cli_app
from tests.support.fakes.runtime import FakeQueue

COMMANDS = ("pending", "items", "show", "approve", "edit", "regenerate", "skip")
POLITE = "Здравствуйте! Спасибо за отзыв, нам очень приятно."
WANTED = {
    "approve": {ItemStatus.PENDING_REVIEW},
    "edit": {ItemStatus.ANALYZED, ItemStatus.PENDING_REVIEW},
    "regenerate": {ItemStatus.ANALYZED, ItemStatus.PENDING_REVIEW},
    "skip": {ItemStatus.NEW, ItemStatus.ANALYZED, ItemStatus.PENDING_REVIEW},
}
AFTER = {"approve": ItemStatus.APPROVED, "edit": ItemStatus.APPROVED, "skip": ItemStatus.SKIPPED}


class RecordingQueue(FakeQueue):
    """What the container's queue is asked; nothing runs."""

    def queue_lengths(self) -> dict[str, int]:
        return {}


class World:
    def __init__(self, factory: Any, queue: RecordingQueue, ids: dict[str, int]) -> None:
        self.factory, self.queue, self.ids = factory, queue, ids
        self.now = datetime.now(UTC)
        self.count = 0

    def add(
        self,
        status: ItemStatus,
        *,
        platform: Marketplace = Marketplace.WB,
        brand: str = "ohana_market",
        item_type: ItemType = ItemType.REVIEW,
        rating: int | None = 4,
        text: str = "Платье село хорошо, но ткань тонковата",
        answer: Response | None = None,
        draft: str | None = POLITE,
    ) -> int:
        self.count += 1
        written = self.now - timedelta(days=1) + timedelta(minutes=self.count)
        item = Item(0, platform, item_type, f"ext-{self.count}", brand, "1001", text, written, rating=rating)
        with AppSqlUnitOfWork(self.factory) as uow:
            (item_id,) = uow.reputation_items.add_new([item], self.now)
            uow.reputation_items.move(item_id, ItemStatus.NEW, status, self.now)
            if status is not ItemStatus.NEW:
                reading = Analysis(item_id, Sentiment.POSITIVE, Urgency.LOW, "local-rules-1", self.now, ("ткань",))
                uow.reputation_analyses.save(reading)
            if answer is None and draft is not None:
                answer = Response(item_id, draft, ResponseSource.MODEL, ResponseStatus.DRAFT, self.now)
            if answer is not None:
                uow.reputation_responses.save(answer if answer.item_id == item_id else _for(answer, item_id))
            uow.commit()
        return item_id

    def item(self, item_id: int) -> Item:
        with AppSqlUnitOfWork(self.factory) as uow:
            found = uow.reputation_items.get(item_id)
        assert found is not None
        return found

    def answer(self, item_id: int) -> Response | None:
        with AppSqlUnitOfWork(self.factory) as uow:
            return uow.reputation_responses.get(item_id)


def _for(answer: Response, item_id: int) -> Response:
    return Response(
        item_id, answer.text, answer.source, answer.status, answer.created_at, answer.attempts, answer.last_error,
        answer.published_at, answer.instructions,
    )  # fmt: skip


@pytest.fixture
def world(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    engine = build_engine(sqlite_url)
    migrate.upgrade(engine)
    queue = RecordingQueue()
    built = World(build_session_factory(engine), queue, {})
    now = built.now
    built.ids["m1"] = built.add(ItemStatus.PENDING_REVIEW)
    built.ids["m2"] = built.add(
        ItemStatus.PENDING_REVIEW,
        platform=Marketplace.OZON,
        brand="ohana_kids",
        item_type=ItemType.QUESTION,
        rating=None,
        text="Какой рост у модели на фото?",
        draft="Здравствуйте! Рост модели 164 см, на ней размер S.",
    )
    refused = Response(0, "Пишите: t.me/shop", ResponseSource.MODEL, ResponseStatus.DRAFT, now, last_error="link")
    built.ids["m3"] = built.add(ItemStatus.ANALYZED, rating=1, text="Ужасно, всё порвалось", answer=refused)
    published = Response(0, POLITE, ResponseSource.MODEL, ResponseStatus.PUBLISHED, now, 1, None, now)
    built.ids["m4"] = built.add(ItemStatus.PUBLISHED, platform=Marketplace.YM, rating=5, answer=published)
    engine.dispose()
    monkeypatch.setenv("ADOLF_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("ADOLF_QUEUE_BACKEND", "inline")
    monkeypatch.setattr(context.console, "_width", 250)  # the console is built at import: wide tables unwrapped
    context.settings.cache_clear()
    context.container.cache_clear()
    context.container().task_queue.override(providers.Object(queue))
    yield built
    context.container().task_queue.reset_override()
    context.container().engine().dispose()
    context.settings.cache_clear()
    context.container.cache_clear()


def run(*args: str) -> Result:
    return CliRunner().invoke(cli_app, ["reputation", *args])


def shown(*args: str) -> Any:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_every_reputation_command_is_documented_in_help() -> None:
    listing = CliRunner().invoke(cli_app, ["reputation", "--help"], env={"COLUMNS": "200"})
    assert listing.exit_code == 0
    for command in COMMANDS:
        assert command in listing.output
        result = CliRunner().invoke(cli_app, ["reputation", command, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0 and "Usage" in result.output, (command, result.output)


# reading


def test_pending_lists_the_drafts_oldest_first_and_filters(world: World) -> None:
    m1, m2 = world.ids["m1"], world.ids["m2"]
    assert [card["id"] for card in shown("pending")] == [m1, m2]
    assert [card["id"] for card in shown("pending", "--brand", "ohana_kids")] == [m2]
    assert [card["id"] for card in shown("pending", "--platform", "wb")] == [m1]
    assert [card["id"] for card in shown("pending", "-n", "1")] == [m1]
    [card] = shown("pending", "--platform", "ozon")
    assert (card["item_type"], card["rating"], card["brand"]) == ("question", None, "ohana_kids")
    assert card["answer"]["text"].startswith("Здравствуйте! Рост модели") and card["answer"]["status"] == "draft"
    assert card["analysis"]["sentiment"] == "positive"
    table = run("pending")
    assert table.exit_code == 0
    assert "Платье село хорошо" in table.stdout and "Какой рост" in table.stdout and "2 item(s)" in table.stdout


def test_items_lists_any_status(world: World) -> None:
    assert [card["id"] for card in shown("items")] == [world.ids[k] for k in ("m1", "m2", "m3", "m4")]
    [done] = shown("items", "--status", "published")
    assert done["id"] == world.ids["m4"] and done["answer"]["status"] == "published"
    assert "no items with status skipped in " in run("items", "--status", "skipped").stderr


def test_show_prints_one_item_in_full(world: World) -> None:
    m3 = world.ids["m3"]
    result = run("show", str(m3))
    assert result.exit_code == 0
    assert "Ужасно, всё порвалось" in result.stdout and "analyzed" in result.stdout
    assert "Пишите: t.me/shop" in result.stdout and "last error: link" in result.stdout
    assert shown("show", str(m3))["answer"]["last_error"] == "link"


def test_a_bad_option_or_an_unknown_id_exits_2_naming_it(world: World) -> None:
    brand = run("pending", "--brand", "acme")
    assert brand.exit_code == 2 and "--brand='acme' is not one of ADOLF_BRANDS" in brand.stderr
    for command in ("show", "approve", "skip"):
        unknown = run(command, "999")
        assert unknown.exit_code == 2 and "no item 999" in unknown.stderr, command
    assert run("pending", "--platform", "avito").exit_code == 2


# acting


def test_approve_queues_the_send_and_a_second_approve_names_both_statuses(world: World) -> None:
    m1 = world.ids["m1"]
    result = run("approve", str(m1))
    assert result.exit_code == 0, result.output
    assert "approved" in result.stdout
    assert world.item(m1).status is ItemStatus.APPROVED
    approved = world.answer(m1)
    assert approved is not None and (approved.text, approved.status) == (POLITE, ResponseStatus.APPROVED)
    assert world.queue.payloads("reputation.send_response") == [{"item_id": m1}]
    again = run("approve", str(m1))
    assert again.exit_code == 2
    assert f"item_id={m1} is 'approved'; the action needs 'pending_review'" in again.stderr
    assert len(world.queue.payloads("reputation.send_response")) == 1


class BrokerDown(RecordingQueue):
    def enqueue(self, *args: Any, **kwargs: Any) -> str:
        raise ConnectionError("broker down")


def test_an_approval_saved_while_the_broker_is_down_says_so_and_exits_0(world: World) -> None:
    m1 = world.ids["m1"]
    context.container().task_queue.override(providers.Object(BrokerDown()))
    result = run("approve", str(m1))
    assert result.exit_code == 0, result.output
    assert "approved; its publishing waits in the outbox until the broker is back" in result.stdout
    assert "queueing reputation.send_response failed (ConnectionError)" in result.stderr
    assert world.item(m1).status is ItemStatus.APPROVED
    again = run("approve", str(m1))
    assert again.exit_code == 2 and "is 'approved'" in again.stderr


def test_edit_approves_the_operators_words_and_refuses_a_link_naming_it(world: World) -> None:
    m2, m3 = world.ids["m2"], world.ids["m3"]
    text = "Здравствуйте! Нам очень жаль. Напишите в чат заказа — заменим товар."
    summary = shown("edit", str(m3), "--text", text)
    now = summary.pop("now")
    assert summary == {"item_id": m3, "status": "approved", "by": "cli", "source": "manager"}
    assert (now["status"], now["answer"]["source"], now["answer"]["text"]) == ("approved", "manager", text)
    edited = world.answer(m3)
    assert edited is not None and (edited.text, edited.source) == (text, ResponseSource.MANAGER)
    refused = run("edit", str(m2), "--text", "Размеры тут: https://ohana.ru/sizes")
    assert refused.exit_code == 2
    assert f"item {m2}: answer refused on ozon: contains a link 'https://ohana.ru/sizes'" in refused.stderr
    assert world.item(m2).status is ItemStatus.PENDING_REVIEW
    assert world.queue.payloads("reputation.send_response") == [{"item_id": m3}]


def test_regenerate_queues_the_instructions(world: World) -> None:
    m2 = world.ids["m2"]
    result = run("regenerate", str(m2), "--instructions", "Добавь таблицу размеров словами")
    assert result.exit_code == 0, result.output
    assert "a new draft is queued" in result.stdout
    assert world.queue.payloads("reputation.regenerate_response") == [
        {"item_id": m2, "instructions": "Добавь таблицу размеров словами"}
    ]
    blank = run("regenerate", str(m2), "--instructions", "  ")
    assert blank.exit_code == 2 and "instructions='  ' must say what to change" in blank.stderr


def test_skip_is_final(world: World) -> None:
    m2, m4 = world.ids["m2"], world.ids["m4"]
    assert run("skip", str(m2)).exit_code == 0
    assert world.item(m2).status is ItemStatus.SKIPPED
    published = run("skip", str(m4))
    assert published.exit_code == 2
    assert "is 'published'; the action needs 'new' or 'analyzed' or 'pending_review'" in published.stderr


def test_a_database_not_migrated_exits_1_saying_so(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOLF_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    monkeypatch.setenv("ADOLF_QUEUE_BACKEND", "inline")
    context.settings.cache_clear()
    context.container.cache_clear()
    try:
        result = run("pending")
        assert result.exit_code == 1 and "is it migrated? `adolf db upgrade`" in result.stderr
    finally:
        context.container().engine().dispose()
        context.settings.cache_clear()
        context.container.cache_clear()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(status=st.sampled_from(list(ItemStatus)), action=st.sampled_from(sorted(WANTED)))
def test_an_action_succeeds_exactly_from_the_statuses_it_applies_to(
    world: World, status: ItemStatus, action: str
) -> None:
    item_id = world.add(status)
    extra = {"edit": ["--text", "Спасибо за отзыв!"], "regenerate": ["--instructions", "теплее"]}.get(action, [])
    result = run(action, str(item_id), *extra)
    if status in WANTED[action]:
        assert result.exit_code == 0, result.output
        assert world.item(item_id).status is AFTER.get(action, status)
    else:
        assert result.exit_code == 2
        assert f"is '{status.value}'; the action needs" in result.stderr
        assert world.item(item_id).status is status


def test_the_way_through_the_inline_queue_polls_drafts_and_publishes(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No recording queue: the embedded default runs every job in the command that queues it.
    A poll of the simulated WB reviews leaves drafts waiting; approving one publishes it on the
    simulated marketplace, a regenerated draft is there when the command returns.

    The clock stands at a weekday's 14:00 in Moscow: the simulated feed starts at the Moscow
    midnight before now, so on the wall clock just after midnight it would hold nothing yet."""
    monkeypatch.setenv("ADOLF_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("ADOLF_QUEUE_BACKEND", "inline")
    context.settings.cache_clear()
    context.container.cache_clear()
    context.container().clock.override(providers.Object(ManualClock(datetime(2026, 2, 18, 11, 0, tzinfo=UTC))))
    try:
        migrate.upgrade(context.container().engine())
        polled = CliRunner().invoke(cli_app, ["tasks", "run", "reputation.poll_wb_reviews"])
        assert polled.exit_code == 0, polled.output
        first, second = shown("pending", "--platform", "wb", "-n", "2")
        approved = run("approve", str(first["id"]))
        assert approved.exit_code == 0 and f"item {first['id']}: approved and published" in approved.stdout
        assert shown("show", str(first["id"]))["answer"]["status"] == "published"
        regenerated = shown("regenerate", str(second["id"]), "--instructions", "Пригласи в новую коллекцию")
        assert regenerated["now"]["status"] == "pending_review"
        assert regenerated["now"]["answer"]["instructions"] == "Пригласи в новую коллекцию"
        assert regenerated["now"]["answer"]["text"] != second["answer"]["text"]
    finally:
        context.container().engine().dispose()
        context.settings.cache_clear()
        context.container.cache_clear()
