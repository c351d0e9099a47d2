"""``build_app(world)``: one FastAPI app serving every fake marketplace API at once.

The hosts are told apart by path, as the real ones are (each client gets its own base URL,
all pointing here). Each module in ``ROUTERS`` exposes ``router(world) -> APIRouter`` for
one API; adding an API is one line here. Refusals (401, 429, 400) render in each API's own
error shape (``common.py``).
"""

from __future__ import annotations

import importlib

from fastapi import FastAPI

from .common import FakeRefusal, refusal_response
from .world import FakeWorld

ROUTERS: tuple[str, ...] = (
    "adolf.adapters.marketplaces.fake_server.wb_advert",
    "adolf.adapters.marketplaces.fake_server.ozon_seller",
    "adolf.adapters.marketplaces.fake_server.wb_feedbacks",
    "adolf.adapters.marketplaces.fake_server.ym",
    "adolf.adapters.marketplaces.fake_server.ozon_performance",
    "adolf.adapters.marketplaces.fake_server.ym_boost",
)


def build_app(world: FakeWorld) -> FastAPI:
    app = FastAPI(title="ADOLF fake marketplace", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_exception_handler(FakeRefusal, refusal_response)
    for path in ROUTERS:
        app.include_router(importlib.import_module(path).router(world))
    app.state.world = world
    return app
