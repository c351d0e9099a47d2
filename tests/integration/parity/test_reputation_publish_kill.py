"""Publishing survives a worker kill with nothing published twice (issue 12), on Celery and RQ
with real worker processes (inline has no worker to kill).

Two approved answers are sent at once, each by its own worker, each job stopped at its own
point on its first delivery (``reputation_parity.PausingMarketplace``):

- (a) killed between the claim and the send: the outbox claim ``reputation.publish:{id}``
  committed, the marketplace not called yet;
- (b) killed after the send: the marketplace stored the answer, ``send_response`` did not
  record it.

Both workers are SIGKILLed (their whole process trees) and a new one started: the jobs come
back (Celery: late acknowledgement, the message handed out again after the visibility
timeout; RQ: the dead worker's abandoned execution redelivered, ``rq_workers``). (a)'s rerun
finds its claim pending and sends; (b)'s sends again and the marketplace answers
``ALREADY_ANSWERED``, which counts as published. Both items end ``published`` with exactly one
answer each on the marketplace, the second attempt of (b) counted and not stored.
"""

from __future__ import annotations

import pytest
from redis import Redis

from adolf.adapters.redis.sim_clock import RedisSimulatedClock
from adolf.application.ports.tasks import TaskState
from adolf.application.reputation.publishing import PUBLISH, publish_key
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import ItemType, ResponseStatus
from adolf.domain.reputation.lifecycle import ItemStatus
from tests.integration.parity.harness import BackendHarness, wait_for
from tests.support.logistic_parity import wait_until
from tests.support.parity_tasks import evidence
from tests.support.reputation_parity import (
    NOW,
    SEND_PAUSING,
    feed,
    reached_key,
    seed_approved,
    settings_env,
    start_workers,
)


@pytest.fixture
def worker_env(worker_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {**worker_env, **settings_env(worker_env)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    RedisSimulatedClock(Redis.from_url(env["ADOLF_REDIS_URL"])).set(NOW)
    return env


def _reached(item_id: int) -> str | None:
    raw = evidence().get(reached_key(item_id))
    return None if raw is None else raw.decode() if isinstance(raw, bytes) else str(raw)


@pytest.mark.slow
@pytest.mark.parametrize("harness", ["celery", "rq"], indirect=True)
def test_a_publish_killed_before_or_after_the_send_is_published_once(harness: BackendHarness) -> None:
    container = harness.container
    market = container.reputation_marketplace()
    items = sorted(feed(Marketplace.WB, ItemType.REVIEW)[0].values(), key=lambda item: item.external_id)[:2]
    before, after = seed_approved(container, items)
    by_id = dict(zip((before, after), items, strict=True))
    start_workers(harness, count=2)

    jobs = {
        before: harness.queue.enqueue(SEND_PAUSING, {"item_id": before, "pause": "before_send"}),
        after: harness.queue.enqueue(SEND_PAUSING, {"item_id": after, "pause": "after_send"}),
    }
    try:
        wait_until(
            lambda: (_reached(before), _reached(after)) == ("before_send", "after_send:published"),
            timeout=30,
            what=f"{harness.name}: both first deliveries at their kill points",
        )
    except AssertionError:
        assert (_reached(before), _reached(after)) == ("before_send", "after_send:published"), jobs
        raise

    # where each stands when its worker dies: both claimed, only (b)'s answer on the marketplace
    with container.uow() as uow:
        claims = {entry.key for entry in uow.outbox.pending(PUBLISH)}
        statuses = {i: item.status for i, item in uow.reputation_items.get_many([before, after]).items()}
    assert claims == {publish_key(before), publish_key(after)}
    assert statuses == {before: ItemStatus.APPROVED, after: ItemStatus.APPROVED}
    assert market.answer_of(Marketplace.WB, ItemType.REVIEW, by_id[before].external_id) is None
    assert market.answer_of(Marketplace.WB, ItemType.REVIEW, by_id[after].external_id) is not None

    harness.kill_worker()
    start_workers(harness)

    done = {item_id: wait_for(harness.queue, task_id, timeout=60) for item_id, task_id in jobs.items()}
    assert all(status.state is TaskState.SUCCEEDED for status in done.values()), done
    assert done[before].result["outcome"] == "published", done[before].result
    assert done[after].result["outcome"] == "already_answered", done[after].result
    with container.uow() as uow:
        owed = uow.outbox.pending(PUBLISH)
        now_items = uow.reputation_items.get_many(list(by_id))
        for item_id, item in by_id.items():
            answer = uow.reputation_responses.get(item_id)
            assert now_items[item_id].status is ItemStatus.PUBLISHED
            assert answer is not None and answer.status is ResponseStatus.PUBLISHED and answer.published_at
            stored = market.answer_of(Marketplace.WB, ItemType.REVIEW, item.external_id)
            assert stored is not None and stored.text == answer.text
    assert owed == []  # both claims marked sent
    # nothing published twice: one answer per item; (b)'s second send reached the marketplace,
    # was counted as already answered and stored nothing
    answers = [answer.external_id for answer in market.answers()]
    assert sorted(answers) == sorted(item.external_id for item in items)
    counters = market.counters()
    assert counters["already_answered"] == 1, counters
    assert market.calls(Marketplace.WB, ItemType.REVIEW, answer=True) == 3, counters
