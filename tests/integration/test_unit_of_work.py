"""The unit of work keeps what is committed and nothing else, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from adolf.adapters.sqlalchemy.app_unit_of_work import AppSqlUnitOfWork
from adolf.adapters.sqlalchemy.engine import build_session_factory
from adolf.application.ports.alerts import AlertRecord


def _alert(message: str) -> AlertRecord:
    return AlertRecord(
        module="system", type="test", severity="info", message=message, created_at=datetime(2026, 1, 1, tzinfo=UTC)
    )


def _messages(uow_factory: AppSqlUnitOfWork) -> list[str]:
    with uow_factory as uow:
        return [a.message for a in uow.alerts.recent()]


def test_committed_work_is_kept(migrated_engine: Engine) -> None:
    factory = build_session_factory(migrated_engine)
    with AppSqlUnitOfWork(factory) as uow:
        uow.alerts.add(_alert("kept"))
        uow.commit()
    assert _messages(AppSqlUnitOfWork(factory)) == ["kept"]


def test_work_without_commit_is_rolled_back(migrated_engine: Engine) -> None:
    factory = build_session_factory(migrated_engine)
    with AppSqlUnitOfWork(factory) as uow:
        uow.alerts.add(_alert("forgotten"))
    assert _messages(AppSqlUnitOfWork(factory)) == []


def test_an_error_rolls_back_the_whole_block(migrated_engine: Engine) -> None:
    factory = build_session_factory(migrated_engine)
    with pytest.raises(RuntimeError), AppSqlUnitOfWork(factory) as uow:
        uow.alerts.add(_alert("first"))
        uow.alerts.add(_alert("second"))
        raise RuntimeError("boom")
    assert _messages(AppSqlUnitOfWork(factory)) == []


def test_an_idempotency_key_is_claimed_once_and_the_transaction_survives(migrated_engine: Engine) -> None:
    factory = build_session_factory(migrated_engine)
    with AppSqlUnitOfWork(factory) as uow:
        assert uow.idempotency.claim("bid:1", "marketing.apply_bid_change") is True
        uow.commit()
    with AppSqlUnitOfWork(factory) as uow:
        assert uow.idempotency.claim("bid:1", "marketing.apply_bid_change") is False
        uow.alerts.add(_alert("after a duplicate key"))
        uow.commit()
    assert _messages(AppSqlUnitOfWork(factory)) == ["after a duplicate key"]


def test_many_keys_are_claimed_in_one_go_and_only_new_ones_come_back(migrated_engine: Engine) -> None:
    factory = build_session_factory(migrated_engine)
    with AppSqlUnitOfWork(factory) as uow:
        assert uow.idempotency.claim_many(["a", "b"], "t") == {"a", "b"}
        uow.commit()
    with AppSqlUnitOfWork(factory) as uow:
        assert uow.idempotency.claim_many(["b", "c", "c", "d"], "t") == {"c", "d"}
        assert uow.idempotency.claim("a", "t") is False
        uow.commit()
    with AppSqlUnitOfWork(factory) as uow:
        assert uow.idempotency.claim_many([], "t") == set()
