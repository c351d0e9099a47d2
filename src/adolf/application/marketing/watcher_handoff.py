"""Marketing's side of Watcher's port (``MarketingHandoff``, issue 10), whole: dumping alerts
become recommendations (``dumping.DumpingRecommendations``), and the competitor bids Watcher's
agents saw on the search pages become the competitor bids the bid cycle reads
(``target_position`` holds its position against them; SPEC §4.1 "competitor bids supplied by
Watcher").

The bids of each keyword given replace what was kept for it (the store's ``replace`` is an
upsert per keyword: keywords not in this report keep their last observation and its time, so
a night whose tasks did not all finish leaves the older bids of the rest in place, their age
visible in ``observed_at``). Storing the same report twice stores the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from adolf.application.marketing.dumping import DumpingRecommendations
from adolf.domain.marketplace import Marketplace


class WatcherHandoff(DumpingRecommendations):
    def competitor_bids_observed(
        self, marketplace: Marketplace, bids: Mapping[str, Sequence[Decimal]], observed_at: datetime
    ) -> int:
        if not bids:
            return 0
        with self.services.uow() as uow:
            uow.competitor_bids.replace(marketplace, bids, observed_at)
            uow.commit()
        return len(bids)
