"""`adolf logistic deficits | tasks | accept | ship | cancel` through typer's CliRunner on the
embedded SQLite database.

The world (default policy: target 28 days; urgent below 7 days of cover, planned below 14,
recommended below 28), FBO stock per article × cluster written through the SQL unit of work:

=========  =======  =========  ======  ===========================  ==========================
article    cluster  available  transit  per day                      need
=========  =======  =========  ======  ===========================  ==========================
A1 acme    Moscow   5          0       2                            urgent, cover 2.5, 51
A1 acme    Kazan    20         0       2                            planned, cover 10.0, 36
A2 acme    Moscow   10         10      Ozon 1, analytics 4 → 2.00   planned, cover 10.0, 36
A2 acme    Kazan    100        0       Ozon 1, analytics 4 → 2.00   none (cover 50)
A3 kids    Moscow   0          0       1                            urgent, cover 0.0, 28
A3 kids    Kazan    0          0       0 (nothing sells)            none
=========  =======  =========  ======  ===========================  ==========================

A2's cover is 10 days only through the blended velocity (Ozon's per-cluster ``ads`` scaled to
the 28-day analytics volume, ``cluster_velocity.blend``): on Ozon's ``ads`` alone it would be
20 days and recommended, so the command shows the computation ``generate_supply_tasks`` does.
The 1C warehouse holds 60 units of A1 (51 to the urgent need, 9 of the planned one's 36), none
of A2, 100 of A3, whose Moscow cell already has an accepted task allocating 28 (no second
task; its units reserved). A cancelled task of yesterday is history.

SKUs and cluster ids are the simulated Ozon's (the container's default marketplace), so
``ship`` tells it of the shipment as a deployment would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from adolf.adapters.marketplaces.simulated.fbo_model import sku_of
from adolf.adapters.sqlalchemy import migrate
from adolf.adapters.sqlalchemy.app_unit_of_work import AppSqlUnitOfWork
from adolf.adapters.sqlalchemy.engine import build_engine, build_session_factory
from adolf.adapters.sqlalchemy.logistic_tables import logistic_supply_tasks
from adolf.application.logistic.ports import ArticleVelocity, NewSupplyTask
from adolf.application.logistic.supply_actions import UNPLACED_KEY
from adolf.application.logistic.supply_generation import generate_supply_tasks
from adolf.domain.logistic.allocation import Coverage
from adolf.domain.logistic.articles import Article, Cluster
from adolf.domain.logistic.deficit import SupplyPriority
from adolf.domain.logistic.stock import FboStock
from adolf.domain.logistic.supply_tasks import SupplyTaskStatus, with_status
from adolf.entrypoints.cli import context
from adolf.entrypoints.cli.app import app as cli_app

D = Decimal
MOSCOW, KAZAN = 4001, 4005  # the simulated Ozon's cluster ids
COMMANDS = ("deficits", "tasks", "accept", "ship", "cancel", "load-brain")


class World:
    def __init__(self, factory: Any, ids: dict[str, int]) -> None:
        self.factory, self.ids = factory, ids

    def tasks(self) -> dict[int, Any]:
        with AppSqlUnitOfWork(self.factory) as uow:
            return {row.id: row for row in uow.session.execute(select(logistic_supply_tasks)).all()}


@pytest.fixture
def world(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    engine = build_engine(sqlite_url)
    migrate.upgrade(engine)
    factory = build_session_factory(engine)
    now = datetime.now(UTC)
    yesterday = now - timedelta(days=1)
    with AppSqlUnitOfWork(factory) as uow:
        uow.logistic_clusters.upsert([Cluster(MOSCOW, "Москва"), Cluster(KAZAN, "Казань")], now)
        a1, a2, a3 = uow.logistic_articles.add(
            [
                Article(0, "acme", "00-001", "Плед флисовый", sku_of(0)),
                Article(0, "acme", "00-002", "Кружка", sku_of(1)),
                Article(0, "kids", "00-003", "Пижама детская", sku_of(2)),
            ],
            now,
        )

        def cell(article: int, cluster: int, available: int, transit: int, per_day: str) -> FboStock:
            return FboStock(article, cluster, available, transit, 0, D(per_day), now)

        uow.logistic_stock.record(
            [
                cell(a1, MOSCOW, 5, 0, "2"),
                cell(a1, KAZAN, 20, 0, "2"),
                cell(a2, MOSCOW, 10, 10, "1"),
                cell(a2, KAZAN, 100, 0, "1"),
                cell(a3, MOSCOW, 0, 0, "1"),
                cell(a3, KAZAN, 0, 0, "0"),
            ],
            now,
        )
        uow.logistic_velocity.replace([ArticleVelocity(a2, 112, D("4.00"))], now)
        uow.logistic_warehouse.apply({a1: 60, a2: 0, a3: 100}, [], now)
        held, old = uow.logistic_tasks.create_many(
            [
                NewSupplyTask(
                    a3, MOSCOW, "kids", yesterday.date(), 28, 28, SupplyPriority.URGENT, Coverage.FULL, D("0.0"),
                    yesterday,
                ),
                NewSupplyTask(
                    a2, KAZAN, "acme", yesterday.date(), 5, 0, SupplyPriority.RECOMMENDED, Coverage.NONE, D("20.0"),
                    yesterday - timedelta(hours=1),
                ),
            ]
        )  # fmt: skip
        tasks = uow.logistic_tasks.get_many([held, old])
        uow.logistic_tasks.save(with_status(tasks[held], SupplyTaskStatus.ACCEPTED, yesterday), yesterday)
        uow.logistic_tasks.save(with_status(tasks[old], SupplyTaskStatus.CANCELLED, yesterday), yesterday)
        uow.commit()
    engine.dispose()
    monkeypatch.setenv("ADOLF_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("ADOLF_QUEUE_BACKEND", "inline")
    monkeypatch.setattr(context.console, "_width", 250)  # the console is built at import: wide tables unwrapped
    context.settings.cache_clear()
    context.container.cache_clear()
    yield World(factory, {"a1": a1, "a2": a2, "a3": a3, "held": held, "old": old})
    context.container().engine().dispose()
    context.settings.cache_clear()
    context.container.cache_clear()


def run(*args: str) -> Result:
    return CliRunner().invoke(cli_app, ["logistic", *args])


def shown(*args: str) -> Any:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_every_logistic_command_is_documented_in_help() -> None:
    listing = CliRunner().invoke(cli_app, ["logistic", "--help"], env={"COLUMNS": "200"})
    assert listing.exit_code == 0
    for command in COMMANDS:
        assert command in listing.output
        result = CliRunner().invoke(cli_app, ["logistic", command, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0 and "Usage" in result.output, (command, result.output)
    deficits_help = CliRunner().invoke(cli_app, ["logistic", "deficits", "--help"], env={"COLUMNS": "200"}).output
    assert (
        "--brand" in deficits_help and "--priority" in deficits_help and "urgent|planned|recommended" in deficits_help
    )
    tasks_help = CliRunner().invoke(cli_app, ["logistic", "tasks", "--help"], env={"COLUMNS": "200"}).output
    assert "--status" in tasks_help and "new|accepted|shipped|cancelled" in tasks_help


def _lines(document: Any) -> list[tuple[Any, ...]]:
    return [
        (d["code"], d["cluster"], d["priority"], d["days_of_cover"], d["target"], d["deficit"], d["would_allocate"],
         d["coverage"], d["open_task"] and d["open_task"]["status"])
        for d in document["deficits"]
    ]  # fmt: skip


def test_deficits_are_served_urgent_first_with_what_07_00_would_allocate(world: World) -> None:
    document = shown("deficits")
    assert (document["brand"], document["total"]) == ("all", 4)
    assert _lines(document) == [
        ("00-003", "Москва", "urgent", "0.0", 28, 28, None, None, "accepted"),  # already supplied: no second task
        ("00-001", "Москва", "urgent", "2.5", 56, 51, 51, "full", None),
        ("00-002", "Москва", "planned", "10.0", 56, 36, 0, "none", None),  # equal cover: cluster id first
        ("00-001", "Казань", "planned", "10.0", 56, 36, 9, "partial", None),  # what A1's urgent need left
    ]
    a2 = document["deficits"][2]
    assert (a2["velocity"], a2["available"], a2["in_transit"]) == ("2.00", 10, 10)  # the blended velocity
    assert document["deficits"][0]["open_task"]["id"] == world.ids["held"]
    assert document["totals"] == {
        "urgent": {"needs": 2, "units": 79, "open_task": 1, "would_allocate": 51, "to_purchase": 0},
        "planned": {"needs": 2, "units": 72, "open_task": 0, "would_allocate": 9, "to_purchase": 63},
        "recommended": {"needs": 0, "units": 0, "open_task": 0, "would_allocate": 0, "to_purchase": 0},
    }
    assert document["warehouse"] == {"units": 160, "reserved_by_open_tasks": 28}
    assert document["policy"] == {"target_days": 28, "urgent_days": 7, "planned_days": 14, "recommended_days": 28}


def test_deficits_filter_by_brand_and_priority_and_limit(world: World) -> None:
    acme = shown("deficits", "--brand", "acme")
    assert [(d["code"], d["cluster"]) for d in acme["deficits"]] == [
        ("00-001", "Москва"),
        ("00-002", "Москва"),
        ("00-001", "Казань"),
    ]
    assert acme["warehouse"] == {"units": 60, "reserved_by_open_tasks": 0}
    planned = shown("deficits", "--priority", "planned")
    assert {d["priority"] for d in planned["deficits"]} == {"planned"} and planned["total"] == 2
    assert planned["totals"]["urgent"]["needs"] == 0
    # filtering shows lines, it does not change the allocation: A1's planned need still gets 9
    assert [d["would_allocate"] for d in planned["deficits"]] == [0, 9]
    top = shown("deficits", "-n", "1")
    assert top["total"] == 4 and len(top["deficits"]) == 1
    assert shown("deficits", "--brand", "nobody")["total"] == 0
    assert "no deficits (brand nobody) in sqlite" in run("deficits", "--brand", "nobody").stderr


def test_deficits_table_shows_each_need_and_the_totals(world: World) -> None:
    result = run("deficits")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "deficits, brand all: 4 of 4, most pressing first" in out
    assert "Плед флисовый" in out and "Казань" in out and "allocate 51 (full)" in out and "allocate 9 (partial)" in out
    assert f"open task {world.ids['held']} (accepted)" in out
    assert "1C warehouse: 160 units, 28 reserved by open tasks" in out


def test_the_deficits_shown_are_the_tasks_generate_supply_tasks_then_creates(world: World) -> None:
    document = shown("deficits")
    summary = generate_supply_tasks(context.container().services())
    assert summary["total_tasks"] == 3
    created = {
        (t.article_id, t.cluster_id): (t.priority, t.quantity, t.allocated, t.coverage, str(t.days_of_cover))
        for t in world.tasks().values()
        if t.status == "new"
    }
    expected = {
        (d["article_id"], d["cluster_id"]): (d["priority"], d["deficit"], d["would_allocate"], d["coverage"],
                                             d["days_of_cover"])
        for d in document["deficits"]
        if d["open_task"] is None
    }  # fmt: skip
    assert created == expected
    after = shown("deficits")
    assert all(d["open_task"] is not None and d["would_allocate"] is None for d in after["deficits"])
    assert after["warehouse"]["reserved_by_open_tasks"] == 28 + 51 + 9


def test_tasks_are_listed_newest_first_and_filtered(world: World) -> None:
    generate_supply_tasks(context.container().services())
    listed = shown("tasks")
    assert len(listed) == 5
    assert [t["status"] for t in listed] == ["new", "new", "new", "accepted", "cancelled"]
    assert [t["id"] for t in listed[3:]] == [world.ids["held"], world.ids["old"]]
    newest = listed[0]
    assert {"priority", "coverage", "quantity", "allocated", "days_of_cover", "code", "cluster"} <= newest.keys()
    by_pair = {(t["code"], t["cluster"]): t for t in listed if t["status"] == "new"}
    assert {k: (t["quantity"], t["allocated"], t["coverage"]) for k, t in by_pair.items()} == {
        ("00-001", "Москва"): (51, 51, "full"),
        ("00-001", "Казань"): (36, 9, "partial"),
        ("00-002", "Москва"): (36, 0, "none"),
    }
    assert [t["id"] for t in shown("tasks", "--status", "accepted")] == [world.ids["held"]]
    assert {t["brand"] for t in shown("tasks", "--brand", "kids")} == {"kids"}
    assert len(shown("tasks", "--status", "new", "--brand", "acme", "-n", "2")) == 2
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    assert {t["id"] for t in shown("tasks", "--date", yesterday)} == {world.ids["held"], world.ids["old"]}
    table = run("tasks").stdout
    assert "supply tasks, newest first" in table and "partial" in table and "5 task(s)" in table
    assert "no supply tasks with status shipped" in run("tasks", "--status", "shipped").stderr


def test_a_task_is_accepted_then_shipped_and_the_simulated_ozon_is_told(world: World) -> None:
    generate_supply_tasks(context.container().services())
    task_id = next(t["id"] for t in shown("tasks", "--status", "new") if t["allocated"] == 51)
    accepted = shown("accept", str(task_id))
    assert (accepted["task_id"], accepted["from"], accepted["status"]) == (task_id, "new", "accepted")
    result = run("ship", str(task_id))
    assert result.exit_code == 0, result.output
    assert f"supply task {task_id}: accepted → shipped" in result.stdout and "the Ozon side was told" in result.stdout
    row = world.tasks()[task_id]
    assert row.status == "shipped" and row.accepted_at is not None and row.shipped_at is not None
    ozon = context.container().services().ozon_fbo
    assert [(s.sku, s.cluster_id, s.units) for s in ozon.shipments()] == [(sku_of(0), MOSCOW, 51)]


def _accepted_task(allocated: int) -> int:
    generate_supply_tasks(context.container().services())
    task_id: int = next(t["id"] for t in shown("tasks", "--status", "new") if t["allocated"] == allocated)
    assert shown("accept", str(task_id))["status"] == "accepted"
    return task_id


def test_with_the_live_marketplace_ship_is_a_status_only_and_exits_0(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADOLF_MARKETPLACE", "live")  # no simulated Ozon: building one is refused
    context.settings.cache_clear()
    context.container.cache_clear()
    task_id = _accepted_task(51)

    result = run("ship", str(task_id), "--json")

    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert (answer["status"], answer["shipment_told"], answer["shipment_error"]) == ("shipped", False, None)
    assert world.tasks()[task_id].status == "shipped"


def test_a_shipment_the_simulation_cannot_place_is_reported_not_a_crash_after_the_commit(world: World) -> None:
    with AppSqlUnitOfWork(world.factory) as uow:  # A1's SKU changes to one the simulated Ozon does not sell
        uow.logistic_articles.add([Article(0, "acme", "00-001", "Плед флисовый", 999_999)], datetime.now(UTC))
        uow.commit()
    task_id = _accepted_task(51)

    result = run("ship", str(task_id), "--json")

    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert (answer["status"], answer["shipment_told"]) == ("shipped", False)
    assert answer["shipment_error"] == "ValueError: sku=999999 is not an article of this market"
    assert world.tasks()[task_id].status == "shipped"
    services = context.container().services()
    assert services.ozon_fbo.shipments() == []
    assert services.status_board.incr(UNPLACED_KEY, 0) == 1  # counted


def test_cancel_frees_a_new_or_accepted_task(world: World) -> None:
    cancelled = shown("cancel", str(world.ids["held"]))
    assert (cancelled["from"], cancelled["status"]) == ("accepted", "cancelled")
    assert world.tasks()[world.ids["held"]].cancelled_at is not None
    # its 28 units are no longer reserved, and its pair may be supplied again
    document = shown("deficits")
    assert document["warehouse"]["reserved_by_open_tasks"] == 0
    assert _lines(document)[0] == ("00-003", "Москва", "urgent", "0.0", 28, 28, 28, "full", None)


@pytest.mark.parametrize(
    ("action", "task", "message"),
    [
        ("accept", "old", "status='cancelled' cannot become target='accepted'"),
        ("ship", "old", "status='cancelled' cannot become target='shipped'"),
        ("cancel", "old", "status='cancelled' cannot become target='cancelled'"),
        ("accept", "held", "status='accepted' cannot become target='accepted'"),
    ],
)
def test_an_illegal_move_exits_2_naming_both_statuses_and_changes_nothing(
    world: World, action: str, task: str, message: str
) -> None:
    task_id = world.ids[task]
    before = world.tasks()[task_id]
    result = run(action, str(task_id))
    assert result.exit_code == 2, result.output
    assert f"supply task {task_id}: {message}" in result.stderr and result.stdout == ""
    assert world.tasks()[task_id] == before


def test_ship_before_accept_exits_2(world: World) -> None:
    generate_supply_tasks(context.container().services())
    task_id = shown("tasks", "--status", "new")[0]["id"]
    result = run("ship", str(task_id))
    assert result.exit_code == 2 and "status='new' cannot become target='shipped'" in result.stderr
    assert world.tasks()[task_id].status == "new"
    assert context.container().services().ozon_fbo.shipments() == []


@pytest.mark.parametrize("action", ["accept", "ship", "cancel"])
def test_an_unknown_task_exits_2(world: World, action: str) -> None:
    result = run(action, "999")
    assert result.exit_code == 2 and "no supply task 999" in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["deficits", "--priority", "soon"], "'soon' is not one of"),
        (["tasks", "--status", "done"], "'done' is not one of"),
        (["tasks", "--date", "2026-02-30"], "--date='2026-02-30' is not a date (YYYY-MM-DD)"),
        (["deficits", "--brand", "  "], "--brand='  ' must be a brand's name or 'all'"),
        (["accept", "0"], "greater than or equal to 1"),
    ],
)
def test_bad_options_exit_2_naming_them(world: World, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli_app, ["logistic", *args], env={"COLUMNS": "400"})
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_an_unmigrated_database_exits_1_with_a_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOLF_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    monkeypatch.setenv("ADOLF_QUEUE_BACKEND", "inline")
    context.settings.cache_clear()
    context.container.cache_clear()
    try:
        for command in ("deficits", "tasks"):
            result = CliRunner().invoke(cli_app, ["logistic", command], env={"COLUMNS": "400"})
            assert result.exit_code == 1 and "adolf db upgrade" in result.stderr, result.output
    finally:
        context.container().engine().dispose()
        context.settings.cache_clear()
        context.container.cache_clear()


def test_the_table_form_of_ship_says_why_the_ozon_side_was_not_told(world: World) -> None:
    with AppSqlUnitOfWork(world.factory) as uow:  # as above: A1's SKU is one the simulated Ozon does not sell
        uow.logistic_articles.add([Article(0, "acme", "00-001", "Плед флисовый", 999_999)], datetime.now(UTC))
        uow.commit()
    task_id = _accepted_task(51)

    result = run("ship", str(task_id))

    assert result.exit_code == 0, result.output
    assert "the Ozon side was not told: ValueError: sku=999999 is not an article of this market" in result.stdout
    assert world.tasks()[task_id].status == "shipped"
