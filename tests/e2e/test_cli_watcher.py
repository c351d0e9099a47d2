"""`adolf watcher …` on the embedded SQLite database: agents, a night's tasks, priorities with
their factors, alerts, and registering an agent (its token shown once, stored hashed).

The rows are written through the SQL unit of work around the real time (the command reads the
system clock), on the night that is running now."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from adolf.adapters.sqlalchemy import migrate
from adolf.adapters.sqlalchemy.app_unit_of_work import AppSqlUnitOfWork
from adolf.adapters.sqlalchemy.engine import build_engine, build_session_factory
from adolf.adapters.sqlalchemy.watcher_tables import watcher_agents
from adolf.application.marketing.calendar import Calendar
from adolf.application.watcher.night import night_of
from adolf.application.watcher.ports import NewAlert
from adolf.domain.alerts.severity import Severity
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.agents import Agent, AgentStatus
from adolf.domain.watcher.alert_conditions import AlertDecision
from adolf.domain.watcher.alerts import AlertKind
from adolf.domain.watcher.catalog import Competitor, CompetitorProduct, OurProduct, Subscription
from adolf.domain.watcher.observations import PriceObservation
from adolf.domain.watcher.tasks import claim, complete
from adolf.entrypoints.cli.app import app as cli_app
from tests.e2e.conftest import Run

D = Decimal
WB, OZON = Marketplace.WB, Marketplace.OZON


class World:
    def __init__(self, env: dict[str, str], uow: AppSqlUnitOfWork, night: date, ids: dict[str, int]) -> None:
        self.env, self.uow, self.night, self.ids = env, uow, night, ids


def _json(text: str) -> Any:
    return json.loads(text)


def _seen(item: int, price: str, at: datetime, discount: str | None = None) -> PriceObservation:
    return PriceObservation(item, D(price), True, at, discount_percent=D(discount) if discount else None)


def _alert(item: int, key: str, at: datetime, kind: AlertKind = AlertKind.DUMPING_DETECTED) -> NewAlert:
    decision = AlertDecision(kind, Severity.CRITICAL, f"{kind.value} on {item} ({key})", key, {"new_price": "1"})
    return NewAlert(decision, item, None, "acme", WB, at)


@pytest.fixture
def world(tmp_path: Path) -> World:
    """Three active competitor listings and one of an inactive competitor; tonight's tasks
    (two done by ``wb-1``, one held by ``oz-1``, which then panicked); ``old-1`` online but
    silent for 10 minutes; dumping and price-drop alerts."""
    url = f"sqlite:///{tmp_path / 'watcher.sqlite3'}"
    engine = build_engine(url)
    migrate.upgrade(engine)
    factory = build_session_factory(engine)
    now = datetime.now(UTC)
    night = night_of(Calendar(), now)
    with AppSqlUnitOfWork(factory) as uow:
        c = uow.watcher_catalog
        kettle, bag = c.add_products(
            [
                OurProduct(0, "acme", "KETTLE-1", "Kettle", WB, D("1000.00")),
                OurProduct(0, "acme", "BAG-1", "Bag", OZON, D("500.00")),
            ]
        )
        rival, rival_oz, gone = c.add_competitors(
            [Competitor(0, "Rival WB", WB), Competitor(0, "Rival Ozon", OZON), Competitor(0, "Gone", WB, False)]
        )
        hot, mid, cold, dead = c.add_competitor_products(
            [
                CompetitorProduct(0, rival, WB, "wb-hot", None, "Hot kettle", kettle),
                CompetitorProduct(0, rival, WB, "wb-mid", None, None, kettle),
                CompetitorProduct(0, rival_oz, OZON, "oz-cold", None, "Cold bag", bag),
                CompetitorProduct(0, gone, WB, "wb-dead", None, "Dead", kettle),
            ]
        )
        c.add_subscriptions(
            [Subscription(0, kettle, hot, WB), Subscription(0, kettle, mid, WB), Subscription(0, bag, cold, OZON)]
        )
        c.set_priorities({hot: 90, mid: 75, cold: 40, dead: 100}, now)
        start = now - timedelta(days=20)
        hour = timedelta(hours=1)
        # hot: 12 changes (+20), discount 35 % (+15), latest 990 vs 1000 = -1 % (+15), 2 dumping (+20) → 100
        hot_prices = [_seen(hot, "1000" if n % 2 else "980", start + n * hour, "35") for n in range(12)]
        uow.watcher_prices.add([*hot_prices, _seen(hot, "990", start + 12 * hour, "35")])
        # mid: 5 changes (+10), discount 16 % (+5), latest 1300 = +30 % (0), 1 dumping (+10) → 75
        mid_prices = [_seen(mid, str(1200 + 20 * n), start + n * hour, "16") for n in range(5)]
        uow.watcher_prices.add([*mid_prices, _seen(mid, "1300", start + 5 * hour, "16")])
        uow.watcher_alerts.add(
            [
                _alert(hot, "h1", now - timedelta(days=3)),
                _alert(hot, "h2", now - timedelta(days=2)),
                _alert(mid, "m1", now - timedelta(days=1)),
                _alert(mid, "drop", now - timedelta(minutes=5), AlertKind.PRICE_DROP),
                _alert(hot, "old", now - timedelta(days=40)),  # outside the window
            ]
        )
        agents = {
            "wb-1": Agent("wb-1", "WB night parser", WB, "10.0.0.1", AgentStatus.ONLINE, True, now),
            "oz-1": Agent("oz-1", "Ozon parser", OZON, "10.0.0.2", AgentStatus.ONLINE, False, now),
            "old-1": Agent("old-1", "Old parser", None, None, AgentStatus.ONLINE, True, now - timedelta(minutes=10)),
        }
        for agent in agents.values():
            uow.watcher_agents.add(agent)
        created = uow.watcher_tasks.create_for_date(night, now)
        tasks = uow.watcher_tasks.get_many([*created[WB], *created[OZON]])
        done = [complete(claim(tasks[i], agents["wb-1"], now), "wb-1", now) for i in created[WB]]
        held = claim(tasks[created[OZON][0]], agents["oz-1"], now)
        uow.watcher_tasks.save_many([*done, held])
        uow.watcher_agents.save(Agent("oz-1", "Ozon parser", OZON, "10.0.0.2", AgentStatus.PANIC, False, now))
        uow.commit()
    engine.dispose()
    ids = {"hot": hot, "mid": mid, "cold": cold, "dead": dead}
    return World({"ADOLF_DATABASE_URL": url}, AppSqlUnitOfWork(factory), night, ids)


def test_every_watcher_command_has_help() -> None:
    runner = CliRunner()
    for command in ("agents", "tasks", "priorities", "alerts", "register-agent"):
        result = runner.invoke(cli_app, ["watcher", command, "--help"], env={"COLUMNS": "160"})
        assert result.exit_code == 0 and "Usage" in result.output, (command, result.output)


def test_agents_show_status_ip_cookies_heartbeat_and_the_nights_work(adolf: Run, world: World) -> None:
    night = world.night.isoformat()
    table = adolf("watcher", "agents", "--date", night, env=world.env).stdout
    assert "WB night parser" in table and "panic" in table and "online (stale)" in table
    assert "10.0.0.2" in table and "invalid" in table and f"done {night}" in table and "3 agent(s)" in table
    shown = _json(adolf("watcher", "agents", "--date", night, "--json", env=world.env).stdout)
    assert shown["night"] == night
    by_id = {a["id"]: a for a in shown["agents"]}
    assert {i: (a["status"], a["stale"], a["tasks_done"]) for i, a in by_id.items()} == {
        "old-1": ("online", True, 0),
        "oz-1": ("panic", False, 0),
        "wb-1": ("online", False, 2),
    }
    assert by_id["oz-1"]["cookies_valid"] is False and by_id["old-1"]["marketplace"] is None
    assert by_id["wb-1"]["last_heartbeat"] is not None
    other = _json(adolf("watcher", "agents", "--date", "2020-01-01", "--json", env=world.env).stdout)
    assert [a["tasks_done"] for a in other["agents"]] == [0, 0, 0]


def test_tasks_are_counted_by_status_and_marketplace_for_the_running_night(adolf: Run, world: World) -> None:
    before = night_of(Calendar(), datetime.now(UTC))
    shown = _json(adolf("watcher", "tasks", "--json", env=world.env).stdout)
    assert shown["night"] in {before.isoformat(), night_of(Calendar(), datetime.now(UTC)).isoformat()}
    assert shown["by_marketplace"] == {
        "wb": {"pending": 0, "in_progress": 0, "done": 2, "failed": 0},
        "ozon": {"pending": 0, "in_progress": 1, "done": 0, "failed": 0},
    }
    assert shown["total"] == 3
    table = adolf("watcher", "tasks", "--date", world.night.isoformat(), env=world.env).stdout
    assert f"night of {world.night.isoformat()}" in table and "in_progress" in table
    assert "ozon" in table and "all" in table
    empty = adolf("watcher", "tasks", "--date", "2020-01-01", env=world.env)
    assert "no parsing tasks for the night of 2020-01-01 in " in empty.stderr and not empty.stdout.strip()


def test_priorities_list_the_highest_with_the_four_factors_of_each_score(adolf: Run, world: World) -> None:
    ids = world.ids
    shown = _json(adolf("watcher", "priorities", "--top", "2", "--json", env=world.env).stdout)
    assert [p["competitor_product_id"] for p in shown] == [ids["hot"], ids["mid"]]  # the inactive one is left out
    hot, mid = shown
    assert (hot["priority"], hot["score_now"], hot["competitor"], hot["our_sku"]) == (90, 100, "Rival WB", "KETTLE-1")
    assert hot["price_changes_30d"] == {"count": 12, "points": 20}
    assert hot["avg_discount"] == {"percent": "35.00", "points": 15}
    assert hot["price_gap"] == {"percent": "-1.00", "competitor_price": "990.00", "our_price": "1000.00", "points": 15}
    assert hot["dumping_alerts_30d"] == {"count": 2, "points": 20}
    assert (mid["priority"], mid["score_now"]) == (75, 75)
    assert [mid[k]["points"] for k in ("price_changes_30d", "avg_discount", "price_gap", "dumping_alerts_30d")] == [
        10,
        5,
        0,
        10,
    ]
    table = adolf("watcher", "priorities", "--top", "5", env=world.env).stdout
    assert "Hot kettle" in table and "Cold bag" in table and "Dead" not in table
    assert "12 (+20)" in table and "-1.00 % (+15)" in table and "0 (-10)" in table  # cold: no change in 30 days


def test_alerts_are_listed_newest_first_and_filtered_by_kind(adolf: Run, world: World) -> None:
    shown = _json(adolf("watcher", "alerts", "--json", env=world.env).stdout)
    assert [a["kind"] for a in shown] == ["price_drop", *["dumping_detected"] * 4]
    assert shown[0]["competitor_product_id"] == world.ids["mid"] and shown[0]["severity"] == "critical"
    dumping = _json(
        adolf("watcher", "alerts", "--kind", "dumping_detected", "--limit", "2", "--json", env=world.env).stdout
    )
    assert [a["details"]["new_price"] for a in dumping] == ["1", "1"] and len(dumping) == 2
    table = adolf("watcher", "alerts", "--kind", "price_drop", env=world.env).stdout
    assert "price_drop" in table and "dumping_detected" not in table and "1 alert(s)" in table
    refused = adolf("watcher", "alerts", "--kind", "dumped", env=world.env, check=False)
    assert refused.returncode == 2 and "'dumped' is not one of" in refused.stderr


def test_a_registered_agent_gets_its_token_once_and_only_its_hash_is_stored(adolf: Run, world: World) -> None:
    result = adolf(
        "watcher", "register-agent", "Night Parser 7", "--marketplace", "ym", "--ip", "10.0.0.9", env=world.env
    )
    token = next(line.removeprefix("token: ") for line in result.stdout.splitlines() if line.startswith("token: "))
    assert len(token) >= 32 and "registered agent night-parser-7" in result.stdout
    assert "shown only now" in result.stderr and token not in result.stderr
    with world.uow as uow:
        row = uow.session.execute(
            select(watcher_agents.c.token_hash, watcher_agents.c.status).where(watcher_agents.c.id == "night-parser-7")
        ).one()
        assert row == (hashlib.sha256(token.encode()).hexdigest(), "offline")
        assert uow.watcher_agents.get("night-parser-7") == Agent(
            "night-parser-7", "Night Parser 7", Marketplace.YM, "10.0.0.9"
        )
    shown = _json(
        adolf("watcher", "register-agent", "Any", "-m", "any", "--id", "any-1", "--json", env=world.env).stdout
    )
    assert shown["id"] == "any-1" and shown["marketplace"] is None and len(shown["token"]) >= 32
    assert shown["token"] != token


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["WB night parser", "-m", "wb", "--id", "wb-1"], "agent_id='wb-1' is already registered"),
        (["Parser", "-m", "avito"], "--marketplace='avito' must be one of wb, ozon, ym or any"),
        (["Parser", "-m", "wb", "--ip", "10.0.0.300"], "--ip='10.0.0.300' is not an IPv4 or IPv6 address"),
        (["Парсер", "-m", "wb"], "name='Парсер' gives no id"),
        (["Parser", "-m", "wb", "--id", "a/b"], "agent_id='a/b' must not contain '/'"),
    ],
)
def test_a_refused_registration_exits_2_naming_the_field_and_stores_nothing(
    adolf: Run, world: World, args: list[str], message: str
) -> None:
    result = adolf("watcher", "register-agent", *args, env=world.env, check=False)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert "token" not in result.stdout
    with world.uow as uow:
        assert sorted(a.id for a in uow.watcher_agents.all()) == ["old-1", "oz-1", "wb-1"]


def test_a_bad_date_exits_2_naming_it(adolf: Run, world: World) -> None:
    result = adolf("watcher", "tasks", "--date", "2026-02-30", env=world.env, check=False)
    assert result.returncode == 2 and "--date='2026-02-30' is not a date (YYYY-MM-DD)" in result.stderr
