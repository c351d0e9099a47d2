"""How many times a broker has handed out one attempt of a job again.

Celery with ``acks_late`` + ``reject_on_worker_lost`` puts a job back on its queue whenever
the process running it dies, and a Redis broker redelivers the unacknowledged job of a dead
worker. That is the guarantee SPEC §2 asks for, but a job that kills its process every time
(out of memory on one input, a segfaulting library) would then loop for ever. Counting the
deliveries of each (job, attempt) lets the task give up after a few and dead-letter it, as
RQ's redelivery does.
"""

from __future__ import annotations

from redis import Redis

KEY = "adolf:deliveries:{task_id}:{attempt}"
STARTED = "adolf:started:{task_id}:{attempt}"
KEEP_SECONDS = 2 * 24 * 3600


class DeliveryCounter:
    def __init__(self, url: str) -> None:
        self._url = url
        self._client: Redis | None = None  # made in the worker's child, after the fork

    def count(self, task_id: str, attempt: int) -> int:
        """Count one more delivery of this attempt; the total counted so far."""
        if self._client is None:
            self._client = Redis.from_url(self._url)
        key = KEY.format(task_id=task_id, attempt=attempt)
        with self._client.pipeline() as pipe:
            pipe.incr(key)
            pipe.expire(key, KEEP_SECONDS)
            delivered, _ = pipe.execute()
        return int(delivered)

    def mark_started(self, task_id: str, attempt: int) -> None:
        """Note that this attempt began running (kept for jobs that must not run twice)."""
        self._redis().set(STARTED.format(task_id=task_id, attempt=attempt), 1, ex=KEEP_SECONDS)

    def was_started(self, task_id: str, attempt: int) -> bool:
        """A redelivered message of a job that had started (its worker died mid-job), as
        opposed to one a stopping worker handed back unstarted."""
        return bool(self._redis().exists(STARTED.format(task_id=task_id, attempt=attempt)))

    def _redis(self) -> Redis:
        if self._client is None:
            self._client = Redis.from_url(self._url)
        return self._client
