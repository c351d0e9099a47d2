"""Port: a unit of work — one transaction over the repositories a use case needs.

Used as a context manager; nothing is kept unless ``commit()`` is called, and leaving the
block (normally or by an exception) rolls back whatever was not committed.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self


class UnitOfWork(Protocol):
    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...
