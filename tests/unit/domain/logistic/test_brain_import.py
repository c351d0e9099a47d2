"""The 1C extract's classification: validated / unmapped / anomaly / invalid / duplicate, never a raise."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.domain.logistic.brain_import import (
    ABOVE_MAX,
    EMPTY_CODE,
    EMPTY_QUANTITY,
    FRACTIONAL,
    JUMP,
    NEGATIVE,
    NOT_A_NUMBER,
    Anomaly,
    BrainImport,
    BrainRow,
    Rejected,
    anomaly_reason,
    classify,
    parse_quantity,
)
from adolf.domain.logistic.policy import SupplyPolicy

from ..generators import PROPERTY

POLICY = SupplyPolicy()  # anomaly_factor 3, anomaly_min_change 10, max_quantity 1 000 000
KNOWN = {f"A{n}": n for n in range(1, 9)}


def rows(*items: tuple[str, object]) -> list[BrainRow]:
    return [BrainRow(code, quantity, line) for line, (code, quantity) in enumerate(items, start=2)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (12, 12),
        (0, 0),
        (-4, -4),
        (Decimal("12.000"), 12),
        (Decimal("12.5"), FRACTIONAL),
        (Decimal("NaN"), NOT_A_NUMBER),
        (Decimal("Infinity"), NOT_A_NUMBER),
        ("12", 12),
        ("  12 ", 12),
        ("1 234", 1234),
        ("1\u00a0234,000", 1234),  # 1C: no-break thousands space, decimal comma
        ("1\u202f234", 1234),
        ("12,000", 12),
        ("12,5", FRACTIONAL),
        ("12.5", FRACTIONAL),
        ("-7", -7),
        ("\u22127", -7),  # a typographic minus
        ("+7", 7),
        ("", EMPTY_QUANTITY),
        ("   ", EMPTY_QUANTITY),
        (None, EMPTY_QUANTITY),
        ("abc", NOT_A_NUMBER),
        ("12 шт", NOT_A_NUMBER),
        ("1e3", NOT_A_NUMBER),
        ("NaN", NOT_A_NUMBER),
        ("1,234.5", NOT_A_NUMBER),  # a comma and a point: ambiguous
        ("1,2,3", NOT_A_NUMBER),
        ("--3", NOT_A_NUMBER),
        (True, NOT_A_NUMBER),
        (object(), NOT_A_NUMBER),
    ],
)
def test_quantities_read_the_way_1c_writes_them(raw: object, expected: int | str) -> None:
    assert parse_quantity(raw) == expected


def test_an_extract_with_junk_lands_every_row_in_its_class() -> None:
    result = classify(
        rows(
            ("A1", "120"),  # validated
            (" A2 ", 35),  # validated, code stripped
            ("Z9", "5"),  # unmapped
            ("A3", "-2"),  # anomaly: negative
            ("A4", "текст"),  # invalid: not a number
            ("", "4"),  # invalid: empty code
            ("A5", "7"),  # duplicate ...
            ("A5", "9"),  # ... of this one: none applied
            ("A6", "2,5"),  # invalid: fractional
            ("A7", "400"),  # anomaly: jump from 100
            ("Z9", "6"),  # the unmapped code again: now a duplicate
            ("A8", None),  # invalid: empty quantity
        ),
        KNOWN,
        {7: 100, 1: 100},
        POLICY,
    )
    assert result.validated == {1: 120, 2: 35}
    assert result.unmapped == []
    assert result.duplicates == ["Z9", "A5"]  # first seen first
    assert result.anomalies == [Anomaly("A3", 3, -2, None, NEGATIVE), Anomaly("A7", 7, 400, 100, JUMP)]
    assert result.invalid == [
        Rejected(6, "A4", "текст", NOT_A_NUMBER),
        Rejected(7, "", "4", EMPTY_CODE),
        Rejected(10, "A6", "2,5", FRACTIONAL),
        Rejected(13, "A8", None, EMPTY_QUANTITY),
    ]
    assert result.counts == {"rows": 12, "validated": 2, "unmapped": 0, "anomalies": 2, "invalid": 4, "duplicates": 4}


def test_unmapped_codes_are_listed_once_for_a_person_to_map() -> None:
    result = classify(rows(("NEW-1", "3"), ("A1", "1"), ("NEW-2", "-1")), KNOWN, {}, POLICY)
    assert result.unmapped == ["NEW-1", "NEW-2"]  # a negative quantity of an unknown code is unmapped first
    assert result.validated == {1: 1}


def test_two_codes_of_one_article_are_ambiguous() -> None:
    known = {**KNOWN, "A1-old": 1}
    result = classify(rows(("A1", "5"), ("A1-old", "6"), ("A2", "7")), known, {}, POLICY)
    assert result.duplicates == ["A1", "A1-old"]
    assert result.validated == {2: 7}
    assert result.counts["duplicates"] == 2


def test_known_codes_are_compared_stripped() -> None:
    assert classify(
        rows(
            ("A1", "5"),
        ),
        {" A1 ": 1},
        {},
        POLICY,
    ).validated == {1: 5}


def test_an_int_code_is_read_as_text_and_a_missing_one_is_invalid() -> None:
    result = classify([BrainRow(12345, "3", 2), BrainRow(None, "3", 3)], {"12345": 9}, {}, POLICY)  # type: ignore[arg-type]
    assert result.validated == {9: 3}
    assert result.invalid == [Rejected(3, "", "3", EMPTY_CODE)]


def test_an_empty_extract_is_empty() -> None:
    assert classify([], KNOWN, {}, POLICY) == BrainImport()


@pytest.mark.parametrize(
    ("quantity", "previous", "expected"),
    [
        (-1, None, NEGATIVE),
        (-1, 5, NEGATIVE),
        (1_000_000, None, None),
        (1_000_001, None, ABOVE_MAX),
        (300, 100, None),  # exactly 3 × is not "more than"
        (301, 100, JUMP),
        (34, 100, None),  # 34 × 3 = 102 ≥ 100
        (33, 100, JUMP),  # 33 × 3 = 99 < 100
        (33, 99, None),  # exactly a third is not "less than"
        (0, 100, JUMP),  # everything gone at once
        (0, 9, None),  # a sell-out of 9 units moves less than 10
        (0, 10, JUMP),
        (12, 2, None),  # 6 × but only 10 units... at the min change
        (13, 2, JUMP),
        (5000, 0, None),  # no stock before: nothing to jump from
        (5000, None, None),
    ],
)
def test_anomaly_boundaries(quantity: int, previous: int | None, expected: str | None) -> None:
    policy = POLICY if (quantity, previous) != (12, 2) else SupplyPolicy(anomaly_min_change=11)
    assert anomaly_reason(quantity, previous, policy) == expected


def test_the_jump_rule_reads_the_policy() -> None:
    policy = SupplyPolicy.from_mapping({"anomaly_factor": "1.5", "anomaly_min_change": "0", "max_quantity": "500"})
    assert anomaly_reason(151, 100, policy) == JUMP
    assert anomaly_reason(150, 100, policy) is None
    assert anomaly_reason(501, 400, policy) == ABOVE_MAX


# ---- properties ------------------------------------------------------------------------------------

CODES = st.sampled_from([*KNOWN, "Z1", "Z2", "Z3", "", "  ", " A1 "])
QUANTITIES = (
    st.integers(-50, 2_000)
    | st.integers(-50, 2_000).map(str)
    | st.integers(0, 2_000_000)
    | st.integers(0, 20_000).map(lambda n: f"{n:,}".replace(",", "\u00a0") + ",000")
    | st.sampled_from([None, "", "abc", "12,5", "1e3", Decimal("3.5"), Decimal("4.000"), "−3"])
)


@st.composite
def extracts(draw: st.DrawFn) -> list[BrainRow]:
    items = draw(st.lists(st.tuples(CODES, QUANTITIES), max_size=30))
    return [BrainRow(code, quantity, line) for line, (code, quantity) in enumerate(items, start=2)]


RECENT = st.dictionaries(st.integers(1, 8), st.integers(0, 1_000))


def _class_of_each_row(extract: list[BrainRow], result: BrainImport) -> dict[int, str]:
    """Which class each row (by line) was put in, as far as the result tells; a row in two classes
    or in none is caught by the caller."""
    invalid_lines = {item.line for item in result.invalid}
    anomaly_codes = {item.code for item in result.anomalies}
    validated_codes = {code for code, article in KNOWN.items() if article in result.validated}
    found: dict[int, str] = {}
    for row in extract:
        code = row.code.strip()
        classes = [
            name
            for name, hit in (
                ("invalid", row.line in invalid_lines),
                ("duplicate", code in result.duplicates),
                ("unmapped", code in result.unmapped),
                ("anomaly", code in anomaly_codes),
                ("validated", code in validated_codes),
            )
            if hit
        ]
        assert len(classes) == 1, (row, classes)
        found[row.line] = classes[0]
    return found


@PROPERTY
@given(extract=extracts(), recent=RECENT)
def test_every_row_lands_in_exactly_one_class_and_the_counts_add_up(
    extract: list[BrainRow], recent: dict[int, int]
) -> None:
    result = classify(extract, KNOWN, recent, POLICY)
    classes = _class_of_each_row(extract, result)
    counts = result.counts
    assert counts["rows"] == len(extract) == len(classes)
    assert sum(value for name, value in counts.items() if name != "rows") == len(extract)
    for name, key in (("invalid", "invalid"), ("duplicate", "duplicates"), ("validated", "validated")):
        assert sum(1 for value in classes.values() if value == name) == counts[key]


@PROPERTY
@given(extract=extracts(), recent=RECENT)
def test_only_plausible_quantities_of_single_mapped_rows_are_applied(
    extract: list[BrainRow], recent: dict[int, int]
) -> None:
    result = classify(extract, KNOWN, recent, POLICY)
    for article, quantity in result.validated.items():
        code = f"A{article}"
        (row,) = [row for row in extract if row.code.strip() == code]  # exactly one row of its code
        assert parse_quantity(row.quantity) == quantity
        assert 0 <= quantity <= POLICY.max_quantity
        assert anomaly_reason(quantity, recent.get(article), POLICY) is None
    for anomaly in result.anomalies:
        assert anomaly.article_id not in result.validated
        assert anomaly.previous == recent.get(anomaly.article_id)
        assert anomaly_reason(anomaly.quantity, anomaly.previous, POLICY) == anomaly.reason
    assert not set(result.unmapped) & set(KNOWN)
    assert len(set(result.duplicates)) == len(result.duplicates)
    for code in result.duplicates:
        assert sum(1 for row in extract if row.code.strip() == code) > 1


@PROPERTY
@given(extract=extracts(), recent=RECENT, seed=st.randoms(use_true_random=False))
def test_the_classes_do_not_depend_on_the_order_of_the_rows(
    extract: list[BrainRow], recent: dict[int, int], seed: object
) -> None:
    shuffled = list(extract)
    seed.shuffle(shuffled)  # type: ignore[attr-defined]
    first, second = classify(extract, KNOWN, recent, POLICY), classify(shuffled, KNOWN, recent, POLICY)
    assert first.validated == second.validated
    assert set(first.unmapped) == set(second.unmapped)
    assert set(first.duplicates) == set(second.duplicates)
    assert sorted(first.invalid, key=lambda item: item.line) == sorted(second.invalid, key=lambda item: item.line)
    assert set(first.anomalies) == set(second.anomalies)
    assert first.counts == second.counts


@PROPERTY
@given(quantity=st.integers(-(10**9), 10**9))
def test_every_whole_number_reads_back_from_its_1c_spellings(quantity: int) -> None:
    grouped = f"{abs(quantity):,}".replace(",", "\u00a0")
    sign = "-" if quantity < 0 else ""
    for spelling in (quantity, str(quantity), f"{sign}{grouped}", f"{sign}{grouped},000", Decimal(quantity)):
        assert parse_quantity(spelling) == quantity


@PROPERTY
@given(previous=st.integers(1, 10_000), quantity=st.integers(0, 100_000))
def test_a_jump_is_beyond_the_factor_either_way_and_by_enough_units(previous: int, quantity: int) -> None:
    reason = anomaly_reason(quantity, previous, POLICY)
    beyond = quantity > 3 * previous or 3 * quantity < previous
    enough = abs(quantity - previous) >= POLICY.anomaly_min_change
    assert (reason == JUMP) == (beyond and enough)


@PROPERTY
@given(previous=st.integers(1, 10_000), offset=st.integers(-2, 2), upward=st.booleans())
def test_a_jump_at_the_factor_boundaries(previous: int, offset: int, upward: bool) -> None:
    """Quantities a unit or two either side of 3 × previous and previous / 3, where the strict
    comparisons bite."""
    quantity = max(0, 3 * previous + offset if upward else previous // 3 + offset)
    beyond = quantity > 3 * previous or 3 * quantity < previous
    enough = abs(quantity - previous) >= POLICY.anomaly_min_change
    assert (anomaly_reason(quantity, previous, POLICY) == JUMP) == (beyond and enough)
