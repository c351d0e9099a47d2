"""Marketing's ads marketplaces over the real HTTP APIs (``ADOLF_MARKETPLACE=live``).

Marketing's ``AdsMarketplace`` port carries no brand: each marketplace's advertising is read
and bid in one cabinet, the first brand of ``ADOLF_BRANDS`` (a seller with several cabinets
runs one deployment per cabinet). Which client plays which marketplace is ``BUILDERS``: the
module and factory ``(clients, brand) -> AdsMarketplace``, and the credential the cabinet
needs for it; YM's also takes the cabinet's business id (``ADOLF_YM_BUSINESS_ID[__<BRAND>]``).

A marketplace is in the cycle (iterated) when its client is importable and the cabinet has
its credential: a seller with only WB credentials cycles WB and never calls Ozon or YM.
Asking for one that cannot be built raises the container's error naming what is missing (the
module not installed, or the variable to set) then, never when the others are built.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

from adolf.domain.marketplace import Marketplace

_log = logging.getLogger(__name__)


class Builder(NamedTuple):
    module: str
    factory: str  # ``Class.method`` or a function, called as ``factory(clients, brand)``
    credential: str  # the credentials field the cabinet needs (``http/credentials.py``)
    business_id: bool = False  # called as ``factory(clients, brand, business_id)`` (YM)


BUILDERS: dict[Marketplace, Builder] = {
    Marketplace.WB: Builder("adolf.adapters.marketplaces.http.wb_advert", "WbAdsMarketplace.for_brand", "wb_api_token"),
    Marketplace.OZON: Builder(
        "adolf.adapters.marketplaces.http.ozon_performance",
        "OzonPerformanceAds.for_brand",
        "ozon_performance_client_id",
    ),
    Marketplace.YM: Builder(
        "adolf.adapters.marketplaces.http.ym_boost", "YmBoostAds.for_brand", "ym_api_key", business_id=True
    ),
}


def _factory(builder: Builder) -> Callable[..., Any]:
    """The builder's factory; ImportError / AttributeError when it has not landed."""
    found: Any = importlib.import_module(builder.module)
    for part in builder.factory.split("."):
        found = getattr(found, part)
    return found  # type: ignore[no-any-return]


def _available(builder: Builder) -> bool:
    try:
        _factory(builder)
    except (ImportError, AttributeError):
        return False
    return True


class LiveAdsMarketplaces(Mapping[Marketplace, Any]):
    """``Marketplace → AdsMarketplace`` over ``clients`` (a ``MarketplaceClients``), built on
    first use and kept (a client remembers the adverts' products between calls)."""

    def __init__(
        self,
        clients: Any,
        brand: str,
        env: Mapping[str, str],
        error: Callable[[str], Exception] = LookupError,
        builders: Mapping[Marketplace, Builder] = BUILDERS,
    ) -> None:
        from adolf.adapters.marketplaces.http.credentials import cabinet_credentials

        self._clients = clients
        self._brand = brand
        self._error = error
        self._builders = dict(builders)
        self._built: dict[Marketplace, Any] = {}
        self._env = env
        credentials = cabinet_credentials(brand, env)
        self._cycled: list[Marketplace] = []
        for marketplace, builder in self._builders.items():
            if builder.credential not in credentials.values:
                continue
            if builder.business_id and self._business_id() is None:
                _log.warning("%s: brand %r has no business id set; it is left out of the cycle", marketplace, brand)
                continue
            if not _available(builder):
                _log.warning(
                    "%s: brand %r has credentials but %s.%s is not installed; it is left out of the cycle",
                    marketplace.value,
                    brand,
                    builder.module,
                    builder.factory,
                )
                continue
            self._cycled.append(marketplace)

    def __getitem__(self, marketplace: Marketplace) -> Any:
        if marketplace not in self._built:
            builder = self._builders.get(marketplace)
            if builder is None:
                raise KeyError(marketplace)
            try:
                factory = _factory(builder)
            except (ImportError, AttributeError) as exc:
                raise self._error(
                    f"ADOLF_MARKETPLACE=live: marketplace={marketplace.value!r} needs {builder.module}."
                    f"{builder.factory}, which this install does not have ({exc})"
                ) from exc
            if builder.business_id:
                business = self._business_id()
                if business is None:
                    raise self._error(
                        f"ADOLF_MARKETPLACE=live: marketplace={marketplace.value!r} needs the business id of brand "
                        f"{self._brand!r}: set ADOLF_YM_BUSINESS_ID__<BRAND> or ADOLF_YM_BUSINESS_ID"
                    )
                self._built[marketplace] = factory(self._clients, self._brand, business)
            else:
                self._built[marketplace] = factory(self._clients, self._brand)
        return self._built[marketplace]

    def _business_id(self) -> int | None:
        from adolf.adapters.marketplaces.http.ym_reviews import business_ids_from_env

        try:
            return business_ids_from_env([self._brand], self._env).get(self._brand)
        except ValueError as exc:  # not a whole number: named by the variable and the value
            raise self._error(str(exc)) from exc

    def __iter__(self) -> Iterator[Marketplace]:
        return iter(self._cycled)

    def __len__(self) -> int:
        return len(self._cycled)

    def __contains__(self, marketplace: object) -> bool:
        return marketplace in self._cycled
