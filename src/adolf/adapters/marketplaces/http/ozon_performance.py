"""``OzonPerformanceAds``: Marketing's ``AdsMarketplace`` port over Ozon's Performance API, one brand.

How the port meets Ozon's promotion model: a campaign is a Performance campaign (SKU
promotion); a keyword is one product of the campaign (``sku``, the keyword's external id),
promoted on one search phrase (the product's ``title``). A keyword's bid is the product's bid
(millionths of a ruble); its stats are the product's row of the campaign's statistics.
Units are converted in ``wire_ozon_performance.py`` only. Every call carries the cabinet's
bearer token (``auth.OzonPerformanceAuth``: fetched once, shared, renewed once on a 401).

Calls (quotas from ``quotas.py``; the client's limiter keeps them):

- ``list_campaigns``: ``GET /api/client/campaign`` (running and inactive campaigns only).
- ``list_keywords``: ``GET …/{id}/v2/products`` (bids and the products' minimum bids).
- ``competitive_bids``: ``GET …/{id}/products/bids/competitive`` per 200 SKUs (not in the
  port: the bid that wins the placement, for whoever wants it).
- ``campaign_stats`` / ``keyword_stats_batch``: the synchronous product statistics
  (``GET /api/client/statistics/campaign/product/json``) per 10 campaigns; a campaign's
  totals are the sum of its products' rows.
- ``update_bids_batch``: one ``PUT …/{id}/products`` per campaign (per 200 SKUs). Ozon
  refuses such a call whole when one bid is below its minimum (400): it is then sent SKU by
  SKU, so the good bids land and each bad one gets Ozon's reason. The PUT overwrites the
  products' phrase bids (SPEC §6): this client sends none, the port's keyword being the SKU.
  Ozon has no idempotency key; a bid is a value, so a repeated call changes nothing.
- ``pause_keywords``: the same PUT with a bid of 0 (the product stops being shown).
- ``pause_campaign`` / ``start_campaign``: ``POST …/{id}/deactivate`` / ``activate``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import TypeVar

from adolf.adapters.marketplaces.http.client import MarketplaceHttpClient
from adolf.adapters.marketplaces.http.errors import RejectedCall
from adolf.adapters.marketplaces.http.factory import MarketplaceClients
from adolf.adapters.marketplaces.http.quotas import OZON_PERFORMANCE
from adolf.adapters.marketplaces.http.validation import parse_page
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

from . import wire_ozon_performance as w

T = TypeVar("T")

CAMPAIGNS, PRODUCTS, STATS = "ozon_perf.campaigns", "ozon_perf.products", "ozon_perf.stats.products"
BIDS, COMPETITIVE = "ozon_perf.bids", "ozon_perf.bids.competitive"
ACTIVATE, DEACTIVATE = "ozon_perf.activate", "ozon_perf.deactivate"
_CAMPAIGN = "/api/client/campaign"
_STATS_PATH = "/api/client/statistics/campaign/product/json"


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class OzonPerformanceAds:
    def __init__(self, http: MarketplaceHttpClient) -> None:
        self._http = http

    @classmethod
    def for_brand(cls, clients: MarketplaceClients, brand: str) -> OzonPerformanceAds:
        return cls(clients.client(OZON_PERFORMANCE, brand))

    @property
    def marketplace(self) -> Marketplace:
        return Marketplace.OZON

    # -- campaigns -------------------------------------------------------------------------

    def ping(self) -> None:
        self._http.request(CAMPAIGNS, "GET", _CAMPAIGN, params={"advObjectType": "SKU"})

    def list_campaigns(self) -> Fetched[RemoteCampaign]:
        reply = self._http.request_json(CAMPAIGNS, "GET", _CAMPAIGN, params={"advObjectType": "SKU"})
        page = parse_page(CAMPAIGNS, reply, w.Campaign, ("list",), convert=_campaign, id_field="id")
        return Fetched(page.items, page.skipped)

    def list_keywords(self, campaign_external_id: str) -> Fetched[RemoteKeyword]:
        cid = _campaign_id(campaign_external_id)
        reply = self._http.request_json(PRODUCTS, "GET", f"{_CAMPAIGN}/{cid}/v2/products")
        page = parse_page(
            PRODUCTS,
            reply,
            w.Product,
            ("products",),
            convert=lambda product: _keyword(campaign_external_id, product),
            id_field="sku",
        )
        return Fetched(page.items, page.skipped)

    def competitive_bids(self, campaign_external_id: str, skus: Sequence[str]) -> Fetched[tuple[str, Decimal]]:
        """(sku, the bid in rubles that wins the placement now), per 200 SKUs a call."""
        cid = _campaign_id(campaign_external_id)
        items: list[tuple[str, Decimal]] = []
        skipped: list[str] = []
        for chunk in _chunks(list(dict.fromkeys(skus)), w.COMPETITIVE_BATCH):
            reply = self._http.request_json(
                COMPETITIVE, "GET", f"{_CAMPAIGN}/{cid}/products/bids/competitive", params={"skus": list(chunk)}
            )
            page = parse_page(
                COMPETITIVE,
                reply,
                w.CompetitiveBid,
                ("bids",),
                convert=lambda row: (row.sku, w.micros_to_rubles(row.bid)),
                id_field="sku",
            )
            items.extend(page.items)
            skipped.extend(page.skipped)
        return Fetched(tuple(items), tuple(skipped))

    # -- statistics ------------------------------------------------------------------------

    def _product_stats(self, ids: Sequence[str], day: date) -> Iterator[tuple[Sequence[str], Fetched[w.ProductStats]]]:
        for chunk in _chunks(ids, w.STATS_BATCH):
            params = {
                "campaigns": [_campaign_id(cid) for cid in chunk],
                "dateFrom": day.isoformat(),
                "dateTo": day.isoformat(),
            }
            reply = self._http.request_json(STATS, "GET", _STATS_PATH, params=params)
            page = parse_page(STATS, reply, w.ProductStats, ("rows",), convert=_on(day), id_field="sku")
            yield chunk, page

    def campaign_stats(self, campaign_external_ids: Sequence[str], day: date) -> Fetched[CampaignStats]:
        items: list[CampaignStats] = []
        skipped: list[str] = []
        for chunk, page in self._product_stats(list(dict.fromkeys(campaign_external_ids)), day):
            skipped.extend(page.skipped)
            for cid in chunk:
                rows = [row for row in page.items if row.campaignId == cid]
                if not rows:
                    skipped.append(f"campaign {cid}: no stats returned")
                    continue
                items.append(
                    CampaignStats(
                        cid,
                        day,
                        sum(row.views for row in rows),
                        sum(row.clicks for row in rows),
                        sum(row.orders for row in rows),
                        sum((row.moneySpent for row in rows), Decimal("0.00")),
                        sum((row.ordersMoney for row in rows), Decimal("0.00")),
                    )
                )
        return Fetched(tuple(items), tuple(skipped))

    def keyword_stats(self, campaign_external_id: str, day: date) -> Fetched[KeywordStats]:
        return self.keyword_stats_batch([campaign_external_id], day)

    def keyword_stats_batch(self, campaign_external_ids: Sequence[str], day: date) -> Fetched[KeywordStats]:
        items: list[KeywordStats] = []
        skipped: list[str] = []
        failed: list[str] = []
        for chunk, page in self._product_stats(list(dict.fromkeys(campaign_external_ids)), day):
            skipped.extend(page.skipped)
            items.extend(
                KeywordStats(
                    keyword_external_id=row.sku,
                    day=day,
                    views=row.views,
                    clicks=row.clicks,
                    orders=row.orders,
                    spent=row.moneySpent,
                    revenue=row.ordersMoney,
                    avg_position=row.avgPosition,
                    campaign_external_id=row.campaignId,
                )
                for row in page.items
            )
            answered = {row.campaignId for row in page.items}
            for cid in chunk:
                if cid not in answered:
                    skipped.append(f"campaign {cid}: no stats returned")
                    failed.append(cid)
        return Fetched(tuple(items), tuple(skipped), tuple(failed))

    # -- bids ------------------------------------------------------------------------------

    def update_bids(
        self, campaign_external_id: str, changes: Sequence[BidChange], idempotency_key: str
    ) -> BidUpdateResult:
        result = self.update_bids_batch([CampaignBids(campaign_external_id, tuple(changes), idempotency_key)])
        return result[campaign_external_id]

    def update_bids_batch(self, updates: Sequence[CampaignBids]) -> dict[str, BidUpdateResult]:
        results: dict[str, BidUpdateResult] = {}
        for update in updates:
            cid = update.campaign_external_id
            local: list[tuple[str, str]] = []
            wire_bids: list[tuple[str, str]] = []
            for change in update.changes:
                micros = _positive_micros(change.bid)
                if micros is None:
                    local.append((change.keyword_external_id, f"bid={change.bid} must be a positive number of rubles"))
                elif not change.keyword_external_id.isdigit():
                    local.append((change.keyword_external_id, "keyword_external_id is not an Ozon SKU"))
                else:
                    wire_bids.append((change.keyword_external_id, str(micros)))
            applied: list[str] = []
            rejected = list(local)
            if wire_bids:
                _campaign_id(cid)
            for chunk in _chunks(wire_bids, w.BIDS_BATCH):
                done, refused = self._send_bids(cid, list(chunk))
                applied.extend(done)
                rejected.extend(refused)
            results[cid] = BidUpdateResult(tuple(applied), tuple(rejected))
        return results

    def _send_bids(self, cid: str, bids: list[tuple[str, str]]) -> tuple[list[str], list[tuple[str, str]]]:
        """Applied SKUs and refused (SKU, reason); a 400 splits the call (module doc)."""
        body = {"bids": [{"sku": sku, "bid": micros} for sku, micros in bids]}
        try:
            self._http.request(BIDS, "PUT", f"{_CAMPAIGN}/{cid}/products", json=body)
        except RejectedCall as refused:
            if len(bids) == 1:
                return [], [(bids[0][0], refused.detail)]
            applied: list[str] = []
            rejected: list[tuple[str, str]] = []
            for bid in bids:
                done, refusals = self._send_bids(cid, [bid])
                applied.extend(done)
                rejected.extend(refusals)
            return applied, rejected
        return [sku for sku, _ in bids], []

    def pause_keywords(self, campaign_external_id: str, keyword_external_ids: Sequence[str]) -> None:
        cid = _campaign_id(campaign_external_id)
        skus = list(dict.fromkeys(keyword_external_ids))
        bad = [sku for sku in skus if not sku.isdigit()]
        if bad:
            raise MarketplaceRejected(f"{BIDS}: keyword_external_ids={bad} are not Ozon SKUs")
        for chunk in _chunks(skus, w.BIDS_BATCH):
            body = {"bids": [{"sku": sku, "bid": "0"} for sku in chunk]}
            self._http.request(BIDS, "PUT", f"{_CAMPAIGN}/{cid}/products", json=body)

    # -- status ----------------------------------------------------------------------------

    def pause_campaign(self, campaign_external_id: str) -> None:
        cid = _campaign_id(campaign_external_id)
        self._http.request(DEACTIVATE, "POST", f"{_CAMPAIGN}/{cid}/deactivate", json={})

    def start_campaign(self, campaign_external_id: str) -> None:
        cid = _campaign_id(campaign_external_id)
        self._http.request(ACTIVATE, "POST", f"{_CAMPAIGN}/{cid}/activate", json={})


def _campaign_id(campaign_external_id: str) -> str:
    if not (campaign_external_id.isascii() and campaign_external_id.isdigit()):
        raise MarketplaceRejected(f"campaign_external_id={campaign_external_id!r} is not an Ozon campaign id")
    return campaign_external_id


def _campaign(row: w.Campaign) -> RemoteCampaign:
    if row.state not in w.STATES:
        raise ValueError(f"state={row.state!r} is not running ({w.STATE_RUNNING}) or inactive ({w.STATE_INACTIVE})")
    budget = w.micros_to_rubles(row.dailyBudget) if row.dailyBudget else None
    return RemoteCampaign(row.id, row.title, w.STATES[row.state], budget)


def _keyword(campaign_external_id: str, row: w.Product) -> RemoteKeyword:
    if row.state not in w.PRODUCT_STATES:
        raise ValueError(f"state={row.state!r} is not {w.PRODUCT_ACTIVE} or {w.PRODUCT_PAUSED}")
    return RemoteKeyword(
        external_id=row.sku,
        campaign_external_id=campaign_external_id,
        phrase=row.title,
        bid=w.micros_to_rubles(row.bid),
        status=w.PRODUCT_STATES[row.state],
        min_bid=None if row.minBid is None else w.micros_to_rubles(row.minBid),
    )


def _on(day: date) -> Callable[[w.ProductStats], w.ProductStats]:
    def check(row: w.ProductStats) -> w.ProductStats:
        if row.date != day.isoformat():
            raise ValueError(f"date={row.date!r} is not the day asked for ({day.isoformat()})")
        return row

    return check


def _positive_micros(bid: Decimal) -> int | None:
    try:
        micros = w.rubles_to_micros(bid)
    except ValueError:
        return None
    return micros if micros > 0 else None
