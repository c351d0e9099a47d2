"""``generate_daily_tasks`` and ``regenerate_failed_tasks``: tonight's tasks created once and
queued once, with the night's stats hash, however often the job runs or fails."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from adolf.application.watcher.dispatch import LEFTOVER_AGE
from adolf.application.watcher.generation import generate_daily_tasks, regenerate_failed_tasks
from adolf.application.watcher.state_ports import GENERATION_TTL
from adolf.domain.watcher.tasks import MAX_ATTEMPTS, TaskStatus, claim, fail
from tests.support.fakes.watcher_services import FakeWatcherServices
from tests.unit.application.watcher.world import EVENING, OZON, WB, add_agent, add_listings, claim_next, queued, task

TONIGHT = date(2024, 5, 10)


@pytest.fixture(autouse=True)
def evening(services: FakeWatcherServices) -> None:
    services.clock.set(EVENING)


def test_generating_twice_for_a_date_creates_and_queues_each_task_once(services: FakeWatcherServices) -> None:
    add_listings(services, 3, WB)
    add_listings(services, 2, OZON)

    first = generate_daily_tasks(services)
    second = generate_daily_tasks(services)

    assert first["date"] == "2024-05-10"
    assert first["created"] == 5
    assert first["by_marketplace"] == {"wb": 3, "ozon": 2}
    assert second["created"] == 0 and second["by_marketplace"] == {}
    tasks = services.unit_of_work.watcher.tasks
    assert sorted(queued(services, WB) + queued(services, OZON)) == sorted(tasks)
    assert len(queued(services, WB)) == 3 and len(queued(services, OZON)) == 2
    assert all(t.scheduled_date == TONIGHT and t.status is TaskStatus.PENDING for t in tasks.values())


def test_each_marketplace_gets_one_push(services: FakeWatcherServices, monkeypatch: pytest.MonkeyPatch) -> None:
    add_listings(services, 4, WB)
    add_listings(services, 2, OZON)
    pushes: list[tuple[str, list[int]]] = []
    push = services.state.queue.push
    monkeypatch.setattr(
        services.state.queue, "push", lambda mp, ids: pushes.append((mp.value, list(ids))) or push(mp, ids)
    )

    generate_daily_tasks(services)

    assert sorted((mp, len(ids)) for mp, ids in pushes) == [("ozon", 2), ("wb", 4)]


def test_a_subscription_added_after_the_first_run_is_queued_by_the_second(services: FakeWatcherServices) -> None:
    add_listings(services, 2, WB)
    generate_daily_tasks(services)
    add_listings(services, 1, WB)

    again = generate_daily_tasks(services)

    assert again["created"] == 1
    assert len(queued(services, WB)) == 3
    assert len(set(queued(services, WB))) == 3


def test_the_night_is_described_in_its_stats_hash_for_seven_days(services: FakeWatcherServices) -> None:
    add_listings(services, 3, WB)
    generate_daily_tasks(services)
    generate_daily_tasks(services)  # a second run describes the same night, not its own zero

    stats = services.watcher_stats.read_generation(TONIGHT)
    assert stats["status"] == "completed"
    assert (stats["total"], stats["wb"], stats["ozon"], stats["ym"]) == ("3", "3", "0", "0")
    assert stats["created"] == "0"
    assert services.state.keys.ttl("watcher:generation:2024-05-10") == GENERATION_TTL


def test_tonight_is_the_local_day(services: FakeWatcherServices) -> None:
    add_listings(services, 1, WB)
    services.clock.set(EVENING.replace(hour=21, minute=30))  # 00:30 on the 11th in Moscow

    assert generate_daily_tasks(services)["date"] == "2024-05-11"


def test_a_failed_push_is_recorded_in_the_stats_hash_and_the_retry_queues_the_tasks(
    services: FakeWatcherServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_listings(services, 3, WB)

    def down(*_: object) -> int:
        raise ConnectionError("redis is away")

    with monkeypatch.context() as patched:
        patched.setattr(services.state.queue, "push", down)
        with pytest.raises(ConnectionError):
            generate_daily_tasks(services)

    failed = services.watcher_stats.read_generation(TONIGHT)
    assert failed["status"] == "failed" and "redis is away" in failed["error"]
    assert len(services.unit_of_work.watcher.tasks) == 3  # created and committed with their push owed
    assert queued(services, WB) == []

    services.clock.advance(300)  # the policy's retry
    retried = generate_daily_tasks(services)

    assert retried["created"] == 0
    assert sorted(queued(services, WB)) == sorted(services.unit_of_work.watcher.tasks)
    assert services.watcher_stats.read_generation(TONIGHT)["status"] == "completed"
    assert "error" not in services.watcher_stats.read_generation(TONIGHT)


def test_pushes_left_by_a_job_that_died_are_sent_by_the_next_watcher_job(
    services: FakeWatcherServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    from adolf.application.watcher import dispatch
    from adolf.application.watcher.agents_liveness import sync_agent_status

    add_listings(services, 2, WB)
    with monkeypatch.context() as patched:
        patched.setattr(dispatch, "flush", lambda services, keys=(): dispatch.Flushed())  # died after its commit
        generate_daily_tasks(services)
    assert queued(services, WB) == []

    sync_agent_status(services)  # too soon: the entry may still be its own job's
    assert queued(services, WB) == []
    services.clock.advance(LEFTOVER_AGE.total_seconds())
    sync_agent_status(services)

    assert sorted(queued(services, WB)) == sorted(services.unit_of_work.watcher.tasks)


def test_generation_reports_to_the_office(services: FakeWatcherServices) -> None:
    add_listings(services, 2, WB)
    generate_daily_tasks(services)

    card = services.status_board.get("office:agent:watcher_price_monitor")
    assert card["status"] == "idle"
    assert card["metric:tasks_generated"] == "2"


def _fail_for_good(services: FakeWatcherServices, task_id: int, agent_id: str) -> None:
    uow = services.unit_of_work
    current = task(services, task_id)
    for attempt in range(MAX_ATTEMPTS):
        if attempt:
            services.parsing_queue.remove(WB, task_id)
            agent = uow.watcher_agents.get(agent_id)
            assert agent is not None
            current = claim(current, agent, services.clock.now())
        current = fail(current, agent_id, "captcha page")
        uow.watcher_tasks.save(current)


def test_regenerate_puts_tasks_that_used_up_their_attempts_back_at_the_tail(services: FakeWatcherServices) -> None:
    add_listings(services, 3, WB)
    add_agent(services, "a1")
    generate_daily_tasks(services)
    [broken] = claim_next(services, "a1", 1)
    _fail_for_good(services, broken, "a1")
    assert task(services, broken).status is TaskStatus.FAILED
    waiting = queued(services, WB)

    result = regenerate_failed_tasks(services, date=TONIGHT)

    again = task(services, broken)
    assert result["regenerated"] == 1
    assert (again.status, again.retry_count, again.error, again.agent_id) == (TaskStatus.PENDING, 0, None, None)
    assert queued(services, WB) == [*waiting, broken]
    assert regenerate_failed_tasks(services, date=TONIGHT)["regenerated"] == 0
    assert queued(services, WB) == [*waiting, broken]


def test_regenerate_defaults_to_today_and_says_when_there_is_nothing(services: FakeWatcherServices) -> None:
    result = regenerate_failed_tasks(services)

    assert result == {"date": "2024-05-10", "regenerated": 0, "status": "no_failed_tasks"}


def test_a_day_later_the_stats_hash_of_the_night_is_still_there(services: FakeWatcherServices) -> None:
    add_listings(services, 1, WB)
    generate_daily_tasks(services)
    services.clock.advance(timedelta(days=6).total_seconds())

    assert services.watcher_stats.read_generation(TONIGHT)["total"] == "1"
