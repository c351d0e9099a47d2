"""Logistic's alerts: which stock alert applies (bounds on both sides), severities, dedupe and recovery."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.domain.alerts.severity import Severity
from adolf.domain.logistic.alerts import (
    DEFAULT_SEVERITY,
    STOCK_PROBLEMS,
    AlertDecisions,
    StockAlertKind,
    StockKey,
    alert_changes,
    dedupe_key,
    stock_alert_for,
    stock_alerts,
)
from adolf.domain.logistic.errors import InvalidLogistic
from adolf.domain.logistic.policy import SupplyPolicy
from adolf.domain.logistic.stock import FboStock

from ..generators import PROPERTY
from .generators import T0, policies, stocks

K = StockAlertKind
POLICY = SupplyPolicy()  # urgent below 7 days of cover, low below 14


def snapshot(available: int, velocity: str, days_left: str | None = None, in_transit: int = 0) -> FboStock:
    ozon = None if days_left is None else Decimal(days_left)
    return FboStock(1, 2, available, in_transit, 0, Decimal(velocity), T0, days_left=ozon)


def test_the_kinds_are_the_seeds_upper_case_names() -> None:
    assert [kind.value for kind in K] == [kind.name for kind in K]
    assert len(K) == 9
    assert K.parse(" out_of_stock ") is K.OUT_OF_STOCK
    with pytest.raises(InvalidLogistic, match="kind='SOLD_OUT'"):
        K.parse("SOLD_OUT")


def test_severities_follow_the_spec_and_the_documented_choices() -> None:
    assert K.DATA_STALE.severity is Severity.parse("high") is Severity.CRITICAL
    assert K.WAREHOUSE_LOW.severity is Severity.CRITICAL
    assert K.TASKS_GENERATED.severity is Severity.parse("low")
    assert K.TASK_OVERDUE.severity is Severity.parse("medium")
    assert (K.OUT_OF_STOCK.severity, K.URGENT_STOCK.severity) == (Severity.CRITICAL, Severity.CRITICAL)
    assert (K.OZON_URGENT.severity, K.LOW_STOCK.severity) == (Severity.WARNING, Severity.WARNING)
    assert K.STOCK_RECOVERED.severity is Severity.INFO
    assert set(DEFAULT_SEVERITY) == set(K)


@pytest.mark.parametrize(
    ("available", "velocity", "days_left", "expected"),
    [
        (0, "5", None, K.OUT_OF_STOCK),
        (0, "0", None, K.OUT_OF_STOCK),  # out whatever the velocity
        (34, "5", None, K.URGENT_STOCK),  # 6.8 days
        (35, "5", None, K.LOW_STOCK),  # 7.0 days: the bound is not urgent
        (69, "5", None, K.LOW_STOCK),  # 13.8 days
        (70, "5", None, None),  # 14.0 days: the bound is not low
        (70, "5", "6.9", K.OZON_URGENT),  # Ozon says under a week
        (70, "5", "7", None),
        (34, "5", "1", K.URGENT_STOCK),  # ours wins when both are urgent
        (50, "5", "2", K.OZON_URGENT),  # 10 days for us: Ozon's urgent beats our low
        (5, "0", "0", K.OZON_URGENT),  # nothing sells for us, Ozon still says 0 days
        (5, "0", None, None),  # nothing sells: infinite cover
    ],
)
def test_which_stock_alert_applies(available: int, velocity: str, days_left: str | None, expected: K | None) -> None:
    assert stock_alert_for(snapshot(available, velocity, days_left), POLICY) == expected


def test_units_in_transit_do_not_stop_a_stock_out() -> None:
    assert stock_alert_for(snapshot(0, "5", in_transit=500), POLICY) is K.OUT_OF_STOCK


@PROPERTY
@given(stock=stocks(), policy=policies())
def test_the_alert_is_the_most_pressing_rule_that_applies(stock: FboStock, policy: SupplyPolicy) -> None:
    cover = None if stock.avg_daily_sales == 0 else Decimal(stock.available) / stock.avg_daily_sales
    kind = stock_alert_for(stock, policy)
    if stock.available == 0:
        assert kind is K.OUT_OF_STOCK
        return
    ours_urgent = stock.cover is not None and stock.cover < policy.urgent_stock_days
    ozon_urgent = stock.days_left is not None and stock.days_left < policy.urgent_stock_days
    ours_low = stock.cover is not None and stock.cover < policy.low_stock_days
    expected = K.URGENT_STOCK if ours_urgent else K.OZON_URGENT if ozon_urgent else K.LOW_STOCK if ours_low else None
    assert kind == expected
    if kind is None and cover is not None:  # fine: at least low_stock_days less half a tenth of cover
        assert cover >= policy.low_stock_days - Decimal("0.05")


@PROPERTY
@given(policy=policies(), tenth_of_velocity=st.integers(min_value=1, max_value=50))
def test_our_bounds_on_both_sides(policy: SupplyPolicy, tenth_of_velocity: int) -> None:
    """At a velocity of 10·k units a day, ``10·k·days − k`` units last exactly ``days − 0.1``."""
    speed = 10 * tenth_of_velocity

    def cover_of(days: int, tenths_short: int) -> K | None:
        units = speed * days - tenth_of_velocity * tenths_short
        return stock_alert_for(FboStock(1, 1, units, 0, 0, Decimal(speed), T0), policy)

    assert cover_of(policy.urgent_stock_days, 0) is K.LOW_STOCK
    assert cover_of(policy.urgent_stock_days, 1) is K.URGENT_STOCK
    assert cover_of(policy.low_stock_days, 0) is None
    assert cover_of(policy.low_stock_days, 1) is K.LOW_STOCK


@PROPERTY
@given(policy=policies(), days_left=st.integers(min_value=0, max_value=600).map(lambda n: Decimal(n).scaleb(-1)))
def test_ozons_bound_on_both_sides(policy: SupplyPolicy, days_left: Decimal) -> None:
    fine_for_us = FboStock(1, 1, 1_000, 0, 0, Decimal(1), T0, days_left=days_left)
    expected = K.OZON_URGENT if days_left < policy.urgent_stock_days else None
    assert stock_alert_for(fine_for_us, policy) == expected


def test_stock_alerts_maps_each_article_cluster() -> None:
    batch = [snapshot(0, "5"), FboStock(3, 4, 500, 0, 0, Decimal(1), T0)]
    assert stock_alerts(batch, POLICY) == {(1, 2): K.OUT_OF_STOCK, (3, 4): None}


A, B, C = (1, 10), (1, 11), (2, 10)


def test_a_new_problem_opens_one_alert_and_an_open_one_is_not_repeated() -> None:
    assert alert_changes({A: K.LOW_STOCK}, {}) == AlertDecisions([(A, K.LOW_STOCK)], [])
    assert alert_changes({A: K.LOW_STOCK}, {A: {K.LOW_STOCK}}) == AlertDecisions([], [])


def test_a_problem_that_changes_kind_resolves_the_old_kind() -> None:
    assert alert_changes({A: K.URGENT_STOCK}, {A: {K.LOW_STOCK}}) == AlertDecisions(
        [(A, K.URGENT_STOCK)], [(A, frozenset({K.LOW_STOCK}))]
    )


def test_recovery_resolves_the_open_ones_and_says_so_once() -> None:
    first = alert_changes({A: None}, {A: {K.OUT_OF_STOCK, K.OZON_URGENT}})
    assert first == AlertDecisions([(A, K.STOCK_RECOVERED)], [(A, frozenset({K.OUT_OF_STOCK, K.OZON_URGENT}))])
    # next run: nothing open but the recovery notice → nothing to do
    assert alert_changes({A: None}, {A: {K.STOCK_RECOVERED}}) == AlertDecisions([], [])
    # a fine article that never had a problem says nothing
    assert alert_changes({B: None}, {}) == AlertDecisions([], [])


def test_a_new_problem_ends_an_open_recovery_notice() -> None:
    assert alert_changes({A: K.LOW_STOCK}, {A: {K.STOCK_RECOVERED}}) == AlertDecisions(
        [(A, K.LOW_STOCK)], [(A, frozenset({K.STOCK_RECOVERED}))]
    )


def test_keys_without_a_fresh_snapshot_are_left_alone_and_decisions_come_sorted() -> None:
    decisions = alert_changes({C: K.OUT_OF_STOCK, A: K.LOW_STOCK}, {B: {K.OUT_OF_STOCK}})
    assert decisions.to_open == [(A, K.LOW_STOCK), (C, K.OUT_OF_STOCK)]
    assert decisions.to_resolve == []


def test_only_stock_kinds_can_be_current() -> None:
    with pytest.raises(InvalidLogistic, match="DATA_STALE"):
        alert_changes({A: K.DATA_STALE}, {})


KINDS_NOW = st.none() | st.sampled_from(sorted(STOCK_PROBLEMS))
OPEN_SETS = st.sets(st.sampled_from([*sorted(STOCK_PROBLEMS), K.STOCK_RECOVERED]))
KEYS = st.tuples(st.integers(1, 3), st.integers(1, 3))


@PROPERTY
@given(current=st.dictionaries(KEYS, KINDS_NOW), open_alerts=st.dictionaries(KEYS, OPEN_SETS))
def test_after_the_decisions_exactly_the_current_alert_is_open(
    current: dict[StockKey, K | None], open_alerts: dict[StockKey, set[K]]
) -> None:
    to_open, to_resolve = alert_changes(current, open_alerts)
    after = {key: set(kinds) for key, kinds in open_alerts.items()}
    for key, kinds in to_resolve:
        assert kinds <= after[key]  # only what is open is resolved
        after[key] -= kinds
    for key, opened in to_open:
        assert opened not in after.get(key, set())  # never a second open alert of a kind
        after.setdefault(key, set()).add(opened)
    for key, now in current.items():
        problems = after.get(key, set()) & STOCK_PROBLEMS
        assert problems == ({now} if now is not None else set())
        had_problems = bool(set(open_alerts.get(key, set())) & STOCK_PROBLEMS)
        if now is None and had_problems:
            assert (key, K.STOCK_RECOVERED) in to_open or K.STOCK_RECOVERED in open_alerts[key]
        if now is not None:
            assert K.STOCK_RECOVERED not in after[key]
    for key in set(open_alerts) - set(current):
        assert after[key] == set(open_alerts[key])
    # applying the decisions again changes nothing
    assert alert_changes(current, after) == AlertDecisions([], [])


def test_dedupe_keys() -> None:
    day = date(2026, 2, 2)
    assert dedupe_key(K.OUT_OF_STOCK, 12, 154, day) == "logistic:OUT_OF_STOCK:12:154:2026-02-02"
    assert dedupe_key(K.DATA_STALE, None, None, day) == "logistic:DATA_STALE:-:-:2026-02-02"
    assert (
        dedupe_key(K.TASKS_GENERATED, None, None, day, scope="ohana") == "logistic:TASKS_GENERATED:-:-:2026-02-02:ohana"
    )
    assert dedupe_key(K.LOW_STOCK, 1, 2, None) == "logistic:LOW_STOCK:1:2"
    assert dedupe_key("warehouse_low", 1, None, day) == "logistic:WAREHOUSE_LOW:1:-:2026-02-02"  # type: ignore[arg-type]
    with pytest.raises(InvalidLogistic, match="must be a date, not a datetime"):
        dedupe_key(K.LOW_STOCK, 1, 2, datetime(2026, 2, 2, 7, 0))


@PROPERTY
@given(
    left=st.tuples(st.sampled_from(list(K)), st.none() | st.integers(1, 99), st.none() | st.integers(1, 99)),
    right=st.tuples(st.sampled_from(list(K)), st.none() | st.integers(1, 99), st.none() | st.integers(1, 99)),
    day=st.none() | st.dates(),
)
def test_different_alerts_never_share_a_key(
    left: tuple[K, int | None, int | None], right: tuple[K, int | None, int | None], day: date | None
) -> None:
    if left != right:
        assert dedupe_key(*left, day) != dedupe_key(*right, day)
