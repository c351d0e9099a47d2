"""The Logistic section of ``adolf simulate``'s report, read from Logistic's stores, the jobs'
results, the seller's ledger and the two simulated Ozons once the run is over.

- ``tasks``: supply tasks by priority and status (all the run's days);
- ``deficits``: per priority, the tasks (each an article × cluster short of its target stock),
  their units and the units allocated from the 1C warehouse; ``coverage``: tasks fully,
  partly and not covered by the warehouse;
- ``per_day``: each day's tasks, deficit units, units allocated vs what the warehouse could
  give at 07:00 (its quantities less the units open tasks reserve), units shipped, and Ozon's
  stock-outs (article × cluster cells that ran out with demand unserved) and lost sales (units
  of demand unserved) with the supply tasks vs the baseline — the same seed, no supply ever
  shipped; ``outcome``: those summed over the run;
- ``seller``: what the simulated seller did (accepted, shipped, cancelled, ignored) and how many
  tasks ``auto_cancel_expired`` cancelled;
- ``one_c``: each morning's export (rows loaded and skipped by the loader, or missing) and what
  ``sync_brain_stocks`` made of it (validated / unmapped / anomaly / invalid / duplicates), the
  stale tables ``check_brain_freshness`` found, the unmapped codes as stored;
- ``alerts``: Logistic's alerts raised during the run, by type and severity.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from adolf.application.ports.tasks import TaskState
from adolf.domain.logistic.allocation import Coverage
from adolf.domain.logistic.deficit import SupplyPriority
from adolf.domain.logistic.supply_tasks import SupplyTaskStatus
from adolf.entrypoints.simulation.logistic_run import ALL, AUTO_CANCEL, LogisticDriver, SellerLedger

IMPORT_COUNTS = ("rows", "validated", "unmapped", "anomalies", "invalid", "duplicates")


def logistic_report(container: Any, options: Any, driver: LogisticDriver) -> dict[str, Any]:
    services = container.services()
    days = [options.start + timedelta(days=n) for n in range(options.days)]
    with services.uow() as uow:
        tasks = uow.logistic_tasks.listing(limit=ALL)
        alerts = uow.logistic_alerts.counts(options.start_at, options.end_at + timedelta(seconds=1))
        unmapped = uow.logistic_warehouse.unmapped(limit=100)
        warehouse = uow.logistic_warehouse.quantities()
    queue = container.task_queue()
    ledger = driver.ledger
    results = {name: _results(queue, ledger, found) for name, found in ledger.results.items()}
    return {
        "catalogue": driver.world.summary(),
        "tasks": _by_priority_and_status(tasks),
        "deficits": _deficits(tasks),
        "coverage": {c.value: sum(1 for t in tasks if t.coverage is c) for c in Coverage},
        "per_day": [_day(day, tasks, driver) for day in days],
        "outcome": _outcome(days, driver),
        "seller": {
            "accepted": ledger.accepted,
            "shipped": ledger.shipped,
            "shipped_units": sum(ledger.shipped_units.values()),
            "cancelled": ledger.cancelled,
            "ignored": ledger.ignored,
            "auto_cancelled": sum(
                r.get("cancelled_count", 0) for r in _all(queue, ledger, ledger.results.get(AUTO_CANCEL, []))
            ),
            "ozon_not_told": ledger.not_told,
        },
        "one_c": _one_c(days, driver, results, unmapped, warehouse),
        "alerts": _alerts(alerts),
    }


def _result(queue: Any, ledger: SellerLedger, task_id: str) -> dict[str, Any] | None:
    """The job's result if it succeeded: as the run saw it end (workers), else the queue's."""
    status = ledger.statuses.get(task_id) or queue.status(task_id)
    if status.state is TaskState.SUCCEEDED and isinstance(status.result, dict):
        return status.result
    return None


def _results(queue: Any, ledger: SellerLedger, found: list[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """Moscow day → the job's result (the last run of that day, succeeded)."""
    out: dict[str, dict[str, Any]] = {}
    for day, task_id in found:
        result = _result(queue, ledger, task_id)
        if result is not None:
            out[day] = result
    return out


def _all(queue: Any, ledger: SellerLedger, found: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Every result of the run's jobs ``found`` that succeeded."""
    return [result for _day, task_id in found if (result := _result(queue, ledger, task_id)) is not None]


def _by_priority_and_status(tasks: list[Any]) -> dict[str, dict[str, int]]:
    counts = Counter((t.priority.value, t.status.value) for t in tasks)
    return {
        priority.value: {status.value: counts[(priority.value, status.value)] for status in SupplyTaskStatus}
        for priority in SupplyPriority
    }


def _deficits(tasks: list[Any]) -> dict[str, dict[str, int]]:
    found = {}
    for priority in SupplyPriority:
        mine = [t for t in tasks if t.priority is priority]
        found[priority.value] = {
            "tasks": len(mine),
            "units": sum(t.quantity for t in mine),
            "allocated": sum(t.allocated for t in mine),
        }
    return found


def _day(day: date, tasks: list[Any], driver: LogisticDriver) -> dict[str, Any]:
    mine = [t for t in tasks if t.task_date == day]
    ledger, key = driver.ledger, day.isoformat()
    with_tasks, without = driver.world.ozon.outcome(day), driver.world.baseline.outcome(day)
    return {
        "day": key,
        "tasks": len(mine),
        **{p.value: sum(1 for t in mine if t.priority is p) for p in SupplyPriority},
        "deficit_units": sum(t.quantity for t in mine),
        "allocated": sum(t.allocated for t in mine),
        "warehouse_available": ledger.available.get(key),
        "shipped_units": ledger.shipped_units.get(key, 0),
        "stockouts": with_tasks.stockouts,
        "stockouts_baseline": without.stockouts,
        "lost_sales": with_tasks.lost,
        "lost_sales_baseline": without.lost,
        "sold": with_tasks.sold,
        "sold_baseline": without.sold,
    }


def _outcome(days: list[date], driver: LogisticDriver) -> dict[str, Any]:
    ozon, baseline = driver.world.ozon, driver.world.baseline
    mine = [ozon.outcome(day) for day in days]
    theirs = [baseline.outcome(day) for day in days]
    lost, lost_baseline = sum(o.lost for o in mine), sum(o.lost for o in theirs)
    return {
        "stockouts": sum(o.stockouts for o in mine),
        "stockouts_baseline": sum(o.stockouts for o in theirs),
        "stockouts_avoided": sum(o.stockouts for o in theirs) - sum(o.stockouts for o in mine),
        "lost_sales": lost,
        "lost_sales_baseline": lost_baseline,
        "lost_sales_avoided": lost_baseline - lost,
        "empty_at_end": mine[-1].empty_at_end if mine else 0,
        "empty_at_end_baseline": theirs[-1].empty_at_end if theirs else 0,
        "shipments": len(ozon.shipments()),
        "units_shipped": sum(s.units for s in ozon.shipments()),
        "units_arrived": sum(s.units for s in ozon.shipments() if days and s.arrives_on <= days[-1]),
    }


def _one_c(
    days: list[date],
    driver: LogisticDriver,
    results: dict[str, dict[str, dict[str, Any]]],
    unmapped: list[Any],
    warehouse: dict[int, int],
) -> dict[str, Any]:
    imports = results.get("logistic.sync_brain_stocks", {})
    freshness = results.get("logistic.check_brain_freshness", {})
    mornings = []
    for day in days:
        key = day.isoformat()
        loads = driver.ledger.loads.get(key)
        found = imports.get(key, {})
        mornings.append(
            {
                "day": key,
                "export": "missing" if key in driver.ledger.missing else ("loaded" if loads else "—"),
                "rows_loaded": sum(r["rows_loaded"] for r in loads.values()) if loads else 0,
                "rows_skipped": sum(r["rows_skipped"] for r in loads.values()) if loads else 0,
                **{name: found.get(name, 0) for name in IMPORT_COUNTS},
                "stale": freshness.get(key, {}).get("stale", []),
            }
        )
    return {
        "mornings": mornings,
        "totals": {name: sum(m[name] for m in mornings) for name in ("rows_loaded", "rows_skipped", *IMPORT_COUNTS)},
        "missing": list(driver.ledger.missing),
        "stale_days": [m["day"] for m in mornings if m["stale"]],
        "unmapped_codes": [{"code": u.code, "name": u.name, "times": u.times} for u in unmapped],
        "warehouse_units_now": sum(warehouse.values()),
    }


def _alerts(counts: dict[tuple[Any, Any], int]) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for (kind, severity), count in sorted(counts.items(), key=lambda kv: (kv[0][0].value, str(kv[0][1]))):
        level = getattr(severity, "value", str(severity))
        found.setdefault(kind.value, {})[level] = count
    return found
