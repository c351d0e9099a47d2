"""Scenario ``redelivery``: the Redis broker hands out again a job that already ran.

Celery on Redis redelivers an unacknowledged message once the visibility timeout passes;
with late acknowledgement a job is unacknowledged for as long as it runs. Here the timeout
is 1 s (``ADOLF_VISIBILITY_TIMEOUT``) and two worker processes take jobs; the driver holds
the simulated market's write lock for 4 s while a bid cycle runs (a slow marketplace), so
the cycle is handed out again while it runs and after it finished — what a job outliving
the real 7200 s would meet, or a worker dying between finishing and acking. Each trial
queues a bid cycle, waits for it and then for its redeliveries to arrive and end.
Counted: doubled bid writes, duplicate alerts, cycles left without an outcome (a
redelivered copy may overwrite a success with a skip); the note says how many deliveries
were repeats, read from the workers' logs.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import text

from faults_context import Context
from faults_measure import describe_lost, divergent_keywords, doubled_effects, duplicate_alerts, lost_jobs
from faults_report import Row
from faults_world import BID_CYCLE

VISIBILITY_TIMEOUT = 1
HOLD = 4.0  # seconds the market's write lock is held while a cycle runs (the market's answer is slow)
SETTLE = 15.0  # seconds for redeliveries to arrive and end after a job finished (restore scans every 1 s)
RECEIVED = re.compile(r"Task (\S+)\[([0-9a-f-]{36})\] received")


def _repeats(log_dir: Path) -> Counter[str]:
    """Deliveries beyond the first of each job, by task name, from the workers' logs."""
    received: Counter[tuple[str, str]] = Counter()
    for log in log_dir.glob("faults-celery-*.log"):
        received.update(RECEIVED.findall(log.read_text(errors="replace")))
    repeats: Counter[str] = Counter()
    for (name, _), n in received.items():
        if n > 1:
            repeats[name] += n - 1
    return repeats


def redelivered_finished_jobs(ctx: Context, backend: str) -> Row:
    row = Row("redelivery", backend)
    world = ctx.world("redelivery", backend, campaigns=30, keywords=20, visibility_timeout=VISIBILITY_TIMEOUT)
    try:
        world.start_workers(1, concurrency=2)
        cycles = world.fires(BID_CYCLE)
        for trial in range(ctx.trials_or(5)):
            if ctx.out_of_time(needed=SETTLE + 60):
                row.notes.append(f"deadline: stopped after {trial} trials")
                break
            with world.engine_for_market().begin() as conn:  # a slow marketplace: the cycle outlives 1 s
                conn.execute(text("UPDATE sim_lock SET n = n + 1"))
                task_id = world.fire(*cycles[trial])
                time.sleep(HOLD)
            world.wait(task_id, 300)
            time.sleep(SETTLE)
            world.drain(60)
            row.trials += 1
        lost = lost_jobs(world, world.task_ids)
        row.add(
            jobs_lost=sum(lost.values()),
            effects_doubled=doubled_effects(world),
            divergent_keywords=divergent_keywords(world),
            duplicate_alerts=duplicate_alerts(world),
        )
        repeats = _repeats(world.log_dir)
        row.notes.append(
            "repeat deliveries: " + (", ".join(f"{n} {name}" for name, n in repeats.most_common()) or "none")
        )
        row.notes.append(describe_lost(lost))
    finally:
        world.close()
    return row
