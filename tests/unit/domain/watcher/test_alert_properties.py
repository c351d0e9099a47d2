"""Alert conditions (SPEC §4.2) against the rule restated here in exact fractions.

``spec_kinds`` restates the module's documented rule (strict thresholds, edge-triggered
undercut, dumping over drop, nothing judged on an out-of-stock listing) by dividing, where the
implementation cross-multiplies; prices are drawn near every threshold.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from adolf.domain.watcher.alert_conditions import evaluate_alerts
from adolf.domain.watcher.alert_rules import AlertRules
from adolf.domain.watcher.observations import PriceObservation

from ..generators import PROPERTY
from .generators import PERCENTS, PRICES, T0, near


def _pct_under(price: Decimal, base: Decimal) -> Fraction:
    return (Fraction(base) - Fraction(price)) / Fraction(base) * 100


def spec_kinds(
    new: PriceObservation, prev: PriceObservation | None, ours: Decimal | None, rules: AlertRules
) -> set[str]:
    if prev is not None and prev.in_stock and not new.in_stock:
        return {"out_of_stock"}
    if not new.in_stock or new.price is None:
        return set()
    margin = Fraction(rules.dumping_margin_percent)
    undercut_now = undercut_before = False
    if ours:
        undercut_now = _pct_under(new.price, ours) > margin
        if prev is not None and prev.in_stock and prev.price is not None:
            undercut_before = _pct_under(prev.price, ours) > margin
    before = prev.price if prev is not None else None
    sharp = before is not None and _pct_under(new.price, before) > Fraction(rules.sharp_drop_percent)
    if (undercut_now and not undercut_before) or sharp:
        return {"dumping_detected"}
    if before is None:
        return set()
    change = -_pct_under(new.price, before)
    if change < -Fraction(rules.price_change_percent):
        return {"price_drop"}
    if change > Fraction(rules.price_change_percent):
        return {"price_rise"}
    return set()


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[PriceObservation, PriceObservation | None, Decimal | None, AlertRules]:
    rules = draw(
        st.just(AlertRules())
        | st.builds(
            AlertRules, dumping_margin_percent=PERCENTS, sharp_drop_percent=PERCENTS, price_change_percent=PERCENTS
        )
    )
    ours = draw(st.none() | st.just(Decimal(0)) | PRICES)
    before = draw(PRICES)
    anchor, threshold, sign = draw(
        st.sampled_from(
            [
                ("ours", rules.dumping_margin_percent, -1),
                ("before", rules.sharp_drop_percent, -1),
                ("before", rules.price_change_percent, -1),
                ("before", rules.price_change_percent, 1),
            ]
        )
    )
    base = ours if anchor == "ours" and ours else before
    price = draw(near(base, threshold, sign) | PRICES)
    previous = None
    if draw(st.integers(0, 4)) > 0:
        # the previous price: the anchor of the moves, or itself under our price (or near it)
        undercutting = near(ours, rules.dumping_margin_percent, -1) if ours else st.just(before)
        prev_price = draw(st.just(before) | undercutting)
        prev_in_stock = draw(st.integers(0, 3)) > 0
        previous = PriceObservation(7, prev_price if prev_in_stock or draw(st.booleans()) else None, prev_in_stock, T0)
        if prev_price != before and draw(st.booleans()):
            price = draw(undercutting)  # an undercut that lasts, or begins again
    in_stock = draw(st.integers(0, 5)) > 0
    new = PriceObservation(7, price if in_stock or draw(st.booleans()) else None, in_stock, T0 + timedelta(hours=1))
    return new, previous, ours, rules


@PROPERTY
@given(scenario=scenarios())
def test_alerts_are_the_rules_restated_exactly(
    scenario: tuple[PriceObservation, PriceObservation | None, Decimal | None, AlertRules],
) -> None:
    new, previous, ours, rules = scenario
    decided = evaluate_alerts(new, previous, ours, rules)
    assert {decision.kind.value for decision in decided} == spec_kinds(new, previous, ours, rules)


@PROPERTY
@given(scenario=scenarios())
def test_an_observation_raises_at_most_one_alert_of_its_configured_severity_with_string_details(
    scenario: tuple[PriceObservation, PriceObservation | None, Decimal | None, AlertRules],
) -> None:
    new, previous, ours, rules = scenario
    decided = evaluate_alerts(new, previous, ours, rules)
    assert len(decided) <= 1
    for decision in decided:
        assert decision.severity is rules.severity(decision.kind)
        assert all(isinstance(value, str) for value in decision.details.values())
        assert decision.dedupe_key.endswith(f":7:{new.observed_at.isoformat()}")
        if new.in_stock:
            assert decision.details["new_price"] == str(new.price)
