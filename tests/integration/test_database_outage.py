"""PostgreSQL unreachable (a real server behind a proxy the test cuts): a job failing on it is
retried as transient, and when its retries run out its dead letter waits in Redis and is
written, with its critical alert, once the database is back. Nothing vanishes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from redis import Redis
from sqlalchemy.engine import make_url

from adolf.adapters.redis.dead_letter_spool import RedisDeadLetterSpool
from adolf.adapters.sqlalchemy import migrate
from adolf.adapters.sqlalchemy.engine import build_engine
from adolf.adapters.transient import is_transient
from adolf.application.ports.tasks import TaskState
from adolf.application.runtime import TaskRunner
from adolf.container import build_container
from adolf.settings import load_settings
from tests.support.services import require_redis
from tests.support.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    proxy = TcpProxy(5432)
    try:
        yield proxy
    finally:
        proxy.close()


@pytest.fixture
def spool() -> Iterator[RedisDeadLetterSpool]:
    client = Redis.from_url(require_redis())
    spool = RedisDeadLetterSpool(client, key=f"test:dead_letter_spool:{uuid.uuid4().hex}")  # the test's own key
    try:
        yield spool
    finally:
        client.delete(spool.key)
        client.close()


def test_a_job_failing_on_an_unreachable_database_is_retried_then_dead_lettered_when_it_is_back(
    postgres_url: str, proxy: TcpProxy, spool: RedisDeadLetterSpool
) -> None:
    direct = build_engine(postgres_url)
    migrate.upgrade(direct)
    proxied = make_url(postgres_url).set(port=proxy.port).render_as_string(hide_password=False)
    settings = load_settings(database_url=proxied, extra_catalogues=("tests.support.parity_tasks:CATALOGUE",))
    container = build_container(settings)
    runner = TaskRunner(
        container.catalogue(), container.services, "inline", transient=is_transient, spool=lambda: spool
    )
    spec = runner.catalogue.get("parity.keyed_alert")
    policy = spec.retry.for_transient()
    assert spec.retry.max_retries == 0 and policy.max_retries >= 3  # it is the transient floor that retries
    try:
        assert runner.run("parity.keyed_alert", {"key": "before"}, "t-0").state is TaskState.SUCCEEDED
        proxy.cut()

        outcomes = [runner.run("parity.keyed_alert", {"key": "k"}, "t-1", attempt=n) for n in range(1, 5)]

        assert [o.state for o in outcomes] == [TaskState.RETRYING] * 3 + [TaskState.FAILED]
        assert all(o.error and o.error.startswith("OperationalError") for o in outcomes)
        [waiting] = spool.peek()
        assert (waiting.task_id, waiting.attempts) == ("t-1", 4)

        proxy.restore()
        assert runner.flush_spool() == 1
        assert spool.peek() == []
        with container.uow() as uow:
            [letter] = [d for d in uow.dead_letters.list(limit=50) if d.task_id == "t-1"]
            alerts = [a for a in uow.alerts.recent(limit=50, module="system") if a.details.get("task_id") == "t-1"]
        assert letter.attempts == 4 and letter.exception.startswith("OperationalError")
        assert len(alerts) == 1 and alerts[0].severity == "critical"
    finally:
        container.engine().dispose()
        migrate.downgrade(direct, "base")
        direct.dispose()
