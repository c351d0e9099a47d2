"""What the bid engine is given and what it answers: ``BidContext`` → ``BidDecision``.

Rules (SPEC §4.1): money is ``Decimal``; ``min_bid ≤ max_bid``; strategies are ``manual``,
``target_position``, ``target_drr``, ``target_cpo``; a bid is sent only if it moved by at
least ``MIN_BID_STEP`` (1.0, seed 001 ``_process_campaign``: ``abs(new - current) >= 1.0``).
The tuning knobs live in ``bid_tuning``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from adolf.domain.errors import DomainError
from adolf.domain.marketing.bid_tuning import DEFAULT_TUNING, BidTuning, InvalidBidContext
from adolf.domain.marketing.constraints import BidConstraint
from adolf.domain.marketing.metrics import StatsTotals
from adolf.domain.marketing.pricing import RUBLE_STEP, Pricing, bid_step

MIN_BID_STEP = RUBLE_STEP


class InvalidBidBounds(DomainError):
    """``min_bid``/``max_bid``/``current_bid`` are negative or ``min_bid > max_bid``."""


class UnknownStrategy(DomainError):
    """The campaign's ``strategy_type`` is not one the engine knows."""


class StrategyType(StrEnum):
    """A campaign's bid strategy; ``parse`` names the known ones when given another."""

    MANUAL = "manual"
    TARGET_POSITION = "target_position"
    TARGET_DRR = "target_drr"
    TARGET_CPO = "target_cpo"

    @classmethod
    def parse(cls, value: str) -> StrategyType:
        try:
            return cls(value)
        except ValueError:
            known = ", ".join(member.value for member in cls)
            raise UnknownStrategy(f"strategy={value!r} is not one of: {known}") from None


class BidReason(StrEnum):
    """Why the engine decided what it did (machine-readable; ``BidDecision.detail`` is prose)."""

    MANUAL = "manual"
    NO_TARGET = "no_target"
    INSUFFICIENT_DATA = "insufficient_data"
    NO_SPEND = "no_spend"
    NO_ORDERS = "no_orders"
    ABOVE_TARGET = "above_target"
    BELOW_TARGET = "below_target"
    WITHIN_TARGET = "within_target"
    NO_POSITION_DATA = "no_position_data"
    IN_POSITION_BAND = "in_position_band"
    POSITION_TOO_LOW = "position_too_low"  # worse (a larger number) than the target
    POSITION_TOO_HIGH = "position_too_high"  # better than needed: overpaying
    FROM_COMPETITOR_BIDS = "from_competitor_bids"
    BUDGET_LIMITED = "budget_limited"
    POSITION_PRICE = "position_price"  # lowered to the cheapest bid that holds its position


def _require_decimal(name: str, value: object, error: type[DomainError]) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise error(f"{name}={value!r} must be a finite Decimal")
    return value


@dataclass(frozen=True, slots=True)
class BidContext:
    """One keyword's situation at the start of a bid cycle.

    ``stats`` is the keyword's judging window (``windows.KeywordWindow.judged``: today plus
    whole earlier days). ``competitor_bids`` come from Watcher, highest first (the engine does
    not rely on the order). ``marketplace_min_bid`` is the marketplace's minimum for this
    keyword; it is honoured unless it exceeds ``max_bid``. ``pricing`` says what a bid buys
    (``pricing``: CPM on WB, CPC on Ozon, percent of the order value on YM).
    ``budget_limited``: the campaign runs out of budget, so raising its bids buys nothing.
    ``campaign_order_value``: the campaign's revenue per order, for a keyword with no order yet
    where a bid is a percent of the order value.
    """

    current_bid: Decimal
    min_bid: Decimal
    max_bid: Decimal
    stats: StatsTotals = field(default_factory=StatsTotals)
    avg_position: Decimal | None = None
    target_position: Decimal | None = None
    target_drr: Decimal | None = None  # percent
    target_cpo: Decimal | None = None  # rubles
    competitor_bids: tuple[Decimal, ...] = ()
    marketplace_min_bid: Decimal | None = None
    pricing: Pricing = Pricing.CPC
    budget_limited: bool = False
    campaign_order_value: Decimal | None = None
    tuning: BidTuning = DEFAULT_TUNING

    def __post_init__(self) -> None:
        for name in ("current_bid", "min_bid", "max_bid"):
            value = _require_decimal(name, getattr(self, name), InvalidBidBounds)
            if value < 0:
                raise InvalidBidBounds(f"{name}={value} must be >= 0")
        if self.min_bid > self.max_bid:
            raise InvalidBidBounds(f"min_bid={self.min_bid} > max_bid={self.max_bid}")
        if not isinstance(self.stats, StatsTotals):
            raise InvalidBidContext(f"stats={self.stats!r} must be StatsTotals")
        for name in ("target_drr", "target_cpo"):
            value = getattr(self, name)
            if value is not None and _require_decimal(name, value, InvalidBidContext) <= 0:
                raise InvalidBidContext(f"{name}={value} must be > 0")
        for name in ("target_position", "avg_position"):
            value = getattr(self, name)
            # Positions count from 1 (the top of the results).
            if value is not None and _require_decimal(name, value, InvalidBidContext) < 1:
                raise InvalidBidContext(f"{name}={value} must be >= 1")
        for index, bid in enumerate(self.competitor_bids):
            # Checked inline: a name is formatted only for an error (a cycle checks millions).
            if not isinstance(bid, Decimal) or not bid.is_finite() or bid < 0:
                _require_decimal(f"competitor_bids[{index}]", bid, InvalidBidContext)
                raise InvalidBidContext(f"competitor_bids[{index}]={bid} must be >= 0")
        order_value = self.campaign_order_value
        if order_value is not None and _require_decimal("campaign_order_value", order_value, InvalidBidContext) <= 0:
            raise InvalidBidContext(f"campaign_order_value={order_value} must be > 0")
        minimum = self.marketplace_min_bid
        if minimum is not None and _require_decimal("marketplace_min_bid", minimum, InvalidBidContext) < 0:
            raise InvalidBidContext(f"marketplace_min_bid={minimum} must be >= 0")

    @property
    def step(self) -> Decimal:
        """The smallest move that is sent (1.0 ₽; 0.1 for a percent bid)."""
        return bid_step(self.pricing)

    @property
    def floor(self) -> Decimal:
        """The lowest bid the engine may set: ``min_bid``, raised to the marketplace's minimum
        unless that minimum exceeds ``max_bid`` (then it cannot be met and ``max_bid`` wins)."""
        minimum = self.marketplace_min_bid
        if minimum is not None and minimum <= self.max_bid:
            return max(self.min_bid, minimum)
        return self.min_bid


@dataclass(frozen=True, slots=True)
class BidDecision:
    """The engine's answer for one keyword.

    ``new_bid`` is what the keyword's bid should be; when ``changed`` is False it equals the
    current bid and nothing is to be sent. ``computed_bid`` is the bid the rules arrived at
    before the step threshold (for dry-run logs). ``capped`` means the rules wanted more than
    ``max_bid`` (the caller raises a ``CAP_BID`` warning). ``held`` means the strategy chose not
    to move (manual, too little data, inside its band, no target); bounds still apply to a held
    bid that lies outside them. ``constraint`` names what bound the decision
    (``constraints.BidConstraint``). ``aim`` is the bid that would meet the target exactly and
    ``goal`` the bid the strategy heads for (the position price nearest the aim, on a ladder
    of competitor bids; the aim itself without one), for a campaign to see how far its
    keywords' positions fall from their aims.
    """

    new_bid: Decimal
    changed: bool
    reason: BidReason
    capped: bool
    held: bool
    computed_bid: Decimal
    detail: str = ""
    constraint: BidConstraint = BidConstraint.WITHIN_BAND
    aim: Decimal | None = None
    goal: Decimal | None = None
