"""Reputation's 14 tasks (SPEC §3 Reputation; seed 002 §7): schedules in Moscow time, the one
queue ``reputation.default`` (the seed's ``default``), retries as the SPEC sets them and the
seed's worker settings (prefetch 1; soft 300 s, hard 600 s).

- The six polls run every 5 minutes, staggered 0/50/100/150/200/250 s in the order WB
  reviews, WB questions, Ozon reviews, Ozon questions, YM reviews, YM questions (``Schedule``
  offsets, the same instants on every runtime), 3 × 60 s on a marketplace failure.
- ``analyze_item`` and ``generate_response`` 3 × 60 s (a model's timeout or a spent budget is a
  ``LanguageModelError``), ``regenerate_response`` 3 (60 s, as the seed's default delay),
  ``send_response`` 3 × 300 s; a refused request (``MarketplaceRejected``) never.
- The periodic jobs take a lock (``reputation:lock:{task}``) so a slow run and the next fire
  never overlap — except ``office_heartbeat``, a few reads and writes every minute. Event jobs
  never lock (a lock would make an event skip).
- Every job is idempotent (dedupe on insert, statuses compared and set, the publish claimed in
  the outbox), so a job whose worker died runs again.

Run by hand (``POST /reputation/tasks/{task}/run``): the polls, ``retry_failed_publish``,
``calculate_daily_analytics``, ``archive_old_items`` and ``regenerate_response``. The steps of
one item's way (``analyze_item``, ``generate_response``, ``send_response``) are started by
the job before them or a manager's action, which check the item's status first;
``office_heartbeat`` by its schedule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adolf.application.catalogue import Catalogue, RetryPolicy, Schedule, TaskSpec, WorkerProfile
from adolf.application.ports.ads_marketplace import MarketplaceError
from adolf.application.reputation import (
    analysis,
    archiving,
    daily_analytics,
    drafting,
    office_reporting,
    polling,
    publishing,
)
from adolf.application.reputation.language_model import LanguageModelError

DEFAULT = "reputation.default"
SOFT, HARD = 300, 600  # the seed's task_soft_time_limit / task_time_limit
URGENT, NORMAL, LOW = 3, 5, 8
RETRY_ON = (MarketplaceError, LanguageModelError, TimeoutError, ConnectionError)
POLLS = ("wb_reviews", "wb_questions", "ozon_reviews", "ozon_questions", "ym_reviews", "ym_questions")
STAGGER = 50  # seconds between one poll and the next within the 5 minutes


def _retry(count: int, delay: float) -> RetryPolicy:
    return RetryPolicy(max_retries=count, delay=delay, retry_on=RETRY_ON)


def _lock(task: str) -> str:
    return f"reputation:lock:{task}"


def _poll(index: int, which: str) -> TaskSpec:
    platform, kind = which.split("_")
    return TaskSpec(
        f"reputation.poll_{which}",
        getattr(polling, f"poll_{which}"),
        DEFAULT,
        Schedule.every(300, offset=index * STAGGER),
        retry=_retry(3, 60),
        soft_time_limit=SOFT,
        time_limit=HARD,
        priority=NORMAL,
        lock=_lock(f"poll_{which}"),
        idempotent=True,
        description=f"New {kind} of {platform} behind the circuit breaker {platform}:{kind[:-1]}; "
        "fetched/new/duplicates counted; analyze_item per new item.",
    )


def _event(
    name: str, handler: Callable[..., Any], retry: RetryPolicy, priority: int, description: str, manual: bool
) -> TaskSpec:
    return TaskSpec(
        f"reputation.{name}",
        handler,
        DEFAULT,
        retry=retry,
        soft_time_limit=SOFT,
        time_limit=HARD,
        priority=priority,
        idempotent=True,
        description=description,
        manual=manual,
    )


REPUTATION_CATALOGUE = Catalogue(
    [
        *(_poll(index, which) for index, which in enumerate(POLLS)),
        _event(
            "analyze_item",
            analysis.analyze_item,
            _retry(3, 60),
            NORMAL,
            "Sentiment, topics, urgency of a new item through the language model; then generate_response.",
            manual=False,
        ),
        _event(
            "generate_response",
            drafting.generate_response,
            _retry(3, 60),
            NORMAL,
            "A draft answer, checked: refused → stays analyzed with the reason; passed → pending_review "
            "(or approved and sent where the brand lets it skip the manager).",
            manual=False,
        ),
        _event(
            "regenerate_response",
            drafting.regenerate_response,
            _retry(3, 60),
            URGENT,
            "A new draft following a manager's instructions, checked as the first.",
            manual=True,
        ),
        _event(
            "send_response",
            publishing.send_response,
            _retry(3, 300),
            URGENT,
            "Publish an approved answer once (claimed in the outbox); failed → error and attempts kept.",
            manual=False,
        ),
        TaskSpec(
            "reputation.retry_failed_publish",
            publishing.retry_failed_publish,
            DEFAULT,
            Schedule("0 * * * *"),
            soft_time_limit=SOFT,
            time_limit=HARD,
            priority=NORMAL,
            lock=_lock("retry_failed_publish"),
            idempotent=True,
            description="send_response again for failed answers with fewer than 5 attempts (never a published one).",
        ),
        TaskSpec(
            "reputation.calculate_daily_analytics",
            daily_analytics.calculate_daily_analytics,
            DEFAULT,
            Schedule("0 1 * * *"),
            soft_time_limit=SOFT,
            time_limit=HARD,
            priority=LOW,
            lock=_lock("calculate_daily_analytics"),
            idempotent=True,
            description="Yesterday per platform × brand: total, reviews, questions, positive, negative, "
            "avg rating, published.",
        ),
        TaskSpec(
            "reputation.archive_old_items",
            archiving.archive_old_items,
            DEFAULT,
            Schedule("0 2 * * *"),
            soft_time_limit=SOFT,
            time_limit=HARD,
            priority=LOW,
            lock=_lock("archive_old_items"),
            idempotent=True,
            description="Published/skipped items older than 365 days → the archive table, counts checked.",
        ),
        TaskSpec(
            "reputation.office_heartbeat",
            office_reporting.office_heartbeat,
            DEFAULT,
            Schedule.every(60),
            soft_time_limit=20,
            time_limit=30,
            priority=NORMAL,
            idempotent=True,
            description="Heartbeat and metrics of the Office Dashboard's Reputation employees.",
            manual=False,
        ),
    ],
    profiles={"reputation": WorkerProfile(prefetch=1, max_tasks_per_child=1000)},
)
