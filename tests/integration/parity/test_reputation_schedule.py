"""Reputation's six polls keep their stagger on every runtime (SPEC §3 Reputation): every 5
minutes, WB reviews at +0 s, WB questions +50 s, Ozon reviews +100 s, Ozon questions +150 s,
YM reviews +200 s, YM questions +250 s — so across the six, one poll every 50 s, in that order.

``test_schedule_parity`` already checks every scheduled entry of the system catalogue (these
included) fires at the reference's instants on Celery beat and RQ cron; this pins the instants
themselves, the same on the inline scheduler's reference, beat and cron.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adolf.adapters.queues.celery_app import beat_fire_times, build_celery_app
from adolf.adapters.queues.rq_cron import cron_fire_times
from adolf.adapters.queues.schedules import fire_times
from adolf.application.reputation.catalogue import POLLS
from adolf.application.runtime import TaskRunner
from adolf.application.tasks_catalogue import build_catalogue
from adolf.settings import load_settings

START = datetime(2026, 3, 28, 20, 59, 59, tzinfo=UTC)  # 23:59:59 in Moscow: the hour crosses its midnight
END = START + timedelta(hours=1)
NAMES = [f"reputation.poll_{which}" for which in POLLS]
CATALOGUE = build_catalogue()


@pytest.fixture(scope="module")
def fires() -> dict[str, dict[str, list[datetime]]]:
    """runtime → poll → its fire times in [START, END)."""
    settings = load_settings(redis_url="redis://127.0.0.1:6379/15", queue_backend="celery")
    runner = TaskRunner(CATALOGUE, lambda: None, "celery")  # type: ignore[arg-type, return-value]
    app: Any = build_celery_app(CATALOGUE, runner, settings)
    found: dict[str, dict[str, list[datetime]]] = {"reference": {}, "celery": {}, "rq": {}}
    for name in NAMES:
        schedule = CATALOGUE.get(name).schedule
        assert schedule is not None, name
        found["reference"][name] = fire_times(schedule, START, END)
        found["celery"][name] = beat_fire_times(app, name, START, END)
        found["rq"][name] = cron_fire_times(CATALOGUE, name, START, END)
    return found


@pytest.mark.parametrize("runtime", ["reference", "celery", "rq"])
def test_each_poll_fires_every_five_minutes_at_its_offset(fires: dict[str, Any], runtime: str) -> None:
    for index, name in enumerate(NAMES):
        times = fires[runtime][name]
        assert len(times) == 12, (name, times)
        assert all(b - a == timedelta(minutes=5) for a, b in itertools.pairwise(times)), (name, times)
        assert {(t.minute % 5) * 60 + t.second for t in times} == {index * 50}, (name, times)
        assert all(t.microsecond == 0 for t in times), (name, times)


@pytest.mark.parametrize("runtime", ["reference", "celery", "rq"])
def test_the_six_polls_take_turns_every_fifty_seconds(fires: dict[str, Any], runtime: str) -> None:
    merged = sorted((t, name) for name in NAMES for t in fires[runtime][name])
    assert all(b[0] - a[0] == timedelta(seconds=50) for a, b in itertools.pairwise(merged)), merged
    assert [name for _, name in merged] == NAMES * 12


def test_every_runtime_fires_the_polls_at_the_same_instants(fires: dict[str, Any]) -> None:
    assert fires["celery"] == fires["reference"]
    assert fires["rq"] == fires["reference"]
