"""The fake WB advert API (host ``advert-api.wildberries.ru``) over the simulated WB market.

How the simulated market maps onto WB's promotion model: a simulated WB campaign is an advert
(``advertId`` = the campaign's numeric id, CPM, search placement); each of its simulated
keywords is one product (``nm_id`` = the keyword's numeric id) with its one search cluster
(``norm_query`` = the keyword's phrase). So a keyword's bid is the product's search bid, and
its stats are its cluster's.

Endpoints (SPEC §6; the quota, batch limit and auth come from ``common.guard``):

- ``GET /adv/v1/promotion/count`` → ``{"adverts": [{"type": 9, "status": 9|11, "count",
  "advert_list": [{"advertId", "changeTime"}]}], "all"}``.
- ``GET /api/advert/v2/adverts?ids=1,2`` (≤ 50) → ``{"adverts": [{"id", "status", "bid_type":
  "manual", "settings": {"name", "payment_type": "cpm", "placements": {"search": true,
  "recommendations": false}}, "daily_budget": rubles | null, "nm_settings": [{"nm_id",
  "bids_kopecks": {"search"}, "norm_query", "paused"}]}]}``.
- ``GET /adv/v0/pause?id=`` / ``GET /adv/v0/start?id=`` → 200, empty body.
- ``GET /adv/v3/fullstats?ids=&beginDate=&endDate=`` (≤ 50; one day asked) → ``[{"advertId",
  "views", "clicks", "orders", "atbs", "shks", "sum", "sum_price", "ctr", "cpc", "cr",
  "days": [{"date", …}]}]``, money in rubles as JSON numbers with kopecks.
- ``POST /adv/v0/normquery/stats {"from", "to", "items": [{"advert_id", "nm_id"}]}`` →
  ``{"stats": [{"advert_id", "nm_id", "stats": [{"norm_query", "views", "clicks", "orders",
  "spend", "sum_price", "avg_pos"}]}]}``, money in rubles, ``avg_pos`` a number or null.
- ``POST /adv/v0/normquery/bids {"bids": [{"advert_id", "nm_id", "norm_query", "bid"}]}``:
  cluster bids in whole rubles per 1000 views; ``bid: 0`` excludes the cluster (pauses the
  keyword). → 200 ``{}``.
- ``PATCH /api/advert/v1/bids {"bids": [{"advert_id", "nm_bids": [{"nm_id", "bid_kopecks",
  "placement": "search"}]}]}`` (≤ 50 adverts): product bids in kopecks, all or nothing — one
  bid below its minimum and the call is a 400 naming every such bid. → ``{"bids": [echo]}``.
- ``POST /api/advert/v1/bids/min {"advert_id", "nm_ids", "payment_type", "placement_types"}``
  → ``{"bids": [{"nm_id", "bids": [{"type": "search", "value": kopecks}]}]}``.

The shapes follow WB's published promotion API where it was checked (the PATCH bids body,
the v2 adverts' ``nm_settings``/``bids_kopecks``, the normquery items); the rest is designed
in WB's style and flagged as such: ``daily_budget`` on the advert, ``norm_query``/``paused``
in ``nm_settings`` (WB lists clusters and exclusions through endpoints SPEC §6 does not
name), ``sum_price`` in the cluster stats, and a cluster bid of 0 as the exclusion.
``world.malform(endpoint)`` spoils one row of that endpoint's next page.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from fastapi import APIRouter, Body, Query, Request, Response

from adolf.adapters.marketplaces.http.quotas import WB_ADVERT
from adolf.adapters.marketplaces.simulated import rows as sim_rows
from adolf.adapters.marketplaces.simulated import wire
from adolf.adapters.marketplaces.simulated.rows import RawRow
from adolf.application.ports.ads_marketplace import MarketplaceRejected
from adolf.domain.marketplace import Marketplace

from .common import check_batch, guard, refuse
from .world import FakeWorld

WB = Marketplace.WB
STATUS_ACTIVE, STATUS_PAUSED = wire.CAMPAIGN_STATUS_WIRE[WB]
ADVERT_TYPE = 9  # WB's unified campaign type
SEARCH = "search"


def _ids(endpoint: str, text: str | None) -> list[str]:
    parts = [part.strip() for part in (text or "").split(",") if part.strip()]
    bad = [part for part in parts if not part.isdigit()]
    if bad or not parts:
        raise refuse(WB_ADVERT, 400, f"{endpoint}: ids={text!r} must be comma-separated numbers")
    return list(dict.fromkeys(parts))


def _number(value: object, name: str, endpoint: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise refuse(WB_ADVERT, 400, f"{endpoint}: {name}={value!r} must be an integer")
    return value


def _day(value: object, name: str, endpoint: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise refuse(WB_ADVERT, 400, f"{endpoint}: {name}={value!r} is not a date (YYYY-MM-DD)") from None


def _rubles(text: object) -> float:
    # WB sends money as JSON numbers; two decimal places survive the float exactly as text
    return float(Decimal(str(text)))


def _body_list(payload: Any, key: str, endpoint: str) -> list[Any]:
    value = payload.get(key) if isinstance(payload, dict) else None
    if not isinstance(value, list):
        raise refuse(WB_ADVERT, 400, f"{endpoint}: the body must be an object with a list {key!r}")
    return value


class _Spoiler:
    """Spoils one row of an endpoint's page when the world asks for it (``world.malform``)."""

    def __init__(self, world: FakeWorld) -> None:
        self.world = world

    def __call__(self, endpoint: str, rows: list[dict[str, Any]], field: str, junk: object = "junk") -> None:
        if rows and self.world.take_malformed(endpoint):
            rows[0][field] = junk


def router(world: FakeWorld) -> APIRouter:
    api = APIRouter()
    market = world.market
    spoil = _Spoiler(world)

    def rejected(endpoint: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except MarketplaceRejected as error:
            raise refuse(WB_ADVERT, 400, f"{endpoint}: {error}") from None

    def campaign_rows(ids: list[str]) -> list[RawRow]:
        wanted = set(ids)
        return [row for row in market.list_campaigns(WB) if row["id"] in wanted]

    @api.get("/adv/v1/promotion/count")
    def promotion_count(request: Request) -> dict[str, Any]:
        guard(world, "wb.adverts.count", request)
        changed = world.clock.now().isoformat()
        groups: dict[object, list[dict[str, Any]]] = {}
        for row in market.list_campaigns(WB):
            groups.setdefault(row["status"], []).append({"advertId": int(str(row["id"])), "changeTime": changed})
        adverts = [
            {"type": ADVERT_TYPE, "status": status, "count": len(items), "advert_list": items}
            for status, items in groups.items()
        ]
        return {"adverts": adverts, "all": sum(len(items) for items in groups.values())}

    @api.get("/api/advert/v2/adverts")
    def adverts(request: Request, ids: str | None = Query(None)) -> dict[str, Any]:
        endpoint = "wb.adverts"
        guard(world, endpoint, request)
        wanted = _ids(endpoint, ids)
        check_batch(world, endpoint, wanted)
        result = []
        for row in campaign_rows(wanted):
            cid = str(row["id"])
            keywords = market.list_keywords(WB, cid)
            result.append(
                {
                    "id": int(cid),
                    "status": row["status"],
                    "bid_type": "manual",
                    "settings": {
                        "name": row["name"],
                        "payment_type": "cpm",
                        "placements": {SEARCH: True, "recommendations": False},
                    },
                    "daily_budget": row["daily_budget"],
                    "nm_settings": [
                        {
                            "nm_id": int(str(k["id"])),
                            "bids_kopecks": {SEARCH: k["bid"]},
                            "norm_query": k["phrase"],
                            "paused": k["status"] != wire.KEYWORD_STATUS_WIRE[0],
                        }
                        for k in keywords
                    ],
                }
            )
        spoil(endpoint, result, "status", "burning")
        return {"adverts": result}

    def switch(endpoint: str, request: Request, advert: str | None, active: bool) -> Response:
        guard(world, endpoint, request)
        [cid] = _ids(endpoint, advert)[:1]
        rejected(endpoint, lambda: market.set_campaign_status(WB, cid, active=active))
        return Response(status_code=200)

    @api.get("/adv/v0/pause")
    def pause(request: Request, id: str | None = Query(None)) -> Response:
        return switch("wb.pause", request, id, active=False)

    @api.get("/adv/v0/start")
    def start(request: Request, id: str | None = Query(None)) -> Response:
        return switch("wb.start", request, id, active=True)

    @api.get("/adv/v3/fullstats")
    def fullstats(
        request: Request,
        ids: str | None = Query(None),
        begin: str | None = Query(None, alias="beginDate"),
        end: str | None = Query(None, alias="endDate"),
    ) -> list[dict[str, Any]]:
        endpoint = "wb.fullstats"
        guard(world, endpoint, request)
        wanted = _ids(endpoint, ids)
        check_batch(world, endpoint, wanted)
        day = _day(begin, "beginDate", endpoint)
        if _day(end, "endDate", endpoint) != day:
            raise refuse(WB_ADVERT, 400, f"{endpoint}: beginDate={begin} and endDate={end}: the fake serves one day")
        stats = rejected(endpoint, lambda: market.campaign_stats(WB, wanted, day))
        result = []
        for row in stats:
            views, clicks, orders = int(row["views"]), int(row["clicks"]), int(row["orders"])
            spent, revenue = _rubles(row["spent"]), _rubles(row["revenue"])
            totals: dict[str, Any] = {"views": views, "clicks": clicks, "orders": orders, "atbs": 0, "shks": orders}
            totals |= {"sum": spent, "sum_price": revenue}
            totals |= {
                "ctr": round(100 * clicks / views, 2) if views else 0,
                "cpc": round(spent / clicks, 2) if clicks else 0,
                "cr": round(100 * orders / clicks, 2) if clicks else 0,
            }
            result.append({"advertId": int(str(row["id"])), **totals, "days": [{"date": day.isoformat(), **totals}]})
        spoil(endpoint, result, "views", "many")
        return result

    @api.post("/adv/v0/normquery/stats")
    def normquery_stats(request: Request, payload: Any = Body(None)) -> dict[str, Any]:
        endpoint = "wb.normquery.stats"
        guard(world, endpoint, request)
        items = _body_list(payload, "items", endpoint)
        day = _day(payload.get("from"), "from", endpoint)
        if _day(payload.get("to"), "to", endpoint) != day:
            raise refuse(WB_ADVERT, 400, f"{endpoint}: from and to must be the same day in the fake")
        per_campaign: dict[str, dict[str, tuple[object, RawRow]]] = {}  # advert → nm → (cluster, stats)
        result: list[dict[str, Any]] = []
        for item in items:
            if not isinstance(item, dict):
                raise refuse(WB_ADVERT, 400, f"{endpoint}: item={item!r} must be an object")
            cid = str(_number(item.get("advert_id"), "advert_id", endpoint))
            nm = str(_number(item.get("nm_id"), "nm_id", endpoint))
            if cid not in per_campaign:
                stats = rejected(endpoint, partial(market.keyword_stats, WB, cid, day))
                phrases = {k["id"]: k["phrase"] for k in market.list_keywords(WB, cid)}
                per_campaign[cid] = {str(row["id"]): (phrases[row["id"]], row) for row in stats}
            if nm not in per_campaign[cid]:
                raise refuse(WB_ADVERT, 400, f"{endpoint}: advert {cid} has no nm_id={nm}")
            phrase, row = per_campaign[cid][nm]
            position = row["avg_position"]
            cluster = {
                "norm_query": phrase,
                "views": row["views"],
                "clicks": row["clicks"],
                "orders": row["orders"],
                "spend": _rubles(row["spent"]),
                "sum_price": _rubles(row["revenue"]),
                "avg_pos": None if position is None else _rubles(position),
            }
            result.append({"advert_id": int(cid), "nm_id": int(nm), "stats": [cluster]})
        if result:
            spoil(endpoint, result[0]["stats"], "clicks", -3)
        return {"stats": result}

    @api.post("/adv/v0/normquery/bids")
    def normquery_bids(request: Request, payload: Any = Body(None)) -> dict[str, Any]:
        endpoint = "wb.normquery.bids"
        guard(world, endpoint, request)
        bids = _body_list(payload, "bids", endpoint)
        plan: list[tuple[str, str, int]] = []
        problems = []
        for bid in bids:
            if not isinstance(bid, dict):
                raise refuse(WB_ADVERT, 400, f"{endpoint}: bid={bid!r} must be an object")
            cid = str(_number(bid.get("advert_id"), "advert_id", endpoint))
            nm = str(_number(bid.get("nm_id"), "nm_id", endpoint))
            rubles = _number(bid.get("bid"), "bid", endpoint)
            problem = _cluster_problem(market, cid, nm, bid.get("norm_query"), rubles * 100 if rubles else None)
            if problem:
                problems.append(f"advert {cid} nm {nm}: {problem}")
            plan.append((cid, nm, rubles))
        if problems:
            raise refuse(WB_ADVERT, 400, f"{endpoint}: " + "; ".join(problems))
        for cid, nm, rubles in plan:
            if rubles == 0:
                market.pause_keywords(WB, cid, [nm])
            else:
                market.set_bids(WB, cid, [(nm, rubles * 100)], f"wb-normquery-{uuid.uuid4()}")
        return {}

    @api.patch("/api/advert/v1/bids")
    def product_bids(request: Request, payload: Any = Body(None)) -> dict[str, Any]:
        endpoint = "wb.bids"
        guard(world, endpoint, request)
        adverts = _body_list(payload, "bids", endpoint)
        check_batch(world, endpoint, adverts)
        plan: dict[str, list[tuple[str, int]]] = {}
        problems = []
        for advert in adverts:
            cid = str(_number(advert.get("advert_id") if isinstance(advert, dict) else None, "advert_id", endpoint))
            for nm_bid in _body_list(advert, "nm_bids", endpoint):
                if not isinstance(nm_bid, dict) or nm_bid.get("placement", SEARCH) != SEARCH:
                    raise refuse(WB_ADVERT, 400, f"{endpoint}: nm_bid={nm_bid!r} must be a search placement's bid")
                nm = str(_number(nm_bid.get("nm_id"), "nm_id", endpoint))
                kopecks = _number(nm_bid.get("bid_kopecks"), "bid_kopecks", endpoint)
                problem = _cluster_problem(market, cid, nm, None, kopecks)
                if problem:
                    problems.append(f"advert {cid} nm {nm}: {problem}")
                plan.setdefault(cid, []).append((nm, kopecks))
        if problems:
            raise refuse(WB_ADVERT, 400, f"{endpoint}: " + "; ".join(problems))
        for cid, changes in plan.items():
            market.set_bids(WB, cid, changes, f"wb-bids-{uuid.uuid4()}")
        return {"bids": adverts}

    @api.post("/api/advert/v1/bids/min")
    def min_bids(request: Request, payload: Any = Body(None)) -> dict[str, Any]:
        endpoint = "wb.bids.min"
        guard(world, endpoint, request)
        cid = str(_number(payload.get("advert_id") if isinstance(payload, dict) else None, "advert_id", endpoint))
        nms = {str(_number(nm, "nm_id", endpoint)) for nm in _body_list(payload, "nm_ids", endpoint)}
        keywords = rejected(endpoint, lambda: market.list_keywords(WB, cid))
        result = [
            {"nm_id": int(str(k["id"])), "bids": [{"type": SEARCH, "value": k["min_bid"]}]}
            for k in keywords
            if str(k["id"]) in nms
        ]
        spoil(endpoint, result, "nm_id", "first")
        return {"bids": result}

    return api


def _cluster_problem(market: Any, cid: str, nm: str, norm_query: object, kopecks: int | None) -> str | None:
    """Why WB refuses a bid of ``kopecks`` (None: an exclusion) for ``nm`` of advert ``cid``."""
    try:
        model = market.model(cid)
    except LookupError:
        return "no such advert"
    parsed = wire.parse_keyword_id(nm)
    if model.marketplace is not WB or parsed is None or parsed[0] != cid or parsed[1] >= model.keyword_count:
        return "no such product in this advert"
    if norm_query is not None and norm_query != model.phrase(parsed[1]):
        return f"norm_query={norm_query!r} is not this product's cluster"
    if kopecks is None:
        return None
    return sim_rows.bid_problem(model, parsed[1], kopecks)
