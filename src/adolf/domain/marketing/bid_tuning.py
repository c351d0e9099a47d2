"""Tuning knobs of the bid strategies, with their defaults.

Rule (SPEC §4.1 "How the field does it"): the defaults start from what public bidders and ad
tools do, and are meant to be tuned on the simulator; each is documented on ``BidTuning``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from adolf.domain.errors import DomainError


class InvalidBidContext(DomainError):
    """A strategy setting, competitor bid or tuning knob is out of its range."""


def _decimal(name: str, value: object) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidBidContext(f"{name}={value!r} must be a finite Decimal")
    return value


def _fraction(name: str, value: Decimal, *, upper: Decimal) -> None:
    if not Decimal(0) < _decimal(name, value) <= upper:
        raise InvalidBidContext(f"{name}={value} must be in (0, {upper}]")


@dataclass(frozen=True, slots=True)
class BidTuning:
    """Knobs of the strategies. Defaults (SPEC §4.1 "How the field does it"):

    - ``min_clicks`` 30 / ``min_spend`` 300 ₽: target_drr / target_cpo act once the window has
      at least 30 clicks *or* 300 ₽ of spend; below both they hold (too little data).
    - ``min_orders`` 3: a judging window is long enough once it holds 3 orders (``windows``).
    - ``target_band`` 0.05: target_drr / target_cpo hold while the bid is within ±5 % of the
      bid that meets the target. (The seeds' field practice, "raise only at ≤ 0.8 × target",
      guards ``bid × target / actual`` against oscillation; the bid here comes from the value
      per click or view, which does not move with the bid, so a narrow band is stable — and a
      0.8 band let campaigns settle 20 % under target, outside the ±10 % goal.)
    - ``max_raise`` 0.15 / ``max_cut`` 0.30: one cycle moves a DRR/CPO bid by +15 % … −30 % at most.
    - ``no_orders_cut`` 0.20: clicks (or spend) past the minimum and no orders → −20 %.
    - ``position_band`` 0.3: target_position holds while |avg_position − target| ≤ 0.3.
    - ``position_step`` 0.20 per position of gap, at most ``position_max_step`` 0.40 (2 × 20 %).
    - ``min_views_for_position`` 100: an average position over fewer views is not trusted.

    Whatever the factors, a move of one bid step (1.0 ₽, 0.1 % for percent bids, ``pricing``) is
    always allowed: a 5 ₽ bid moved by 15 % (0.75 ₽) would otherwise never reach the 1.0 sending
    threshold and could never move up.
    """

    min_clicks: int = 30
    min_spend: Decimal = Decimal("300")
    min_orders: int = 3
    target_band: Decimal = Decimal("0.05")
    max_raise: Decimal = Decimal("0.15")
    max_cut: Decimal = Decimal("0.30")
    no_orders_cut: Decimal = Decimal("0.20")
    position_band: Decimal = Decimal("0.3")
    position_step: Decimal = Decimal("0.20")
    position_max_step: Decimal = Decimal("0.40")
    min_views_for_position: int = 100

    def __post_init__(self) -> None:
        for name in ("min_clicks", "min_orders", "min_views_for_position"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidBidContext(f"{name}={value!r} must be an int >= 0")
        if _decimal("min_spend", self.min_spend) < 0:
            raise InvalidBidContext(f"min_spend={self.min_spend} must be >= 0")
        _fraction("target_band", self.target_band, upper=Decimal("0.5"))
        _fraction("max_raise", self.max_raise, upper=Decimal(10))
        # A cut of 100 % or more would take the bid to zero or below in one cycle.
        _fraction("max_cut", self.max_cut, upper=Decimal("0.99"))
        _fraction("no_orders_cut", self.no_orders_cut, upper=self.max_cut)
        _fraction("position_step", self.position_step, upper=Decimal("0.99"))
        _fraction("position_max_step", self.position_max_step, upper=Decimal("0.99"))
        if _decimal("position_band", self.position_band) < 0:
            raise InvalidBidContext(f"position_band={self.position_band} must be >= 0")


#: The knobs as documented on ``BidTuning``: what the strategies use unless given others.
DEFAULT_TUNING = BidTuning()
