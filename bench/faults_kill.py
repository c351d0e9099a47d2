"""Scenario ``sigkill``: SIGKILL the worker in the middle of a bid cycle, N times.

Each trial queues a bid cycle at its slot, waits a random part of a cycle's measured
duration after it started, SIGKILLs the worker's whole session (Celery: main process and pool
child; RQ: worker, work horse and scheduler), starts a fresh worker and waits for the killed
job to come back (Celery: the broker's visibility timeout, lowered here to 30 s; RQ: the
lapsed heartbeat) and end. Then one more bid cycle runs at the next slot. At the end: jobs
with no outcome, keywords whose stored bid differs from the marketplace's, doubled bid
writes and duplicate alerts.
"""

from __future__ import annotations

import time
from collections import Counter

from faults_context import Context
from faults_measure import describe_lost, divergent_keywords, doubled_effects, duplicate_alerts, lost_jobs
from faults_report import Row
from faults_world import BID_CYCLE, TERMINAL

VISIBILITY_TIMEOUT = (
    30  # above a cycle's duration here (a fresh worker's first: ~20 s), so only a killed job comes back
)
REDELIVERY_WAIT = 120.0  # seconds a killed job may take to come back and end
CYCLE_WAIT = 300.0  # the cycle's hard limit


def sigkill_mid_cycle(ctx: Context, backend: str) -> Row:
    row = Row("sigkill", backend)
    world = ctx.world("sigkill", backend, campaigns=30, keywords=20, visibility_timeout=VISIBILITY_TIMEOUT)
    try:
        world.start_workers(1)
        cycles = world.fires(BID_CYCLE)
        durations = []
        for at, name in cycles[:2]:  # a fresh worker's first cycle is slow; the second is typical
            began = time.monotonic()
            world.wait(world.fire(at, name), CYCLE_WAIT)
            durations.append(time.monotonic() - began)
        duration = max(0.2, min(durations))
        ends: Counter[str] = Counter()
        missed = 0
        worst = 0
        for trial in range(ctx.trials_or(20)):
            if ctx.out_of_time(needed=REDELIVERY_WAIT):
                row.notes.append(f"deadline: stopped after {trial} trials")
                break
            killed = world.fire(*cycles[2 + 2 * trial])
            world.wait_started(killed, 30)
            time.sleep(ctx.rng.uniform(0.05, 0.9) * duration)
            if world.state(killed) in TERMINAL:
                missed += 1  # it ended before the kill landed: still counted, noted
            world.kill_workers()
            world.start_workers(1)
            ends[world.wait(killed, REDELIVERY_WAIT).value] += 1
            world.wait(world.fire(*cycles[3 + 2 * trial]), CYCLE_WAIT)
            world.drain(60)
            worst = max(worst, divergent_keywords(world))
            row.trials += 1
        lost = lost_jobs(world, world.task_ids)
        row.add(
            jobs_lost=sum(lost.values()),
            divergent_keywords=divergent_keywords(world),
            effects_doubled=doubled_effects(world),
            duplicate_alerts=duplicate_alerts(world),
        )
        row.notes.append("killed jobs ended " + ", ".join(f"{n} {s}" for s, n in sorted(ends.items())))
        row.notes.append(describe_lost(lost))
        if worst > (row.divergent_keywords or 0):
            row.notes.append(f"up to {worst} divergent after a trial")
        if missed:
            row.notes.append(f"{missed} kills landed after the cycle ended")
    finally:
        world.close()
    return row
