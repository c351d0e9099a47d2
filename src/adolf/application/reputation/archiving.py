"""``reputation.archive_old_items`` (02:00; SPEC §3, seed 002): published and skipped items created
more than a year ago (the domain's ``archive_cutoff``) move to the archive table with their
analysis and answer — moved, never lost.

Batches of ``BATCH`` items, one transaction each, until a batch moves nothing, so neither a
transaction nor the rows in memory grow with the backlog. Each batch checks the counts in its
own transaction: live + archived after = live + archived before, and the archive grew by what
moved. A batch that breaks this is rolled back and the job fails (``ArchiveMismatch``, naming
the counts): an item lost or doubled is an error to see, not to carry on from.
"""

from __future__ import annotations

from typing import Any

from adolf.application.reputation.ports import ReputationServices
from adolf.domain.reputation.archive import archive_cutoff

BATCH = 1_000


class ArchiveMismatch(RuntimeError):
    """A batch would change live + archived: nothing of it is kept."""


def archive_old_items(services: ReputationServices) -> dict[str, Any]:
    now = services.clock.now()
    cutoff = archive_cutoff(now)
    archived = batches = 0
    while True:
        with services.uow() as uow:
            live, kept = uow.reputation_archive.counts()
            moved = uow.reputation_archive.move_before(cutoff, BATCH)
            live_after, kept_after = uow.reputation_archive.counts()
            if live_after + kept_after != live + kept or kept_after - kept != moved:
                raise ArchiveMismatch(
                    f"batch {batches + 1}: moved={moved} but live {live} → {live_after}, "
                    f"archived {kept} → {kept_after}; rolled back"
                )
            uow.commit()
        if not moved:
            break
        archived += moved
        batches += 1
    return {
        "archived": archived,
        "batches": batches,
        "cutoff": cutoff.isoformat(),
        "live": live_after,
        "archive": kept_after,
    }
