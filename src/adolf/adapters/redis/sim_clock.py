"""The simulated clock shared by a simulation's driver and its worker processes.

`adolf simulate --backend celery|rq` moves time in Redis; workers read it there, so a
simulated week runs through real workers at the speed of the jobs.
"""

from __future__ import annotations

from datetime import datetime

from redis import Redis

KEY = "adolf:sim:now"


class SimulatedClockNotRunning(RuntimeError):
    pass


class RedisSimulatedClock:
    def __init__(self, client: Redis) -> None:
        self.client = client

    def now(self) -> datetime:
        raw = self.client.get(KEY)
        if raw is None:
            raise SimulatedClockNotRunning(
                f"ADOLF_CLOCK=simulated but no simulation publishes the time ({KEY} is unset)"
            )
        return datetime.fromisoformat(raw.decode() if isinstance(raw, bytes) else str(raw))

    def set(self, value: datetime) -> None:
        self.client.set(KEY, value.isoformat())

    def clear(self) -> None:
        self.client.delete(KEY)
