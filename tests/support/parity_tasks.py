"""Tasks that exercise the runtime rules, loaded into workers with
ADOLF_EXTRA_CATALOGUES=tests.support.parity_tasks:CATALOGUE.

They keep their evidence (attempt times, runs) in Redis, which every backend's workers
share with the test process; ADOLF_TEST_REDIS_URL names the database.
"""

from __future__ import annotations

import os
import time
from typing import Any

from redis import Redis

from adolf.application.catalogue import Catalogue, RetryableError, RetryPolicy, TaskSpec
from adolf.application.ports.ads_marketplace import MarketplaceRejected
from adolf.application.ports.alerts import AlertRecord
from adolf.application.ports.services import Services

QUEUE = "parity.default"


def evidence() -> Redis:
    return Redis.from_url(os.environ.get("ADOLF_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))


def echo(services: Services, value: dict[str, Any]) -> dict[str, Any]:
    return {"echo": value}


def flaky(services: Services, key: str, failures: int) -> dict[str, Any]:
    r = evidence()
    r.rpush(f"parity:attempts:{key}", time.time())
    attempt = r.llen(f"parity:attempts:{key}")
    if attempt <= failures:
        raise RetryableError(f"attempt {attempt} of {key} fails on purpose")
    return {"attempts": attempt}


def always_fails(services: Services, key: str) -> None:
    evidence().rpush(f"parity:attempts:{key}", time.time())
    raise RetryableError(f"{key} always fails")


def typed(services: Services, count: int, label: str = "") -> dict[str, Any]:
    return {"count": count, "label": label}


def sleeper(services: Services, key: str, seconds: float) -> dict[str, Any]:
    evidence().rpush(f"parity:attempts:{key}", time.time())
    time.sleep(seconds)
    evidence().set(f"parity:finished:{key}", 1)
    return {"slept": seconds}


def effect(services: Services, key: str, seconds: float) -> dict[str, Any]:
    """An external effect guarded by an idempotency key, committed after a pause in which
    a test may kill the worker."""
    r = evidence()
    r.rpush(f"parity:attempts:{key}", time.time())
    with services.uow() as uow:
        claimed = uow.idempotency.claim(f"parity.effect:{key}", "parity.effect")
        if claimed:
            uow.alerts.add(
                AlertRecord(
                    module="parity",
                    type="effect",
                    severity="info",
                    message=key,
                    created_at=services.clock.now(),
                    details={"key": key},
                )
            )
        time.sleep(seconds)
        uow.commit()
    return {"claimed": claimed}


def locked(services: Services, key: str, seconds: float) -> dict[str, Any]:
    r = evidence()
    r.incr(f"parity:runs:{key}")
    time.sleep(seconds)
    return {"ran": True}


def locked_effect(services: Services, key: str, seconds: float) -> dict[str, Any]:
    """A locked job whose effect is keyed: a test kills its worker mid-job."""
    r = evidence()
    r.rpush(f"parity:attempts:{key}", time.time())
    time.sleep(seconds)
    with services.uow() as uow:
        uow.alerts.add(
            AlertRecord(
                module="parity",
                type="locked_effect",
                severity="info",
                message=key,
                created_at=services.clock.now(),
                dedupe_key=f"parity.locked_effect:{key}",
            )
        )
        uow.commit()
    return {"done": key}


def rejected(services: Services, key: str) -> None:
    evidence().rpush(f"parity:attempts:{key}", time.time())
    raise MarketplaceRejected(f"400: {key} refused")


def keyed_alert(services: Services, key: str) -> dict[str, Any]:
    with services.uow() as uow:
        added = uow.alerts.add(
            AlertRecord(
                module="parity",
                type="keyed",
                severity="info",
                message=key,
                created_at=services.clock.now(),
                dedupe_key=f"parity.keyed:{key}",
            )
        )
        uow.commit()
    return {"added": added is not None}


def unreachable(services: Services, key: str, failures: int) -> dict[str, Any]:
    """Fails like a lost database connection for the first ``failures`` attempts."""
    r = evidence()
    r.rpush(f"parity:attempts:{key}", time.time())
    if r.llen(f"parity:attempts:{key}") <= failures:
        raise ConnectionRefusedError(f"attempt of {key}: the database is unreachable")
    return {"attempts": r.llen(f"parity:attempts:{key}")}


CATALOGUE = Catalogue(
    [
        TaskSpec("parity.echo", echo, QUEUE),
        TaskSpec("parity.flaky", flaky, QUEUE, retry=RetryPolicy(max_retries=3, delay=1.0, backoff=True)),
        TaskSpec("parity.always_fails", always_fails, QUEUE, retry=RetryPolicy(max_retries=2, delay=0.5)),
        TaskSpec("parity.typed", typed, QUEUE),
        TaskSpec("parity.sleeper", sleeper, QUEUE, soft_time_limit=1, time_limit=2),
        TaskSpec("parity.effect", effect, QUEUE, time_limit=60, idempotent=True),
        TaskSpec("parity.locked", locked, QUEUE, lock="parity:lock:locked", time_limit=30),
        TaskSpec(
            "parity.locked_effect",
            locked_effect,
            QUEUE,
            lock="parity:lock:locked_effect",
            time_limit=60,
            idempotent=True,
        ),
        TaskSpec(
            "parity.rejected",
            rejected,
            QUEUE,
            retry=RetryPolicy(max_retries=3, delay=0.5, retry_on=(Exception,)),
        ),
        TaskSpec("parity.keyed_alert", keyed_alert, QUEUE, idempotent=True),
        TaskSpec("parity.unreachable", unreachable, QUEUE, idempotent=True),
    ]
)
