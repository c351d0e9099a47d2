"""`adolf marketplace serve`: the wire-level fake marketplace on a port, for the real clients.

It serves every API the fake knows (``fake_server.ROUTERS``) from one address, over a fresh
in-memory simulated world on the system clock (seeded by ``--seed``), with the real quotas.
Before serving it prints what to set so that ADOLF's clients call it: each host's base URL
(``ADOLF_WB_ADVERT_URL=http://127.0.0.1:8765`` …) and each brand's credentials the fake
accepts (fake values, printed on purpose: they open nothing but this process).
"""

from __future__ import annotations

import sys

import typer

app = typer.Typer(help="The fake marketplace that speaks WB, Ozon and YM's wire formats.", no_args_is_help=True)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8765, min=1, max=65535, help="Port to listen on."),
    seed: int = typer.Option(7, help="Seed of the simulated market behind the fake."),
    campaigns: int = typer.Option(20, min=1, help="Simulated campaigns per marketplace."),
    keywords: int = typer.Option(30, min=1, max=999, help="Simulated keywords per campaign."),
    brand: list[str] = typer.Option(["acme"], help="A brand whose credentials the fake accepts (repeatable)."),
) -> None:
    """Serve the fake marketplace (all APIs, one port) until interrupted."""
    import uvicorn

    from adolf.adapters.clocks import SystemClock
    from adolf.adapters.marketplaces.fake_server import build_app, build_world

    world = build_world(SystemClock(), seed=seed, brands=tuple(brand), campaigns=campaigns, keywords=keywords)
    base_url = f"http://{host}:{port}"
    print(f"# the fake marketplace at {base_url} (seed {seed}); set these for ADOLF's clients:")
    for name, value in sorted(world.env(base_url).items()):
        print(f"{name}={value}")
    sys.stdout.flush()
    uvicorn.run(build_app(world), host=host, port=port, log_level="warning")
