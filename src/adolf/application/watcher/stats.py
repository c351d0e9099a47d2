"""``watcher.generate_daily_stats(date=yesterday)`` (08:00) and ``generate_weekly_report``
(Mon 09:00).

The daily hash ``watcher:daily_stats:{date}`` (TTL 90 d) is flat (a Redis hash holds
strings): ``tasks_total``, ``tasks:{status}``, ``tasks:{mp}`` and ``tasks:{mp}:{status}`` for
every status and marketplace, ``alerts_total``, ``alerts:{kind}`` and
``alerts:{kind}:{severity}`` for every kind and severity (zeros included, so every day has
the same fields), and ``generated_at``. The alerts of a date are those raised during its
local day. A re-run replaces the hash.

The weekly report sums the last seven days' hashes (the seven local days before today) and
names the days that have none.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from adolf.application.bounds import Day
from adolf.application.watcher.ports import WatcherServices
from adolf.domain.alerts.severity import Severity
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.alerts import AlertKind
from adolf.domain.watcher.tasks import TaskStatus

WEEK = 7


def generate_daily_stats(services: WatcherServices, date: Day | None = None) -> dict[str, Any]:
    now = services.clock.now()
    day = date or services.calendar.yesterday(now)
    start, end = services.calendar.day_start(day), services.calendar.day_start(day + timedelta(days=1))
    with services.uow() as uow:
        tasks = uow.watcher_tasks.counts(day)
        alerts = uow.watcher_alerts.counts(start, end)
    fields: dict[str, int | str] = defaultdict(int)
    fields["tasks_total"] = sum(tasks.values())
    for status in TaskStatus:
        fields[f"tasks:{status.value}"] = sum(n for (_, s), n in tasks.items() if s == status)
    for mp in Marketplace:
        fields[f"tasks:{mp.value}"] = sum(n for (m, _), n in tasks.items() if m == mp)
        for status in TaskStatus:
            fields[f"tasks:{mp.value}:{status.value}"] = tasks.get((mp, status), 0)
    fields["alerts_total"] = sum(alerts.values())
    for kind in AlertKind:
        fields[f"alerts:{kind.value}"] = sum(n for (k, _), n in alerts.items() if k == kind)
        for severity in Severity:
            fields[f"alerts:{kind.value}:{severity.value}"] = alerts.get((kind, severity.value), 0)
    fields["generated_at"] = now.isoformat()
    services.watcher_stats.write_daily_stats(day, dict(fields))
    return {"date": day.isoformat(), "stats": dict(fields)}


def generate_weekly_report(services: WatcherServices) -> dict[str, Any]:
    today = services.calendar.day(services.clock.now())
    days = [today - timedelta(days=n) for n in range(WEEK, 0, -1)]
    found = {day: services.watcher_stats.read_daily_stats(day) for day in days}
    present = [day for day in days if found[day]]
    period = {"from": days[0].isoformat(), "to": days[-1].isoformat()}
    if not present:
        return {"status": "no_data", "period": period}
    totals: dict[str, int] = defaultdict(int)
    for day in present:
        for name, value in found[day].items():
            if name != "generated_at" and value.lstrip("-").isdigit():
                totals[name] += int(value)
    return {
        "status": "success",
        "period": period,
        "days_with_data": len(present),
        "missing_days": [day.isoformat() for day in days if not found[day]],
        "tasks_total": totals.get("tasks_total", 0),
        "alerts_total": totals.get("alerts_total", 0),
        "totals": dict(sorted(totals.items())),
    }
