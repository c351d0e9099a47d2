"""The fake WB advert API (host ``advert-api.wildberries.ru``) over the simulated WB market."""

from __future__ import annotations

from fastapi import APIRouter, Request

from adolf.domain.marketplace import Marketplace

from .common import guard
from .world import FakeWorld


def router(world: FakeWorld) -> APIRouter:
    api = APIRouter()

    @api.get("/adv/v1/promotion/count")
    def promotion_count(request: Request) -> dict[str, object]:
        guard(world, "wb.adverts.count", request)
        rows = world.market.list_campaigns(Marketplace.WB)
        return {"all": len(rows), "adverts": []}

    return api
