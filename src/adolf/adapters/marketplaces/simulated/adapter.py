"""``SimulatedAdsMarketplace``: the ``AdsMarketplace`` port over the simulated market.

It behaves like a real client: it converts units at the wire, parses and validates every
row, splits campaign stats into chunks of 50 (WB fullstats' limit) and counts every remote
call it makes, per method (a chunk is one ``campaign_stats`` call), in ``calls``.

It refuses what the marketplace's API cannot do, as the live client does: YM pauses and
starts a sales boost in the seller's cabinet only (SPEC §6), so ``pause_campaign`` and
``start_campaign`` on YM raise ``MarketplaceRejected`` with the live client's words, before
any call. A YM keyword pause stays: the live client takes the SKU out of the boost (bid 0),
which the wire-level fake turns into the same keyword pause of this market.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import TypeVar

from adolf.application.ports.ads_marketplace import (
    BidChange,
    BidUpdateResult,
    CampaignBids,
    CampaignStats,
    Fetched,
    KeywordStats,
    MarketplaceError,
    MarketplaceRejected,
    RemoteCampaign,
    RemoteKeyword,
)
from adolf.domain.marketplace import Marketplace

from . import parsing
from .faults import FaultInjector, Faults
from .market import SimulatedMarket
from .rows import RawRow

T = TypeVar("T")

#: campaigns per campaign_stats call (WB /adv/v3/fullstats takes at most 50 ids)
STATS_BATCH = 50


class SimulatedAdsMarketplace:
    def __init__(
        self,
        market: SimulatedMarket,
        marketplace: Marketplace,
        faults: Faults | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._market = market
        self._marketplace = marketplace
        self._sleep = sleep
        self.calls: Counter[str] = Counter()
        self.faults = faults or Faults()

    @property
    def marketplace(self) -> Marketplace:
        return self._marketplace

    @property
    def faults(self) -> Faults:
        return self._faults.faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        self._faults = FaultInjector(faults, self._market.meta.seed, self._marketplace, self._sleep)

    @property
    def total_calls(self) -> int:
        return self.calls.total()

    def reset_calls(self) -> None:
        self.calls.clear()

    def _call(self, method: str, campaign_id: str | None = None) -> None:
        self.calls[method] += 1
        self._faults.call(method, self._market.clock.now(), campaign_id)

    def _parse(
        self, entity: str, rows: Iterable[RawRow], parse: Callable[[Marketplace, parsing.Row], T]
    ) -> tuple[list[T], list[str]]:
        def one(row: parsing.Row) -> T:
            return parse(self._marketplace, row)

        items: list[T] = []
        skipped: list[str] = []
        for row in self._faults.corrupt(rows, one):
            try:
                items.append(one(row))
            except parsing.RowError as error:
                skipped.append(parsing.describe(entity, row, error))
        return items, skipped

    # -- the port ------------------------------------------------------------------------

    def ping(self) -> None:
        self._call("ping")

    def list_campaigns(self) -> Fetched[RemoteCampaign]:
        self._call("list_campaigns")
        items, skipped = self._parse("campaign", self._market.list_campaigns(self._marketplace), parsing.campaign)
        return Fetched(tuple(items), tuple(skipped))

    def list_keywords(self, campaign_external_id: str) -> Fetched[RemoteKeyword]:
        self._call("list_keywords", campaign_external_id)
        rows = self._market.list_keywords(self._marketplace, campaign_external_id)
        items, skipped = self._parse("keyword", rows, parsing.keyword)
        return Fetched(tuple(items), tuple(skipped))

    def campaign_stats(self, campaign_external_ids: Sequence[str], day: date) -> Fetched[CampaignStats]:
        """One call per chunk of 50 ids. A failing campaign's row is skipped with a reason,
        and so is an id the marketplace does not know; a failing call raises."""
        items: list[CampaignStats] = []
        skipped: list[str] = []
        ids = list(dict.fromkeys(campaign_external_ids))
        for start in range(0, len(ids), STATS_BATCH):
            chunk = ids[start : start + STATS_BATCH]
            self._call("campaign_stats")
            healthy = []
            for cid in chunk:
                try:
                    self._faults.check_campaign("campaign_stats", cid)
                except MarketplaceError as error:
                    skipped.append(f"campaign {cid}: {error}")
                    continue
                healthy.append(cid)
            rows = self._market.campaign_stats(self._marketplace, healthy, day) if healthy else []
            answered = {parsing.row_id(row) for row in rows}
            skipped.extend(f"campaign {cid}: no stats returned" for cid in healthy if cid not in answered)
            parsed, bad = self._parse("campaign", rows, parsing.campaign_stats)
            items.extend(parsed)
            skipped.extend(bad)
        return Fetched(tuple(items), tuple(skipped))

    def keyword_stats(self, campaign_external_id: str, day: date) -> Fetched[KeywordStats]:
        self._call("keyword_stats", campaign_external_id)
        rows = self._market.keyword_stats(self._marketplace, campaign_external_id, day)
        items, skipped = self._parse("keyword", rows, parsing.keyword_stats)
        return Fetched(tuple(items), tuple(skipped))

    def keyword_stats_batch(self, campaign_external_ids: Sequence[str], day: date) -> Fetched[KeywordStats]:
        """One call per chunk of 50 campaigns; a failing campaign's rows are skipped with a reason."""
        items: list[KeywordStats] = []
        skipped: list[str] = []
        failed: list[str] = []
        ids = list(dict.fromkeys(campaign_external_ids))
        for start in range(0, len(ids), STATS_BATCH):
            self._call("keyword_stats_batch")
            for cid in ids[start : start + STATS_BATCH]:
                try:
                    self._faults.check_campaign("keyword_stats", cid)
                except MarketplaceError as error:
                    skipped.append(f"campaign {cid}: {error}")
                    failed.append(cid)
                    continue
                rows = self._market.keyword_stats(self._marketplace, cid, day)
                parsed, bad = self._parse("keyword", rows, parsing.keyword_stats)
                items.extend(replace(row, campaign_external_id=cid) for row in parsed)
                skipped.extend(bad)
        return Fetched(tuple(items), tuple(skipped), tuple(failed))

    def update_bids(
        self, campaign_external_id: str, changes: Sequence[BidChange], idempotency_key: str
    ) -> BidUpdateResult:
        self._call("update_bids", campaign_external_id)
        return self._set_bids(campaign_external_id, changes, idempotency_key)

    def _set_bids(
        self, campaign_external_id: str, changes: Sequence[BidChange], idempotency_key: str
    ) -> BidUpdateResult:
        local: list[tuple[str, str]] = []
        wire_bids: list[tuple[str, int]] = []
        for change in changes:
            if not change.bid.is_finite():
                local.append((change.keyword_external_id, f"bid {change.bid} is not a number"))
            else:
                wire_bids.append((change.keyword_external_id, parsing.bid_to_wire(self._marketplace, change.bid)))
        answer = self._market.set_bids(self._marketplace, campaign_external_id, wire_bids, idempotency_key)
        self._faults.after_change("update_bids")
        applied = answer.get("applied")
        rejected = answer.get("rejected")
        if not isinstance(applied, list) or not isinstance(rejected, list):
            raise MarketplaceError(f"{self._marketplace} update_bids: unexpected answer {answer!r}")
        return BidUpdateResult(
            applied=tuple(str(kid) for kid in applied),
            rejected=(*local, *((str(kid), str(why)) for kid, why in rejected)),
        )

    def update_bids_batch(self, updates: Sequence[CampaignBids]) -> dict[str, BidUpdateResult]:
        """One call per chunk of 50 campaigns (WB ``PATCH /api/advert/v1/bids``). A failing
        campaign gets ``error`` and nothing applied; the others go through."""
        results: dict[str, BidUpdateResult] = {}
        for start in range(0, len(updates), STATS_BATCH):
            self._call("update_bids_batch")
            for update in updates[start : start + STATS_BATCH]:
                cid = update.campaign_external_id
                try:
                    self._faults.check_campaign("update_bids", cid)
                    results[cid] = self._set_bids(cid, update.changes, update.idempotency_key)
                except MarketplaceError as error:
                    results[cid] = BidUpdateResult((), (), f"campaign {cid}: {error}")
        return results

    def pause_keywords(self, campaign_external_id: str, keyword_external_ids: Sequence[str]) -> None:
        self._call("pause_keywords", campaign_external_id)
        self._market.pause_keywords(self._marketplace, campaign_external_id, keyword_external_ids)
        self._faults.after_change("pause_keywords")

    def _cabinet_only(self, verb: str, campaign_external_id: str) -> None:
        if self._marketplace is Marketplace.YM:
            raise MarketplaceRejected(
                f"campaign {campaign_external_id}: YM {verb} a sales boost in the seller's cabinet only, "
                "not through its API"
            )

    def pause_campaign(self, campaign_external_id: str) -> None:
        self._cabinet_only("pauses", campaign_external_id)
        self._call("pause_campaign", campaign_external_id)
        self._market.set_campaign_status(self._marketplace, campaign_external_id, active=False)
        self._faults.after_change("pause_campaign")

    def start_campaign(self, campaign_external_id: str) -> None:
        self._cabinet_only("starts", campaign_external_id)
        self._call("start_campaign", campaign_external_id)
        self._market.set_campaign_status(self._marketplace, campaign_external_id, active=True)
        self._faults.after_change("start_campaign")
