"""Campaign settings an operator changes: every accepted change keeps the rules, every refused
one names its field and value."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.campaign import Campaign, CampaignStatus
from adolf.domain.marketing.campaign_settings import (
    SETTABLE,
    STORED_MAX,
    TARGET_OF,
    InvalidCampaignSettings,
    change_settings,
    check_settings,
)
from adolf.domain.marketing.safety_thresholds import UnknownThreshold
from adolf.domain.marketplace import Marketplace
from tests.unit.domain.generators import money

D = Decimal
BASE = Campaign(
    id=1,
    marketplace=Marketplace.WB,
    external_id="c1",
    name="Spring",
    brand="acme",
    status=CampaignStatus.ACTIVE,
    strategy=StrategyType.MANUAL,
    min_bid=D("10"),
    max_bid=D("500"),
)

values = st.one_of(
    money("-100", "1000"),
    money("-100", "1000").map(str),
    st.integers(-5, 1000),
    st.sampled_from(["none", "", "abc", "NaN", "1e3"]),
)
changes = st.dictionaries(
    st.sampled_from(["min_bid", "max_bid", "daily_budget", "target_position", "target_drr", "target_cpo"]),
    values,
).flatmap(
    lambda d: st.builds(lambda s: {**d, **s}, st.dictionaries(st.just("strategy"), st.sampled_from(list(StrategyType))))
)


@given(changes)
def test_an_accepted_change_always_keeps_every_rule(change: dict[str, object]) -> None:
    try:
        updated = change_settings(BASE, change)
    except InvalidCampaignSettings as error:
        # refused: the message names one of the fields involved
        assert any(name in str(error) for name in SETTABLE), error
        return
    assert Decimal(0) < updated.min_bid <= updated.max_bid
    target = TARGET_OF.get(updated.strategy)
    assert target is None or getattr(updated, target) is not None
    for name in ("daily_budget", "target_cpo"):
        assert getattr(updated, name) is None or getattr(updated, name) > 0
    assert updated.target_drr is None or Decimal(0) < updated.target_drr <= 100
    assert updated.target_position is None or updated.target_position >= 1
    check_settings(updated)  # and the stored campaign passes the same check


@given(money("0.01", "1000"), money("0.01", "1000"))
def test_bounds_are_accepted_exactly_when_min_is_not_above_max(low: Decimal, high: Decimal) -> None:
    if low <= high:
        updated = change_settings(BASE, {"min_bid": str(low), "max_bid": high})
        assert (updated.min_bid, updated.max_bid) == (low, high)
    else:
        with pytest.raises(InvalidCampaignSettings, match=f"max_bid={high} is below min_bid={low}"):
            change_settings(BASE, {"min_bid": low, "max_bid": high})


@pytest.mark.parametrize(("strategy", "target"), list(TARGET_OF.items()))
def test_a_strategy_needs_its_target(strategy: StrategyType, target: str) -> None:
    with pytest.raises(InvalidCampaignSettings, match=f"strategy={strategy.value} needs {target}"):
        change_settings(BASE, {"strategy": strategy.value})
    assert getattr(change_settings(BASE, {"strategy": strategy.value, target: "5"}), target) == D("5")


def test_manual_needs_no_target_and_clearing_a_target_its_strategy_uses_is_refused() -> None:
    drr = change_settings(BASE, {"strategy": "target_drr", "target_drr": "15"})
    assert change_settings(drr, {"strategy": "manual", "target_drr": "none"}).target_drr is None
    with pytest.raises(InvalidCampaignSettings, match="needs target_drr"):
        change_settings(drr, {"target_drr": ""})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colour": "red"}, "'colour' is not a campaign setting"),
        ({"strategy": "aggressive"}, "strategy='aggressive' is not one of"),
        ({"min_bid": "abc"}, "min_bid='abc' is not a number"),
        ({"min_bid": 1.5}, "min_bid=1.5 is a float"),
        ({"min_bid": "0"}, "min_bid=0 must be > 0"),
        ({"daily_budget": "-1"}, "daily_budget=-1 must be > 0"),
        ({"target_drr": "150"}, r"target_drr=150 must be in \(0, 100\]"),
        ({"target_position": "0.5"}, "target_position=0.5 must be >= 1"),
        ({"kill_switch": "maybe"}, "kill_switch='maybe' must be true or false"),
        ({"min_bid": None}, "min_bid=None is a NoneType"),
        ({"min_bid": "0.001"}, r"min_bid=0\.001 has more than 2 decimal places \(refused, not rounded\)"),
        ({"max_bid": "100.005"}, r"max_bid=100\.005 has more than 2 decimal places"),
        ({"max_bid": "1e20"}, r"max_bid=1E\+20 is beyond 9999999999\.99, the most it can be stored as"),
        ({"daily_budget": "1000000000000"}, r"daily_budget=1000000000000 is beyond 999999999999\.99"),
        ({"target_position": "1000000"}, r"target_position=1000000 is beyond 999999\.99"),
        ({"target_cpo": "9" * 200}, r"target_cpo=9{39}… is beyond"),
    ],
)
def test_a_refused_change_names_the_field_and_the_value(change: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidCampaignSettings, match=message):
        change_settings(BASE, change)


@pytest.mark.parametrize(
    ("text", "expected"), [("true", True), ("On", True), ("1", True), ("no", False), (False, False)]
)
def test_flags_read_the_usual_spellings(text: object, expected: bool) -> None:
    assert change_settings(BASE, {"kill_switch": text, "dry_run": text}).kill_switch is expected


def test_safety_overrides_apply_on_top_of_the_campaigns_own() -> None:
    first = change_settings(BASE, {}, {"max_drr": "25"})
    second = change_settings(first, {}, {"low_ctr_percent": "0.5"})
    assert (second.safety.max_drr, second.safety.low_ctr_percent) == (D("25"), D("0.5"))
    with pytest.raises(UnknownThreshold, match="'speed' is not a safety threshold"):
        change_settings(BASE, {}, {"speed": "1"})


@given(
    st.sampled_from(sorted(STORED_MAX)),
    st.decimals(allow_nan=False, allow_infinity=False) | money("0.001", "2000").map(lambda d: d / 10),
)
def test_an_accepted_amount_is_one_its_column_stores_unchanged(name: str, value: Decimal) -> None:
    try:
        updated = change_settings(BASE, {name: str(value)})
    except InvalidCampaignSettings as error:
        assert f"{name}=" in str(error)
        return
    stored = getattr(updated, name)
    assert stored == value
    assert stored.quantize(D("0.01")) == stored  # a scale-2 column neither rounds nor truncates it
    assert abs(stored) <= STORED_MAX[name]
