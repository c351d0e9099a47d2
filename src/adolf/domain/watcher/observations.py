"""A competitor product's price as a parsing agent observed it — the value agents send us.

Rules (seed 000 ``WatcherPriceHistory``: ``current_price``, ``discount_percent``, ``parsed_at``;
the issue: "price, old price/discount, in stock, observed at, agent"). This is the one entity
built from outside input, so it is validated; a bad value raises ``InvalidObservation`` naming
the field, which the agent endpoint turns into "that item refused, the rest kept".

Choices where the seed is silent:
- ``price`` may be None only when the product is out of stock (a listing with no offer shows
  no price); an in-stock observation without a price is malformed. A price must be > 0: the
  seed reads a 0 price as "no price" (``if not comp_price: return None``), so an agent sending
  0 sent nothing usable;
- ``old_price`` (the crossed-out price) must be > 0 when given; it may sit below ``price``
  (marketplaces show odd pairs), it then just implies no discount;
- ``discount_percent`` lies in [0, 100) when given; when the agent sends none but an
  ``old_price`` above ``price``, ``discount`` derives it, to 2 places (what is stored and
  averaged for the priority score);
- amounts may come as ``Decimal``, ``int`` or numeric strings, never floats (``money``);
- ``observed_at`` carries a time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from adolf.domain.errors import DomainError
from adolf.domain.money import HUNDRED, InvalidMoney, as_decimal, ratio_percent


class InvalidObservation(DomainError):
    """An observed value is missing, malformed or out of range; the message names it."""


@dataclass(frozen=True, slots=True)
class PriceObservation:
    """A competitor product's price as an agent saw it, validated (see the module docstring)."""

    competitor_product_id: int
    price: Decimal | None
    in_stock: bool
    observed_at: datetime
    old_price: Decimal | None = None
    discount_percent: Decimal | None = None
    agent_id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.in_stock, bool):
            raise InvalidObservation(f"in_stock={self.in_stock!r} must be true or false")
        for name in ("price", "old_price", "discount_percent"):
            raw = getattr(self, name)
            if raw is not None:
                object.__setattr__(self, name, _amount(name, raw))
        if self.price is None and self.in_stock:
            raise InvalidObservation("price=None for an in-stock product; only an out-of-stock one may lack a price")
        for name in ("price", "old_price"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise InvalidObservation(f"{name}={value} must be > 0")
        discount = self.discount_percent
        if discount is not None and not Decimal(0) <= discount < HUNDRED:
            raise InvalidObservation(f"discount_percent={discount} must be in [0, 100)")
        if not isinstance(self.observed_at, datetime) or self.observed_at.utcoffset() is None:
            raise InvalidObservation(f"observed_at={self.observed_at!r} must be a timezone-aware datetime")

    @property
    def discount(self) -> Decimal | None:
        """The discount the agent reported, else the one its old price implies (or None)."""
        if self.discount_percent is not None:
            return self.discount_percent
        return discount_from_old_price(self.old_price, self.price)


def discount_from_old_price(old_price: Decimal | None, price: Decimal | None) -> Decimal | None:
    """``(old − price) / old × 100`` to 2 places; None without both or when old ≤ price."""
    if old_price is None or price is None or old_price <= price:
        return None
    return ratio_percent(old_price - price, old_price)


def _amount(name: str, value: object) -> Decimal:
    if not isinstance(value, Decimal | int | str) or isinstance(value, bool):
        raise InvalidObservation(f"{name}={value!r} is a {type(value).__name__}; send a decimal number")
    try:
        return as_decimal(value, name)
    except InvalidMoney as error:
        raise InvalidObservation(str(error)) from None
