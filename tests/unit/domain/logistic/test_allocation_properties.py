"""Allocation of scarce warehouse stock (SPEC §4.4): urgent first, never more than is there.

``reference`` is the rule written plainly — per article, needs ordered by (priority, cover with
None last, cluster), each takes what it can — sharing nothing with the packed-key sort.
"""

from __future__ import annotations

import random
from collections import defaultdict
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.domain.logistic.allocation import Allocation, Coverage, allocate, coverage_for, service_order
from adolf.domain.logistic.deficit import Need, SupplyPriority
from adolf.domain.logistic.errors import InvalidLogistic

from ..generators import PROPERTY
from .generators import need_lists, warehouses

URGENT, PLANNED, RECOMMENDED = SupplyPriority.URGENT, SupplyPriority.PLANNED, SupplyPriority.RECOMMENDED


def reference(needs: list[Need], warehouse: dict[int, int]) -> dict[tuple[int, int], int]:
    by_article: dict[int, list[Need]] = defaultdict(list)
    for need in needs:
        by_article[need.article_id].append(need)
    given_out: dict[tuple[int, int], int] = {}
    for article, own in by_article.items():
        left = warehouse.get(article, 0)
        rank = {URGENT: 0, PLANNED: 1, RECOMMENDED: 2}
        own.sort(key=lambda n: (rank[n.priority], n.days_of_cover is None, n.days_of_cover or Decimal(0), n.cluster_id))
        for need in own:
            take = min(left, need.deficit)
            given_out[(need.article_id, need.cluster_id)] = take
            left -= take
    return given_out


def by_pair(allocations: list[Allocation]) -> dict[tuple[int, int], int]:
    return {(a.need.article_id, a.need.cluster_id): a.allocated for a in allocations}


@PROPERTY
@given(needs=need_lists(), warehouse=warehouses())
def test_allocation_is_the_plain_rule(needs: list[Need], warehouse: dict[int, int]) -> None:
    result = allocate(needs, warehouse)
    assert sorted(id(a.need) for a in result) == sorted(id(n) for n in needs)  # each need once
    assert by_pair(result) == reference(needs, warehouse)


@PROPERTY
@given(needs=need_lists(), warehouse=warehouses())
def test_never_more_than_the_warehouse_holds_nor_than_the_deficit(needs: list[Need], warehouse: dict[int, int]) -> None:
    totals: dict[int, int] = defaultdict(int)
    for allocation in allocate(needs, warehouse):
        assert 0 <= allocation.allocated <= allocation.need.deficit
        assert type(allocation.allocated) is int
        totals[allocation.need.article_id] += allocation.allocated
    for article, total in totals.items():
        assert total <= warehouse.get(article, 0)


@PROPERTY
@given(needs=need_lists(), warehouse=warehouses())
def test_greedy_is_optimal_per_article(needs: list[Need], warehouse: dict[int, int]) -> None:
    allocated: dict[int, int] = defaultdict(int)
    wanted: dict[int, int] = defaultdict(int)
    for allocation in allocate(needs, warehouse):
        allocated[allocation.need.article_id] += allocation.allocated
        wanted[allocation.need.article_id] += allocation.need.deficit
    for article in wanted:
        assert allocated[article] == min(warehouse.get(article, 0), wanted[article])


@PROPERTY
@given(needs=need_lists(), warehouse=warehouses())
def test_no_unit_goes_to_a_calmer_priority_while_a_more_pressing_need_of_the_article_is_short(
    needs: list[Need], warehouse: dict[int, int]
) -> None:
    result = allocate(needs, warehouse)
    for short in result:
        if short.allocated == short.need.deficit:
            continue
        for other in result:
            if other.need.article_id == short.need.article_id and other.need.priority.rank > short.need.priority.rank:
                assert other.allocated == 0


@PROPERTY
@given(needs=need_lists(), warehouse=warehouses())
def test_within_a_priority_the_fewest_days_of_cover_are_served_first(
    needs: list[Need], warehouse: dict[int, int]
) -> None:
    result = allocate(needs, warehouse)
    for short in result:
        if short.allocated == short.need.deficit:
            continue
        for other in result:
            same = other.need.article_id == short.need.article_id and other.need.priority is short.need.priority
            mine, theirs = short.need.days_of_cover, other.need.days_of_cover
            calmer = (theirs is None and mine is not None) or (
                mine is not None and theirs is not None and theirs > mine
            )
            if same and calmer:
                assert other.allocated == 0


@PROPERTY
@given(needs=need_lists(), warehouse=warehouses())
def test_coverage_agrees_with_allocated_against_deficit(needs: list[Need], warehouse: dict[int, int]) -> None:
    for allocation in allocate(needs, warehouse):
        if allocation.allocated == allocation.need.deficit:
            assert allocation.coverage is Coverage.FULL
        elif allocation.allocated == 0:
            assert allocation.coverage is Coverage.NONE
        else:
            assert allocation.coverage is Coverage.PARTIAL
        assert allocation.coverage is coverage_for(allocation.allocated, allocation.need.deficit)


@PROPERTY
@given(needs=need_lists(), warehouse=warehouses(), seed=st.integers())
def test_the_result_does_not_depend_on_the_order_of_the_input(
    needs: list[Need], warehouse: dict[int, int], seed: int
) -> None:
    shuffled = list(needs)
    random.Random(seed).shuffle(shuffled)
    assert allocate(shuffled, warehouse) == allocate(needs, warehouse)


@PROPERTY
@given(needs=need_lists(), warehouse=warehouses(), seed=st.integers())
def test_equal_keys_break_ties_on_deficit_and_velocity(needs: list[Need], warehouse: dict[int, int], seed: int) -> None:
    """The same article × cluster given twice at one priority and cover: still order-free."""
    twins = [Need(n.article_id, n.cluster_id, n.deficit + 3, n.priority, n.days_of_cover, n.velocity) for n in needs]
    twins += [Need(n.article_id, n.cluster_id, n.deficit, n.priority, n.days_of_cover, n.velocity + 1) for n in needs]
    doubled = needs + twins
    shuffled = list(doubled)
    random.Random(seed).shuffle(shuffled)
    assert allocate(shuffled, warehouse) == allocate(doubled, warehouse)


@PROPERTY
@given(needs=need_lists(), warehouse=warehouses())
def test_covers_finer_than_a_tenth_take_the_tuple_path_and_the_same_order(
    needs: list[Need], warehouse: dict[int, int]
) -> None:
    """Covers with two places do not fit the packed key; the order is still the rule's."""
    finer = [
        Need(n.article_id, n.cluster_id, n.deficit, n.priority, None if c is None else c + Decimal("0.01"), n.velocity)
        for n in needs
        for c in [n.days_of_cover]
    ]
    assert [(a.need.article_id, a.need.cluster_id) for a in allocate(finer, warehouse)] == [
        (a.need.article_id, a.need.cluster_id) for a in allocate(needs, warehouse)
    ]
    assert by_pair(allocate(finer, warehouse)) == reference(finer, warehouse)


def test_the_result_comes_in_service_order() -> None:
    needs = [
        Need(1, 5, 10, RECOMMENDED, Decimal("20.0"), Decimal(1)),
        Need(2, 3, 10, URGENT, None, Decimal(1)),
        Need(1, 4, 10, URGENT, Decimal("3.0"), Decimal(1)),
        Need(1, 2, 10, URGENT, Decimal("3.0"), Decimal(1)),
        Need(3, 1, 10, PLANNED, Decimal("8.5"), Decimal(1)),
    ]
    result = allocate(needs, {1: 15, 2: 4})
    assert [(a.need.article_id, a.need.cluster_id, a.allocated, a.coverage) for a in result] == [
        (1, 2, 10, Coverage.FULL),  # urgent, 3.0 days, cluster 2 before cluster 4
        (1, 4, 5, Coverage.PARTIAL),
        (2, 3, 4, Coverage.PARTIAL),  # urgent with no cover figure: after the urgent with one
        (3, 1, 0, Coverage.NONE),  # article 3 is not in the warehouse
        (1, 5, 0, Coverage.NONE),  # recommended: article 1's stock went to the urgent ones
    ]
    assert service_order(needs) == [3, 2, 1, 4, 0]


def test_nothing_to_allocate_and_a_bad_warehouse_figure() -> None:
    assert allocate([], {1: 5}) == []
    with pytest.raises(InvalidLogistic, match="warehouse\\[1\\]=-3"):
        allocate([Need(1, 1, 5, URGENT, None, Decimal(1))], {1: -3})


def test_coverage_for_refuses_an_allocation_past_the_deficit() -> None:
    assert coverage_for(0, 0) is Coverage.FULL
    with pytest.raises(InvalidLogistic, match="allocated=6"):
        coverage_for(6, 5)
