"""What Watcher monitors: our products, competitors, their products, and subscriptions.

Shapes follow the seed (000, ``WatcherCompetitor`` / ``WatcherTask``) split into the rows the
issue names. A subscription pairs one of our products with one competitor product on one
marketplace; ``generate_daily_tasks`` makes one parsing task per active subscription.

Choice where the seed is silent: these are plain rows built by repositories, so they carry no
validation (a repository reads what a migration constrained); the values agents send are
validated in ``observations``.

Priority lives on ``CompetitorProduct``, not on ``Competitor``: the seed's "competitor"
(``WatcherCompetitor`` with its ``our_sku``) is one listing tracked against one of our SKUs,
which is our competitor product, and every factor of the score (its price changes, discounts,
latest price against ours, dumping alerts) is a fact of one listing. A seller with two
listings, one dumping and one asleep, gets two priorities; an aggregate per seller would hide
that, be one more thing to keep in step, and nothing orders by it (tonight's tasks are ordered
per listing).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from adolf.domain.marketplace import Marketplace

BASE_PRIORITY = 50  # seed 000 ``_calculate_competitor_priority``: "score = 50  # Базовый приоритет"


@dataclass(frozen=True, slots=True)
class OurProduct:
    """A product of ours on one marketplace, with our current price when known."""

    id: int
    brand: str
    sku: str
    name: str
    marketplace: Marketplace
    price: Decimal | None  # our current price; None until we know it (scoring then skips proximity)
    active: bool = True


@dataclass(frozen=True, slots=True)
class Competitor:
    """A competitor seller on one marketplace."""

    id: int
    name: str
    marketplace: Marketplace
    active: bool = True  # an inactive competitor's products are neither scored nor parsed


@dataclass(frozen=True, slots=True)
class CompetitorProduct:
    """One listing of a competitor, tracked against one of our products, with its monitoring ``priority``."""

    id: int
    competitor_id: int
    marketplace: Marketplace
    external_id: str  # the marketplace's article / SKU of the competitor's listing
    url: str | None
    name: str | None  # known once parsed
    our_product_id: int | None = None  # the product of ours it competes with
    priority: int = BASE_PRIORITY  # 0…100, recomputed nightly by ``calculate_priorities``


@dataclass(frozen=True, slots=True)
class Subscription:
    """One of our products watched against one competitor product: a parsing task a day while active."""

    id: int
    our_product_id: int
    competitor_product_id: int
    marketplace: Marketplace
    active: bool = True
