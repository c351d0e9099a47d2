"""Scenario ``pg-cut``: PostgreSQL goes away for ``--cut`` seconds (default 60) mid-schedule.

The workers reach PostgreSQL (our tables and the simulated market's) only through the
suite's TCP proxy; the driver, which seeds and measures, connects directly. Each trial runs
a stretch of the Marketing schedule — every fire (bid cycles, stats collection, budget
checks, …) from 08:00 on, one every ``PACE`` seconds of real time — and cuts the proxy
after the first few fires: every open connection reset, new ones refused, for the whole
cut, then restored. Afterwards every queued job must reach an outcome: succeeded (at once
or after retries) or dead-lettered. Counted: jobs lost (by the state they were left in) and
crashes (worker processes that died).
"""

from __future__ import annotations

import time
from datetime import time as clock_time

from faults_context import Context
from faults_measure import describe_lost, lost_jobs
from faults_proxy import TcpProxy
from faults_report import Row
from faults_services import PG_PORT
from faults_world import MOSCOW_TZ

PACE = 4.0  # seconds of real time between fires
BEFORE_CUT = 3  # fires before the cut
OUTCOME_WAIT = 420.0  # after the cut: the longest retry ladder of the marketing jobs, and some


def postgres_cut(ctx: Context, backend: str) -> Row:
    row = Row("pg-cut", backend)
    proxy = TcpProxy(PG_PORT)
    world = ctx.world("pg-cut", backend, worker_database_url=ctx.pg().url(proxy.port), campaigns=9, keywords=8)
    dead = 0
    try:
        world.start_workers(1)
        fires = [(at, n) for at, n in world.fires() if at.astimezone(MOSCOW_TZ).time() >= clock_time(8)]
        per_trial = BEFORE_CUT + int(ctx.cut_seconds / PACE) + 3
        for trial in range(ctx.trials_or(1)):
            if ctx.out_of_time(needed=ctx.cut_seconds + OUTCOME_WAIT):
                row.notes.append(f"deadline: stopped after {trial} trials")
                break
            stretch = fires[trial * per_trial : (trial + 1) * per_trial]
            cut_at = cut_until = None
            for n, (at, name) in enumerate(stretch):
                if n == BEFORE_CUT:
                    proxy.cut()
                    cut_at = time.monotonic()
                    cut_until = cut_at + ctx.cut_seconds
                world.fire(at, name)
                time.sleep(PACE)
                if cut_until is not None and time.monotonic() >= cut_until:
                    proxy.restore()
                    cut_until = None
            if cut_until is not None:
                time.sleep(max(0.0, cut_until - time.monotonic()))
                proxy.restore()
            deadline = time.monotonic() + OUTCOME_WAIT
            for task_id in world.task_ids:
                world.wait(task_id, max(1.0, deadline - time.monotonic()))
            row.trials += 1
        died = [p for p in world.workers if p.poll() is not None]
        dead = len(died)
        lost = lost_jobs(world, world.task_ids)
        row.add(jobs_lost=sum(lost.values()), crashes=dead)
        row.notes.append(f"{len(world.task_ids)} jobs, {proxy.refused} connections refused during cuts")
        row.notes.append(describe_lost(lost))
        if dead:
            row.notes.append(f"{dead} worker processes died")
    finally:
        world.close()
        proxy.close()
    return row
