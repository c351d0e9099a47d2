"""The wire-level fake marketplace: WB, Ozon and YM's HTTP APIs over the simulated objects.

``build_app(world)`` is a FastAPI app serving the real paths, auth headers, payload shapes,
units, batch limits and quotas; every answer comes from the simulated market, FBO and
reputation feed in ``world`` (``world.py``), converted to the marketplace's wire units. The
real clients (``http/``) pointed at it convert them back: tests run them against it in
process (starlette's ``TestClient`` is an ``httpx.Client``), ``adolf marketplace serve``
runs it on a port.
"""

from .app import ROUTERS, build_app
from .world import FakeWorld, build_world

__all__ = ["ROUTERS", "FakeWorld", "build_app", "build_world"]
