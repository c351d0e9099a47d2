"""`adolf simulate --days 1` end to end, on each backend."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e.conftest import Run
from tests.support.services import require_redis

SIM_REDIS = "redis://127.0.0.1:6379/14"  # not the parity suite's database 15, which it flushes


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["inline", "celery", "rq"])
def test_one_simulated_day_runs_the_schedule_and_reports(adolf: Run, tmp_path: Path, backend: str) -> None:
    if backend != "inline":
        require_redis()
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
        SIM_REDIS,
        timeout=900,
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
        ).stdout
        report = json.loads(out[out.index("{") :])
        report.pop("last_day_aggregated", None)
        return report

    assert once("a.sqlite3") == once("b.sqlite3")


def test_a_bad_option_is_refused_naming_it(adolf: Run) -> None:
    result = adolf("simulate", "--backend", "kafka", check=False)
    assert result.returncode == 2
    assert "--backend='kafka'" in result.stderr
