"""Which alerts a new price observation raises (SPEC §4.2).

Given the new observation of a competitor product, the previous one of the same product and
our product's price, ``evaluate_alerts`` decides, with ``AlertRules`` thresholds (strict "more
than"; percentages of our price for the undercut, of the previous price otherwise):

- ``out_of_stock`` — the previous observation was in stock, the new one is not. An
  out-of-stock listing makes no offer, so no price condition is judged on it;
- ``dumping_detected`` — the competitor's price is more than ``dumping_margin_percent`` under
  ours (*undercut*), or more than ``sharp_drop_percent`` under its previous price (*sharp drop*);
- ``price_drop`` / ``price_rise`` — the price moved more than ``price_change_percent`` since
  the previous observation.

The seed's ``AlertEngine`` is not in it, so re-alerting is this project's choice, and is
edge-triggered: conditions alert when they start, not on every observation while they last.
- an undercut alerts only if the previous observation (in stock, with a price) did not already
  undercut our current price by the margin; a competitor sitting under us for weeks is one
  alert (a deeper cut then shows up as a drop). The first observation of a product compares
  with nothing, so an undercut on it alerts;
- ``dumping_detected`` supersedes ``price_drop`` for the same observation: one move, one alert;
- each decision carries ``dedupe_key`` (kind, product, observation time), so ``check_alerts``
  evaluating an observation twice (its 20-minute look-back runs every 15) stores it once.

Pure: no clock; the time of an alert is the application's, the observation's time is in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import MAX_PREC, Decimal, localcontext
from types import MappingProxyType

from adolf.domain.alerts.severity import Severity
from adolf.domain.errors import DomainError
from adolf.domain.money import HUNDRED, ratio_percent
from adolf.domain.watcher.alert_rules import AlertRules
from adolf.domain.watcher.alerts import AlertKind
from adolf.domain.watcher.observations import PriceObservation

DEFAULT_RULES = AlertRules()


class InvalidAlertInput(DomainError):
    """The previous observation is of another product or later than the new one, or our price < 0."""


@dataclass(frozen=True, slots=True)
class AlertDecision:
    """An alert a new observation raises: kind, severity, message, the key that stores it once, and
    the facts (prices, percentages) as strings."""

    kind: AlertKind
    severity: Severity
    message: str
    dedupe_key: str
    details: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


def evaluate_alerts(
    new: PriceObservation,
    previous: PriceObservation | None,
    our_price: Decimal | None,
    rules: AlertRules = DEFAULT_RULES,
) -> tuple[AlertDecision, ...]:
    """The alert ``new`` raises against ``previous`` (the product's last observation, or None) and
    ``our_price`` (None or 0: unknown) under ``rules``; at most one (see the module docstring)."""
    _check(new, previous, our_price)
    ours = our_price or None  # 0 is "no price of ours", as in the priority score
    if previous is not None and previous.in_stock and not new.in_stock:
        return (_decide(AlertKind.OUT_OF_STOCK, new, rules, "is out of stock", {}),)
    if not new.in_stock or new.price is None:
        return ()
    price = new.price
    before = previous.price if previous is not None else None
    facts: dict[str, str] = {"new_price": str(price)}
    if ours is not None:
        facts["our_price"] = str(ours)
    if before is not None:
        facts["previous_price"] = str(before)
        facts["change_percent"] = str(ratio_percent(price - before, before))
    margin = rules.dumping_margin_percent
    reasons = []
    if _undercuts(price, ours, margin) and not (
        previous is not None and previous.in_stock and _undercuts(previous.price, ours, margin)
    ):
        reasons.append("undercut")
    if before is not None and _more_than(before - price, rules.sharp_drop_percent, before):
        reasons.append("sharp_drop")
    if reasons:
        said = [f"sells at {price}"]
        if ours is not None:
            facts["undercut_percent"] = str(ratio_percent(ours - price, ours))
            under = f" ({facts['undercut_percent']} % under it)" if price < ours else ""
            said.append(f"our price {ours}{under}")
        if before is not None:
            said.append(f"was {before} ({facts['change_percent']} %)")
        facts["reason"] = "+".join(reasons)
        text = f"is dumping ({facts['reason']}): " + ", ".join(said)
        return (_decide(AlertKind.DUMPING_DETECTED, new, rules, text, facts),)
    if before is None:
        return ()
    if _more_than(before - price, rules.price_change_percent, before):
        text = f"dropped its price {before} → {price} ({facts['change_percent']} %)"
        return (_decide(AlertKind.PRICE_DROP, new, rules, text, facts),)
    if _more_than(price - before, rules.price_change_percent, before):
        text = f"raised its price {before} → {price} (+{facts['change_percent']} %)"
        return (_decide(AlertKind.PRICE_RISE, new, rules, text, facts),)
    return ()


def _undercuts(price: Decimal | None, ours: Decimal | None, margin: Decimal) -> bool:
    return price is not None and ours is not None and _more_than(ours - price, margin, ours)


def _more_than(amount: Decimal, percent: Decimal, base: Decimal) -> bool:
    """``amount / base × 100 > percent``, exactly (no rounded quotient; ``base`` > 0)."""
    with localcontext(prec=MAX_PREC):
        return amount * HUNDRED > percent * base


def _decide(
    kind: AlertKind, new: PriceObservation, rules: AlertRules, what: str, facts: dict[str, str]
) -> AlertDecision:
    details = {"competitor_product_id": str(new.competitor_product_id), "observed_at": new.observed_at.isoformat()}
    details.update(facts)
    key = f"watcher:{kind.value}:{new.competitor_product_id}:{new.observed_at.isoformat()}"
    message = f"Competitor product {new.competitor_product_id} {what}"
    return AlertDecision(kind, rules.severity(kind), message, key, MappingProxyType(details))


def _check(new: PriceObservation, previous: PriceObservation | None, our_price: Decimal | None) -> None:
    if our_price is not None and (not isinstance(our_price, Decimal) or not our_price.is_finite() or our_price < 0):
        raise InvalidAlertInput(f"our_price={our_price!r} must be a finite Decimal >= 0")
    if previous is None:
        return
    if previous.competitor_product_id != new.competitor_product_id:
        raise InvalidAlertInput(
            f"previous.competitor_product_id={previous.competitor_product_id} "
            f"is not new.competitor_product_id={new.competitor_product_id}"
        )
    if previous.observed_at > new.observed_at:
        raise InvalidAlertInput(
            f"previous.observed_at={previous.observed_at.isoformat()} is after new.observed_at={new.observed_at.isoformat()}"
        )
