"""Scenario ``redis-restart``: the broker's Redis crashes mid-schedule and comes back.

Everything (broker, results, locks, the simulated clock) runs on a ``redis-server`` of the
suite's own, kept as compose.yaml deploys it (an append-only file, ``--appendfsync always``:
see ``faults_services.RedisServer``). Each trial: one bid cycle end to end (the fleet
works), then a bid cycle queued and Redis SIGKILLed a random moment later (while it waits
or runs), 5 s of outage, Redis restarted from its file on the same port, the clock published again,
then one more bid cycle, which a recovered fleet must run. Counted: queued bid cycles with
no outcome (jobs lost — a job that ran but whose result died with Redis counts too: its
outcome is gone), and crashes: worker processes that died, and fleets that did not run
the cycle queued after the restart.
"""

from __future__ import annotations

import time

from adolf.application.ports.tasks import TaskState
from faults_context import Context
from faults_measure import describe_lost, lost_jobs
from faults_report import Row
from faults_services import RedisServer
from faults_world import BID_CYCLE

OUTAGE = 5.0
RECOVERY_WAIT = 120.0


def redis_restart(ctx: Context, backend: str) -> Row:
    row = Row("redis-restart", backend)
    server = RedisServer(ctx.log_dir)
    server.start()
    world = ctx.world("redis-restart", backend, redis_url=server.url, campaigns=9, keywords=8)
    dead = stuck = 0
    try:
        world.start_workers(1)
        cycles = iter(world.fires(BID_CYCLE))
        for trial in range(ctx.trials_or(3)):
            if ctx.out_of_time(needed=RECOVERY_WAIT + 30):
                row.notes.append(f"deadline: stopped after {trial} trials")
                break
            world.wait(world.fire(*next(cycles)), RECOVERY_WAIT)
            at, name = next(cycles)
            inflight = world.fire(at, name)
            time.sleep(ctx.rng.uniform(0.0, 1.0))
            world.wait(inflight, 0)  # an end seen before the outage is an outcome
            server.stop()
            time.sleep(OUTAGE)
            server.start()
            world.clock.set(at)
            after = world.fire(*next(cycles))
            if world.wait(after, RECOVERY_WAIT) is not TaskState.SUCCEEDED:
                stuck += 1
            died = [p for p in world.workers if p.poll() is not None]
            if died:
                dead += len(died)
                world.workers = [p for p in world.workers if p.poll() is None]
                world.start_workers(1)  # the next trial needs a fleet
            row.trials += 1
        lost = lost_jobs(world, world.task_ids)
        row.add(jobs_lost=sum(lost.values()), crashes=dead + stuck)
        row.notes.append(describe_lost(lost))
        if dead:
            row.notes.append(f"{dead} worker processes died")
        if stuck:
            row.notes.append(f"{stuck} cycles queued after the restart never succeeded")
    finally:
        world.close()
        server.stop()
    return row
