"""Raw review and question rows → ``Item``, validating every field.

A row that does not parse raises ``RowError`` naming the field and the value
(``rating=6 must be 1 … 5 for a review``); the adapter skips it into ``Fetched.skipped`` with
the row's id and goes on with the rest of the page. The item's own rules (``Item``: a question
has text, a review a rating 1 … 5) are the domain's; a breach of them is reported the same
way. Times come as ISO 8601 with a zone (``Z`` or an offset) and leave as aware UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.errors import InvalidReputation
from adolf.domain.reputation.items import Item, ItemType

from .parsing import RowError, describe


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _field(row: Mapping[str, object], name: str) -> object:
    if name not in row:
        raise RowError(f"field {name!r} is missing")
    return row[name]


def _string(row: Mapping[str, object], name: str) -> str:
    value = _field(row, name)
    if not isinstance(value, str):
        raise RowError(f"{name}={_short(value)} is not a string")
    return value


def _rating(row: Mapping[str, object]) -> int:
    value = _field(row, "rating")
    if isinstance(value, bool) or not isinstance(value, int):
        raise RowError(f"rating={_short(value)} is not a whole number")
    return value


def _moment(row: Mapping[str, object]) -> datetime:
    text = _string(row, "createdAt")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RowError(f"createdAt={_short(text)} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise RowError(f"createdAt={_short(text)} has no time zone")
    return moment.astimezone(UTC)


def parse_item(row: object, platform: Marketplace, item_type: ItemType, brand: str) -> Item:
    """The row as a new ``Item`` of ``brand`` (``id`` 0, status ``new``)."""
    if not isinstance(row, Mapping):
        raise RowError(f"row={_short(row)} is not an object")
    try:
        return Item(
            id=0,
            platform=platform,
            item_type=item_type,
            external_id=_string(row, "id"),
            brand=brand,
            product_id=_string(row, "productId"),
            text=_string(row, "text"),
            created_at=_moment(row),
            rating=_rating(row) if item_type is ItemType.REVIEW else None,
            author=_string(row, "author") if row.get("author") is not None else "",
            product_name=_string(row, "productName") if row.get("productName") is not None else "",
        )
    except InvalidReputation as error:
        raise RowError(str(error)) from None


def parse_page(
    rows: list[object], platform: Marketplace, item_type: ItemType, brand: str
) -> tuple[list[Item], list[str]]:
    """(items, skipped): every row that parses, and one reason per row that does not."""
    items: list[Item] = []
    skipped: list[str] = []
    for row in rows:
        try:
            items.append(parse_item(row, platform, item_type, brand))
        except RowError as error:
            skipped.append(describe(f"{platform} {item_type}", row, error))
    return items, skipped


__all__ = ["parse_item", "parse_page"]
