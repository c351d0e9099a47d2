"""A malformed marketplace row is skipped and counted, whatever it holds: the parsers raise
``RowError`` naming the field and the value, never anything else."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adolf.adapters.marketplaces.simulated import parsing
from adolf.domain.marketplace import Marketplace

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(["1e999999", "-1e999999", "9" * 400, "NaN", "sNaN", "-0", "2026-02-30", "\x00"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
GOOD = {
    "id": "k1",
    "campaign_id": "c1",
    "name": "Shoes",
    "phrase": "red shoes",
    "status": 9,
    "date": "2026-01-12",
    "views": 10,
    "clicks": 1,
    "orders": 0,
    "spent": "12.50",
    "revenue": "0",
    "avg_position": "3.00",
    "bid": 12500,
    "min_bid": None,
    "daily_budget": None,
}
PARSERS = [parsing.campaign, parsing.keyword, parsing.campaign_stats, parsing.keyword_stats]


@settings(max_examples=300, deadline=None)
@given(
    parser=st.sampled_from(PARSERS),
    marketplace=st.sampled_from(list(Marketplace)),
    field=st.sampled_from(sorted(GOOD)),
    value=JUNK,
)
def test_a_row_with_any_field_broken_parses_or_is_refused_naming_it(
    parser: Any, marketplace: Marketplace, field: str, value: object
) -> None:
    row = {**GOOD, field: value}
    try:
        parser(marketplace, row)
    except parsing.RowError as error:
        assert parsing.describe("keyword", row, error)


@settings(max_examples=200, deadline=None)
@given(parser=st.sampled_from(PARSERS), row=JUNK)
def test_a_row_that_is_not_an_object_is_refused_not_crashed_on(parser: Any, row: object) -> None:
    if isinstance(row, dict):
        return  # an object: the field checks above
    with pytest.raises(parsing.RowError, match="is not an object"):
        parser(Marketplace.WB, row)
    assert parsing.describe("campaign", row, parsing.RowError("x")).startswith("campaign ?")
    assert parsing.row_id(row) is None


@pytest.mark.parametrize("amount", ["1e999999", "9" * 400, "1e15"])
def test_an_amount_beyond_any_real_one_is_out_of_range(amount: str) -> None:
    with pytest.raises(parsing.RowError, match=r"spent=.* is out of range"):
        parsing.campaign_stats(Marketplace.WB, {**GOOD, "spent": amount})
