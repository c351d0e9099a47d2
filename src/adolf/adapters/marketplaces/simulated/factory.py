"""Building a simulated market, or attaching to one another process has built."""

from __future__ import annotations

from adolf.application.ports.clock import Clock

from . import wire
from .market import SimulatedMarket
from .state import InMemorySimState, SimMeta, SimStateMismatch, SimStateStore
from .timeline import day_of, first_step_of, step_at


def build_simulated_market(
    seed: int,
    campaigns_per_marketplace: int,
    keywords_per_campaign: int,
    clock: Clock,
    state: SimStateStore | None = None,
) -> SimulatedMarket:
    """A market of ``campaigns_per_marketplace`` campaigns on each of WB, Ozon and YM, each
    with ``keywords_per_campaign`` keywords, generated from ``seed``.

    Building is instant: campaigns are generated when first used. The market starts
    accruing at the Moscow midnight before ``clock.now()``, as if it had been running since.
    A ``state`` store that already holds a market (another process built it) is attached
    to: its start is kept, and a different seed or size raises ``SimStateMismatch``.
    """
    if not 1 <= campaigns_per_marketplace <= wire.MAX_CAMPAIGNS_PER_MARKETPLACE:
        raise ValueError(f"campaigns_per_marketplace={campaigns_per_marketplace} is out of range")
    if not 1 <= keywords_per_campaign <= wire.MAX_KEYWORDS_PER_CAMPAIGN:
        raise ValueError(f"keywords_per_campaign={keywords_per_campaign} must be 1…{wire.MAX_KEYWORDS_PER_CAMPAIGN}")
    store = state if state is not None else InMemorySimState()
    origin = first_step_of(day_of(step_at(clock.now())))
    wanted = SimMeta(seed, campaigns_per_marketplace, keywords_per_campaign, origin)
    with store.transaction() as tx:
        meta = tx.meta()
        if meta is None:
            tx.set_meta(wanted)
            meta = wanted
    if (meta.seed, meta.campaigns_per_marketplace, meta.keywords_per_campaign) != (
        seed,
        campaigns_per_marketplace,
        keywords_per_campaign,
    ):
        raise SimStateMismatch(
            f"the state holds another market: {meta}, asked for seed={seed}, "
            f"{campaigns_per_marketplace}×{keywords_per_campaign}"
        )
    return SimulatedMarket(meta, clock, store)
