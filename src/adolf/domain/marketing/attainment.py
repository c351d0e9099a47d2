"""Did a target strategy reach its target? Per campaign, over a judged period.

Rules:
- ``target_drr``: achieved = spend / revenue × 100 over the period; ``target_cpo``: spend /
  orders. Nothing to judge (no revenue / no orders, or nothing spent) → ``achieved`` None,
  not within;
- within the target ±``TOLERANCE`` (10 %) of the target;
- a campaign is *bound* when its binding constraint (``constraints``) is not a free one: a
  bound, its budget, too little data, safety or a switch decided, not the strategy; an
  unknown constraint (never planned) counts as bound;
- the strategy's summary counts campaigns, those within, the unbound ones and those of them
  within, and the bound ones by constraint.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.constraints import FREE
from adolf.domain.marketing.metrics import StatsTotals

TOLERANCE = Decimal("0.10")
JUDGED = (StrategyType.TARGET_DRR, StrategyType.TARGET_CPO)


@dataclass(frozen=True, slots=True)
class Attainment:
    """A target campaign over the judged period: its target, what it ``achieved`` (DRR in percent or
    CPO in rubles; None when nothing can be judged) and the constraint that bound it."""

    strategy: StrategyType
    target: Decimal
    achieved: Decimal | None
    constraint: str | None

    @property
    def within(self) -> bool:
        return self.achieved is not None and abs(self.achieved - self.target) <= self.target * TOLERANCE

    @property
    def bound(self) -> bool:
        return self.constraint not in {c.value for c in FREE}


def achieved(strategy: StrategyType, totals: StatsTotals) -> Decimal | None:
    if totals.spent == 0:
        return None
    if strategy is StrategyType.TARGET_DRR:
        return totals.drr if totals.revenue else None
    if strategy is StrategyType.TARGET_CPO:
        return totals.cpo if totals.orders else None
    return None


def attainment(
    strategy: StrategyType, target: Decimal | None, totals: StatsTotals, constraint: str | None
) -> Attainment | None:
    """None for a strategy without a ratio target (``manual``, ``target_position``) or no target."""
    if strategy not in JUDGED or target is None:
        return None
    return Attainment(strategy, target, achieved(strategy, totals), constraint)


@dataclass(frozen=True, slots=True)
class AttainmentSummary:
    """A strategy's campaigns counted: all, within the target, not bound, not bound and within,
    and the bound ones per constraint."""

    campaigns: int = 0
    within: int = 0
    unbound: int = 0
    unbound_within: int = 0
    bound: dict[str, int] = field(default_factory=dict)

    def line(self, strategy: str) -> str:
        """e.g. ``target_drr: 14/16 within ±10 % (12/12 of those not bound), 2 bound at_max_bid``"""
        text = f"{strategy}: {self.within}/{self.campaigns} within ±10 %"
        text += f" ({self.unbound_within}/{self.unbound} of those not bound)"
        if self.bound:
            text += ", " + ", ".join(f"{n} bound {c}" for c, n in sorted(self.bound.items(), key=lambda kv: -kv[1]))
        return text


def summarise(items: Iterable[Attainment]) -> AttainmentSummary:
    """The counts of ``items``; a campaign never planned counts as bound, ``unplanned``."""
    found = list(items)
    bound = Counter(a.constraint or "unplanned" for a in found if a.bound)
    return AttainmentSummary(
        campaigns=len(found),
        within=sum(a.within for a in found),
        unbound=sum(not a.bound for a in found),
        unbound_within=sum(a.within and not a.bound for a in found),
        bound=dict(bound),
    )
