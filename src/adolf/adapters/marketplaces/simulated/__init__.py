"""The simulated marketplaces (WB, Ozon, YM): the embedded default ADOLF runs against.

    market = build_simulated_market(seed=7, campaigns_per_marketplace=20,
                                    keywords_per_campaign=30, clock=clock)
    wb = market.adapter(Marketplace.WB)        # an AdsMarketplace; wb.calls counts its calls
    wb.faults = Faults(error_rate=0.05)        # or market.adapter(Marketplace.WB, Faults(...))
    market.competitor_bids("10000001001")      # what a Watcher would see, highest first

Several processes share one market through ``SqlSimState(engine)`` (pass it as ``state``).

Modules: ``model`` (what is generated from the seed, and the model's assumptions),
``dynamics`` (how totals accrue with time), ``state``/``sql_state`` (the mutable state),
``market`` and ``rows`` (the server side, raw rows in wire units; ``wire`` for ids and
units), ``adapter``/``parsing``/``faults`` (the client side), ``factory``.
"""

from typing import TYPE_CHECKING, Any

from .adapter import STATS_BATCH, SimulatedAdsMarketplace
from .factory import build_simulated_market
from .faults import Faults
from .market import SimulatedMarket, UnknownEntity
from .state import InMemorySimState, SimStateMismatch, SimStateStore

if TYPE_CHECKING:
    from .sql_state import SqlSimState


def __getattr__(name: str) -> Any:
    """``SqlSimState`` is imported on first use, so the in-memory market needs no SQLAlchemy."""
    if name == "SqlSimState":
        from .sql_state import SqlSimState

        return SqlSimState
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "STATS_BATCH",
    "Faults",
    "InMemorySimState",
    "SimStateMismatch",
    "SimStateStore",
    "SimulatedAdsMarketplace",
    "SimulatedMarket",
    "SqlSimState",
    "UnknownEntity",
    "build_simulated_market",
]
