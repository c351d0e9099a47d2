"""What the suite counts, read from the stores themselves (never from the workers' word).

* a job's **outcome**: succeeded (the queue says so now or said so while the suite waited
  for it, or ``task_runs`` does), or dead-lettered
  (a ``dead_letters`` row with its id). Anything else — pending, retrying, skipped because a
  dead worker's lock was still held, unknown because the broker forgot it — is a lost job.
* **divergent keywords**: keywords whose bid in our ``keywords`` table differs from the bid
  the simulated marketplace reports through its API (``list_keywords``).
* **doubled effects**: ``bid_history`` rows beyond the first for the same keyword and
  idempotency key (or, without a key, the same keyword and instant).
* **duplicate alerts**: ``alerts`` rows beyond the first for the same module, type, subject,
  message and 15-minute slot.
"""

from __future__ import annotations

import time
from collections import Counter
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from adolf.application.ports.tasks import TaskState

DOUBLED_EFFECTS = """
SELECT coalesce(sum(n - 1), 0) FROM (
  SELECT count(*) AS n FROM bid_history
  GROUP BY keyword_id, coalesce(idempotency_key, cast(created_at AS text)) HAVING count(*) > 1
) AS doubled
"""
DUPLICATE_ALERTS = """
SELECT coalesce(sum(n - 1), 0) FROM (
  SELECT count(*) AS n FROM alerts
  GROUP BY module, type, coalesce(campaign_id, brand, ''), message,
           date_trunc('hour', created_at), floor(extract(minute FROM created_at) / 15)
  HAVING count(*) > 1
) AS duplicated
"""


def dead_lettered(engine: Any, task_ids: list[str]) -> set[str]:
    if not task_ids:
        return set()
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT task_id FROM dead_letters WHERE task_id = ANY(:ids)"), {"ids": task_ids})
        return {r[0] for r in rows}


def recorded_succeeded(engine: Any, task_ids: list[str]) -> set[str]:
    if not task_ids:
        return set()
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT task_id FROM task_runs WHERE task_id = ANY(:ids) AND state = :ok"),
            {"ids": task_ids, "ok": TaskState.SUCCEEDED.value},
        )
        return {r[0] for r in rows}


#: Seconds a scenario's jobs still in flight (waiting for a retry, queued) get to end before
#: those without an outcome are counted lost: a job retried 15 + 30 + 60 s later is not lost.
SETTLE = 150.0


def lost_jobs(world: Any, task_ids: list[str], settle: float = SETTLE) -> Counter[str]:
    """How many of ``task_ids`` have no outcome (neither succeeded nor dead-lettered), by
    the state the queue reports for them (``skipped``, ``unknown``, ``pending``, …), after
    giving the ones still in flight ``settle`` s in all to end."""
    deadline = time.monotonic() + settle
    for task_id in task_ids:
        if task_id not in world.seen:
            world.wait(task_id, max(0.0, deadline - time.monotonic()))
    engine = world.container.engine()
    settled = dead_lettered(engine, task_ids) | recorded_succeeded(engine, task_ids)
    settled |= {t for t, state in world.seen.items() if state is TaskState.SUCCEEDED}
    lost: Counter[str] = Counter()
    for task_id in task_ids:
        if task_id not in settled:
            state = world.state(task_id)
            if state is not TaskState.SUCCEEDED:
                lost[state.value] += 1
    return lost


def describe_lost(lost: Counter[str]) -> str:
    return "lost: " + ", ".join(f"{n} {state}" for state, n in sorted(lost.items())) if lost else ""


def divergent_keywords(world: Any) -> int:
    container = world.container
    divergent = 0
    with container.uow() as uow:
        campaigns = uow.campaigns.all()
        ours = uow.campaigns.keywords_of([c.id for c in campaigns], active_only=False)
    for campaign in campaigns:
        api = container.marketplaces()[campaign.marketplace]
        theirs = {k.external_id: k.bid for k in api.list_keywords(campaign.external_id).items}
        for keyword in ours.get(campaign.id, []):
            market_bid = theirs.get(keyword.external_id)
            if market_bid is not None and Decimal(market_bid) != Decimal(keyword.bid):
                divergent += 1
    return divergent


def _scalar(engine: Any, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar() or 0)


def doubled_effects(world: Any) -> int:
    return _scalar(world.container.engine(), DOUBLED_EFFECTS)


def duplicate_alerts(world: Any) -> int:
    return _scalar(world.container.engine(), DUPLICATE_ALERTS)
