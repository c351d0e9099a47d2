"""Which infrastructure failures pass by themselves: the runner retries these (with the
transient floor of the catalogue) instead of dead-lettering the job at once.

A lost or refused database connection, Redis unreachable, a timeout. Each library is looked
at only if it is installed, so ``adolf[core]`` needs neither redis nor httpx.
"""

from __future__ import annotations

import sys


def is_transient(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:  # a wrapped cause counts too
        seen.add(id(current))
        if _transient(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, ConnectionError | TimeoutError):
        return True
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy_exc is not None:
        if isinstance(exc, sqlalchemy_exc.DBAPIError) and exc.connection_invalidated:
            return True
        if isinstance(exc, sqlalchemy_exc.OperationalError | sqlalchemy_exc.InterfaceError):
            return True  # the server went away, refused us, or the connection broke
        if isinstance(exc, sqlalchemy_exc.TimeoutError):  # the pool had no connection to give
            return True
    redis_exc = sys.modules.get("redis.exceptions")
    return redis_exc is not None and isinstance(exc, redis_exc.ConnectionError | redis_exc.TimeoutError)
