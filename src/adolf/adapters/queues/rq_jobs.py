"""The one RQ job function every task runs through, and the job options derived from a spec.

Every RQ job is ``execute(name, payload)``; the worker process's ``TaskRunner`` does the
rest (payload validation, lock, retry decision, dead letter). The worker entrypoint
installs the runner with ``install_runner``; a worker without one fails the job with
``RunnerNotInstalled`` rather than building a runner behind the deployer's back.

Outcome → RQ:
- SUCCEEDED / SKIPPED: the return value is the job's result (``{"skipped": reason}``).
- RETRYING: ``TaskRetrying`` is raised with the job set to retry once more after the
  runner's delay (``retries_left``/``retry_intervals`` rewritten in the horse, which RQ then
  reads), so the runner alone decides, as on Celery: a transient failure may get more
  retries than the policy the job was enqueued with. The attempt is kept in ``job.meta``.
- FAILED: the runner has already written the dead letter and the critical alert; the job's
  retries are zeroed and ``TaskFailed`` is raised, so RQ ends it failed without retrying.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rq import Retry, get_current_job
from rq.job import Job
from rq.serializers import JSONSerializer
from rq.timeouts import JobTimeoutException

from adolf.adapters.queues.worker_lost import WorkerLost
from adolf.adapters.queues.worker_metrics import horse_identity, start_worker_metrics
from adolf.application.catalogue import RetryPolicy, TaskSpec
from adolf.application.ports.tasks import TaskState
from adolf.application.runtime import TaskRunner

#: Only JSON travels through the queues: job arguments and results are stored as JSON.
SERIALIZER = JSONSerializer
#: Results are kept 1 h (SPEC §2).
RESULT_TTL = 3600
#: RQ keeps failed jobs a year by default; our dead_letters table is the record of a
#: permanent failure, so RQ's failed registry only needs to outlive a day of debugging.
FAILURE_TTL = 24 * 3600
#: Hard limit for specs without one; the same default ``TaskSpec.lock_ttl`` assumes.
DEFAULT_TIME_LIMIT = 600
#: Jobs of priority 0..2 go to the head of their queue (RQ has no per-job priority).
FRONT_OF_QUEUE_PRIORITY = 2
#: RQ stores scheduled times in whole seconds (floored) and its scheduler polls every
#: second, so a wait of ``d`` could end up to 1 s early; each retry wait is lengthened by
#: this much so a retry never comes before the policy's delay (at most ~2 s late).
SCHEDULE_RESOLUTION = 1.0

JOB_FUNCTION = "adolf.adapters.queues.rq_jobs.execute"
ATTEMPT = "adolf_attempt"
REDELIVERED = "adolf_redelivered"  # set on a job put back after its worker died mid-job

_runner: TaskRunner | None = None


class RunnerNotInstalled(RuntimeError):
    """The process runs RQ jobs but its entrypoint never called ``install_runner``."""


class TaskRetrying(Exception):
    """Raised out of a job so that RQ's ``Retry`` schedules the next attempt."""


class TaskFailed(Exception):
    """Raised out of a job that failed for good (already dead-lettered); never retried."""


def install_runner(runner: TaskRunner) -> None:
    """Called by the worker's main process before it forks a horse: the runner every horse
    inherits, and its metrics served (``worker_metrics``)."""
    global _runner
    _runner = runner
    start_worker_metrics(runner, horse_identity)


def uninstall_runner() -> None:
    global _runner
    _runner = None


def installed_runner() -> TaskRunner:
    if _runner is None:
        raise RunnerNotInstalled(
            "no TaskRunner is installed in this process: start workers with "
            "`python -m adolf.entrypoints.rq_worker worker` (or call "
            "adolf.adapters.queues.rq_jobs.install_runner first)"
        )
    return _runner


def retry_intervals(policy: RetryPolicy) -> list[float]:
    """The waits RQ's ``Retry(interval=[...])`` wants, from the policy (backoff, cap,
    jitter drawn once at enqueue), each lengthened by ``SCHEDULE_RESOLUTION``."""
    return [_retry_wait(d) for d in policy.intervals()]


def _retry_wait(delay: float) -> float:
    return round(delay + SCHEDULE_RESOLUTION, 3) if delay > 0 else 0.0


def rq_retry(policy: RetryPolicy) -> Retry | None:
    if policy.max_retries < 1:
        return None
    return Retry(max=policy.max_retries, interval=retry_intervals(policy))  # type: ignore[arg-type]


def job_options(spec: TaskSpec) -> dict[str, Any]:
    """RQ job options derived from the spec (``Queue.enqueue`` keyword arguments)."""
    options: dict[str, Any] = {
        "job_timeout": spec.time_limit or DEFAULT_TIME_LIMIT,
        "result_ttl": RESULT_TTL,
        "failure_ttl": FAILURE_TTL,
        "description": spec.name,
    }
    retry = rq_retry(spec.retry)
    if retry is not None:
        options["retry"] = retry
    return options


def at_front(priority: int) -> bool:
    return priority <= FRONT_OF_QUEUE_PRIORITY


def attempt_of(job: Job, spec: TaskSpec) -> int:
    """1 for the first delivery; kept in ``job.meta`` from the first retry on (a job
    enqueued by an older release counts down RQ's ``retries_left``)."""
    stored = job.meta.get(ATTEMPT)
    if stored:
        return int(stored)
    left = job.retries_left
    if left is None:
        return 1
    return max(1, spec.retry.max_retries - left + 1)


def execute(name: str, payload: Mapping[str, Any] | None = None) -> Any:
    """The job function of every task."""
    runner = installed_runner()
    job = get_current_job()
    if job is None:
        raise RuntimeError("adolf.adapters.queues.rq_jobs.execute runs inside an RQ worker only")
    try:
        spec = runner.catalogue.get(name)
    except LookupError:
        _no_more_retries(job)
        raise
    attempt = attempt_of(job, spec)
    redelivered = bool(job.meta.pop(REDELIVERED, False))
    if redelivered:
        job.save_meta()
    try:
        outcome = runner.run(name, payload, job.id, attempt, redelivered=redelivered)
    except JobTimeoutException as exc:
        # The hard limit fired outside the handler (the runner records it when inside).
        runner.dead_letter(spec, payload, job.id, exc, attempt)
        _no_more_retries(job)
        raise
    if outcome.state is TaskState.RETRYING:
        if not isinstance(outcome.exception, JobTimeoutException):
            job.meta[ATTEMPT] = attempt + 1
            job.save_meta()
            job.retries_left = 1
            job.retry_intervals = [_retry_wait(outcome.retry_in or 0.0)]
            raise TaskRetrying(outcome.error) from outcome.exception
        # A hard limit is final whatever the policy retries on.
        runner.dead_letter(spec, payload, job.id, outcome.exception or str(outcome.error), attempt)
        _no_more_retries(job)
        raise TaskFailed(outcome.error) from outcome.exception
    if outcome.state is TaskState.FAILED:
        _no_more_retries(job)
        raise TaskFailed(outcome.error) from outcome.exception
    return outcome.result


def _no_more_retries(job: Job) -> None:
    job.retries_left = 0


def dead_letter_lost(job: Job, reason: str) -> None:
    """Dead-letter a job given up on outside a work horse (``rq_workers`` redelivery)."""
    runner = installed_runner()
    name, payload = [*job.args, None, None][:2]
    spec = runner.catalogue.get(str(name))
    runner.dead_letter(spec, payload, job.id, WorkerLost(reason), attempt_of(job, spec))
