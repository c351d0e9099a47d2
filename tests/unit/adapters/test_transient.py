"""Which failures the runner retries as transient: lost connections, not bugs or refusals."""

from __future__ import annotations

import pytest
import redis.exceptions
import sqlalchemy.exc

from adolf.adapters.transient import is_transient
from adolf.application.ports.ads_marketplace import MarketplaceRejected


def _wrapped(inner: BaseException) -> BaseException:
    try:
        try:
            raise inner
        except BaseException as exc:
            raise RuntimeError("the result store gave up") from exc
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize(
    "error",
    [
        sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly")),
        sqlalchemy.exc.InterfaceError("SELECT 1", {}, Exception("connection already closed")),
        sqlalchemy.exc.TimeoutError("QueuePool limit reached"),
        redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379"),
        redis.exceptions.TimeoutError("Timeout reading from socket"),
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError("timed out"),
        _wrapped(redis.exceptions.ConnectionError("Connection reset by peer")),
    ],
    ids=lambda e: type(e).__name__,
)
def test_a_lost_or_refused_connection_is_transient(error: BaseException) -> None:
    assert is_transient(error)


@pytest.mark.parametrize(
    "error",
    [
        sqlalchemy.exc.IntegrityError("INSERT", {}, Exception("duplicate key")),
        sqlalchemy.exc.ProgrammingError("SELECT", {}, Exception("no such column")),
        redis.exceptions.ResponseError("WRONGTYPE"),
        ValueError("a bug"),
        MarketplaceRejected("400: bid below minimum"),
        KeyError("x"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_a_bug_a_refusal_or_a_constraint_is_not_transient(error: BaseException) -> None:
    assert not is_transient(error)
