"""Raw API rows → the port's dataclasses, validating every field.

A row that does not parse raises ``RowError`` naming the field and the value
(``views='abc' is not an integer``); the adapter skips it and reports it in
``Fetched.skipped`` prefixed with the row's entity and id. Every field must be present (a
nullable one as ``None``). Wire units are converted here, and only here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from adolf.application.ports.ads_marketplace import CampaignStats, KeywordStats, RemoteCampaign, RemoteKeyword
from adolf.domain.marketplace import Marketplace

from . import wire

CENT = Decimal("0.01")
#: No amount, count or bid on these APIs comes near 10^15 of its unit: a larger one is junk
#: (and past it 2-place rounding would leave Decimal's precision).
MAX_MAGNITUDE = 15
Row = Mapping[str, object]


class RowError(ValueError):
    """One field of a raw row is missing or malformed."""


def describe(entity: str, row: object, error: RowError) -> str:
    ident = row.get("id", "?") if isinstance(row, Mapping) else "?"
    return f"{entity} {ident if isinstance(ident, str) else _short(ident)}: {error}"


def row_id(row: object) -> object:
    """The row's id as a set member, or None (a row that is no object, an id that is none)."""
    if not isinstance(row, Mapping):
        return None
    ident = row.get("id")
    return ident if isinstance(ident, str) else None


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _field(row: Row, name: str) -> object:
    if not isinstance(row, Mapping):
        raise RowError(f"row={_short(row)} is not an object")
    if name not in row:
        raise RowError(f"field {name!r} is missing")
    return row[name]


def _text(row: Row, name: str) -> str:
    value = _field(row, name)
    if not isinstance(value, str) or not value.strip():
        raise RowError(f"{name}={value!r} is not a non-empty string")
    return value


def _count(row: Row, name: str) -> int:
    value = _field(row, name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise RowError(f"{name}={value!r} is not an integer")
    if value < 0:
        raise RowError(f"{name}={value!r} is negative")
    return value


def _decimal(row: Row, name: str, scale: int = 1) -> Decimal:
    """A non-negative decimal (a string, or an integer in 1/``scale`` units), to 2 places."""
    value = _field(row, name)
    try:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise InvalidOperation
        number = Decimal(value)
    except InvalidOperation:
        raise RowError(f"{name}={_short(value)} is not a decimal") from None
    if not number.is_finite():
        raise RowError(f"{name}={_short(value)} is not a decimal")
    if number < 0:
        raise RowError(f"{name}={_short(value)} is negative")
    if number and number.adjusted() >= MAX_MAGNITUDE:
        raise RowError(f"{name}={_short(value)} is out of range")
    if scale != 1:
        number = number / scale
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def _optional_decimal(row: Row, name: str, scale: int = 1) -> Decimal | None:
    return None if _field(row, name) is None else _decimal(row, name, scale)


def _day(row: Row, name: str) -> date:
    value = _field(row, name)
    try:
        if not isinstance(value, str):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise RowError(f"{name}={value!r} is not a date") from None


def _status(row: Row, name: str, codes: tuple[object, object]) -> str:
    value = _field(row, name)
    if value == codes[0] and type(value) is type(codes[0]):
        return "active"
    if value == codes[1] and type(value) is type(codes[1]):
        return "paused"
    raise RowError(f"{name}={value!r} is not a known status")


def campaign(marketplace: Marketplace, row: Row) -> RemoteCampaign:
    return RemoteCampaign(
        external_id=_text(row, "id"),
        name=_text(row, "name"),
        status=_status(row, "status", wire.CAMPAIGN_STATUS_WIRE[marketplace]),
        daily_budget=_optional_decimal(row, "daily_budget", wire.BUDGET_WIRE_PER_RUBLE[marketplace]),
    )


def keyword(marketplace: Marketplace, row: Row) -> RemoteKeyword:
    per_ruble = 100 * wire.BID_WIRE_PER_HUNDREDTH[marketplace]
    return RemoteKeyword(
        external_id=_text(row, "id"),
        campaign_external_id=_text(row, "campaign_id"),
        phrase=_text(row, "phrase"),
        bid=_decimal(row, "bid", per_ruble),
        status=_status(row, "status", wire.KEYWORD_STATUS_WIRE),
        min_bid=_optional_decimal(row, "min_bid", per_ruble),
    )


def campaign_stats(marketplace: Marketplace, row: Row) -> CampaignStats:
    return CampaignStats(
        campaign_external_id=_text(row, "id"),
        day=_day(row, "date"),
        views=_count(row, "views"),
        clicks=_count(row, "clicks"),
        orders=_count(row, "orders"),
        spent=_decimal(row, "spent"),
        revenue=_decimal(row, "revenue"),
    )


def keyword_stats(marketplace: Marketplace, row: Row) -> KeywordStats:
    return KeywordStats(
        keyword_external_id=_text(row, "id"),
        day=_day(row, "date"),
        views=_count(row, "views"),
        clicks=_count(row, "clicks"),
        orders=_count(row, "orders"),
        spent=_decimal(row, "spent"),
        revenue=_decimal(row, "revenue"),
        avg_position=_optional_decimal(row, "avg_position"),
    )


def bid_to_wire(marketplace: Marketplace, bid: Decimal) -> int:
    """Rubles (YM: percent) → the marketplace's integer wire unit, rounded half up."""
    per_ruble = 100 * wire.BID_WIRE_PER_HUNDREDTH[marketplace]
    return int((bid * per_ruble).to_integral_value(rounding=ROUND_HALF_UP))
