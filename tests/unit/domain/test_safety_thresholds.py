"""Safety thresholds: documented defaults, per-campaign overrides validated by name and value."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.domain.marketing.safety_thresholds import InvalidThreshold, SafetyThresholds, UnknownThreshold


def test_defaults_are_the_documented_ones() -> None:
    defaults = SafetyThresholds()
    assert defaults.budget_warning_ratio == D("0.80")
    assert defaults.budget_pause_ratio == D("1.00")
    assert defaults.max_drr == D("30")
    assert defaults.keyword_max_spend_without_orders == D("500")
    assert defaults.keyword_drr_pause_factor == D("2.0")
    assert defaults.low_ctr_percent == D("0.3")
    assert defaults.min_views_for_ctr == 1000


def test_a_campaign_can_override_some_thresholds_from_text() -> None:
    custom = SafetyThresholds.with_overrides({"max_drr": "25", "min_views_for_ctr": "500"})
    assert custom.max_drr == D("25")
    assert custom.min_views_for_ctr == 500
    assert custom.budget_warning_ratio == D("0.80")


def test_overrides_layer_on_a_given_base() -> None:
    brand = SafetyThresholds.with_overrides({"max_drr": D("20")})
    campaign = SafetyThresholds.with_overrides({"low_ctr_percent": 1}, base=brand)
    assert (campaign.max_drr, campaign.low_ctr_percent) == (D("20"), D("1"))


def test_an_unknown_threshold_name_is_an_error_naming_it() -> None:
    with pytest.raises(UnknownThreshold, match="'max_dr' is not a safety threshold"):
        SafetyThresholds.with_overrides({"max_dr": "25"})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"max_drr": 0.3}, "max_drr=0.3 is a float"),
        ({"max_drr": "lots"}, "max_drr='lots' is not a number"),
        ({"max_drr": "-5"}, "max_drr=-5 must be > 0"),
        ({"budget_pause_ratio": "1.2"}, r"budget_pause_ratio=1.2 must be in \(0, 1\]"),
        ({"budget_warning_ratio": "0.95", "budget_pause_ratio": "0.9"}, "budget_warning_ratio=0.95"),
        ({"min_views_for_ctr": "1e3"}, "min_views_for_ctr='1e3' must be a whole number"),
        ({"keyword_drr_pause_factor": "0.5"}, "keyword_drr_pause_factor=0.5 must be >= 1"),
    ],
)
def test_bad_override_values_are_errors_naming_field_and_value(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidThreshold, match=message):
        SafetyThresholds.with_overrides(overrides)


@given(
    st.dictionaries(
        st.sampled_from(["max_drr", "keyword_max_spend_without_orders", "low_ctr_percent"]),
        st.decimals(min_value=D("0.01"), max_value=D("1000"), places=2),
    )
)
def test_overrides_name_exactly_what_differs_from_the_defaults_and_read_back(changes: dict[str, D]) -> None:
    thresholds = SafetyThresholds.with_overrides(changes)
    stored = thresholds.overrides()
    assert SafetyThresholds.with_overrides(stored) == thresholds
    assert set(stored) == {name for name, value in changes.items() if value != getattr(SafetyThresholds(), name)}
