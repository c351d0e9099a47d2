"""The fake Ozon Performance API (host ``api-performance.ozon.ru``) over the simulated Ozon market.

How the simulated market maps onto Ozon's promotion model: a simulated Ozon campaign is a
Performance campaign (``id`` = the campaign's numeric id, SKU promotion); each of its
simulated keywords is one product (``sku`` = the keyword's numeric id) promoted on one
search phrase (its ``title``). So a keyword's bid is the product's bid, and its stats are the
product's row.

Endpoints (SPEC §6; quota and auth from ``common.guard``, bearer tokens from the token call):

- ``POST /api/client/token {"client_id", "client_secret", "grant_type": "client_credentials"}``
  → ``{"access_token", "expires_in": 1800, "token_type": "Bearer"}``; a wrong id or secret →
  401. A token past its 30 minutes (on the world's clock) is unknown again: 401.
- ``GET /api/client/campaign`` → ``{"list": [{"id", "title", "state", "advObjectType": "SKU",
  "paymentType": "CPC", "dailyBudget", "budget"}], "total"}``; budgets in millionths of a
  ruble as strings, ``"0"`` for no limit.
- ``POST /api/client/campaign/{id}/activate`` / ``deactivate`` → ``{"campaignId", "state"}``.
- ``GET /api/client/campaign/{id}/v2/products`` → ``{"products": [{"sku", "bid", "title",
  "state", "minBid"}]}``, bids in millionths.
- ``GET /api/client/statistics/campaign/product/json?campaigns=&dateFrom=&dateTo=`` (≤ 10
  campaigns, one day) → ``{"rows": [{"campaignId", "sku", "date", "views", "clicks",
  "orders", "moneySpent", "ordersMoney", "avgPosition"}]}``, money in rubles as strings.
- ``PUT /api/client/campaign/{id}/products {"bids": [{"sku", "bid"}]}`` (≤ 200): bids in
  millionths, all or nothing — one below its minimum and the call is a 400 naming every such
  bid; ``"0"`` stops showing the product (pauses the keyword). → ``{}``.
- ``GET /api/client/campaign/{id}/products/bids/competitive?skus=`` (≤ 200) → ``{"bids":
  [{"sku", "bid"}]}``: the highest competitor's bid, in millionths.

Ozon's published shapes were checked for the token, the campaign list's budgets in
millionths and the bids' ``[{sku, bid}]`` in millionths as strings, and the competitive bids'
200 SKUs; the rest is designed in Ozon's style and flagged as such: the products' ``state``
and ``minBid``, the statistics' parameters and row fields, a bid of 0 as a pause, and the
PUT's 200-SKU limit. ``world.malform(endpoint)`` spoils one row of that endpoint's next page.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from fastapi import APIRouter, Body, Query, Request

from adolf.adapters.marketplaces.http import wire_ozon_performance as w
from adolf.adapters.marketplaces.http.quotas import OZON_PERFORMANCE
from adolf.adapters.marketplaces.simulated import rows as sim_rows
from adolf.adapters.marketplaces.simulated import wire
from adolf.application.ports.ads_marketplace import MarketplaceRejected
from adolf.domain.marketplace import Marketplace

from .common import FakeRefusal, guard, refuse
from .world import FakeWorld

OZON = Marketplace.OZON
TOKEN_SECONDS = 1800
_CAMPAIGN = "/api/client/campaign"


def _bad(endpoint: str, message: str) -> FakeRefusal:
    return refuse(OZON_PERFORMANCE, 400, f"{endpoint}: {message}")


def _day(value: str | None, name: str, endpoint: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise _bad(endpoint, f"{name}={value!r} is not a date (YYYY-MM-DD)") from None


def _digits(values: list[str], name: str, endpoint: str) -> list[str]:
    bad = [value for value in values if not value.isdigit()]
    if bad or not values:
        raise _bad(endpoint, f"{name}={values!r} must be one or more numeric ids")
    return list(dict.fromkeys(values))


def _limit(endpoint: str, values: list[Any], most: int) -> None:
    if len(values) > most:
        raise _bad(endpoint, f"{len(values)} ids in one call, at most {most}")


def _micros(hundredths_wire: object) -> str:
    # the simulated Ozon rows already count millionths
    return str(int(str(hundredths_wire)))


class _Tokens:
    """Tokens issued, each with the moment it stops being accepted."""

    def __init__(self, world: FakeWorld) -> None:
        self.world = world
        self.expiry: dict[str, datetime] = {}

    def issue(self, brand: str) -> str:
        token = f"fake-perf-{secrets.token_hex(12)}"
        with self.world.lock:
            self.world.bearer_tokens[token] = brand
            self.expiry[token] = self.world.clock.now() + timedelta(seconds=TOKEN_SECONDS)
        return token

    def forget_expired(self) -> None:
        now = self.world.clock.now()
        with self.world.lock:
            for token, until in list(self.expiry.items()):
                if until <= now:
                    del self.expiry[token]
                    self.world.bearer_tokens.pop(token, None)


def router(world: FakeWorld) -> APIRouter:
    api = APIRouter()
    market = world.market
    tokens = _Tokens(world)

    def guarded(endpoint: str, request: Request) -> str:
        tokens.forget_expired()
        return guard(world, endpoint, request)

    def spoil(endpoint: str, rows: list[dict[str, Any]], field: str, junk: object) -> None:
        if rows and world.take_malformed(endpoint):
            rows[0][field] = junk

    def rejected(endpoint: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except (MarketplaceRejected, LookupError) as error:
            raise _bad(endpoint, str(error)) from None

    def known(endpoint: str, cid: str) -> str:
        if cid not in set(market.campaign_ids(OZON)):
            raise refuse(OZON_PERFORMANCE, 404, f"{endpoint}: no campaign {cid}")
        return cid

    @api.post("/api/client/token")
    def token(payload: Any = Body(None)) -> dict[str, Any]:
        endpoint = "ozon_perf.token"
        if not isinstance(payload, dict):
            raise _bad(endpoint, "the body must be an object")
        if payload.get("grant_type") != "client_credentials":
            raise _bad(endpoint, f"grant_type={payload.get('grant_type')!r} must be client_credentials")
        client_id = payload.get("client_id")
        brand = world.brand_with("ozon_performance_client_id", client_id if isinstance(client_id, str) else None)
        if brand is None or world.credentials[brand].get("ozon_performance_client_secret") != payload.get(
            "client_secret"
        ):
            raise refuse(OZON_PERFORMANCE, 401, "invalid client: wrong client_id or client_secret")
        quota = world.quotas[endpoint]
        wait = world.take_quota(quota, brand)
        if wait is not None:
            raise FakeRefusal(
                OZON_PERFORMANCE, 429, f"{endpoint}: more than {quota.calls} calls in {quota.per} s", wait
            )
        return {"access_token": tokens.issue(brand), "expires_in": TOKEN_SECONDS, "token_type": "Bearer"}

    @api.get(_CAMPAIGN)
    def campaigns(request: Request) -> dict[str, Any]:
        endpoint = "ozon_perf.campaigns"
        guarded(endpoint, request)
        result = [
            {
                "id": str(row["id"]),
                "title": row["name"],
                "state": row["status"],
                "advObjectType": "SKU",
                "paymentType": "CPC",
                "dailyBudget": "0" if row["daily_budget"] is None else _micros(row["daily_budget"]),
                "budget": "0",
            }
            for row in market.list_campaigns(OZON)
        ]
        spoil(endpoint, result, "state", "CAMPAIGN_STATE_BURNING")
        return {"list": result, "total": str(len(result))}

    def switch(endpoint: str, request: Request, cid: str, active: bool) -> dict[str, Any]:
        guarded(endpoint, request)
        known(endpoint, cid)
        rejected(endpoint, lambda: market.set_campaign_status(OZON, cid, active=active))
        return {"campaignId": cid, "state": w.STATE_RUNNING if active else w.STATE_INACTIVE}

    @api.post(_CAMPAIGN + "/{cid}/activate")
    def activate(request: Request, cid: str) -> dict[str, Any]:
        return switch("ozon_perf.activate", request, cid, active=True)

    @api.post(_CAMPAIGN + "/{cid}/deactivate")
    def deactivate(request: Request, cid: str) -> dict[str, Any]:
        return switch("ozon_perf.deactivate", request, cid, active=False)

    @api.get(_CAMPAIGN + "/{cid}/v2/products")
    def products(request: Request, cid: str) -> dict[str, Any]:
        endpoint = "ozon_perf.products"
        guarded(endpoint, request)
        known(endpoint, cid)
        result = [
            {
                "sku": str(k["id"]),
                "bid": _micros(k["bid"]),
                "title": k["phrase"],
                "state": w.PRODUCT_ACTIVE if k["status"] == wire.KEYWORD_STATUS_WIRE[0] else w.PRODUCT_PAUSED,
                "minBid": _micros(k["min_bid"]),
            }
            for k in market.list_keywords(OZON, cid)
        ]
        spoil(endpoint, result, "bid", "lots")
        return {"products": result}

    @api.get("/api/client/statistics/campaign/product/json")
    def statistics(
        request: Request,
        campaigns: list[str] = Query([]),
        date_from: str | None = Query(None, alias="dateFrom"),
        date_to: str | None = Query(None, alias="dateTo"),
    ) -> dict[str, Any]:
        endpoint = "ozon_perf.stats.products"
        guarded(endpoint, request)
        ids = _digits(campaigns, "campaigns", endpoint)
        _limit(endpoint, ids, w.STATS_BATCH)
        day = _day(date_from, "dateFrom", endpoint)
        if _day(date_to, "dateTo", endpoint) != day:
            raise _bad(endpoint, f"dateFrom={date_from} and dateTo={date_to}: the fake serves one day")
        ozon = set(market.campaign_ids(OZON))
        result: list[dict[str, Any]] = []
        for cid in (cid for cid in ids if cid in ozon):
            for row in rejected(endpoint, partial(market.keyword_stats, OZON, cid, day)):
                position = row["avg_position"]
                result.append(
                    {
                        "campaignId": cid,
                        "sku": str(row["id"]),
                        "date": day.isoformat(),
                        "views": row["views"],
                        "clicks": row["clicks"],
                        "orders": row["orders"],
                        "moneySpent": w.wire_rubles(Decimal(str(row["spent"]))),
                        "ordersMoney": w.wire_rubles(Decimal(str(row["revenue"]))),
                        "avgPosition": None if position is None else str(position),
                    }
                )
        spoil(endpoint, result, "views", "many")
        return {"rows": result}

    @api.put(_CAMPAIGN + "/{cid}/products")
    def bids(request: Request, cid: str, payload: Any = Body(None)) -> dict[str, Any]:
        endpoint = "ozon_perf.bids"
        guarded(endpoint, request)
        known(endpoint, cid)
        items = payload.get("bids") if isinstance(payload, dict) else None
        if not isinstance(items, list):
            raise _bad(endpoint, "the body must be an object with a list 'bids'")
        _limit(endpoint, items, w.BIDS_BATCH)
        model = market.model(cid)
        plan: list[tuple[str, int]] = []
        problems: list[str] = []
        for item in items:
            sku = item.get("sku") if isinstance(item, dict) else None
            bid = item.get("bid") if isinstance(item, dict) else None
            if not isinstance(sku, str) or not isinstance(bid, str) or not bid.isdigit():
                raise _bad(endpoint, f"bid={item!r} must be {{'sku': string, 'bid': millionths as a string}}")
            parsed = wire.parse_keyword_id(sku)
            if parsed is None or parsed[0] != cid or parsed[1] >= model.keyword_count:
                problems.append(f"sku {sku}: not in campaign {cid}")
                continue
            if int(bid) != 0 and (problem := sim_rows.bid_problem(model, parsed[1], int(bid))):
                problems.append(f"sku {sku}: {problem}")
            plan.append((sku, int(bid)))
        if problems:
            raise _bad(endpoint, "; ".join(problems))
        paused = [sku for sku, bid in plan if bid == 0]
        if paused:
            market.pause_keywords(OZON, cid, paused)
        changes = [(sku, bid) for sku, bid in plan if bid != 0]
        if changes:
            market.set_bids(OZON, cid, changes, f"ozon-perf-bids-{uuid.uuid4()}")
        return {}

    @api.get(_CAMPAIGN + "/{cid}/products/bids/competitive")
    def competitive(request: Request, cid: str, skus: list[str] = Query([])) -> dict[str, Any]:
        endpoint = "ozon_perf.bids.competitive"
        guarded(endpoint, request)
        known(endpoint, cid)
        wanted = _digits(skus, "skus", endpoint)
        _limit(endpoint, wanted, w.COMPETITIVE_BATCH)
        result = []
        for sku in wanted:
            parsed = wire.parse_keyword_id(sku)
            if parsed is None or parsed[0] != cid:
                continue
            bids = rejected(endpoint, partial(market.competitor_bids, sku))
            top = max(bids, default=Decimal(0))
            result.append({"sku": sku, "bid": w.wire_micros(top)})
        spoil(endpoint, result, "sku", "first")
        return {"bids": result}

    return api
