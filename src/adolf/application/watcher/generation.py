"""``watcher.generate_daily_tasks`` (20:30) and ``watcher.regenerate_failed_tasks(date)``.

Tonight's tasks are the local day's (``services.calendar``): generated at 20:30 on day D for
D, worked by the agents through the night into D + 1 (``night.night_of``), counted by
``generate_daily_stats`` at 08:00 on D + 1 ("yesterday").

Generation is one statement (``create_for_date``: one task per active subscription, only
those that do not exist yet) and one push per marketplace, recorded in the outbox with the
tasks (``dispatch``) so a retry after a failed push still queues them; running it twice for a
date creates and pushes nothing the second time. The stats hash ``watcher:generation:{date}``
describes the night (its tasks per marketplace, whatever run created them), or its failure.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from datetime import date as Date
from typing import Any

from adolf.application.bounds import Day
from adolf.application.watcher import dispatch
from adolf.application.watcher.office import reporter
from adolf.application.watcher.ports import WatcherServices
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.tasks import MAX_ATTEMPTS, ParsingTask, TaskStatus, regenerate

COMPLETED, FAILED = "completed", "failed"


def generate_daily_tasks(services: WatcherServices, date: Day | None = None) -> dict[str, Any]:
    now = services.clock.now()
    day = date or services.calendar.day(now)
    office = reporter(services, "price_monitor")
    office.report_working(f"generating the parsing tasks of {day.isoformat()}")
    try:
        with services.uow() as uow:
            created = uow.watcher_tasks.create_for_date(day, now)
            entries = [
                dispatch.push(f"watcher:generation:{day.isoformat()}:{mp.value}:{ids[0]}", mp, ids, now)
                for mp, ids in created.items()
                if ids
            ]
            keys = dispatch.record(uow, entries)
            uow.commit()
        flushed = dispatch.flush(services, keys)
        with services.uow() as uow:
            night = _per_marketplace(uow.watcher_tasks.counts(day))
    except Exception as exc:
        _record_failure(services, day, exc)
        office.report_error(f"generation of {day.isoformat()} failed: {exc}")
        raise
    new = {mp.value: len(ids) for mp, ids in created.items() if ids}
    total = sum(night.values())
    services.watcher_stats.write_generation(
        day,
        {
            "status": COMPLETED,
            "total": total,
            **{mp.value: night.get(mp.value, 0) for mp in Marketplace},
            "created": sum(new.values()),
            "updated_at": services.clock.now().isoformat(),
        },
    )
    office.report_idle({"tasks_generated": total})
    return {
        "date": day.isoformat(),
        "created": sum(new.values()),
        "by_marketplace": new,
        "total": total,
        "pushed": flushed.pushed,
    }


def regenerate_failed_tasks(services: WatcherServices, date: Day | None = None) -> dict[str, Any]:
    """Failed tasks of ``date`` (today by default) that used up their attempts start over:
    pending, no attempts, no error, and back at the tail of their queue."""
    now = services.clock.now()
    day = date or services.calendar.day(now)
    with services.uow() as uow:
        fresh = [regenerate(task) for task in uow.watcher_tasks.failed_of(day) if task.retry_count >= MAX_ATTEMPTS]
        if not fresh:
            return {"date": day.isoformat(), "regenerated": 0, "status": "no_failed_tasks"}
        uow.watcher_tasks.save_many(fresh)
        entries = [
            dispatch.push(f"watcher:regenerate:{day.isoformat()}:{mp.value}:{ids[0]}:{now.isoformat()}", mp, ids, now)
            for mp, ids in by_marketplace(fresh).items()
        ]
        keys = dispatch.record(uow, entries)
        uow.commit()
    flushed = dispatch.flush(services, keys)
    return {"date": day.isoformat(), "regenerated": len(fresh), "pushed": flushed.pushed}


def by_marketplace(tasks: list[ParsingTask]) -> dict[Marketplace, list[int]]:
    """Task ids per marketplace, in the order given."""
    grouped: dict[Marketplace, list[int]] = defaultdict(list)
    for task in tasks:
        grouped[task.marketplace].append(task.id)
    return dict(grouped)


def _per_marketplace(counts: dict[tuple[Marketplace, TaskStatus], int]) -> dict[str, int]:
    night: dict[str, int] = defaultdict(int)
    for (marketplace, _status), count in counts.items():
        night[marketplace.value] += count
    return dict(night)


def _record_failure(services: WatcherServices, day: Date, exc: Exception) -> None:
    # Redis may be what failed; the job's own error is the one to raise.
    with contextlib.suppress(Exception):
        services.watcher_stats.write_generation(
            day,
            {
                "status": FAILED,
                "error": f"{type(exc).__name__}: {exc}"[:500],
                "updated_at": services.clock.now().isoformat(),
            },
        )
