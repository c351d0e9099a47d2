"""What the fake's reputation routers (``wb_feedbacks``, ``ym``) share: the simulated feed's
unanswered rows, and the simulated reputation's publish with its failures turned into HTTP.

``unanswered`` reads what ``SimulatedReputation.fetch`` reads — the brand's raw rows of that
type written from ``since`` (or the feed's start) up to now and not yet answered, newest first,
malformed ones included — so the router can write each in its marketplace's wire shape and
the client, not the fake, decides which rows to skip (``served`` counts the malformed rows of a
page as the port counts those it skips). The list call is counted under the
simulated reputation's own counter (``calls <platform> <endpoint>``), and an outage planned in
its faults answers 503, as its port does. ``publish`` goes through the simulated reputation
itself: an item answered already, a refusal (404 for an id the brand never had, 400 else) and
a planted failure (502, 503 in an outage) come back as ``Published`` with the status to send.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from adolf.adapters.marketplaces.simulated.reputation import ENDPOINTS, SimulatedReputation
from adolf.adapters.marketplaces.simulated.reputation_feed import FeedRow
from adolf.application.ports.ads_marketplace import MarketplaceError, MarketplaceRejected
from adolf.application.reputation.marketplace import PublishOutcome
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import ItemType

from .common import FakeRefusal

_INSTANT = timedelta(microseconds=1)  # an item written at the very moment of the call is in it


def created_at(row: FeedRow) -> datetime:
    return row.created_at.astimezone(UTC)


def unanswered(
    sim: SimulatedReputation,
    api: str,
    platform: Marketplace,
    item_type: ItemType,
    brand: str,
    since: datetime | None,
    *,
    after: bool = False,
) -> list[FeedRow]:
    """The brand's unanswered rows created at or after ``since`` (strictly after with
    ``after``: YM's ``dateTimeFrom`` excludes it), newest first; 503 in a planned outage."""
    now = sim.clock.now()
    sim.state.count(f"calls {platform} {ENDPOINTS[(platform, item_type)][0]}")
    outage = sim.faults.outage(platform, now)
    if outage is not None:
        sim.state.count("outage_refusals")
        raise FakeRefusal(api, 503, f"service unavailable until {outage.end.isoformat()}")
    begin = sim.origin if since is None or since < sim.origin else since
    answered = sim.state.answered(platform, item_type, brand)
    rows = [
        row
        for row in sim.feed.rows(platform, item_type, brand, begin, now + _INSTANT)
        if row.external_id not in answered and not (after and since is not None and row.created_at <= since)
    ]
    rows.sort(key=lambda row: (row.created_at, row.external_id), reverse=True)
    return rows


def served(sim: SimulatedReputation, page: list[FeedRow]) -> list[FeedRow]:
    """``page``, its malformed rows counted as the simulated port counts the rows it skips
    (``skipped_rows``: its report's "malformed rows skipped by the polls"): here the client
    skips them, and each was sent once in a page."""
    broken = sum(1 for row in page if row.broken is not None)
    if broken:
        sim.state.count("skipped_rows", n=broken)
    return page


@dataclass(frozen=True, slots=True)
class Published:
    outcome: PublishOutcome | None  # None: refused or failed, ``status`` and ``message`` say how
    status: int = 200
    message: str = ""


def publish(
    sim: SimulatedReputation, platform: Marketplace, item_type: ItemType, brand: str, external_id: str, text: str
) -> Published:
    try:
        return Published(sim.publish(platform, item_type, brand, external_id, text))
    except MarketplaceRejected as refused:
        message = str(refused)
        return Published(None, 404 if " 404 " in message else 400, message)
    except MarketplaceError as failed:
        message = str(failed)
        return Published(None, 503 if " 503 " in message else 502, message)
