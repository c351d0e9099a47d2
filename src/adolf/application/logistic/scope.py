"""The ``brand`` every Logistic task takes (seed 003: ``brand_id: str = "all"``).

``"all"`` (any case, the domain's ``ALL_BRANDS``) means every brand: the repositories are
asked with None. Any other value is one brand's name, stripped; a brand with no article simply
has nothing to do (brands are configuration, and a brand's first articles may come later).
A blank brand is refused by the payload's bounds (1…64 characters, the column's width).
"""

from __future__ import annotations

from typing import Annotated

from adolf.application.bounds import Bounds
from adolf.application.payload import InvalidPayload
from adolf.domain.alerts.users import ALL_BRANDS

#: A task's ``brand`` field: a brand's name (as ``logistic_articles.brand``, 64 characters) or "all".
BrandField = Annotated[str, Bounds(1, 64)]


def brand_filter(brand: str) -> str | None:
    """None for every brand, else the brand's name."""
    name = brand.strip()
    if not name:
        raise InvalidPayload(f"brand={brand!r} must be a brand's name or {ALL_BRANDS!r}")
    return None if name.casefold() == ALL_BRANDS else name


def brand_label(brand: str | None) -> str:
    return ALL_BRANDS if brand is None else brand
