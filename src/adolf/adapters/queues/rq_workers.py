"""The RQ worker our entrypoint runs: RQ's forking ``Worker`` plus redelivery of jobs whose
worker died (SPEC §2: "a job in flight when a worker dies runs again").

How RQ 3.0 treats a dead worker's job: the job's execution sits in the queue's
``StartedJobRegistry`` scored "last heartbeat + TTL"; the worker process refreshes it every
``job_monitoring_interval`` while its work horse runs. When the score lapses, RQ's
``StartedJobRegistry.cleanup`` (worker maintenance, every ``maintenance_interval``) retries
the job only if it has RQ retries left, and otherwise moves it to the failed registry —
with RQ's defaults (TTL = interval + 60 s, maintenance every 10 min) after up to ~11 min.

``AdolfWorker`` changes two things:
- a job's execution lapses ``ABANDON_GRACE`` s after its last heartbeat (heartbeats every
  ``JOB_MONITORING_INTERVAL`` s) instead of 60 s, and maintenance runs every
  ``MAINTENANCE_INTERVAL`` s (the idle loop wakes every ``WORKER_TTL - 15`` s), so an
  idle worker redelivers a dead worker's job ~15-30 s after the death;
- before RQ's own cleanup, ``redeliver_abandoned`` takes each lapsed execution (ZREM is
  the claim, so two workers never both requeue it) and puts the job back at the head of
  its queue without spending one of its retries. The job runs again, so jobs with
  external effects must be idempotent (they are: idempotency keys). A job that loses its
  worker more than ``MAX_REDELIVERIES`` times (one that kills the worker each time) is
  dead-lettered and failed.

RQ's own tooling cleans the started registry too (``rq info`` and dashboards count it), so
RQ may fail a lapsed job before one of our workers takes it: ``recover_failed_abandoned``
then takes it back out of the failed registry (RQ's "AbandonedJobError" failures of the
last ``RECOVERY_WINDOW`` s) and redelivers it the same way. If such a job still had RQ
retries left, RQ itself retried it and one retry is spent.

A work horse that dies on its own (OOM killer, segfault) while its worker lives is a failed
attempt: RQ retries it if the job has retries left, otherwise ``handle_work_horse_killed``
dead-letters it; a horse this worker had to kill past its hard limit is dead-lettered at
once, never retried.

Deployers running this entrypoint get the same guarantee; only busy workers delay it (a
worker runs maintenance between jobs).

A worker listens for RQ's commands (shutdown, stop/kill a job) on a pub/sub thread that
RQ 3.0 starts with a 60 s poll; at teardown it sends UNSUBSCRIBE, counting on the reply to
wake the thread, and then stops it. When the thread handles that reply before the stop
flag is down (a busy machine makes this 1 teardown in 5), it goes back to waiting up to
60 s for a subscription, and redis-py 8's ``PubSubWorkerThread.stop()`` joins it with no
bound (RQ's own ``join(timeout=1)`` comes after it): every burst worker so caught sat a
minute before exiting, a stopped worker likewise. ``AdolfWorker`` polls every
``PUBSUB_POLL`` s instead, so a teardown that loses this race waits at most that long.
Commands still arrive at once (the thread blocks on the socket between polls).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from redis import Redis
from rq import Queue, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.job_lifecycle import record_job_failure
from rq.utils import as_text, now, parse_composite_key

from adolf.adapters.queues.rq_jobs import FAILURE_TTL, REDELIVERED, SERIALIZER
from adolf.adapters.queues.worker_lost import MAX_REDELIVERIES
from adolf.adapters.queues.worker_metrics import forked_for_one_job
from adolf.application.catalogue import Catalogue

JOB_MONITORING_INTERVAL = 5
ABANDON_GRACE = 10
MAINTENANCE_INTERVAL = 10
#: Seconds between the command thread's checks of its stop flag (RQ's: 60): the bound on a
#: teardown that loses the unsubscribe race (module docstring).
PUBSUB_POLL = 1.0
WORKER_TTL = 20  # the idle dequeue wakes every WORKER_TTL - 15 s to heartbeat and maintain
#: Executions lapsing within this many seconds are taken too, so RQ's cleanup that runs
#: right after ours never finds one first. A live worker's execution is always scored at
#: least ABANDON_GRACE - JOB_MONITORING_INTERVAL s ahead.
CLAIM_MARGIN = 2.0
REDELIVERIES = "adolf_redeliveries"
RECOVERY_WINDOW = 120
#: Seconds a job must have sat in RQ's intermediate queue, unstarted, before it is requeued.
UNDELIVERED_GRACE = 5.0
_ABANDONED = "AbandonedJobError"

LostHandler = Callable[[Job, str], None]


class AdolfWorker(Worker):
    abandon_grace: int = ABANDON_GRACE
    on_lost: LostHandler | None = None
    _parent_pid: int = 0

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        interval = float(self.job_monitoring_interval)
        if job.timeout and job.timeout > 0:
            interval = max(0.0, min(job.timeout - working_time, interval))
        return int(interval) + self.abandon_grace

    def handle_work_horse_killed(self, job: Job, retpid: int, ret_val: int, rusage: Any) -> None:
        """The work horse died without reporting (killed past its hard limit by this worker,
        or by the OOM killer, a segfault): a failed attempt. Past the hard limit it is final;
        when no retry follows, the job is dead-lettered here, as the runner never could."""
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)  # type: ignore[no-untyped-call]
        ran = (now() - job.started_at).total_seconds() if job.started_at else 0.0
        if job.timeout and job.timeout > 0 and ran > job.timeout:
            job.retries_left = 0
            reason = f"work horse killed after running {ran:.0f} s, past its hard limit of {job.timeout} s"
        else:
            reason = f"work horse died (wait status {ret_val})"
        if not job.retries_left and self.on_lost is not None:
            self.on_lost(job, reason)

    def main_work_horse(self, job: Job, queue: Queue) -> None:
        """RQ puts the horse in a process group of its own, so killing the worker (or its
        group) left the horse running the job unseen, its lock alive, while the job was
        redelivered. The horse now dies with its worker; the job is redelivered as any job
        of a dead worker is."""
        die_with_parent(self._parent_pid)
        forked_for_one_job(self._parent_pid)
        super().main_work_horse(job, queue)  # type: ignore[no-untyped-call]

    def fork_work_horse(self, job: Job, queue: Queue) -> None:
        self._parent_pid = os.getpid()
        super().fork_work_horse(job, queue)  # type: ignore[no-untyped-call]

    def subscribe(self) -> None:
        """RQ's, with the command thread polling every ``PUBSUB_POLL`` s, not 60 s."""
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(  # type: ignore[assignment]
            sleep_time=PUBSUB_POLL, daemon=True, exception_handler=self._pubsub_exception_handler
        )

    def clean_registries(self) -> None:
        for queue in self.queues:
            redeliver_abandoned(queue, on_lost=self.on_lost)
            requeue_undelivered(queue)
        super().clean_registries()  # type: ignore[no-untyped-call]
        for queue in self.queues:
            recover_failed_abandoned(queue, on_lost=self.on_lost)


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this process when its parent dies (prctl PR_SET_PDEATHSIG);
    exit at once if the parent is already gone. Elsewhere, a no-op."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl: the horse outlives a killed worker, as before
        return
    if parent_pid and os.getppid() != parent_pid:
        os._exit(1)


def redeliver_abandoned(
    queue: Queue,
    *,
    at: float | None = None,
    max_redeliveries: int = MAX_REDELIVERIES,
    on_lost: LostHandler | None = None,
) -> list[str]:
    """Requeue (at the head) the jobs whose worker stopped heartbeating; return their ids."""
    registry = queue.started_job_registry
    cutoff = (time.time() if at is None else at) + CLAIM_MARGIN
    redelivered = []
    entries: list[bytes] = queue.connection.zrangebyscore(registry.key, 0, cutoff)  # type: ignore[assignment]
    for entry in entries:
        job_id, _execution = parse_composite_key(as_text(entry))
        try:
            job = queue.job_class.fetch(job_id, connection=queue.connection, serializer=queue.serializer)
        except NoSuchJobError:
            continue  # RQ's cleanup drops the entry
        if job.get_status(refresh=False) != JobStatus.STARTED:
            continue
        if not queue.connection.zrem(registry.key, entry):
            continue  # another worker claimed it
        if _redeliver(queue, job, max_redeliveries, on_lost):
            redelivered.append(job.id)
    return redelivered


def requeue_undelivered(queue: Queue, *, at: float | None = None, grace: float = UNDELIVERED_GRACE) -> list[str]:
    """Put back at the head of their queue the jobs a worker took off it but never started
    (it died, or lost Redis, between the two steps of RQ's dequeue): they sit in RQ's
    intermediate queue, which RQ itself only fails after a minute. Not a death mid-job:
    no redelivery is counted. A job seen there for less than ``grace`` s may be a live
    worker's between those two steps, and is left alone."""
    intermediate = queue.intermediate_queue
    registry = queue.started_job_registry
    cutoff = (time.time() if at is None else at) - grace
    requeued = []
    for job_id in intermediate.get_job_ids():
        if job_id in registry:
            continue
        intermediate.set_first_seen(job_id)
        first = intermediate.get_first_seen(job_id)
        if first is None or first.timestamp() > cutoff:
            continue
        if not queue.connection.lrem(intermediate.key, 1, job_id):
            continue  # another worker took it back first
        try:
            job = queue.job_class.fetch(job_id, connection=queue.connection, serializer=queue.serializer)
        except NoSuchJobError:
            continue
        queue.enqueue_job(job, at_front=True)
        requeued.append(job_id)
    return requeued


def recover_failed_abandoned(
    queue: Queue,
    *,
    at: float | None = None,
    max_redeliveries: int = MAX_REDELIVERIES,
    on_lost: LostHandler | None = None,
) -> list[str]:
    """Redeliver the jobs RQ's own cleanup failed as abandoned in the last
    ``RECOVERY_WINDOW`` s (the failed registry scores a job by failure time + failure_ttl)."""
    registry = queue.failed_job_registry
    now = time.time() if at is None else at
    recovered = []
    recent: list[bytes] = queue.connection.zrangebyscore(  # type: ignore[assignment]
        registry.key, now + FAILURE_TTL - RECOVERY_WINDOW, "+inf"
    )
    for raw in recent:
        job_id = as_text(raw)
        try:
            job = queue.job_class.fetch(job_id, connection=queue.connection, serializer=queue.serializer)
        except NoSuchJobError:
            continue
        result = job.latest_result()
        if result is None or _ABANDONED not in (result.exc_string or "").split("\n", 1)[0]:
            continue
        if not queue.connection.zrem(registry.key, raw):
            continue
        if _redeliver(queue, job, max_redeliveries, on_lost):
            recovered.append(job.id)
    return recovered


def _redeliver(queue: Queue, job: Job, max_redeliveries: int, on_lost: LostHandler | None) -> bool:
    count = int(job.meta.get(REDELIVERIES, 0)) + 1
    if count > max_redeliveries:
        _give_up(queue, job, f"worker lost {count} times while running the job", on_lost)
        return False
    job.meta[REDELIVERIES] = count
    job.meta[REDELIVERED] = True
    job.started_at = None
    job.ended_at = None
    queue.enqueue_job(job, at_front=True)
    return True


def _give_up(queue: Queue, job: Job, reason: str, on_lost: LostHandler | None) -> None:
    if on_lost is not None:
        on_lost(job, reason)
    with queue.connection.pipeline() as pipeline:
        record_job_failure(job, f"WorkerLost: {reason}", pipeline)
        pipeline.execute()


def ordered_queues(catalogue: Catalogue) -> list[str]:
    """Every catalogue queue, the ones holding the most urgent tasks first (RQ's worker
    takes from its queues in order)."""
    best: dict[str, int] = {}
    for spec in catalogue:
        best[spec.queue] = min(best.get(spec.queue, 9), spec.priority)
    return sorted(best, key=lambda name: (best[name], name))


def build_worker(
    redis: Redis,
    queues: Sequence[str],
    *,
    name: str | None = None,
    on_lost: LostHandler | None = None,
    result_ttl: int = 3600,
) -> AdolfWorker:
    worker = AdolfWorker(
        [Queue(q, connection=redis, serializer=SERIALIZER) for q in queues],
        name=name,
        connection=redis,
        serializer=SERIALIZER,
        default_result_ttl=result_ttl,
        worker_ttl=WORKER_TTL,
        job_monitoring_interval=JOB_MONITORING_INTERVAL,
        maintenance_interval=MAINTENANCE_INTERVAL,
    )
    worker.on_lost = on_lost
    return worker
