"""``YmBoostAds``: Marketing's ``AdsMarketplace`` port over Yandex.Market's "sales boost", one brand.

How the port meets YM's boost: YM runs one boost per business (the brand's cabinet, its id
from ``ym_reviews.business_ids_from_env``); a campaign of the port is one of the business's
shops (``GET /v2/campaigns``), a keyword one SKU of that shop with its bid, a percent of the
price. The port's bid is that percentage as a ``Decimal``; the wire's is percent × 100
(``wire_ym_boost.py`` converts, half up to a hundredth of a percent).

Calls (quotas and batch limits from ``quotas.py``; the client's limiter keeps them):

- ``list_campaigns``: ``GET /v2/campaigns`` (one call).
- ``list_keywords``: ``POST /v2/businesses/{id}/bids/info`` for one shop.
- ``campaign_stats`` / ``keyword_stats_batch``: one boost-consolidated report for the business
  and the day (``generate``, then ``reports/info`` until it is DONE, then its file) — the
  whole business in one report, whatever the number of shops (the file is read by its path
  from the API's host); the ids asked for are picked
  out of it, and an id the report does not carry is skipped as "no stats returned".
- ``update_bids_batch``: ``PUT /v2/businesses/{id}/bids`` per 1500 SKUs, the SKUs of every
  campaign together. YM refuses such a call whole when one bid is bad (400): the chunk is then
  halved until each bad bid is alone, so the good bids land and each bad one gets YM's reason
  (a few calls per bad bid). YM has no idempotency key; a bid is a value, so a repeated call
  changes nothing (the key is accepted and not sent).
- ``pause_keywords``: the same ``PUT`` with bid 0, which takes the SKUs out of the boost.
- ``pause_campaign`` / ``start_campaign`` raise ``MarketplaceRejected``: YM pauses a boost in
  the cabinet only. Pausing every SKU by bid 0 instead would not be the simulated adapter's
  campaign pause (its status stays active and its keywords' own statuses are lost, so a start
  could not restore them); refusing keeps a run over HTTP honest about what it did — the bid
  cycle records the effect as failed and the campaign as it was.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import TypeVar

import httpx

from adolf.adapters.marketplaces.http.client import MarketplaceHttpClient
from adolf.adapters.marketplaces.http.errors import FailedCall, RejectedCall
from adolf.adapters.marketplaces.http.factory import MarketplaceClients
from adolf.adapters.marketplaces.http.quotas import YM, quota_of
from adolf.adapters.marketplaces.http.validation import parse_model, parse_page
from adolf.application.ports.ads_marketplace import (
    BidChange,
    BidUpdateResult,
    CampaignBids,
    CampaignStats,
    Fetched,
    KeywordStats,
    MarketplaceRejected,
    RemoteCampaign,
    RemoteKeyword,
)
from adolf.domain.marketplace import Marketplace

from . import wire_ym_boost as w

T = TypeVar("T")

CAMPAIGNS, BIDS_INFO, BIDS = "ym.campaigns", "ym.bids.info", "ym.bids"
REPORT, REPORT_INFO, REPORT_FILE = "ym.boost.report", "ym.report.info", "ym.report.file"
#: status polls before a report that is still not DONE fails the call (the client's limiter
#: spaces them by the endpoint's quota)
REPORT_POLLS = 30


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class YmBoostAds:
    def __init__(self, http: MarketplaceHttpClient, business_id: int) -> None:
        self._http = http
        self._business = business_id

    @classmethod
    def for_brand(cls, clients: MarketplaceClients, brand: str, business_id: int) -> YmBoostAds:
        return cls(clients.client(YM, brand), business_id)

    @property
    def marketplace(self) -> Marketplace:
        return Marketplace.YM

    # -- campaigns -------------------------------------------------------------------------

    def ping(self) -> None:
        self._http.request(CAMPAIGNS, "GET", "/v2/campaigns")

    def list_campaigns(self) -> Fetched[RemoteCampaign]:
        reply = self._http.request_json(CAMPAIGNS, "GET", "/v2/campaigns")
        return parse_page(CAMPAIGNS, reply, w.Campaign, ("campaigns",), convert=_campaign, id_field="id")

    def list_keywords(self, campaign_external_id: str) -> Fetched[RemoteKeyword]:
        body = {"campaignId": _shop_id(campaign_external_id)}
        reply = self._http.request_json(BIDS_INFO, "POST", f"/v2/businesses/{self._business}/bids/info", json=body)

        def keyword(row: w.Bid) -> RemoteKeyword:
            return RemoteKeyword(
                external_id=row.sku,
                campaign_external_id=campaign_external_id,
                phrase=row.name,
                bid=w.wire_to_percent(row.bid),
                status=_status(row.status),
                min_bid=None if row.minBid is None else w.wire_to_percent(row.minBid),
            )

        return parse_page(BIDS_INFO, reply, w.Bid, ("result", "bids"), convert=keyword, id_field="sku")

    # -- statistics ------------------------------------------------------------------------

    def _report(self, day: date) -> list[object]:
        body = {"businessId": self._business, "dateFrom": day.isoformat(), "dateTo": day.isoformat()}
        reply = self._http.request_json(
            REPORT, "POST", "/v2/reports/boost-consolidated/generate", params={"format": "JSON"}, json=body
        )
        report = parse_model(REPORT, _result(REPORT, reply), w.ReportId).reportId
        for _ in range(REPORT_POLLS):
            info = parse_model(
                REPORT_INFO,
                _result(REPORT_INFO, self._http.request_json(REPORT_INFO, "GET", f"/v2/reports/info/{report}")),
                w.ReportInfo,
            )
            if info.status == w.REPORT_FAILED:
                raise FailedCall(REPORT_INFO, None, f"report {report} failed: {info.subStatus or 'no reason given'}")
            if info.status == w.REPORT_DONE and info.file:
                rows = self._http.request_json(REPORT_FILE, "GET", _path_of(info.file))
                campaigns = rows.get("campaigns") if isinstance(rows, dict) else None
                if not isinstance(campaigns, list):
                    raise FailedCall(REPORT_FILE, None, f"report {report}: the file has no list 'campaigns'")
                return campaigns
        raise FailedCall(REPORT_INFO, None, f"report {report} not ready after {REPORT_POLLS} polls")

    def campaign_stats(self, campaign_external_ids: Sequence[str], day: date) -> Fetched[CampaignStats]:
        ids = list(dict.fromkeys(campaign_external_ids))
        rows = self._report(day)
        wanted = [row for row in rows if isinstance(row, dict) and str(row.get("campaignId")) in ids]
        page = parse_page(
            REPORT_FILE,
            wanted,
            w.CampaignReport,
            convert=lambda r: CampaignStats(str(r.campaignId), day, r.shows, r.clicks, r.orders, r.spending, r.revenue),
            id_field="campaignId",
        )
        came = {str(row.get("campaignId")) for row in wanted if isinstance(row, dict)}
        missing = tuple(f"campaign {cid}: no stats returned" for cid in ids if cid not in came)
        return Fetched(page.items, (*page.skipped, *missing))

    def keyword_stats(self, campaign_external_id: str, day: date) -> Fetched[KeywordStats]:
        return self.keyword_stats_batch([campaign_external_id], day)

    def keyword_stats_batch(self, campaign_external_ids: Sequence[str], day: date) -> Fetched[KeywordStats]:
        ids = list(dict.fromkeys(campaign_external_ids))
        rows = self._report(day)
        wanted = [row for row in rows if isinstance(row, dict) and str(row.get("campaignId")) in ids]
        campaigns = parse_page(REPORT_FILE, wanted, w.CampaignReport, id_field="campaignId")
        items: list[KeywordStats] = []
        skipped = list(campaigns.skipped)
        for campaign in campaigns.items:
            cid = str(campaign.campaignId)

            def keyword(row: w.OfferStats, cid: str = cid) -> KeywordStats:
                return KeywordStats(
                    row.sku, day, row.shows, row.clicks, row.orders, row.spending, row.revenue, row.averagePosition, cid
                )

            offers = parse_page(REPORT_FILE, campaign.offers, w.OfferStats, convert=keyword, id_field="sku")
            items.extend(offers.items)
            skipped.extend(f"campaign {cid}: {reason}" for reason in offers.skipped)
        read = {str(c.campaignId) for c in campaigns.items}
        failed = [cid for cid in ids if cid not in read]
        came = {str(row.get("campaignId")) for row in wanted if isinstance(row, dict)}
        skipped.extend(f"campaign {cid}: no stats returned" for cid in ids if cid not in came)
        return Fetched(tuple(items), tuple(skipped), tuple(failed))

    # -- bids ------------------------------------------------------------------------------

    def update_bids(
        self, campaign_external_id: str, changes: Sequence[BidChange], idempotency_key: str
    ) -> BidUpdateResult:
        result = self.update_bids_batch([CampaignBids(campaign_external_id, tuple(changes), idempotency_key)])
        return result[campaign_external_id]

    def update_bids_batch(self, updates: Sequence[CampaignBids]) -> dict[str, BidUpdateResult]:
        local: dict[str, list[tuple[str, str]]] = {}
        sendable: list[tuple[str, str, int]] = []  # (campaign, sku, wire bid)
        for update in updates:
            cid = update.campaign_external_id
            local.setdefault(cid, [])
            for change in update.changes:
                wire_bid = _wire_bid(change.bid)
                if wire_bid is None:
                    local[cid].append((change.keyword_external_id, f"bid={change.bid} must be a positive percent"))
                else:
                    sendable.append((cid, change.keyword_external_id, wire_bid))
        applied: dict[str, list[str]] = {cid: [] for cid in local}
        for chunk in _chunks(sendable, quota_of(BIDS).batch or 1500):
            done, refused = self._send_bids(list(chunk))
            for cid, sku, _ in done:
                applied[cid].append(sku)
            for (cid, sku, _), reason in refused:
                local[cid].append((sku, reason))
        return {cid: BidUpdateResult(tuple(applied[cid]), tuple(local[cid])) for cid in local}

    def _send_bids(
        self, bids: list[tuple[str, str, int]]
    ) -> tuple[list[tuple[str, str, int]], list[tuple[tuple[str, str, int], str]]]:
        """The bids that landed, and the refused ones with YM's reason; a 400 halves the call."""
        body = {"bids": [{"sku": sku, "bid": bid} for _, sku, bid in bids]}
        try:
            self._http.request(BIDS, "PUT", f"/v2/businesses/{self._business}/bids", json=body)
        except RejectedCall as refused:
            if refused.status in (401, 403) or len(bids) == 1:
                if len(bids) == 1 and refused.status == 400:
                    return [], [(bids[0], refused.detail)]
                raise
            half = len(bids) // 2
            first, second = self._send_bids(bids[:half]), self._send_bids(bids[half:])
            return first[0] + second[0], first[1] + second[1]
        return bids, []

    def pause_keywords(self, campaign_external_id: str, keyword_external_ids: Sequence[str]) -> None:
        _shop_id(campaign_external_id)
        skus = list(dict.fromkeys(keyword_external_ids))
        for chunk in _chunks(skus, quota_of(BIDS).batch or 1500):
            body = {"bids": [{"sku": sku, "bid": 0} for sku in chunk]}
            self._http.request(BIDS, "PUT", f"/v2/businesses/{self._business}/bids", json=body)

    # -- status ----------------------------------------------------------------------------

    def pause_campaign(self, campaign_external_id: str) -> None:
        raise MarketplaceRejected(
            f"campaign {campaign_external_id}: YM pauses a sales boost in the seller's cabinet only, not through its API"
        )

    def start_campaign(self, campaign_external_id: str) -> None:
        raise MarketplaceRejected(
            f"campaign {campaign_external_id}: YM starts a sales boost in the seller's cabinet only, not through its API"
        )


def _result(endpoint: str, reply: object) -> object:
    if not isinstance(reply, dict) or "result" not in reply:
        raise FailedCall(endpoint, None, "the reply has no 'result'")
    return reply["result"]


def _path_of(url: str) -> str:
    # fetched from the API's own host, with its key: the fake serves the file there; YM's
    # files live on a storage host, which the lead wires when the client goes live
    return httpx.URL(url).raw_path.decode("ascii")


def _shop_id(campaign_external_id: str) -> int:
    if not campaign_external_id.isdigit():
        raise MarketplaceRejected(f"campaign_external_id={campaign_external_id!r} is not a YM campaign (shop) id")
    return int(campaign_external_id)


def _status(text: str) -> str:
    if text not in w.STATUSES:
        raise ValueError(f"status={text!r} is not ACTIVE or PAUSED")
    return w.STATUSES[text]


def _campaign(row: w.Campaign) -> RemoteCampaign:
    return RemoteCampaign(str(row.id), row.domain, _status(row.boost.status), row.boost.dailyBudget)


def _wire_bid(percent: Decimal) -> int | None:
    try:
        wire = w.percent_to_wire(percent)
    except ValueError:
        return None
    return wire if wire > 0 else None
