"""Watcher in ``adolf simulate``: which of its fires the run drives, the fleet's HTTP
connection, and the night before the run.

Fires. Every scheduled Watcher job runs on its schedule, except the two every-minute ones:
``sync_agent_status`` runs every minute in the first hour of the agents' shift (20:30–21:30
Moscow, while the night's queue is worked: a quarter of an hour at the default size) and on
the hour otherwise (the fleet idles or sleeps then, so a minute's sweep finds nothing the
hour's does not: an agent silent later is found within the hour, not in 5 minutes),
``office_heartbeat`` on the hour (no dashboard watches a simulated office). Every minute of a
week would be 20 000 more jobs, doubling an inline run and far worse through real workers.

The fleet's connection. Inline, the agents call the app in this process through httpx's ASGI
transport (``InProcessHttp``: the requests, routes, tokens and answers are the real ones,
without sockets). Celery and RQ runs serve the app with uvicorn on a free local port in a
thread of the driver, and the agents call it over real HTTP; the app queues
``handle_panic_mode`` to the workers like any deployment would.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from adolf.application.catalogue import TaskSpec
from adolf.application.watcher.generation import generate_daily_tasks
from adolf.entrypoints.simulation.watcher_agents import MOSCOW, AgentFleet, in_rush
from adolf.entrypoints.simulation.watcher_setup import WatcherWorld, seed_watcher

if TYPE_CHECKING:  # imported where the agents post: a run without Watcher needs no httpx (`adolf[core]`)
    import httpx

EVERY_MINUTE = "* * * * *"
QUIET_EVERY = 60  # minutes between the every-minute jobs' fires outside the rush
RUSH_JOBS = frozenset({"watcher.sync_agent_status"})  # every minute while the night's queue is worked


def drives(spec: TaskSpec, at: datetime) -> bool:
    """Whether the run fires ``spec`` at ``at`` (the rule above; other modules: always)."""
    if spec.module != "watcher" or spec.schedule is None or spec.schedule.cron != EVERY_MINUTE:
        return True
    return (spec.name in RUSH_JOBS and in_rush(at)) or at.astimezone(MOSCOW).minute % QUIET_EVERY == 0


def prepare_watcher(container: Any, options: Any) -> WatcherWorld:
    services = container.watcher_services()
    return seed_watcher(
        services, container.settings().brands, container.sim_market(), options.seed, options.per_marketplace
    )


@contextmanager
def agent_fleet(
    container: Any, settings: Any, options: Any, world: WatcherWorld, wait: Callable[[str], object]
) -> Iterator[AgentFleet]:
    from adolf.entrypoints.http import create_app

    app = create_app(settings, container)
    last_night = options.start + timedelta(days=options.days - 1)
    market = container.sim_market()
    if options.backend == "inline":
        http = InProcessHttp(app, "http://adolf.simulated")
        try:
            yield AgentFleet(http, world, market, options.start, last_night, wait)
        finally:
            http.close()
    else:
        import httpx

        with serve(app) as base_url, httpx.Client(base_url=base_url, timeout=120) as http:
            yield AgentFleet(http, world, market, options.start, last_night, wait)


def night_zero(container: Any, options: Any, fleet: AgentFleet) -> dict[str, Any]:
    """The night before the first day, parsed at the run's start: its tasks generated and
    worked through, so the first bid cycle reads competitor bids Watcher observed."""
    generated = generate_daily_tasks(container.watcher_services(), date=options.start - timedelta(days=1))
    fleet.night_zero(options.start_at)
    return generated


class InProcessHttp:
    """A blocking ``post`` over ``httpx.AsyncClient`` and the ASGI transport: the app runs in
    this process, on an event loop that runs only while a request is answered."""

    def __init__(self, app: Any, base_url: str, timeout: float = 120.0) -> None:
        import httpx

        self.loop = asyncio.new_event_loop()
        transport = httpx.ASGITransport(app=app)
        self.client = httpx.AsyncClient(transport=transport, base_url=base_url, timeout=timeout)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.post(url, **kwargs))

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


@contextmanager
def serve(app: Any, timeout: float = 30.0) -> Iterator[str]:
    """``app`` on uvicorn at a free 127.0.0.1 port, in a thread; yields its base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="simulation-http", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the agents' HTTP server did not start on 127.0.0.1:{port}")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=timeout)
        sock.close()
