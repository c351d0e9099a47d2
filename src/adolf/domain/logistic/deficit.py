"""Deficits per article × cluster and their priority (SPEC §4.4; seed 003 ``generate_supply_tasks``).

Rules:

- ``target_stock(velocity, target_days) = ⌈velocity × target_days⌉``: the units that cover
  ``target_days`` of sales; rounded up, because a supply ships whole units and a fraction short
  is a stock-out on the last day.
- ``deficit(target, fbo_stock, in_transit) = max(0, target − fbo_stock − in_transit)``, exactly
  as SPEC §4.4 (seed: "deficit = target_stock - fbo_stock - in_transit").
- ``priority_for(cover, policy)``: by the days of cover left, below ``urgent_days`` → urgent,
  below ``planned_days`` → planned, below ``recommended_days`` → recommended, else None (no
  supply); a bound itself belongs to the calmer side (7.0 days is planned, 6.9 urgent). None
  cover (nothing sells) → None.
- ``needs(stocks, policy)``: the day's needs, one per snapshot with a priority and a deficit > 0.
  The cover that sets the priority counts ``available + in_transit`` (choice: the same units
  the deficit subtracts — a supply already on its way makes a shortfall less pressing, and
  counting it keeps priority and deficit consistent: with ``recommended_days ≤ target_days``
  every prioritised snapshot has a deficit). ``requested`` (units in Ozon supply requests not
  yet shipped) is not subtracted (choice, SPEC's formula as written: a request is not stock
  until it ships; subtracting it would hide a deficit whose request is then dropped).
- ``SupplyPriority.rank``: 0 urgent, 1 planned, 2 recommended — lower is more pressing, the
  order in which allocation serves them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum

from adolf.domain.logistic.errors import InvalidLogistic
from adolf.domain.logistic.policy import SupplyPolicy
from adolf.domain.logistic.stock import FboStock, days_of_cover, units, velocity


class SupplyPriority(StrEnum):
    """How pressing a supply is; ``rank`` orders them, urgent (0) first."""

    URGENT = "urgent"
    PLANNED = "planned"
    RECOMMENDED = "recommended"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def parse(cls, value: str) -> SupplyPriority:
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            known = ", ".join(member.value for member in cls)
            raise InvalidLogistic(f"priority={value!r} is not one of: {known}") from None


_RANK = {SupplyPriority.URGENT: 0, SupplyPriority.PLANNED: 1, SupplyPriority.RECOMMENDED: 2}


def target_stock(velocity_per_day: Decimal, target_days: int) -> int:
    """⌈velocity × target_days⌉ units."""
    velocity("velocity", velocity_per_day)
    if type(target_days) is not int or target_days < 0:
        raise InvalidLogistic(f"target_days={target_days!r} must be an int >= 0")
    return int((velocity_per_day * target_days).to_integral_value(rounding=ROUND_CEILING))


def deficit(target: int, fbo_stock: int, in_transit: int) -> int:
    """max(0, target − fbo_stock − in_transit) (SPEC §4.4)."""
    units("target", target)
    units("fbo_stock", fbo_stock)
    units("in_transit", in_transit)
    return max(0, target - fbo_stock - in_transit)


def priority_for(cover: Decimal | None, policy: SupplyPolicy) -> SupplyPriority | None:
    """The supply priority for ``cover`` days left; None when no supply is due (or nothing sells)."""
    if cover is None:
        return None
    if cover < policy.urgent_days:
        return SupplyPriority.URGENT
    if cover < policy.planned_days:
        return SupplyPriority.PLANNED
    if cover < policy.recommended_days:
        return SupplyPriority.RECOMMENDED
    return None


@dataclass(frozen=True, slots=True)
class Need:
    """A supply due for one article × cluster: ``deficit`` units, at ``priority``."""

    article_id: int
    cluster_id: int
    deficit: int
    priority: SupplyPriority
    days_of_cover: Decimal | None  # available + in transit, at velocity
    velocity: Decimal

    def __post_init__(self) -> None:
        if not (
            type(self.article_id) is int
            and self.article_id > 0
            and type(self.cluster_id) is int
            and self.cluster_id > 0
            and type(self.deficit) is int
            and self.deficit >= 0
        ):
            for name, least in (("article_id", 1), ("cluster_id", 1), ("deficit", 0)):
                value = getattr(self, name)
                if type(value) is not int or value < least:
                    raise InvalidLogistic(
                        f"{name}={value!r} of the need of article {self.article_id!r} × cluster"
                        f" {self.cluster_id!r} must be an int >= {least}"
                    )
        if self.priority.__class__ is not SupplyPriority:
            object.__setattr__(self, "priority", SupplyPriority.parse(self.priority))


def need_for(stock: FboStock, policy: SupplyPolicy) -> Need | None:
    """The need of one snapshot, or None when it has no priority or no deficit.

    Equal to ``deficit(target_stock(v, target_days), available, in_transit)`` at
    ``priority_for(days_of_cover(available + in_transit, v))`` (a property test holds it so);
    written out because it runs once per article × cluster (300 000 times a morning).
    """
    speed = stock.avg_daily_sales
    on_hand = stock.available + stock.in_transit
    if not speed or on_hand >= speed * policy.recommended_days:  # nothing sells, or no priority
        return None
    cover = days_of_cover(on_hand, speed)
    priority = priority_for(cover, policy)
    if priority is None:
        return None
    short = int((speed * policy.target_days).to_integral_value(rounding=ROUND_CEILING)) - on_hand
    if short <= 0:
        return None
    return Need(stock.article_id, stock.cluster_id, short, priority, cover, speed)


def needs(stocks: Iterable[FboStock], policy: SupplyPolicy) -> list[Need]:
    """The needs of ``stocks``, in their order: only deficits > 0 with a priority."""
    found: list[Need] = []
    for stock in stocks:
        need = need_for(stock, policy)
        if need is not None:
            found.append(need)
    return found
