"""Every scheduled catalogue entry fires at the same instants on every runtime.

The reference is ``adolf.adapters.queues.schedules.fire_times`` (croniter, Moscow time,
plus the offset) — what the inline scheduler uses. Celery's fire times come from walking
the real beat entry (``crontab`` / ``offset_crontab``) with a fake clock; RQ's from its
cron entries. A simulated week that crosses a month boundary (for the 1st-of-month jobs).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from celery import Celery

from adolf.adapters.queues.celery_app import beat_fire_times, build_celery_app
from adolf.adapters.queues.schedules import fire_times
from adolf.application.catalogue import Catalogue, Schedule, TaskSpec
from adolf.application.runtime import TaskRunner
from adolf.application.tasks_catalogue import build_catalogue
from adolf.settings import load_settings

START = datetime(2025, 3, 27, 0, 0, 30, tzinfo=UTC)  # a Thursday; the week crosses April 1st
END = START + timedelta(days=7)


def _noop(services: Any) -> None:
    return None


def _staggered() -> Catalogue:
    """Schedules the system catalogue does not have yet: offsets (the reputation polls'
    0/50/…/250 s stagger), weekly, monthly, every few hours, lists and ranges."""
    crons = [
        ("*/5 * * * *", 0),
        ("*/5 * * * *", 50),
        ("*/5 * * * *", 100),
        ("*/5 * * * *", 150),
        ("*/5 * * * *", 200),
        ("*/5 * * * *", 250),
        ("45 3 * * 0", 0),
        ("0 9 * * 1", 0),
        ("0 2 1 * *", 0),
        ("0 3 1 * *", 30),
        ("0 */6 * * *", 0),
        ("30 20 * * *", 0),
        ("7,22,37,52 * * * *", 0),
        ("0 8-18/2 * * 1-5", 600),
    ]
    # An offset carrying a fire into the next hour *and* day: beat handles it; RQ's cron
    # entries cannot express it and its adapter refuses it (CronOffsetError) at start-up.
    beat_only = [("59 23 * * *", 3599)]
    return Catalogue(
        TaskSpec(f"{prefix}.t{i:02d}", _noop, "stagger.default", schedule=Schedule(cron, offset))
        for prefix, entries in (("stagger", crons), ("beatonly", beat_only))
        for i, (cron, offset) in enumerate(entries)
    )


CATALOGUE = build_catalogue(_staggered())
SCHEDULED = [spec.name for spec in CATALOGUE.scheduled()]
PORTABLE = [name for name in SCHEDULED if not name.startswith("beatonly.")]


@pytest.fixture(scope="module")
def celery_app() -> Celery:
    settings = load_settings(redis_url="redis://127.0.0.1:6379/15", queue_backend="celery")
    runner = TaskRunner(CATALOGUE, lambda: None, "celery")  # type: ignore[arg-type, return-value]
    return build_celery_app(CATALOGUE, runner, settings)


def _reference(name: str) -> list[datetime]:
    schedule = CATALOGUE.get(name).schedule
    assert schedule is not None
    return fire_times(schedule, START, END)


@pytest.mark.parametrize("name", SCHEDULED)
def test_celery_beat_fires_when_the_reference_does(celery_app: Celery, name: str) -> None:
    expected = _reference(name)
    assert expected, "a week without a fire tells nothing"
    assert beat_fire_times(celery_app, name, START, END) == expected


@pytest.mark.parametrize("name", PORTABLE)
def test_rq_cron_fires_when_the_reference_does(name: str) -> None:
    try:
        from adolf.adapters.queues.rq_cron import cron_fire_times
    except ModuleNotFoundError as exc:
        pytest.xfail(f"the RQ cron adapter is not there yet: {exc}")
    assert cron_fire_times(CATALOGUE, name, START, END) == _reference(name)
