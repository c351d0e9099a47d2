"""Reputation's way from a poll to a draft, the same on inline, Celery and RQ (issue 12): a poll
of the simulated WB reviews stores the new items and records ``analyze_item`` for each; each
analysis records ``generate_response``; each draft leaves its item ``pending_review`` — or, for
the brand whose 5★ reviews skip the manager, ``approved`` with ``send_response`` recorded, which
publishes it. Every step goes through Reputation's outbox (topic ``reputation.dispatch``) and the
backend's queue, served by a real worker on ``reputation.default``.

Each item ends where the domain's rules say (``reputation_parity.expected_outcome``: the local
model's reading and draft, the draft checks, the brand's auto-approval), so the outcome is the
same on every backend; each step ran exactly once per item; the marketplace holds one answer
per published item and nothing else. A second poll finds only known items and queues nothing.
"""

from __future__ import annotations

from collections import Counter

import pytest
from redis import Redis

from adolf.adapters.redis.sim_clock import RedisSimulatedClock
from adolf.application.ports.tasks import TaskState
from adolf.application.reputation.dispatch import ANALYZE, GENERATE, SEND, TOPIC
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import ItemType
from adolf.domain.reputation.lifecycle import ItemStatus
from tests.integration.parity.harness import BackendHarness, wait_for
from tests.support.logistic_parity import runs_of, settled, wait_until
from tests.support.reputation_parity import (
    AUTO_APPROVE,
    NOW,
    expected_outcome,
    feed,
    outcomes,
    settings_env,
    start_workers,
)

POLL = "reputation.poll_wb_reviews"


@pytest.fixture
def worker_env(worker_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The parity suite's settings plus Reputation's (simulated clock at NOW, two brands, one
    auto-approving), for the workers and for the test process's container."""
    env = {**worker_env, **settings_env(worker_env)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    RedisSimulatedClock(Redis.from_url(env["ADOLF_REDIS_URL"])).set(NOW)
    return env


@pytest.mark.slow
def test_a_poll_takes_each_new_item_to_its_draft_the_same_way_on_every_backend(harness: BackendHarness) -> None:
    start_workers(harness)
    container = harness.container
    items, malformed = feed(Marketplace.WB, ItemType.REVIEW)
    expected = {external_id: expected_outcome(item) for external_id, item in items.items()}
    statuses = Counter((items[key].brand, outcome.status) for key, outcome in expected.items())
    # the instant was chosen for a mix: both brands wait for a manager, the auto brand also publishes
    assert statuses[("ohana_market", ItemStatus.PENDING_REVIEW)] >= 2, statuses
    assert statuses[(AUTO_APPROVE, ItemStatus.PENDING_REVIEW)] >= 1, statuses
    assert statuses[(AUTO_APPROVE, ItemStatus.PUBLISHED)] >= 2, statuses
    published = {key for key, outcome in expected.items() if outcome.status is ItemStatus.PUBLISHED}

    first = wait_for(harness.queue, harness.queue.enqueue(POLL, {}), timeout=30)

    assert first.state is TaskState.SUCCEEDED, first
    assert first.result["status"] == "ok", first.result
    assert first.result["fetched"] == first.result["new"] == first.result["analyze_enqueued"] == len(items)
    assert first.result["duplicates"] == 0 and first.result["skipped"] == malformed, first.result
    try:
        wait_until(
            lambda: outcomes(container) == expected and settled(harness, TOPIC),
            timeout=60,
            what=f"{harness.name}: every item at its expected end, queues and outbox empty",
        )
    except AssertionError:
        assert outcomes(container) == expected  # which items are not where they should be
        raise
    # each step once per item, none twice (a step queued twice would show as a second run)
    for task, count in ((ANALYZE, len(items)), (GENERATE, len(items)), (SEND, len(published))):
        runs = runs_of(harness, task)
        assert len(runs) == count, (task, runs)
        assert all(run.state is TaskState.SUCCEEDED for run in runs), runs
    market = container.reputation_marketplace()
    answers = {answer.external_id: answer.text for answer in market.answers()}
    assert answers == {key: expected[key].answer for key in published}
    assert market.counters()["already_answered"] == 0

    second = wait_for(harness.queue, harness.queue.enqueue(POLL, {}), timeout=30)

    assert second.state is TaskState.SUCCEEDED, second
    # the published ones are answered, so the marketplace no longer serves them
    assert second.result["fetched"] == second.result["duplicates"] == len(items) - len(published), second.result
    assert second.result["new"] == second.result["analyze_enqueued"] == 0, second.result
    assert second.result["skipped"] == malformed, second.result
    wait_until(lambda: settled(harness, TOPIC), timeout=15, what=f"{harness.name}: queues and outbox empty")
    assert len(runs_of(harness, ANALYZE)) == len(items)
    assert outcomes(container) == expected
