"""The 1C stock extract classified, row by row (SPEC §3 ``sync_brain_stocks``; seed 003: "чтение
brain_* → валидация → history → upsert", metrics ``validated / unmapped / anomaly``).

Input: the rows of ``brain_stock_balance`` as the loader landed them (``BrainRow``: the 1C
code, the quantity *as text* — a seller's export may hold junk — and the CSV line), ``known``
(1C code → article id), ``recent`` (article id → the quantity last applied) and the policy.
Every row lands in exactly one class, decided in this order:

1. ``invalid`` — the code is empty (``Rejected(line, code, value, "empty code")``);
2. ``duplicates`` — the code appears on more than one row: which quantity is true cannot be
   told, so *none* of them is applied (choice: applying the first would be a guess, and a
   person fixes the extract faster than a wrong stock level). The code is listed once and every
   one of its rows counts as a duplicate row, whatever its quantity says. Two codes of the
   extract that ``known`` maps to the same article are duplicates the same way (the articles
   table keeps one code per article, so this is a mapping mistake, and equally ambiguous);
3. ``invalid`` — the quantity is empty, not a number, or not a whole number (reasons
   ``"empty quantity"``, ``"not a number"``, ``"fractional"``);
4. ``unmapped`` — the code is not one of our articles': listed (once) for a person to map;
5. ``anomalies`` — kept aside, not applied (``Anomaly(code, article_id, quantity, previous,
   reason)``), reasons in this order: ``"negative"``; ``"above max_quantity"`` (more than
   ``policy.max_quantity``); ``"jump"`` — the article's last applied quantity ``previous`` is
   > 0 and the new one is more than ``anomaly_factor`` × it or less than it / ``anomaly_factor``
   (both directions: a sudden rise would allocate stock that is not there, a sudden fall would
   hold back stock that is), and moved by at least ``policy.anomaly_min_change`` units (a
   sell-out from 3 to 0 is trade, not a broken extract). With no previous quantity, or 0, there
   is no history to jump from;
6. ``validated`` — article id → quantity, to apply.

Quantities: an ``int`` as is; a ``Decimal`` if finite and whole (``12.000`` is 12); text is
read the way 1C writes numbers — surrounding and thousands spaces (also no-break and narrow
no-break spaces) ignored, a decimal comma accepted (``"1 234,000"`` is 1234), ``+``/``-``/``−``
signs; exponents, ``NaN``, a comma *and* a point, or any other type are ``"not a number"``.
Codes are compared stripped of surrounding spaces (``articles.Article`` strips its code too).

Never raises on a bad row: junk is classified and counted. ``BrainImport.counts`` gives rows
per class, and they add up to ``rows``. An anomaly stays one until a person applies or fixes
it: ``recent`` holds what was last *applied*, so tomorrow's extract is judged against that.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from adolf.domain.logistic.policy import SupplyPolicy

EMPTY_CODE = "empty code"
EMPTY_QUANTITY = "empty quantity"
NOT_A_NUMBER = "not a number"
FRACTIONAL = "fractional"

NEGATIVE = "negative"
ABOVE_MAX = "above max_quantity"
JUMP = "jump"

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


@dataclass(frozen=True, slots=True)
class BrainRow:
    """One row of ``brain_stock_balance`` as landed: raw, possibly junk; ``line`` of the CSV."""

    code: str
    quantity: str | int | Decimal | None
    line: int


@dataclass(frozen=True, slots=True)
class Anomaly:
    """A row whose quantity reads but is implausible (negative, above ``max_quantity``, or a jump from
    the quantity last applied): not applied, reported."""

    code: str
    article_id: int
    quantity: int
    previous: int | None  # the quantity last applied, None when there is none
    reason: str  # NEGATIVE, ABOVE_MAX or JUMP


@dataclass(frozen=True, slots=True)
class Rejected:
    """A row that cannot be read (empty code or quantity, not a number, fractional), with its line."""

    line: int
    code: str
    value: str | None  # the quantity as it came, as text; None when missing
    reason: str  # EMPTY_CODE, EMPTY_QUANTITY, NOT_A_NUMBER or FRACTIONAL


@dataclass(frozen=True, slots=True)
class BrainImport:
    """The extract classified: the quantity to apply per article, unknown codes, anomalies, unreadable
    rows and duplicated codes; ``counts`` per class."""

    validated: dict[int, int] = field(default_factory=dict)  # article id → quantity to apply
    unmapped: list[str] = field(default_factory=list)  # codes unknown to us, first seen first
    anomalies: list[Anomaly] = field(default_factory=list)
    invalid: list[Rejected] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # codes on more than one row, first seen first
    rows: int = 0
    duplicate_rows: int = 0

    @property
    def counts(self) -> dict[str, int]:
        """Rows per class; ``validated + unmapped + anomalies + invalid + duplicates == rows``."""
        return {
            "rows": self.rows,
            "validated": len(self.validated),
            "unmapped": len(self.unmapped),
            "anomalies": len(self.anomalies),
            "invalid": len(self.invalid),
            "duplicates": self.duplicate_rows,
        }


def parse_quantity(raw: object) -> int | str:
    """The whole number ``raw`` holds, or the reason it holds none (``EMPTY_QUANTITY``,
    ``NOT_A_NUMBER``, ``FRACTIONAL``)."""
    if raw is None:
        return EMPTY_QUANTITY
    if isinstance(raw, bool):
        return NOT_A_NUMBER
    if isinstance(raw, int):
        return raw
    if isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, str):
        text = _SPACES.sub("", raw).replace("\u2212", "-")
        if not text:
            return EMPTY_QUANTITY
        if "," in text:
            if "." in text or text.count(",") > 1:
                return NOT_A_NUMBER
            text = text.replace(",", ".")
        if not _NUMBER.match(text):
            return NOT_A_NUMBER
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only plain numbers
            return NOT_A_NUMBER
    else:
        return NOT_A_NUMBER
    if not number.is_finite():
        return NOT_A_NUMBER
    if number != number.to_integral_value():
        return FRACTIONAL
    return int(number)


def anomaly_reason(quantity: int, previous: int | None, policy: SupplyPolicy) -> str | None:
    """Why ``quantity`` (after ``previous`` last applied) is an anomaly, or None when plausible."""
    if quantity < 0:
        return NEGATIVE
    if quantity > policy.max_quantity:
        return ABOVE_MAX
    if previous is None or previous <= 0 or abs(quantity - previous) < policy.anomaly_min_change:
        return None
    factor = policy.anomaly_factor
    if quantity > previous * factor or quantity * factor < previous:
        return JUMP
    return None


def _code(raw: object) -> str:
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    return ""


def _text(raw: object) -> str | None:
    return None if raw is None else str(raw)


def classify(
    rows: Iterable[BrainRow],
    known: Mapping[str, int],
    recent: Mapping[int, int],
    policy: SupplyPolicy,
) -> BrainImport:
    """Every row of the extract in exactly one class (see the module's docstring)."""
    listed = list(rows)
    codes = [_code(row.code) for row in listed]
    seen = Counter(code for code in codes if code)
    articles = {code.strip(): article for code, article in known.items()}
    ambiguous = _shared_articles(seen, articles)
    validated: dict[int, int] = {}
    unmapped: dict[str, None] = {}
    duplicates: dict[str, None] = {}
    anomalies: list[Anomaly] = []
    invalid: list[Rejected] = []
    duplicate_rows = 0
    for row, code in zip(listed, codes, strict=True):
        if not code:
            invalid.append(Rejected(row.line, _text(row.code) or "", _text(row.quantity), EMPTY_CODE))
            continue
        if seen[code] > 1 or code in ambiguous:
            duplicates.setdefault(code)
            duplicate_rows += 1
            continue
        quantity = parse_quantity(row.quantity)
        if isinstance(quantity, str):
            invalid.append(Rejected(row.line, code, _text(row.quantity), quantity))
            continue
        article = articles.get(code)
        if article is None:
            unmapped.setdefault(code)
            continue
        previous = recent.get(article)
        reason = anomaly_reason(quantity, previous, policy)
        if reason is not None:
            anomalies.append(Anomaly(code, article, quantity, previous, reason))
            continue
        validated[article] = quantity
    return BrainImport(
        validated=validated,
        unmapped=list(unmapped),
        anomalies=anomalies,
        invalid=invalid,
        duplicates=list(duplicates),
        rows=len(listed),
        duplicate_rows=duplicate_rows,
    )


def _shared_articles(seen: Mapping[str, int], articles: Mapping[str, int]) -> set[str]:
    """Codes of the extract that reach an article another code of the extract reaches too."""
    codes_of: dict[int, list[str]] = {}
    for code in seen:
        article = articles.get(code)
        if article is not None:
            codes_of.setdefault(article, []).append(code)
    return {code for codes in codes_of.values() if len(codes) > 1 for code in codes}
