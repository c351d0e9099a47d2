"""A malformed row is skipped and counted, the rest of the page kept; a malformed page is an
error naming the endpoint."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, Field

from adolf.adapters.marketplaces.http.errors import FailedCall
from adolf.adapters.marketplaces.http.validation import parse_model, parse_page, rows_at
from adolf.application.ports.ads_marketplace import MarketplaceError


class Feedback(BaseModel):
    id: str
    productValuation: int = Field(ge=1, le=5)
    text: str = ""


def _page(rows: list[object]) -> dict[str, object]:
    return {"data": {"feedbacks": rows, "countUnanswered": len(rows)}, "error": False}


GOOD = {"id": "f1", "productValuation": 5, "text": "ok"}


def test_a_malformed_row_is_skipped_with_its_field_and_value_and_the_rest_kept() -> None:
    rows = [GOOD, {"id": "f2", "productValuation": 7}, {"productValuation": 3}, "junk", {**GOOD, "id": "f5"}]
    fetched = parse_page("wb.feedbacks", _page(rows), Feedback, at=("data", "feedbacks"), id_field="id")
    assert [item.id for item in fetched.items] == ["f1", "f5"]
    assert fetched.skipped == (
        "wb.feedbacks: row 1 (id='f2'): productValuation=7: Input should be less than or equal to 5",
        "wb.feedbacks: row 2: id is missing",
        "wb.feedbacks: row 3: (the value)='junk': Input should be a valid dictionary or instance of Feedback",
    )


def test_a_row_the_conversion_refuses_is_skipped_too() -> None:
    def to_rubles(row: Feedback) -> Decimal:
        if row.id == "f2":
            raise ValueError("spent=-1 must be >= 0")
        return Decimal(row.productValuation)

    fetched = parse_page("wb.feedbacks", [GOOD, {**GOOD, "id": "f2"}], Feedback, convert=to_rubles, id_field="id")
    assert fetched.items == (Decimal(5),)
    assert fetched.skipped == ("wb.feedbacks: row 1 (id='f2'): spent=-1 must be >= 0",)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ("<html>502 Bad Gateway</html>", "the page has no 'data' (got str)"),
        ({"error": True, "errorText": "x"}, "the page has no 'data' (got an object with keys ['error', 'errorText'])"),
        ({"data": {"feedbacks": {"id": 1}}}, "data.feedbacks is an object with keys ['id'], not a list of rows"),
    ],
)
def test_a_page_without_its_envelope_is_an_error_naming_the_endpoint(payload: object, reason: str) -> None:
    with pytest.raises(FailedCall) as failed:
        parse_page("wb.feedbacks", payload, Feedback, at=("data", "feedbacks"))
    assert isinstance(failed.value, MarketplaceError)
    assert str(failed.value) == f"wb.feedbacks: no answer: {reason}"


def test_null_rows_are_an_empty_page() -> None:
    assert rows_at("ym.feedbacks", {"result": {"feedbacks": None}}, ("result", "feedbacks")) == []


def test_a_whole_reply_of_the_wrong_shape_names_the_model_and_field() -> None:
    with pytest.raises(FailedCall, match=r"^wb.adverts.count: no answer: the reply is not a Feedback: id is missing$"):
        parse_model("wb.adverts.count", {"all": 3}, Feedback)


_row = st.one_of(
    st.builds(lambda i, v: {"id": f"f{i}", "productValuation": v}, st.integers(0, 999), st.integers(-3, 9)),
    st.none(),
    st.integers(),
    st.fixed_dictionaries({"productValuation": st.integers(1, 5)}),
)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(_row, max_size=30))
def test_every_row_is_either_kept_or_skipped_in_order(rows: list[object]) -> None:
    fetched = parse_page("wb.feedbacks", _page(rows), Feedback, at=("data", "feedbacks"))
    good = [r for r in rows if isinstance(r, dict) and "id" in r and 1 <= r["productValuation"] <= 5]
    assert [item.id for item in fetched.items] == [r["id"] for r in good]
    assert len(fetched.items) + len(fetched.skipped) == len(rows)
    assert all(reason.startswith("wb.feedbacks: row ") for reason in fetched.skipped)
