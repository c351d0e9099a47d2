"""Which items the archive takes (SPEC §3 ``archive_old_items``; seed 002: "записи старше 12
месяцев").

An item is archivable when it is finished — ``published`` or ``skipped`` — and was created
more than ``ARCHIVE_AFTER`` (365 days) before ``now``. The bound is strict, as the seed's
``created_at < cutoff``: an item created exactly 365 days ago stays live one more run. Items
still in work (new, analyzed, pending, approved, failed) are never archived, however old: the
archive is a record of what was done, not a way to drop what was not.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from adolf.domain.reputation.errors import InvalidReputation
from adolf.domain.reputation.items import Item
from adolf.domain.reputation.lifecycle import ItemStatus

__all__ = ["ARCHIVED_STATUSES", "ARCHIVE_AFTER", "archivable", "archive_cutoff"]

#: How long ago a finished item must have been created to move to the archive.
ARCHIVE_AFTER = timedelta(days=365)
ARCHIVED_STATUSES = frozenset({ItemStatus.PUBLISHED, ItemStatus.SKIPPED})


def archive_cutoff(now: datetime) -> datetime:
    """Items created before this moment (and finished) go to the archive."""
    if not isinstance(now, datetime) or now.utcoffset() is None:
        raise InvalidReputation(f"now={now!r} must be a time-zone aware datetime")
    return now - ARCHIVE_AFTER


def archivable(item: Item, now: datetime) -> bool:
    """Whether ``item`` goes to the archive at ``now``."""
    return item.status in ARCHIVED_STATUSES and item.created_at < archive_cutoff(now)
