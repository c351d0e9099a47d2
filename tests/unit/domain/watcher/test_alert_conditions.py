"""Alert conditions (SPEC §4.2) by example: each threshold exactly at, just under and just past.

Defaults: dumping margin 10 % under our price, sharp drop 20 %, price change 5 %; all strict.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from adolf.domain.alerts.severity import Severity
from adolf.domain.watcher.alert_conditions import InvalidAlertInput, evaluate_alerts
from adolf.domain.watcher.alert_rules import AlertRules
from adolf.domain.watcher.alerts import AlertKind
from adolf.domain.watcher.observations import PriceObservation

from .generators import T0

D = Decimal


def seen(price: str | None, *, in_stock: bool = True, minutes: int = 0, product: int = 7) -> PriceObservation:
    return PriceObservation(
        competitor_product_id=product,
        price=None if price is None else D(price),
        in_stock=in_stock,
        observed_at=T0 + timedelta(minutes=minutes),
    )


def kinds(
    new: PriceObservation, previous: PriceObservation | None, ours: str | None, rules: AlertRules | None = None
) -> list[str]:
    decided = evaluate_alerts(new, previous, None if ours is None else D(ours), rules or AlertRules())
    return [decision.kind.value for decision in decided]


@pytest.mark.parametrize(("price", "expected"), [("90.01", []), ("90", []), ("89.99", ["dumping_detected"])])
def test_dumping_is_a_price_more_than_the_margin_under_ours(price: str, expected: list[str]) -> None:
    assert kinds(seen(price), None, "100") == expected


@pytest.mark.parametrize(
    ("price", "expected"), [("80.01", ["price_drop"]), ("80", ["price_drop"]), ("79.99", ["dumping_detected"])]
)
def test_a_drop_of_more_than_the_sharp_drop_threshold_is_dumping_even_above_our_price(
    price: str, expected: list[str]
) -> None:
    assert kinds(seen(price, minutes=60), seen("100"), "50") == expected


def test_a_sharp_drop_is_dumping_without_a_price_of_ours() -> None:
    [decision] = evaluate_alerts(seen("70", minutes=60), seen("100"), None)
    assert decision.kind is AlertKind.DUMPING_DETECTED
    assert decision.details["reason"] == "sharp_drop"
    assert "our_price" not in decision.details


@pytest.mark.parametrize(
    ("price", "expected"),
    [("95.01", []), ("95", []), ("94.99", ["price_drop"]), ("104.99", []), ("105", []), ("105.01", ["price_rise"])],
)
def test_a_move_of_more_than_5_percent_of_the_previous_price_is_a_drop_or_a_rise(
    price: str, expected: list[str]
) -> None:
    assert kinds(seen(price, minutes=60), seen("100"), None) == expected


def test_a_threshold_of_0_alerts_on_any_change() -> None:
    rules = AlertRules(price_change_percent=D(0))
    assert kinds(seen("99.99", minutes=1), seen("100"), None, rules) == ["price_drop"]
    assert kinds(seen("100.00", minutes=1), seen("100"), None, rules) == []


def test_dumping_supersedes_the_price_drop_of_the_same_move() -> None:
    [decision] = evaluate_alerts(seen("70", minutes=60), seen("100"), D("100"))
    assert decision.kind is AlertKind.DUMPING_DETECTED
    assert decision.details["reason"] == "undercut+sharp_drop"
    assert decision.details["undercut_percent"] == "30.00"
    assert decision.details["change_percent"] == "-30.00"


def test_an_undercut_alerts_when_it_starts_not_while_it_lasts() -> None:
    assert kinds(seen("85", minutes=60), seen("95"), "100") == ["dumping_detected"]  # starts
    assert kinds(seen("85", minutes=60), seen("85"), "100") == []  # lasts
    assert kinds(seen("84", minutes=60), seen("85"), "100") == []  # a kopeck-level slide
    assert kinds(seen("80", minutes=60), seen("85"), "100") == ["price_drop"]  # deeper, not sharp


def test_an_undercut_alerts_again_when_the_listing_comes_back_in_stock() -> None:
    assert kinds(seen("85", minutes=60), seen("85", in_stock=False), "100") == ["dumping_detected"]


def test_out_of_stock_is_alerted_when_an_in_stock_listing_runs_out() -> None:
    assert kinds(seen(None, in_stock=False, minutes=60), seen("100"), "100") == ["out_of_stock"]
    # its price is no offer: no dumping even far under ours
    assert kinds(seen("10", in_stock=False, minutes=60), seen("100"), "100") == ["out_of_stock"]
    assert kinds(seen(None, in_stock=False, minutes=60), seen(None, in_stock=False), "100") == []
    assert kinds(seen(None, in_stock=False), None, "100") == []


def test_nothing_to_compare_with_raises_no_move_alert() -> None:
    assert kinds(seen("100"), None, None) == []
    assert kinds(seen("100"), None, "100") == []


def test_our_price_of_0_means_we_have_none() -> None:
    assert kinds(seen("1"), None, "0") == []


def test_severity_comes_from_the_rules() -> None:
    rules = AlertRules().with_severities({"dumping_detected": "warning", "price_drop": "critical"})
    [dumping] = evaluate_alerts(seen("50"), None, D("100"), rules)
    [drop] = evaluate_alerts(seen("90", minutes=1), seen("100"), None, rules)
    assert (dumping.severity, drop.severity) == (Severity.WARNING, Severity.CRITICAL)
    [default] = evaluate_alerts(seen("50"), None, D("100"))
    assert default.severity is Severity.CRITICAL


def test_details_are_strings_with_the_new_price_that_process_dumping_alert_reads() -> None:
    [decision] = evaluate_alerts(seen("89.50", minutes=30), seen("99.00"), D("100"))
    assert decision.details == {
        "competitor_product_id": "7",
        "observed_at": "2026-01-12T21:30:00+00:00",
        "new_price": "89.50",
        "previous_price": "99.00",
        "our_price": "100",
        "change_percent": "-9.60",
        "undercut_percent": "10.50",
        "reason": "undercut",
    }
    assert "89.50" in decision.message and "undercut" in decision.message


def test_the_same_observation_decides_the_same_dedupe_key() -> None:
    first = evaluate_alerts(seen("50", minutes=5), None, D("100"))
    again = evaluate_alerts(seen("50", minutes=5), None, D("100"))
    later = evaluate_alerts(seen("50", minutes=6), None, D("100"))
    assert first[0].dedupe_key == again[0].dedupe_key == "watcher:dumping_detected:7:2026-01-12T21:05:00+00:00"
    assert later[0].dedupe_key != first[0].dedupe_key


def test_a_previous_observation_of_another_product_or_from_later_is_refused() -> None:
    with pytest.raises(InvalidAlertInput, match="competitor_product_id"):
        evaluate_alerts(seen("50", minutes=5), seen("60", product=8), None)
    with pytest.raises(InvalidAlertInput, match="observed_at"):
        evaluate_alerts(seen("50"), seen("60", minutes=5), None)
    with pytest.raises(InvalidAlertInput, match="our_price"):
        evaluate_alerts(seen("50"), None, D("-1"))
