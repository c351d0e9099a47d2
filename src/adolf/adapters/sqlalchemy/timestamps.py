"""SQLite drops the offset of a timestamp; every stored timestamp is UTC, so reading one
back without an offset means UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc(value: datetime) -> datetime:
    result = as_utc(value)
    assert result is not None
    return result
