"""``BidServices``: the agent protocol's fakes (``watcher_agents.AgentFakeServices``) with
Marketing's real side of the hand-off (``WatcherHandoff``) over the same unit of work, so a
test sees the competitor bids an agent's result stored; ``handoff_down`` makes it fail."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from adolf.application.marketing.watcher_handoff import WatcherHandoff
from tests.support.watcher_agents import AgentFakeServices


class HandoffDown(RuntimeError):
    pass


@dataclass
class BidServices(AgentFakeServices):
    handoff_down: bool = False

    @property
    def marketing_handoff(self) -> WatcherHandoff:
        if self.handoff_down:
            raise HandoffDown("the database went away")
        return WatcherHandoff(self)  # type: ignore[arg-type]

    def held(self) -> dict[str, tuple[Decimal, ...]]:
        """Keyword → the competitor bids Marketing holds for it."""
        store = self.unit_of_work.competitor_bids
        return {keyword: bids for (_mp, keyword), bids in store.bids.items()}
