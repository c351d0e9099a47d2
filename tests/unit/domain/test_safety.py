"""Safety checks (SPEC §4.1 "Safety", §3 check_budgets)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.domain.alerts.severity import Severity
from adolf.domain.marketing.metrics import StatsTotals
from adolf.domain.marketing.safety import (
    InvalidSafetyInput,
    SafetyAction,
    SafetyReason,
    check_campaign,
    check_keyword,
)
from adolf.domain.marketing.safety_thresholds import SafetyThresholds

from .generators import PROPERTY, money, stats_totals


@st.composite
def thresholds(draw: st.DrawFn) -> SafetyThresholds:
    """Any valid per-campaign override set."""
    pause = draw(money("0.01", "1"))
    return SafetyThresholds(
        budget_pause_ratio=pause,
        budget_warning_ratio=draw(money("0.01", pause)),
        max_drr=draw(money("0.01", "500")),
        keyword_max_spend_without_orders=draw(money("0.01", "100000")),
        keyword_drr_pause_factor=draw(money("1", "10")),
        low_ctr_percent=draw(money("0", "100")),
        min_views_for_ctr=draw(st.integers(min_value=0, max_value=100_000)),
    )


# --- campaign ---------------------------------------------------------------------------


def test_spend_at_the_daily_limit_pauses_the_campaign() -> None:
    verdict = check_campaign(D("5000"), D("5000"))
    assert verdict.action is SafetyAction.PAUSE_CAMPAIGN
    assert verdict.reasons == (SafetyReason.BUDGET_EXCEEDED,)
    assert verdict.reason == "budget_exceeded"
    assert verdict.severity is Severity.WARNING  # as seed 001 sends it


def test_eighty_percent_of_the_limit_is_a_budget_warning() -> None:
    verdict = check_campaign(D("4000"), D("5000"))
    assert verdict.action is SafetyAction.ALERT
    assert verdict.reasons == (SafetyReason.BUDGET_WARNING,)
    assert verdict.severity is Severity.INFO
    assert "80%" in verdict.details[0]


def test_under_eighty_percent_is_fine() -> None:
    assert check_campaign(D("3999.99"), D("5000"), D("12")).action is SafetyAction.OK


def test_drr_above_the_campaign_maximum_is_an_alert_alongside_the_budget() -> None:
    verdict = check_campaign(D("4500"), D("5000"), D("35"))
    assert verdict.action is SafetyAction.ALERT
    assert verdict.reasons == (SafetyReason.BUDGET_WARNING, SafetyReason.DRR_ABOVE_MAX)


def test_a_campaign_without_a_daily_limit_is_never_paused_for_budget() -> None:
    assert check_campaign(D("99999"), None).action is SafetyAction.OK
    assert check_campaign(D("99999"), D("0")).action is SafetyAction.OK


def test_a_lower_pause_ratio_pauses_earlier() -> None:
    early = SafetyThresholds.with_overrides({"budget_pause_ratio": "0.9", "budget_warning_ratio": "0.7"})
    assert check_campaign(D("900"), D("1000"), thresholds=early).action is SafetyAction.PAUSE_CAMPAIGN


def test_negative_spend_is_an_error_naming_it() -> None:
    with pytest.raises(InvalidSafetyInput, match="spent_today=-1"):
        check_campaign(D("-1"), D("100"))


@PROPERTY
@given(
    limit=money("0.01", "1000000"),
    extra=money("0", "1000000"),
    drr=st.none() | money("0", "1000"),
    limits=thresholds(),
)
def test_spend_at_or_over_the_daily_limit_always_pauses(
    limit: D, extra: D, drr: D | None, limits: SafetyThresholds
) -> None:
    verdict = check_campaign(limit + extra, limit, drr, limits)
    assert verdict.action is SafetyAction.PAUSE_CAMPAIGN
    assert verdict.reasons[0] is SafetyReason.BUDGET_EXCEEDED


@PROPERTY
@given(limit=money("0.01", "1000000"), share=money("0", "0.79"), drr=money("0", "30"))
def test_spend_under_the_warning_share_with_drr_in_range_is_ok(limit: D, share: D, drr: D) -> None:
    assert check_campaign(limit * share, limit, drr).action is SafetyAction.OK


# --- keyword ----------------------------------------------------------------------------


def test_a_keyword_spending_past_the_limit_without_orders_is_paused() -> None:
    verdict = check_keyword(StatsTotals(views=3000, clicks=40, spent=D("500.01")))
    assert verdict.action is SafetyAction.PAUSE_KEYWORD
    assert verdict.reason == "spend_without_orders"


def test_a_keyword_at_the_limit_without_orders_carries_on() -> None:
    assert check_keyword(StatsTotals(views=3000, clicks=40, spent=D("500"))).action is SafetyAction.OK


def test_a_keyword_with_drr_twice_the_maximum_is_paused() -> None:
    stats = StatsTotals(views=3000, clicks=40, orders=1, spent=D("600"), revenue=D("1000"))
    verdict = check_keyword(stats)
    assert verdict.action is SafetyAction.PAUSE_KEYWORD
    assert verdict.reasons == (SafetyReason.DRR_FAR_ABOVE_MAX,)


def test_a_keyword_with_very_low_ctr_after_enough_views_is_an_alert() -> None:
    verdict = check_keyword(StatsTotals(views=1000, clicks=2, orders=1, spent=D("10"), revenue=D("500")))
    assert verdict.action is SafetyAction.ALERT
    assert verdict.reasons == (SafetyReason.LOW_CTR,)


def test_low_ctr_is_not_judged_on_few_views() -> None:
    assert check_keyword(StatsTotals(views=999, clicks=0)).action is SafetyAction.OK


def test_a_paused_keyword_lists_every_reason_pause_first() -> None:
    verdict = check_keyword(StatsTotals(views=5000, clicks=1, spent=D("800")))
    assert verdict.action is SafetyAction.PAUSE_KEYWORD
    assert verdict.reasons == (SafetyReason.SPEND_WITHOUT_ORDERS, SafetyReason.LOW_CTR)


@PROPERTY
@given(stats=stats_totals(), limits=thresholds())
def test_spend_without_orders_past_the_limit_always_pauses_the_keyword(
    stats: StatsTotals, limits: SafetyThresholds
) -> None:
    verdict = check_keyword(stats, limits)
    if stats.orders == 0 and stats.spent > limits.keyword_max_spend_without_orders:
        assert verdict.action is SafetyAction.PAUSE_KEYWORD
    if verdict.action is SafetyAction.OK:
        assert verdict.reasons == () and verdict.severity is None
    else:
        assert verdict.reasons and len(verdict.details) == len(verdict.reasons)
