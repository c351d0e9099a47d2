"""`adolf simulate` with Watcher beside Marketing (issue 10, "In the main job"): the agents
speak the HTTP protocol, one goes silent and one panics on the last night and Watcher handles
both, dumping alerts are handed to Marketing, and Marketing's bid cycle reads the competitor
bids the agents observed. ``--modules marketing`` is the run without Watcher."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from adolf.entrypoints.cli import simulate
from tests.e2e.conftest import Run


def report_of(stdout: str) -> dict[str, Any]:
    return json.loads(stdout[stdout.index("{") :])


def test_two_days_of_watcher_beside_marketing(adolf: Run, tmp_path: Path) -> None:
    database = tmp_path / "sim.sqlite3"
    out = adolf(
        "simulate", "--days", "2", "--campaigns", "12", "--keywords", "6", "--modules", "marketing,watcher,logistic",
        "--json", "--database", f"sqlite:///{database}", timeout=200,
    ).stdout  # fmt: skip
    report = report_of(out)
    assert report["dead_letters"] == 0 and report["bids_changed"].get("bid_cycle", 0) > 0  # Marketing ran too
    watcher = report["watcher"]
    assert watcher["nights"] == ["2026-01-11", "2026-01-12", "2026-01-13"]  # the night before, then each day's

    tasks = watcher["tasks"]
    assert tasks["generated"] == tasks["done"] + tasks["failed"] and tasks["done"] > 0
    assert tasks["pending"] == tasks["in_progress"] == 0
    assert watcher["agents"]["page_errors"] >= 3 * tasks["failed"]  # failed: its page down 3 times
    moved = tasks["redistributed"]
    assert moved["given_back"] >= 2
    assert moved["given_back"] - tasks["failed"] <= moved["finished_by_another_agent"] <= moved["given_back"]

    agents = watcher["agents"]
    status = {row["id"]: row["status"] for row in agents["each"]}
    [silent] = agents["silent"]
    [panic] = agents["panics"]
    assert status[silent["agent"]] == "offline" and silent["held"] > 0
    assert status[panic["agent"]] == "panic"
    assert agents["by_status"] == {"online": 4, "offline": 1, "panic": 1}
    assert silent["at"].startswith("2026-01-13T20:") and panic["at"].startswith("2026-01-13T20:")  # the last night
    assert agents["ip_blocked"] == ["10.21.0.1"]  # the panicked Ozon agent's
    assert moved["by"].keys() <= set(status) - {silent["agent"], panic["agent"]}
    assert (agents["refused_prices"], agents["unknown_tasks"]) == (1, 1)
    [clumsy] = [row for row in agents["each"] if row["refused_prices"]]
    assert (clumsy["refused_prices"], clumsy["unknown_tasks"]) == (1, 1)  # counted by Watcher too

    assert watcher["alerts"]["dumping_detected"]["critical"] >= 1
    handed = watcher["handoffs"]
    assert handed["handed_to_marketing"] == handed["dumping_alerts"] >= 1
    assert handed["recommendations"] >= handed["handed_to_marketing"] and handed["campaigns"] >= 1
    bands = watcher["priorities"]["bands"]
    assert sum(bands.values()) == watcher["catalogue"]["competitor_products"] > 0
    bids = watcher["competitor_bids"]
    assert bids["held_by_marketing"] == bids["keywords"] == 12 * 6
    assert bids["reported"] >= 3 * bids["keywords"]  # every keyword, every night (more: retried pages)

    with sqlite3.connect(database) as db:
        (recommendations,) = db.execute("SELECT COUNT(*) FROM recommendations WHERE kind = 'dumping'").fetchone()
        assert recommendations == handed["recommendations"]
        # every keyword's bids are the last night's observation (from 20:30 Moscow), none the setup's
        (count, oldest) = db.execute("SELECT COUNT(*), MIN(observed_at) FROM competitor_bids").fetchone()
        assert count == bids["keywords"] and oldest >= "2026-01-13 17:30"

    with simulate.console.capture() as captured:
        simulate.render(report)
    text = captured.get()
    assert "Watcher" in text and "agents: online 4, offline 1, panic 1 (" in text
    assert f"silent: {silent['agent']} stopped at" in text and f"panic: {panic['agent']} met a captcha" in text
    assert "dumping hand-offs:" in text and "IPs blocked: 10.21.0.1" in text


def test_without_watcher_there_is_no_watcher_section_and_bids_are_seeded(adolf: Run, tmp_path: Path) -> None:
    database = tmp_path / "sim.sqlite3"
    out = adolf(
        "simulate", "--days", "1", "--campaigns", "3", "--keywords", "4", "--modules", "marketing",
        "--json", "--database", f"sqlite:///{database}", timeout=120,
    ).stdout  # fmt: skip
    report = report_of(out)
    assert "watcher" not in report and "watcher" not in report["setup"]
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT COUNT(*) FROM competitor_bids").fetchone() == (12,)
        assert db.execute("SELECT COUNT(*) FROM watcher_parsing_tasks").fetchone() == (0,)
    with simulate.console.capture() as captured:
        simulate.render(report)
    assert "Watcher" not in captured.get()


def test_watcher_alone(adolf: Run, tmp_path: Path) -> None:
    out = adolf(
        "simulate", "--days", "1", "--campaigns", "3", "--keywords", "4", "--modules", "watcher",
        "--json", "--database", f"sqlite:///{tmp_path / 'sim.sqlite3'}", timeout=120,
    ).stdout  # fmt: skip
    report = report_of(out)
    assert "per_day" not in report and "bids_changed" not in report
    assert report["watcher"]["tasks"]["done"] > 0
    assert report["watcher"]["competitor_bids"]["held_by_marketing"] == 3 * 4


def test_an_unknown_module_is_refused_naming_it(adolf: Run) -> None:
    result = adolf("simulate", "--modules", "marketing,payroll", check=False)
    assert result.returncode == 2
    assert "--modules='marketing,payroll'" in result.stderr
