"""`adolf simulate --days 1` end to end, on each backend."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from redis import Redis

from tests.e2e.conftest import Run
from tests.support.services import require_redis

# Each backend its own Redis database (the run purges its queues), none the parity suite's 15.
SIM_REDIS_DB = {"inline": 14, "celery": 14, "rq": 13}
# A simulated day through real workers takes 1–2 min on an idle machine and far longer on a
# busy one. The command's timeout stays below the test's (and pytest-timeout counts the test
# function only), so the command's own timeout stops its workers, never pytest's.
SIMULATE_TIMEOUT = 600.0


@pytest.mark.slow
@pytest.mark.timeout(SIMULATE_TIMEOUT + 120, func_only=True)
@pytest.mark.parametrize("backend", ["inline", "celery", "rq"])
def test_one_simulated_day_runs_the_schedule_and_reports(adolf: Run, tmp_path: Path, backend: str) -> None:
    sim_redis = f"redis://127.0.0.1:6379/{SIM_REDIS_DB[backend]}"
    if backend != "inline":
        sim_redis = require_redis(SIM_REDIS_DB[backend])
        # an interrupted run's worker died holding the bid-cycle lock: this run must not skip its cycles
        Redis.from_url(sim_redis).set("marketing:lock:bid_cycle", "killed-run-job|0", ex=300)
    result = adolf(
        "simulate",
        "--days",
        "1",
        "--campaigns",
        "6",
        "--keywords",
        "6",
        "--backend",
        backend,
        # Reputation's outage retries wait 60 s countdowns in wall time under workers: its
        # section is checked inline (test_simulate_reputation.py) and by the same-seed run below
        "--modules",
        "marketing,watcher,logistic",
        "--json",
        "--database",
        f"sqlite:///{tmp_path / 'sim.sqlite3'}",
        "--redis",
        sim_redis,
        timeout=SIMULATE_TIMEOUT,
    )
    report = json.loads(result.stdout[result.stdout.index("{") :])
    assert report["backend"] == backend
    assert report["period"] == {"start": "2026-01-12", "end": "2026-01-12"}
    assert report["dead_letters"] == 0
    assert report["campaigns"] == 6
    assert report["bids_changed"].get("bid_cycle", 0) > 0
    assert list(report["per_day"]) == ["2026-01-12"]
    day = report["per_day"]["2026-01-12"]
    assert Decimal(day["spent"]) > 0 and day["orders"] > 0
    assert Decimal(report["total"]["spent"]) == Decimal(day["spent"])
    strategies = set(report["per_strategy"])
    assert strategies <= {"manual", "target_drr", "target_cpo", "target_position"} and len(strategies) >= 3
    assert sum(Decimal(r["spent"]) for r in report["per_strategy"].values()) == Decimal(day["spent"])
    # Watcher ran beside it: the agents over HTTP (in process inline, a real server under workers)
    watcher = report["watcher"]
    assert watcher["agents"]["by_status"] == {"online": 4, "offline": 1, "panic": 1}
    assert watcher["tasks"]["done"] > 0 and watcher["tasks"]["pending"] == watcher["tasks"]["in_progress"] == 0
    assert watcher["competitor_bids"]["held_by_marketing"] == watcher["competitor_bids"]["keywords"] == 36


def test_the_same_seed_gives_the_same_report(adolf: Run, tmp_path: Path) -> None:
    def once(name: str) -> dict:
        out = adolf(
            "simulate",
            "--days",
            "1",
            "--campaigns",
            "3",
            "--keywords",
            "4",
            "--json",
            "--database",
            f"sqlite:///{tmp_path / name}",
            timeout=120,  # twice, still below the test's 300 s
        ).stdout
        report = json.loads(out[out.index("{") :])
        report.pop("last_day_aggregated", None)
        return report

    assert once("a.sqlite3") == once("b.sqlite3")


def test_a_bad_option_is_refused_naming_it(adolf: Run) -> None:
    result = adolf("simulate", "--backend", "kafka", check=False)
    assert result.returncode == 2
    assert "--backend='kafka'" in result.stderr


@pytest.mark.slow
def test_the_report_shows_each_target_campaign_against_its_target(adolf: Run, tmp_path: Path) -> None:
    database = tmp_path / "sim.sqlite3"
    out = adolf(
        "simulate", "--days", "3", "--campaigns", "12", "--keywords", "6", "--seed", "3", "--modules", "marketing",
        "--json", "--database", f"sqlite:///{database}", timeout=300,
    ).stdout  # fmt: skip
    report = json.loads(out[out.index("{") :])
    attainment = report["attainment"]
    assert attainment["judged"] == {"start": "2026-01-14", "end": "2026-01-14"}  # day 3 on
    rows = attainment["campaigns"]
    assert {r["strategy"] for r in rows} == {"target_drr", "target_cpo"}
    with sqlite3.connect(database) as db:
        configured = dict(
            db.execute(
                "SELECT id, COALESCE(target_drr, target_cpo) FROM campaigns"
                " WHERE strategy IN ('target_drr', 'target_cpo')"
            ).fetchall()
        )
        assert {r["campaign_id"] for r in rows} == set(configured)
        for row in rows:
            assert Decimal(row["target"]) == Decimal(str(configured[row["campaign_id"]]))
            if row["achieved"] is not None:
                within = abs(Decimal(row["achieved"]) - Decimal(row["target"])) <= Decimal(row["target"]) / 10
                assert row["within"] is within
            assert row["bound"] is (row["constraint"] not in ("within_band", "raised", "lowered"))
            if row["constraint"] in ("at_max_bid", "at_min_bid"):
                # reported at a bound: some active keyword of the campaign sits at it
                column = (
                    "c.max_bid - k.bid"
                    if row["constraint"] == "at_max_bid"
                    else ("k.bid - MAX(c.min_bid, COALESCE(k.marketplace_min_bid, 0))")
                )
                step = "0.1" if row["marketplace"] == "ym" else "1"
                (at_bound,) = db.execute(
                    f"SELECT COUNT(*) FROM keywords k JOIN campaigns c ON c.id = k.campaign_id"
                    f" WHERE c.id = ? AND k.status = 'active' AND {column} < {step}",
                    (row["campaign_id"],),
                ).fetchone()
                assert at_bound > 0, row
        # every sent change carries its constraint
        assert db.execute("SELECT COUNT(*) FROM bid_history WHERE binding_constraint IS NULL").fetchone() == (0,)
    for name, summary in attainment["summary"].items():
        assert summary["line"].startswith(f"{name}: {summary['within']}/{summary['campaigns']} within ±10 %")
        assert summary["campaigns"] == sum(1 for r in rows if r["strategy"] == name)
    assert set(attainment["orders_per_1000_rub"]) == set(report["per_strategy"])
