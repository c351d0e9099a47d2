"""The fake Yandex.Market "sales boost" API (host ``api.partner.market.yandex.ru``) over the
simulated YM market.

How the simulated market maps onto YM's boost: YM runs one boost per business (the brand's
cabinet, ``ym.business_id(brand)``); a simulated YM campaign is one of the business's shops
(``GET /v2/campaigns`` lists shops, their ``id`` the campaign's number), and each of its
keywords is one SKU of that shop (``sku`` = the keyword's id, ``name`` its phrase). A bid is
a percent of the price × 100 (570 = 5.70 %), the simulated market's basis points as they are.

Endpoints (SPEC §6; ``Api-Key`` names the brand, 401 else; a ``businessId`` not the brand's
→ 403; quotas and batch limits from the quota table → 429 with ``Retry-After`` / 400):

- ``GET /v2/campaigns`` → ``{"campaigns": [{"id", "domain", "clientId", "business": {"id",
  "name"}, "placementType", "apiAvailability", "boost": {"status": "ACTIVE"|"PAUSED",
  "dailyBudget": rubles | null}}], "pager": {…}}``.
- ``POST /v2/businesses/{businessId}/bids/info {"campaignId"}`` → ``{"status": "OK",
  "result": {"bids": [{"sku", "name", "bid", "minBid", "status": "ACTIVE"|"PAUSED"}]}}``.
- ``PUT /v2/businesses/{businessId}/bids {"bids": [{"sku", "bid"}]}`` (≤ 1500): all or nothing
  — a bid below its SKU's minimum, above 100 % or for an unknown SKU and the call is a 400
  naming every such SKU; ``bid: 0`` takes the SKU out of the boost (pauses the keyword).
- ``POST /v2/reports/boost-consolidated/generate?format=JSON {"businessId", "dateFrom",
  "dateTo"}`` → ``{"status": "OK", "result": {"reportId", "estimatedGenerationTime"}}``; the
  report is the day's figures as they stand at that moment.
- ``GET /v2/reports/info/{reportId}`` → ``{"status": "OK", "result": {"status":
  "PROCESSING"|"DONE", "file"}}``: the first poll answers PROCESSING, the next DONE with the
  file's URL.
- ``GET /v2/reports/files/{reportId}`` → ``{"campaigns": [{"campaignId", "date", "shows",
  "clicks", "orders", "spending", "revenue", "offers": [{"sku", "shows", "clicks", "orders",
  "spending", "revenue", "averagePosition"}]}]}``, money in rubles as JSON numbers.

Checked against YM's published API: the paths, ``Api-Key``, the bids body and its units, the
report's generate/info cycle. Designed in YM's style and flagged as such: the ``boost`` object
of a shop (YM shows a boost's status and budget in the cabinet only), ``bids/info``'s shop
filter, names, minimum bids and status, and the report as JSON (YM builds XLSX/CSV).
``world.malform("ym.campaigns" | "ym.bids.info" | "ym.report.file")`` spoils one row of that
endpoint's next reply.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Body, Request

from adolf.adapters.marketplaces.http.quotas import YM
from adolf.adapters.marketplaces.http.wire_ym_boost import MAX_BID, REPORT_DONE, REPORT_PENDING, wire_rubles
from adolf.adapters.marketplaces.simulated import wire
from adolf.application.ports.ads_marketplace import MarketplaceRejected
from adolf.domain.marketplace import Marketplace

from .common import FakeRefusal, check_batch, guard, refuse
from .world import FakeWorld
from .ym import business_id

YM_MP = Marketplace.YM
ACTIVE, PAUSED = wire.CAMPAIGN_STATUS_WIRE[YM_MP]


def _rubles(text: object) -> float:
    return wire_rubles(Decimal(str(text)))


def _campaign_of(sku: str) -> str | None:
    parsed = wire.parse_keyword_id(sku)
    return parsed[0] if parsed else None


class _Reports:
    """Reports asked for: their rows (computed when generated) and how often each was polled."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, list[dict[str, Any]]]] = {}  # id → (brand, campaigns)
        self.polls: dict[str, int] = {}
        self._ids = itertools.count(1)

    def add(self, brand: str, campaigns: list[dict[str, Any]]) -> str:
        report = f"boost-{next(self._ids)}-{uuid.uuid4().hex[:8]}"
        self.rows[report] = (brand, campaigns)
        self.polls[report] = 0
        return report


def router(world: FakeWorld) -> APIRouter:
    api = APIRouter()
    market = world.market
    reports = _Reports()

    def caller(endpoint: str, request: Request, business: int | None = None) -> str:
        brand = guard(world, endpoint, request)
        if business is not None and business != business_id(brand):
            raise FakeRefusal(YM, 403, f"businessId={business} is not the cabinet of this Api-Key")
        return brand

    def body_of(payload: Any, endpoint: str) -> dict[str, Any]:
        if not isinstance(payload, dict):
            raise refuse(YM, 400, f"{endpoint}: the body must be an object")
        return payload

    def shop(cid: object, endpoint: str) -> str:
        text = str(cid)
        if isinstance(cid, bool) or not isinstance(cid, int) or text not in market.campaign_ids(YM_MP):
            raise refuse(YM, 400, f"{endpoint}: campaignId={cid!r} is not a shop of this business")
        return text

    @api.get("/v2/campaigns")
    def campaigns(request: Request) -> dict[str, Any]:
        brand = caller("ym.campaigns", request)
        rows: list[dict[str, Any]] = []
        for row in market.list_campaigns(YM_MP):
            budget = row["daily_budget"]
            rows.append(
                {
                    "id": int(str(row["id"])),
                    "domain": row["name"],
                    "clientId": business_id(brand),
                    "business": {"id": business_id(brand), "name": brand},
                    "placementType": "FBY",
                    "apiAvailability": "AVAILABLE",
                    "boost": {"status": row["status"], "dailyBudget": None if budget is None else _rubles(budget)},
                }
            )
        if rows and world.take_malformed("ym.campaigns"):
            rows[0]["boost"] = {**rows[0]["boost"], "status": "BURNING"}
        pager = {"total": len(rows), "from": 1, "to": len(rows), "currentPage": 1, "pagesCount": 1}
        return {"campaigns": rows, "pager": {**pager, "pageSize": len(rows)}}

    @api.post("/v2/businesses/{businessId}/bids/info")
    def bids_info(request: Request, businessId: int, payload: Any = Body(None)) -> dict[str, Any]:
        endpoint = "ym.bids.info"
        caller(endpoint, request, businessId)
        cid = shop(body_of(payload, endpoint).get("campaignId"), endpoint)
        bids = [
            {
                "sku": k["id"],
                "name": k["phrase"],
                "bid": k["bid"],
                "minBid": k["min_bid"],
                "status": "ACTIVE" if k["status"] == wire.KEYWORD_STATUS_WIRE[0] else "PAUSED",
            }
            for k in market.list_keywords(YM_MP, cid)
        ]
        if bids and world.take_malformed(endpoint):
            bids[0]["bid"] = "high"
        return {"status": "OK", "result": {"bids": bids}}

    @api.put("/v2/businesses/{businessId}/bids")
    def put_bids(request: Request, businessId: int, payload: Any = Body(None)) -> dict[str, Any]:
        endpoint = "ym.bids"
        caller(endpoint, request, businessId)
        bids = body_of(payload, endpoint).get("bids")
        if not isinstance(bids, list) or not bids:
            raise refuse(YM, 400, f"{endpoint}: bids must be a non-empty list")
        check_batch(world, endpoint, bids)
        minimum: dict[str, dict[str, int]] = {}
        plan: dict[str, list[tuple[str, int]]] = {}
        pauses: dict[str, list[str]] = {}
        problems = []
        for item in bids:
            sku, bid = (item.get("sku"), item.get("bid")) if isinstance(item, dict) else (None, None)
            if not isinstance(sku, str) or isinstance(bid, bool) or not isinstance(bid, int):
                raise refuse(YM, 400, f"{endpoint}: bid={item!r} must be {{sku: string, bid: integer}}")
            cid = _campaign_of(sku)
            if cid is None or cid not in market.campaign_ids(YM_MP):
                problems.append(f"sku={sku}: no such SKU in the business")
                continue
            if cid not in minimum:
                minimum[cid] = {str(k["id"]): int(str(k["min_bid"])) for k in market.list_keywords(YM_MP, cid)}
            if sku not in minimum[cid]:
                problems.append(f"sku={sku}: no such SKU in the business")
            elif bid == 0:
                pauses.setdefault(cid, []).append(sku)
            elif not minimum[cid][sku] <= bid <= MAX_BID:
                problems.append(f"sku={sku}: bid={bid} must be {minimum[cid][sku]} … {MAX_BID}")
            else:
                plan.setdefault(cid, []).append((sku, bid))
        if problems:
            raise refuse(YM, 400, f"{endpoint}: " + "; ".join(problems))
        for cid, changes in plan.items():
            market.set_bids(YM_MP, cid, changes, f"ym-bids-{uuid.uuid4()}")
        for cid, skus in pauses.items():
            market.pause_keywords(YM_MP, cid, skus)
        return {"status": "OK"}

    @api.post("/v2/reports/boost-consolidated/generate")
    def generate(request: Request, payload: Any = Body(None)) -> dict[str, Any]:
        endpoint = "ym.boost.report"
        body = body_of(payload, endpoint)
        business = body.get("businessId")
        brand = caller(endpoint, request, business if isinstance(business, int) else -1)
        try:
            day = date.fromisoformat(str(body.get("dateFrom")))
        except ValueError:
            raise refuse(YM, 400, f"{endpoint}: dateFrom={body.get('dateFrom')!r} is not a date") from None
        if body.get("dateTo") != day.isoformat():
            raise refuse(YM, 400, f"{endpoint}: dateTo={body.get('dateTo')!r}: the fake reports one day")
        try:
            rows = [_campaign_report(world, cid, day) for cid in market.campaign_ids(YM_MP)]
        except MarketplaceRejected as error:
            raise refuse(YM, 400, f"{endpoint}: {error}") from None
        return {"status": "OK", "result": {"reportId": reports.add(brand, rows), "estimatedGenerationTime": 1000}}

    def report_of(endpoint: str, request: Request, report: str) -> list[dict[str, Any]]:
        brand = caller(endpoint, request)
        if report not in reports.rows or reports.rows[report][0] != brand:
            raise refuse(YM, 404, f"{endpoint}: no report {report}")
        return reports.rows[report][1]

    @api.get("/v2/reports/info/{reportId}")
    def info(request: Request, reportId: str) -> dict[str, Any]:
        report_of("ym.report.info", request, reportId)
        reports.polls[reportId] += 1
        if reports.polls[reportId] == 1:
            return {"status": "OK", "result": {"status": REPORT_PENDING, "generationRequestedAt": None}}
        url = str(request.url_for("boost_report_file", reportId=reportId))
        return {"status": "OK", "result": {"status": REPORT_DONE, "file": url}}

    @api.get("/v2/reports/files/{reportId}", name="boost_report_file")
    def file(request: Request, reportId: str) -> dict[str, Any]:
        rows = [
            {**row, "offers": [dict(o) for o in row["offers"]]}
            for row in report_of("ym.report.file", request, reportId)
        ]
        if rows and world.take_malformed("ym.report.file"):
            rows[0]["shows"] = "many"
            if len(rows) > 1 and rows[1]["offers"]:
                rows[1]["offers"][0]["clicks"] = -3
        return {"campaigns": rows}

    return api


def _campaign_report(world: FakeWorld, cid: str, day: date) -> dict[str, Any]:
    market = world.market
    [total] = market.campaign_stats(YM_MP, [cid], day)
    offers = [
        {
            "sku": row["id"],
            "shows": row["views"],
            "clicks": row["clicks"],
            "orders": row["orders"],
            "spending": _rubles(row["spent"]),
            "revenue": _rubles(row["revenue"]),
            "averagePosition": None if row["avg_position"] is None else _rubles(row["avg_position"]),
        }
        for row in market.keyword_stats(YM_MP, cid, day)
    ]
    return {
        "campaignId": int(cid),
        "date": day.isoformat(),
        "shows": total["views"],
        "clicks": total["clicks"],
        "orders": total["orders"],
        "spending": _rubles(total["spent"]),
        "revenue": _rubles(total["revenue"]),
        "offers": offers,
    }
