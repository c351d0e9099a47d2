"""One poller process for the shared circuit breaker test: ``python -m tests.support.breaker_worker
REDIS_URL PREFIX KEY ROUNDS NAME COOL_DOWN_S PROBE_TIMEOUT_S``.

It says it is ready (``{prefix}ready``), then for each round blocks on ``{prefix}go:{round}``
(the test pushes one token per worker at once, so they all ask together) — the token is the
time to ask at, in microseconds — asks the breaker, reports a failure if it got the probe (the
breaker reopens, ready for the next round's cool-down) and answers on ``{prefix}result:{round}``.
A round not started within 20 s ends the process (the test is gone).
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta

from redis import Redis

from adolf.adapters.redis.circuit_breaker import RedisCircuitBreaker, moment
from adolf.domain.reputation.circuit import BreakerPolicy


def main(argv: list[str]) -> int:
    url, prefix, key, rounds, name, cool_down, probe_timeout = argv
    client = Redis.from_url(url, client_name=name)  # the test waits until all its names block
    policy = BreakerPolicy(1, timedelta(seconds=float(cool_down)), timedelta(seconds=float(probe_timeout)))
    breaker = RedisCircuitBreaker(client, policy, prefix=prefix)
    client.rpush(f"{prefix}ready", name)
    for round_ in range(int(rounds)):
        popped = client.blpop([f"{prefix}go:{round_}"], timeout=20)
        if popped is None:
            return 2
        now = moment(int(popped[1]))
        permit = breaker.acquire(key, now)
        reported = breaker.failed(permit, now) if permit.probe else None
        answer = {
            "name": name,
            "allowed": permit.allowed,
            "probe": permit.probe,
            "state": permit.state.value,
            "opened": permit.transition is not None,
            "reopened": reported is not None,
        }
        client.rpush(f"{prefix}result:{round_}", json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
