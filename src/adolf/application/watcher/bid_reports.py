"""The competitor bids of an agent's result, keyword by keyword: what the marketplace's search
page showed for each of the seller's keywords while the agent was there (issue 10: "after
this issue Marketing reads what Watcher observed").

``competitor_bids`` is a JSON object: keyword external id → the bids seen on its search page,
e.g. ``{"10000001001": ["145.00", "120.00"]}``. A keyword's id, not its phrase: the
marketplace holds one auction per keyword of a campaign, and two campaigns may run the same
phrase. Bids are in the marketplace's bid unit as Marketing keeps them (rubles; YM: percent
of the price), each a decimal number or numeric string ≥ 0 with at most 2 places, at most
``MAX_BIDS`` per keyword, in any order (stored highest first). An empty list says the page
showed no competitor.

Each keyword is checked on its own, as price items are: a malformed entry is refused naming
the keyword and the value, the rest is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MAX_KEYWORDS = 1000
MAX_BIDS = 50
MAX_KEYWORD_ID = 64  # competitor_bids.keyword_external_id
BID_LIMIT = Decimal("10000000")
PLACES = 2
SHOWN = 80


@dataclass(frozen=True, slots=True)
class RefusedBids:
    keyword: str  # the key as sent (shortened)
    error: str  # names the keyword and the value


def read_bids(raw: object) -> tuple[dict[str, tuple[Decimal, ...]], list[RefusedBids]]:
    """The valid keywords' bids (highest first) and a refusal per malformed entry."""
    if not isinstance(raw, Mapping):
        return {}, [RefusedBids("", f"competitor_bids={_show(raw)} must be an object of keyword id → bids")]
    kept: dict[str, tuple[Decimal, ...]] = {}
    refused: list[RefusedBids] = []
    for index, (key, bids) in enumerate(raw.items()):
        if index >= MAX_KEYWORDS:
            refused.append(RefusedBids("", f"competitor_bids: more than {MAX_KEYWORDS} keywords; the rest refused"))
            break
        try:
            kept[_keyword(key)] = _bids(key, bids)
        except ValueError as exc:
            refused.append(RefusedBids(str(key)[:SHOWN], str(exc)))
    return kept, refused


def _keyword(key: object) -> str:
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEYWORD_ID or key != key.strip():
        raise ValueError(f"competitor_bids key {_show(key)} must be a keyword id of 1 to {MAX_KEYWORD_ID} characters")
    return key


def _bids(key: object, bids: object) -> tuple[Decimal, ...]:
    if not isinstance(bids, list | tuple) or len(bids) > MAX_BIDS:
        raise ValueError(f"competitor_bids[{_show(key)}]={_show(bids)} must be a list of at most {MAX_BIDS} bids")
    return tuple(sorted((_bid(key, n, bid) for n, bid in enumerate(bids)), reverse=True))


def _bid(key: object, n: int, raw: object) -> Decimal:
    where = f"competitor_bids[{_show(key)}][{n}]={_show(raw)}"
    if isinstance(raw, bool) or not isinstance(raw, Decimal | int | str):
        raise ValueError(f"{where} must be a decimal number")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"{where} is not a number") from None
    if not value.is_finite() or not Decimal(0) <= value < BID_LIMIT:
        raise ValueError(f"{where} must be >= 0 and below {BID_LIMIT}")
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > PLACES:
        raise ValueError(f"{where} has more than {PLACES} decimal places")
    return value


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"
