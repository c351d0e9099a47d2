"""``FakeMarketplace``: an ``AdsMarketplace`` whose campaigns, keywords and stats the test sets.

Every call is recorded in ``calls`` as ``(method, args)`` before anything else happens, so a
failed call counts too. ``WRITES`` are the calls that change something at the marketplace. ``fail(method, campaign)`` makes a method raise ``MarketplaceError``
(for one campaign, or for all with ``campaign=None``). ``update_bids`` changes the remote
keywords and remembers its answer under the idempotency key: the same key again returns that
answer and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from adolf.application.ports.ads_marketplace import (
    BidChange,
    BidUpdateResult,
    CampaignBids,
    CampaignStats,
    Fetched,
    KeywordStats,
    MarketplaceError,
    RemoteCampaign,
    RemoteKeyword,
)
from adolf.domain.marketplace import Marketplace

WRITES = frozenset({"update_bids", "update_bids_batch", "pause_keywords", "pause_campaign", "start_campaign"})


def _no_sleep(seconds: float) -> None:
    return None


@dataclass
class FakeMarketplace:
    marketplace: Marketplace = Marketplace.WB
    campaigns: dict[str, RemoteCampaign] = field(default_factory=dict)
    keywords: dict[str, dict[str, RemoteKeyword]] = field(default_factory=dict)  # campaign ext -> kw ext -> kw
    campaign_stats_rows: dict[str, CampaignStats] = field(default_factory=dict)
    keyword_stats_rows: dict[str, list[KeywordStats]] = field(default_factory=dict)
    skipped: dict[str, tuple[str, ...]] = field(default_factory=dict)  # method -> malformed-row reasons
    reject: dict[str, str] = field(default_factory=dict)  # keyword ext -> why update_bids refuses it
    ping_seconds: float = 0.0
    sleeper: Callable[[float], None] = _no_sleep
    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    failures: set[tuple[str, str | None]] = field(default_factory=set)
    answers: dict[str, BidUpdateResult] = field(default_factory=dict)  # idempotency key -> first answer
    bid_updates_applied: int = 0  # keyword bids actually changed

    # -- test controls
    def fail(self, method: str, campaign: str | None = None) -> None:
        self.failures.add((method, campaign))

    def heal(self) -> None:
        self.failures.clear()

    def add_campaign(self, campaign: RemoteCampaign, keywords: Sequence[RemoteKeyword] = ()) -> None:
        self.campaigns[campaign.external_id] = campaign
        self.keywords.setdefault(campaign.external_id, {})
        for kw in keywords:
            self.keywords[campaign.external_id][kw.external_id] = kw

    def set_campaign_stats(self, *rows: CampaignStats) -> None:
        for row in rows:
            self.campaign_stats_rows[row.campaign_external_id] = row

    def set_keyword_stats(self, campaign_external_id: str, *rows: KeywordStats) -> None:
        self.keyword_stats_rows[campaign_external_id] = list(rows)

    def remote_bid(self, campaign_external_id: str, keyword_external_id: str) -> Decimal:
        return self.keywords[campaign_external_id][keyword_external_id].bid

    def calls_of(self, method: str) -> list[tuple[Any, ...]]:
        """Arguments of each call of ``method``; a batched bid update counts as one
        ``update_bids`` per campaign in it, as (campaign, changes, key)."""
        return [args for name, args in self._logical() if name == method]

    def writes(self) -> list[tuple[str, tuple[Any, ...]]]:
        return [(name, args) for name, args in self._logical() if name in WRITES]

    def _logical(self) -> list[tuple[str, tuple[Any, ...]]]:
        out: list[tuple[str, tuple[Any, ...]]] = []
        for name, args in self.calls:
            if name == "update_bids_batch":
                out.extend(("update_bids", (u.campaign_external_id, u.changes, u.idempotency_key)) for u in args[0])
            else:
                out.append((name, args))
        return out

    def _call(self, method: str, campaign: str | None, *args: Any) -> None:
        self.calls.append((method, args))
        if (method, None) in self.failures or (campaign is not None and (method, campaign) in self.failures):
            raise MarketplaceError(f"{self.marketplace.value} {method} failed for {campaign or 'all'} (fake)")

    # -- AdsMarketplace
    def ping(self) -> None:
        self.sleeper(self.ping_seconds)
        self._call("ping", None)

    def list_campaigns(self) -> Fetched[RemoteCampaign]:
        self._call("list_campaigns", None)
        return Fetched(tuple(self.campaigns.values()), self.skipped.get("list_campaigns", ()))

    def list_keywords(self, campaign_external_id: str) -> Fetched[RemoteKeyword]:
        self._call("list_keywords", campaign_external_id, campaign_external_id)
        rows = tuple(self.keywords.get(campaign_external_id, {}).values())
        return Fetched(rows, self.skipped.get("list_keywords", ()))

    def campaign_stats(self, campaign_external_ids: Sequence[str], day: date) -> Fetched[CampaignStats]:
        """``fail("campaign_stats")`` fails the call; ``fail("campaign_stats", c)`` makes
        campaign ``c`` come back in ``failed`` (with a reason in ``skipped``), no row."""
        self._call("campaign_stats", None, tuple(campaign_external_ids), day)
        failed = tuple(c for c in campaign_external_ids if ("campaign_stats", c) in self.failures)
        rows = tuple(
            self.campaign_stats_rows[c]
            for c in campaign_external_ids
            if c in self.campaign_stats_rows and c not in failed
        )
        skipped = (*self.skipped.get("campaign_stats", ()), *(f"campaign {c}: stats failed (fake)" for c in failed))
        return Fetched(rows, skipped, failed)

    def keyword_stats(self, campaign_external_id: str, day: date) -> Fetched[KeywordStats]:
        self._call("keyword_stats", campaign_external_id, campaign_external_id, day)
        rows = tuple(self.keyword_stats_rows.get(campaign_external_id, ()))
        return Fetched(rows, self.skipped.get("keyword_stats", ()))

    def keyword_stats_batch(self, campaign_external_ids: Sequence[str], day: date) -> Fetched[KeywordStats]:
        """One call for many campaigns; ``fail("keyword_stats", c)`` makes campaign ``c`` come back
        in ``failed`` (with a reason in ``skipped``), ``fail("keyword_stats_batch")`` fails the call."""
        self._call("keyword_stats_batch", None, tuple(campaign_external_ids), day)
        rows: list[KeywordStats] = []
        skipped = list(self.skipped.get("keyword_stats", ()))
        failed: list[str] = []
        for cid in campaign_external_ids:
            if {("keyword_stats", cid), ("keyword_stats_batch", cid)} & self.failures:
                failed.append(cid)
                skipped.append(f"campaign {cid}: keyword stats failed (fake)")
                continue
            rows.extend(replace(r, campaign_external_id=cid) for r in self.keyword_stats_rows.get(cid, ()))
        return Fetched(tuple(rows), tuple(skipped), tuple(failed))

    def update_bids(
        self, campaign_external_id: str, changes: Sequence[BidChange], idempotency_key: str
    ) -> BidUpdateResult:
        self._call("update_bids", campaign_external_id, campaign_external_id, tuple(changes), idempotency_key)
        return self._apply(campaign_external_id, changes, idempotency_key)

    def _apply(self, campaign_external_id: str, changes: Sequence[BidChange], idempotency_key: str) -> BidUpdateResult:
        if idempotency_key in self.answers:
            return self.answers[idempotency_key]
        remote = self.keywords.setdefault(campaign_external_id, {})
        applied: list[str] = []
        rejected: list[tuple[str, str]] = []
        for change in changes:
            if change.keyword_external_id in self.reject:
                rejected.append((change.keyword_external_id, self.reject[change.keyword_external_id]))
            elif change.keyword_external_id not in remote:
                rejected.append((change.keyword_external_id, "no such keyword in this campaign"))
            else:
                remote[change.keyword_external_id] = replace(remote[change.keyword_external_id], bid=change.bid)
                applied.append(change.keyword_external_id)
                self.bid_updates_applied += 1
        answer = BidUpdateResult(tuple(applied), tuple(rejected))
        self.answers[idempotency_key] = answer
        return answer

    def update_bids_batch(self, updates: Sequence[CampaignBids]) -> dict[str, BidUpdateResult]:
        """One recorded call for the whole batch; each campaign as ``update_bids`` would
        answer it, and a campaign set to fail (``fail("update_bids", cid)``) gets ``error``."""
        self._call("update_bids_batch", None, tuple(updates))
        results: dict[str, BidUpdateResult] = {}
        for update in updates:
            cid = update.campaign_external_id
            if ("update_bids", cid) in self.failures:
                results[cid] = BidUpdateResult((), (), f"update_bids of {cid} failed (fake)")
                continue
            results[cid] = self._apply(cid, update.changes, update.idempotency_key)
        return results

    def pause_keywords(self, campaign_external_id: str, keyword_external_ids: Sequence[str]) -> None:
        self._call("pause_keywords", campaign_external_id, campaign_external_id, tuple(keyword_external_ids))
        remote = self.keywords.get(campaign_external_id, {})
        for ext in keyword_external_ids:
            if ext in remote:
                remote[ext] = replace(remote[ext], status="paused")

    def pause_campaign(self, campaign_external_id: str) -> None:
        self._call("pause_campaign", campaign_external_id, campaign_external_id)
        if campaign_external_id in self.campaigns:
            self.campaigns[campaign_external_id] = replace(self.campaigns[campaign_external_id], status="paused")

    def start_campaign(self, campaign_external_id: str) -> None:
        self._call("start_campaign", campaign_external_id, campaign_external_id)
        if campaign_external_id in self.campaigns:
            self.campaigns[campaign_external_id] = replace(self.campaigns[campaign_external_id], status="active")
