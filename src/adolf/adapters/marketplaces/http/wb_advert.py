"""``WbAdsMarketplace``: Marketing's ``AdsMarketplace`` port over WB's advert API, one brand.

How the port meets WB's promotion model: a campaign is an advert (CPM, search placement); a
keyword is one product of the advert (``nm_id``, the keyword's external id) with its search
cluster (``norm_query``, the keyword's phrase). A keyword's bid is the product's search bid
(``PATCH /api/advert/v1/bids``, kopecks); its stats are its cluster's
(``POST /adv/v0/normquery/stats``, with ``avg_pos``); pausing it excludes its cluster (a
cluster bid of 0 on ``POST /adv/v0/normquery/bids``, whose bids are whole rubles per 1000
views — ``set_cluster_bids`` sets them). Units are converted in ``wire_wb_advert.py`` only.

Calls (quotas and batch limits from ``quotas.py``; the client's limiter keeps them):

- ``list_campaigns``: ``promotion/count`` for the ids (running and paused adverts only), then
  ``v2/adverts`` per 50 ids.
- ``list_keywords``: ``v2/adverts`` for the advert's products and bids, ``bids/min`` for their
  minimum bids (2 calls; hourly, not in the bid cycle).
- ``campaign_stats``: ``v3/fullstats`` per 50 campaigns (one day: ``beginDate = endDate``).
- ``keyword_stats_batch``: ``normquery/stats`` per 50 campaigns, its items every product of
  those campaigns; the products come from ``v2/adverts`` (one call per 50 campaigns not seen
  by this instance before: an advert's products do not change within a cycle).
- ``update_bids_batch``: ``PATCH bids`` per 50 campaigns. WB refuses such a call whole when
  one bid is below its minimum (400): the chunk is then sent campaign by campaign, and a
  refused campaign keyword by keyword, so the good bids still land and each bad one gets
  WB's reason. WB has no idempotency key; a bid is a value, so a repeated call changes
  nothing (the key is accepted and not sent).

So a bid cycle costs three calls per 50 campaigns (stats, cluster stats, bids), plus one
per 50 for the products the first time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import partial
from typing import TypeVar

from adolf.adapters.marketplaces.http.client import MarketplaceHttpClient
from adolf.adapters.marketplaces.http.errors import RejectedCall
from adolf.adapters.marketplaces.http.factory import MarketplaceClients
from adolf.adapters.marketplaces.http.quotas import WB_ADVERT, quota_of
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

from . import wire_wb_advert as w

T = TypeVar("T")

COUNT, ADVERTS, PAUSE, START = "wb.adverts.count", "wb.adverts", "wb.pause", "wb.start"
FULLSTATS, CLUSTER_STATS = "wb.fullstats", "wb.normquery.stats"
BIDS, CLUSTER_BIDS, MIN_BIDS = "wb.bids", "wb.normquery.bids", "wb.bids.min"


def _batch(endpoint: str) -> int:
    return quota_of(endpoint).batch or 50


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class WbAdsMarketplace:
    def __init__(self, http: MarketplaceHttpClient) -> None:
        self._http = http
        self._products: dict[str, tuple[w.NmSetting, ...]] = {}  # advert id → its products, as last listed

    @classmethod
    def for_brand(cls, clients: MarketplaceClients, brand: str) -> WbAdsMarketplace:
        return cls(clients.client(WB_ADVERT, brand))

    @property
    def marketplace(self) -> Marketplace:
        return Marketplace.WB

    # -- campaigns -------------------------------------------------------------------------

    def ping(self) -> None:
        self._http.request(COUNT, "GET", "/adv/v1/promotion/count")

    def _advert_ids(self) -> list[int]:
        reply = self._http.request_json(COUNT, "GET", "/adv/v1/promotion/count")
        count = parse_model(COUNT, reply, w.PromotionCount)
        ids = (
            listed.advertId
            for group in count.adverts or []
            if group.status in w.STATUSES
            for listed in group.advert_list
        )
        return sorted(set(ids))  # WB groups them by status; in id order, every listing is the same

    def _adverts(self, ids: Sequence[int | str]) -> Fetched[w.Advert]:
        items: list[w.Advert] = []
        skipped: list[str] = []
        for chunk in _chunks(list(ids), _batch(ADVERTS)):
            reply = self._http.request_json(
                ADVERTS, "GET", "/api/advert/v2/adverts", params={"ids": ",".join(map(str, chunk))}
            )
            page = parse_page(ADVERTS, reply, w.Advert, ("adverts",), convert=_known_status, id_field="id")
            items.extend(page.items)
            skipped.extend(page.skipped)
        for advert in items:
            products = parse_page(ADVERTS, advert.nm_settings, w.NmSetting, id_field="nm_id")
            self._products[str(advert.id)] = products.items
        return Fetched(tuple(items), tuple(skipped))

    def list_campaigns(self) -> Fetched[RemoteCampaign]:
        adverts = self._adverts(self._advert_ids())
        campaigns = tuple(
            RemoteCampaign(
                external_id=str(advert.id),
                name=advert.settings.name,
                status=w.STATUSES[advert.status],
                daily_budget=advert.daily_budget,
            )
            for advert in adverts.items
        )
        return Fetched(campaigns, adverts.skipped)

    def list_keywords(self, campaign_external_id: str) -> Fetched[RemoteKeyword]:
        advert_id = _advert_id(campaign_external_id)
        adverts = self._adverts([advert_id])
        if not adverts.items:
            raise MarketplaceRejected(f"{ADVERTS}: no advert {campaign_external_id}: {'; '.join(adverts.skipped)}")
        products = parse_page(ADVERTS, adverts.items[0].nm_settings, w.NmSetting, id_field="nm_id")
        lowest, unread = self._min_bids(advert_id, [p.nm_id for p in products.items]) if products.items else ({}, ())
        keywords = tuple(
            RemoteKeyword(
                external_id=str(product.nm_id),
                campaign_external_id=campaign_external_id,
                phrase=product.norm_query,
                bid=w.kopecks_to_rubles(product.bids_kopecks.search),
                status="paused" if product.paused else "active",
                min_bid=lowest.get(product.nm_id),
            )
            for product in products.items
        )
        return Fetched(keywords, (*products.skipped, *unread))

    def _min_bids(self, advert_id: int, nm_ids: Sequence[int]) -> tuple[dict[int, Decimal], tuple[str, ...]]:
        reply = self._http.request_json(
            MIN_BIDS,
            "POST",
            "/api/advert/v1/bids/min",
            json={"advert_id": advert_id, "nm_ids": list(nm_ids), "payment_type": "cpm", "placement_types": [w.SEARCH]},
        )
        page = parse_page(MIN_BIDS, reply, w.NmMinBids, ("bids",), id_field="nm_id")
        lowest = {
            row.nm_id: w.kopecks_to_rubles(bid.value) for row in page.items for bid in row.bids if bid.type == w.SEARCH
        }
        return lowest, page.skipped

    # -- statistics ------------------------------------------------------------------------

    def campaign_stats(self, campaign_external_ids: Sequence[str], day: date) -> Fetched[CampaignStats]:
        items: list[CampaignStats] = []
        skipped: list[str] = []
        ids = list(dict.fromkeys(campaign_external_ids))
        for chunk in _chunks(ids, _batch(FULLSTATS)):
            params = {"ids": ",".join(str(_advert_id(cid)) for cid in chunk), "beginDate": day.isoformat()}
            reply = self._http.request_json(
                FULLSTATS, "GET", "/adv/v3/fullstats", params={**params, "endDate": day.isoformat()}
            )
            page = parse_page(
                FULLSTATS,
                reply,
                w.FullStats,
                convert=lambda row: CampaignStats(
                    str(row.advertId), day, row.views, row.clicks, row.orders, row.sum, row.sum_price
                ),
                id_field="advertId",
            )
            items.extend(page.items)
            skipped.extend(page.skipped)
            # a row that came but did not parse is already named in skipped
            came = (
                {str(row.get("advertId")) for row in reply if isinstance(row, dict)}
                if isinstance(reply, list)
                else set()
            )
            skipped.extend(f"campaign {cid}: no stats returned" for cid in chunk if str(int(cid)) not in came)
        return Fetched(tuple(items), tuple(skipped))

    def keyword_stats(self, campaign_external_id: str, day: date) -> Fetched[KeywordStats]:
        return self.keyword_stats_batch([campaign_external_id], day)

    def keyword_stats_batch(self, campaign_external_ids: Sequence[str], day: date) -> Fetched[KeywordStats]:
        items: list[KeywordStats] = []
        skipped: list[str] = []
        failed: list[str] = []
        ids = list(dict.fromkeys(campaign_external_ids))
        for chunk in _chunks(ids, _batch(ADVERTS)):
            unseen = [cid for cid in chunk if cid not in self._products]
            if unseen:
                skipped.extend(self._adverts([_advert_id(cid) for cid in unseen]).skipped)
            request: list[dict[str, int]] = []
            for cid in chunk:
                if cid not in self._products:
                    skipped.append(f"campaign {cid}: not among the brand's adverts")
                    failed.append(cid)
                    continue
                request.extend({"advert_id": int(cid), "nm_id": p.nm_id} for p in self._products[cid])
            if not request:
                continue
            body = {"from": day.isoformat(), "to": day.isoformat(), "items": request}
            reply = self._http.request_json(CLUSTER_STATS, "POST", "/adv/v0/normquery/stats", json=body)
            products = parse_page(CLUSTER_STATS, reply, w.ProductClusters, ("stats",), id_field="nm_id")
            skipped.extend(products.skipped)
            for product in products.items:
                clusters = parse_page(
                    CLUSTER_STATS, product.stats or [], w.ClusterStats, convert=partial(_keyword_stats, product, day)
                )
                items.extend(clusters.items)
                skipped.extend(clusters.skipped)
        return Fetched(tuple(items), tuple(skipped), tuple(failed))

    # -- bids ------------------------------------------------------------------------------

    def update_bids(
        self, campaign_external_id: str, changes: Sequence[BidChange], idempotency_key: str
    ) -> BidUpdateResult:
        result = self.update_bids_batch([CampaignBids(campaign_external_id, tuple(changes), idempotency_key)])
        return result[campaign_external_id]

    def update_bids_batch(self, updates: Sequence[CampaignBids]) -> dict[str, BidUpdateResult]:
        results: dict[str, BidUpdateResult] = {}
        sendable: list[tuple[str, list[tuple[str, int]]]] = []
        for update in updates:
            local: list[tuple[str, str]] = []
            wire_bids: list[tuple[str, int]] = []
            for change in update.changes:
                kopecks = _kopecks(change.bid)
                if kopecks is None:
                    local.append((change.keyword_external_id, f"bid={change.bid} must be a positive number of rubles"))
                elif not change.keyword_external_id.isdigit():
                    local.append((change.keyword_external_id, "keyword_external_id is not a WB nm_id"))
                else:
                    wire_bids.append((change.keyword_external_id, kopecks))
            results[update.campaign_external_id] = BidUpdateResult((), tuple(local))
            if wire_bids:
                sendable.append((update.campaign_external_id, wire_bids))
        for chunk in _chunks(sendable, _batch(BIDS)):
            for cid, (applied, rejected) in self._send_bids(list(chunk)).items():
                before = results[cid]
                results[cid] = BidUpdateResult(applied, (*before.rejected, *rejected))
        return results

    def _send_bids(
        self, chunk: list[tuple[str, list[tuple[str, int]]]]
    ) -> dict[str, tuple[tuple[str, ...], tuple[tuple[str, str], ...]]]:
        """Applied and rejected keyword ids per campaign; a 400 splits the call (module doc)."""
        body = {
            "bids": [
                {
                    "advert_id": _advert_id(cid),
                    "nm_bids": [{"nm_id": int(kid), "bid_kopecks": kop, "placement": w.SEARCH} for kid, kop in bids],
                }
                for cid, bids in chunk
            ]
        }
        try:
            self._http.request(BIDS, "PATCH", "/api/advert/v1/bids", json=body)
        except RejectedCall as refused:
            if len(chunk) > 1:
                return {cid: outcome for one in chunk for cid, outcome in self._send_bids([one]).items()}
            [(cid, bids)] = chunk
            if len(bids) > 1:
                applied: list[str] = []
                rejected: list[tuple[str, str]] = []
                for bid in bids:
                    done, refusals = self._send_bids([(cid, [bid])])[cid]
                    applied.extend(done)
                    rejected.extend(refusals)
                return {cid: (tuple(applied), tuple(rejected))}
            return {cid: ((), ((bids[0][0], refused.detail),))}
        return {cid: (tuple(kid for kid, _ in bids), ()) for cid, bids in chunk}

    def set_cluster_bids(self, campaign_external_id: str, bids: Mapping[str, Decimal]) -> None:
        """Cluster bids of one advert's keywords, rubles per 1000 views → whole rubles on the
        wire (half up); 0 excludes the cluster. The keywords' clusters are read first."""
        self._cluster_bids(campaign_external_id, {kid: w.rubles_to_cluster_bid(bid) for kid, bid in bids.items()})

    def pause_keywords(self, campaign_external_id: str, keyword_external_ids: Sequence[str]) -> None:
        self._cluster_bids(campaign_external_id, dict.fromkeys(keyword_external_ids, 0))

    def _cluster_bids(self, campaign_external_id: str, bids: Mapping[str, int]) -> None:
        if not bids:
            return
        self._adverts([_advert_id(campaign_external_id)])
        clusters = {str(p.nm_id): p.norm_query for p in self._products.get(campaign_external_id, ())}
        unknown = [kid for kid in bids if kid not in clusters]
        if unknown:
            raise MarketplaceRejected(f"{CLUSTER_BIDS}: advert {campaign_external_id} has no products {unknown}")
        advert_id = _advert_id(campaign_external_id)
        body = {
            "bids": [
                {"advert_id": advert_id, "nm_id": int(kid), "norm_query": clusters[kid], "bid": bid}
                for kid, bid in bids.items()
            ]
        }
        self._http.request(CLUSTER_BIDS, "POST", "/adv/v0/normquery/bids", json=body)

    # -- status ----------------------------------------------------------------------------

    def pause_campaign(self, campaign_external_id: str) -> None:
        self._http.request(PAUSE, "GET", "/adv/v0/pause", params={"id": _advert_id(campaign_external_id)})

    def start_campaign(self, campaign_external_id: str) -> None:
        self._http.request(START, "GET", "/adv/v0/start", params={"id": _advert_id(campaign_external_id)})


def _advert_id(campaign_external_id: str) -> int:
    if not campaign_external_id.isdigit():
        raise MarketplaceRejected(f"campaign_external_id={campaign_external_id!r} is not a WB advert id")
    return int(campaign_external_id)


def _known_status(advert: w.Advert) -> w.Advert:
    if advert.status not in w.STATUSES:
        raise ValueError(f"status={advert.status} is not running ({w.STATUS_ACTIVE}) or paused ({w.STATUS_PAUSED})")
    return advert


def _keyword_stats(product: w.ProductClusters, day: date, row: w.ClusterStats) -> KeywordStats:
    return KeywordStats(
        keyword_external_id=str(product.nm_id),
        day=day,
        views=row.views,
        clicks=row.clicks,
        orders=row.orders,
        spent=row.spend,
        revenue=row.sum_price,
        avg_position=row.avg_pos,
        campaign_external_id=str(product.advert_id),
    )


def _kopecks(bid: Decimal) -> int | None:
    try:
        kopecks = w.rubles_to_kopecks(bid)
    except ValueError:
        return None
    return kopecks if kopecks > 0 else None
