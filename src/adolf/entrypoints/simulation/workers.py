"""`adolf simulate --backend celery|rq`: the same fires, run by real worker processes.

The driver owns the simulated clock (published in Redis, read by every worker through
ADOLF_CLOCK=simulated) and moves it to each fire in turn, queues the fire and waits for its
result before moving on, so the run stays deterministic whatever the worker count. The Redis
database is the run's alone: a second run given the same one waits for it to end
(``run_lock``), as its workers would otherwise run this run's jobs on their own data.

With Watcher the workers also serve its queues, the driver serves the agents' HTTP routes
(``watcher_run.serve``) and moves the clock to the agents' minutes too; jobs that other jobs
or the agents queue (a panic, an alert's notification and hand-off) are waited for before
the clock moves on (``settle``).

With Logistic the workers serve its queues too (``LOGISTIC_QUEUES``); its 1C exports and the
simulated seller are events this process runs (``logistic_run``), and the supplies the seller
ships reach the workers' simulated Ozons through the database (``fbo_sql_state``). Its chains
are waited for as inline runs them: ``generate_alerts`` after a stock sync before the clock
moves on (``settle``); the next analytics page, which Ozon's quota puts a minute later, at
that minute (``_Continuation``): the clock is moved there before the first fire at or after
it, and the page waited for — a real minute too, as its job's countdown is wall time (at the
default 40 articles Ozon's 28 days fit one page: no chain).

With Reputation the workers serve its queue too (``REPUTATION_QUEUES``); the simulated manager
is an event of this process (``reputation_run``), the marketplace's answers and counters are
shared through the database (``reputation_sql_state``), the breakers through Redis, and the
fault plan reaches the workers in ``ADOLF_SIM_REPUTATION_FAULTS``. A poll that brought new items
and a manager's round are followed by their jobs (analysis and drafts, sends and redrafts)
before the clock moves on (``settle``, countdowns left to run in their time). A failing poll's
retries are waited for like any job's, and their 60 s countdowns are wall time: the hour's
outage costs a Celery/RQ run a few real minutes (the inline run moves its clock to them).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from adolf.adapters.queues.waiting import wait_for
from adolf.adapters.redis.dead_letter_spool import KEY as DEAD_LETTER_SPOOL
from adolf.adapters.redis.sim_clock import RedisSimulatedClock
from adolf.application.logistic.ozon_fbo import ANALYTICS_INTERVAL
from adolf.application.ports.tasks import TaskStatus
from adolf.application.reputation.catalogue import DEFAULT as REPUTATION_DEFAULT
from adolf.application.tasks_catalogue import build_catalogue
from adolf.container import Container, build_container
from adolf.entrypoints.simulation.reputation_run import POLL_TASKS
from adolf.entrypoints.simulation.run import (
    Progress,
    SimulationOptions,
    finish,
    logistic_world,
    planned_fires,
    prepare,
    reputation_world,
    simulation_settings,
    watcher_fleet,
)
from adolf.entrypoints.simulation.run_lock import one_run_at_a_time
from adolf.entrypoints.simulation.watcher_agents import FLEET
from adolf.settings import mask_credentials

LOG = Path("var/simulation-workers.log")
QUEUES = ("marketing_high", "marketing_default", "marketing_low")
WATCHER_QUEUES = ("watcher.critical", "watcher.default", "watcher.heavy")
LOGISTIC_QUEUES = ("logistic.sync", "logistic.brain", "logistic.logic")
REPUTATION_QUEUES = (REPUTATION_DEFAULT,)
SETTLES_AFTER = frozenset({"watcher.check_alerts"})  # fires whose follow-up jobs the run waits for
STOCK_SYNC = "logistic.sync_ozon_stocks"  # chains generate_alerts (``chained``)
ANALYTICS = "logistic.sync_ozon_analytics"  # chains its next page a minute later (``continuing``/``quota``)


class WorkersDidNotStart(RuntimeError):
    pass


def run_with_workers(options: SimulationOptions, progress: Progress | None = None) -> dict[str, Any]:
    settings = simulation_settings(options, redis_url=options.redis_url, clock="simulated")
    container = build_container(settings)
    redis = container.redis()
    assert redis is not None  # simulation_settings above always sets redis_url
    # the clock, the queues and the workers are the database's: a second run there waits
    with one_run_at_a_time(container.lock(), f"the simulation's Redis database {mask_credentials(options.redis_url)}"):
        return _run(options, progress, settings, container, RedisSimulatedClock(redis))


def _run(
    options: SimulationOptions,
    progress: Progress | None,
    settings: Any,
    container: Container,
    clock: RedisSimulatedClock,
) -> dict[str, Any]:
    clock.set(options.start_at)
    workers: list[subprocess.Popen[bytes]] = []
    queues = (
        QUEUES
        + (WATCHER_QUEUES if options.watcher else ())
        + (LOGISTIC_QUEUES if options.logistic else ())
        + (REPUTATION_QUEUES if options.reputation else ())
    )
    try:
        setup = prepare(container, options)
        queue = container.task_queue()
        for name in queues:
            queue.purge(name)  # jobs left by an interrupted run would act on this one's data
        catalogue = build_catalogue()
        _forget_interrupted_run(container, catalogue)
        workers = _start_workers(options, _worker_env(settings), queues)
        _wait_until_up(container, expected=1)
        with (
            watcher_fleet(container, options, setup, wait=lambda job_id: wait_for(queue, job_id)) as fleet,
            tempfile.TemporaryDirectory(prefix="adolf-1c-") as extracts,
        ):
            logistic = logistic_world(container, options, setup, clock, Path(extracts))
            reputation = reputation_world(container, options, clock)
            pending: _Continuation | None = None
            for at, name in planned_fires(options):
                while pending is not None and pending.due <= at:
                    pending = pending.resolve(queue, clock, logistic)
                clock.set(at)
                if name == FLEET:
                    fleet.tick(at)
                elif logistic is not None and logistic.handles(name):
                    logistic.tick(at, name)
                elif reputation is not None and reputation.handles(name):
                    reputation.tick(at, name)
                    settle(queue, scheduled=False)  # the sends and redrafts the manager's actions queued
                else:
                    if logistic is not None:
                        logistic.before(name, at)
                    task_id = queue.enqueue(name, dict(catalogue.get(name).scheduled_payload))
                    status = wait_for(queue, task_id, timeout=600)
                    if logistic is not None:
                        logistic.enqueued(name, at, task_id)
                        logistic.finished(task_id, status)
                    if reputation is not None:
                        reputation.enqueued(name, at, task_id)
                        reputation.finished(task_id, status)
                    if _chained_now(name, status):
                        # not the analytics page held for its minute: that one runs at its minute;
                        # nor a send's retry, whose countdown is 300 s of wall time
                        settle(queue, scheduled=pending is None and name not in POLL_TASKS)
                    pending = _Continuation.after(name, status, at, queue) or pending
                if progress is not None:
                    progress(at, name)
            while pending is not None:
                pending = pending.resolve(queue, clock, logistic)
            clock.set(options.end_at)
            settle(queue)
            return finish(container, options, setup, fleet, logistic, reputation)
    finally:
        _stop(workers)
        clock.clear()


def _chained_now(name: str, status: TaskStatus) -> bool:
    """Whether the job queued follow-up jobs that run at once (the run waits for them)."""
    result = status.result if isinstance(status.result, dict) else {}
    if name in SETTLES_AFTER:
        return bool(result.get("jobs_enqueued"))
    if name in POLL_TASKS:
        return bool(result.get("analyze_enqueued"))
    return name == STOCK_SYNC and bool(result.get("chained"))


@dataclass(frozen=True)
class _Continuation:
    """The next page of ``sync_ozon_analytics``, queued with a countdown: due on the simulated
    clock ``due``, its job ``task_id``."""

    due: datetime
    task_id: str

    @classmethod
    def after(cls, name: str, status: TaskStatus, at: datetime, queue: Any) -> _Continuation | None:
        result = status.result if isinstance(status.result, dict) else {}
        if name != ANALYTICS or result.get("status") not in ("continuing", "quota"):
            return None
        return cls(at + timedelta(seconds=ANALYTICS_INTERVAL), _find_job(queue, ANALYTICS, exclude=status.task_id))

    def resolve(self, queue: Any, clock: Any, logistic: Any) -> _Continuation | None:
        """Move the clock to the page's minute, wait for it; the page after it, if any."""
        clock.set(self.due)
        status = wait_for(queue, self.task_id, timeout=600)
        if logistic is not None:
            logistic.finished(self.task_id, status)
        return _Continuation.after(ANALYTICS, status, self.due, queue)


def _find_job(queue: Any, name: str, exclude: str, timeout: float = 30.0) -> str:
    """The id of the job of task ``name`` waiting, held for its countdown or running (the
    follow-up the job ``exclude`` queued). A job held for its countdown whose name the backend
    does not tell yet (Celery's result backend knows a job once it starts) is taken for it:
    the run queues nothing else with a countdown."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = queue.jobs()
        for kind in ("scheduled", "reserved", "active"):
            for task_id in jobs.get(kind, []):
                known = queue.status(task_id).name
                if task_id != exclude and (known == name or (known is None and kind == "scheduled")):
                    return str(task_id)
        time.sleep(0.2)
    raise TimeoutError(f"{name}'s next page was not found queued within {timeout:.0f} s")


def _forget_interrupted_run(container: Container, catalogue: Any) -> None:
    """Locks and spooled dead letters an interrupted run left in the simulation's own Redis
    database: a lock of its killed worker would make this run skip its first cycles until
    the lock lapses, and its letters belong to the database this run empties."""
    lock = container.lock()
    names = [lock.key(spec.lock) for spec in catalogue if spec.lock]
    redis = container.redis()
    redis.delete(*names, DEAD_LETTER_SPOOL)
    # Watcher's queues, IP blocks and stats of an interrupted run: its tasks are gone with its database
    # and Reputation's breakers and poll marks: a breaker left open would refuse this run's polls
    stale = list(redis.scan_iter(match="watcher:*", count=1000))
    stale += list(redis.scan_iter(match="reputation:*", count=1000))
    if stale:
        redis.delete(*stale)


def settle(queue: Any, timeout: float = 300.0, poll: float = 0.1, *, scheduled: bool = True) -> None:
    """Wait until no job is waiting, reserved, running or (``scheduled``) held for a countdown
    on any queue (twice in a row: a running job may queue another as it ends)."""
    kinds = ("active", "reserved", "scheduled") if scheduled else ("active", "reserved")
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < 2:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the workers were still busy after {timeout:.0f} s")
        jobs = queue.jobs()
        busy = any(queue.queue_lengths().values()) or any(jobs.get(k) for k in kinds)
        quiet = 0 if busy else quiet + 1
        time.sleep(poll)


def _worker_env(settings: Any) -> dict[str, str]:
    env = {
        "ADOLF_DATABASE_URL": settings.database_url,
        "ADOLF_REDIS_URL": settings.redis_url,
        "ADOLF_QUEUE_BACKEND": settings.queue_backend.value,
        "ADOLF_CLOCK": "simulated",
        "ADOLF_SIM_SEED": str(settings.sim_seed),
        "ADOLF_SIM_CAMPAIGNS": str(settings.sim_campaigns),
        "ADOLF_SIM_KEYWORDS": str(settings.sim_keywords),
        "ADOLF_SIM_FBO_ARTICLES": str(settings.sim_fbo_articles),
        "ADOLF_TIMEZONE": settings.timezone,
        "ADOLF_SIM_STATE": "database",
        **({"ADOLF_SIM_REPUTATION_FAULTS": settings.sim_reputation_faults} if settings.sim_reputation_faults else {}),
        "ADOLF_REPUTATION_BREAKER_FAILURES": str(settings.reputation_breaker_failures),
        "ADOLF_LOG_FORMAT": "json",
    }
    return {**os.environ, **env}


def _start_workers(
    options: SimulationOptions, env: dict[str, str], queues: tuple[str, ...] = QUEUES
) -> list[subprocess.Popen[bytes]]:
    LOG.parent.mkdir(parents=True, exist_ok=True)
    log = LOG.open("ab")
    try:
        if options.backend == "celery":
            commands = [
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "adolf.entrypoints.celery_app",
                    "worker",
                    "-Q",
                    ",".join(queues),
                    "-c",
                    str(options.workers),
                    "--pool",
                    "prefork",
                    "-n",
                    f"simulation-{os.getpid()}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel",
                    "WARNING",
                ]
            ]
        else:
            listen = [arg for q in queues for arg in ("-q", q)]
            commands = [
                [
                    sys.executable,
                    "-m",
                    "adolf.entrypoints.rq_worker",
                    "worker",
                    *listen,
                    "--name",
                    f"simulation-{os.getpid()}-{n}",
                ]
                for n in range(options.workers)
            ]
        return [
            subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            for cmd in commands
        ]
    finally:
        log.close()


def _wait_until_up(container: Container, expected: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with suppress(Exception):  # the broker answers "no workers" as errors while they boot
            if len(container.task_queue().workers()) >= expected:
                return
        time.sleep(0.5)
    raise WorkersDidNotStart(f"no worker answered within {timeout:.0f} s; see {LOG}")


def _stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for proc in workers:
        if proc.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
    for proc in workers:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
