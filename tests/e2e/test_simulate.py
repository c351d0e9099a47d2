"""`adolf simulate --days 1` end to end, on each backend."""

from __future__ import annotations

import json
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
