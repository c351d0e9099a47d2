"""An article the seller supplies to Ozon FBO, and an Ozon cluster.

An ``Article`` belongs to a brand, is known to 1C by its ``code`` (the key of the
``brain_stock_balance`` extract) and to Ozon by its ``ozon_sku`` (the key of
``/v1/analytics/stocks``); an article not yet listed on Ozon has no SKU. A ``Cluster`` is an
Ozon FBO cluster (``/v1/cluster/list``, SPEC §6), the unit deficits are computed for.

Choices where the seed is silent:
- brand and code are stripped of surrounding spaces (1C exports pad codes; the import strips
  them too, so ``" 00123 "`` and ``"00123"`` are the same article); neither may be blank;
- ``ozon_sku``, when given, is an int > 0 (Ozon's SKUs are positive); ids are ints;
- the name is free text and may be empty (a 1C code is what identifies the article).
"""

from __future__ import annotations

from dataclasses import dataclass

from adolf.domain.logistic._checks import text, whole
from adolf.domain.logistic.errors import InvalidLogistic


@dataclass(frozen=True, slots=True)
class Article:
    """An article we supply: its brand, 1C ``code``, name, and its Ozon SKU once listed."""

    id: int
    brand: str
    code: str  # the article's 1C code
    name: str
    ozon_sku: int | None
    active: bool = True

    def __post_init__(self) -> None:
        whole("id", self.id)
        object.__setattr__(self, "brand", text("brand", self.brand))
        object.__setattr__(self, "code", text("code", self.code))
        if not isinstance(self.name, str):
            raise InvalidLogistic(f"name={self.name!r} must be a string")
        if self.ozon_sku is not None:
            whole("ozon_sku", self.ozon_sku, minimum=1)
        if not isinstance(self.active, bool):
            raise InvalidLogistic(f"active={self.active!r} must be a bool")


@dataclass(frozen=True, slots=True)
class Cluster:
    """An Ozon FBO cluster, the unit deficits are computed for."""

    id: int  # Ozon's cluster id
    name: str

    def __post_init__(self) -> None:
        whole("id", self.id)
        object.__setattr__(self, "name", text("name", self.name))
