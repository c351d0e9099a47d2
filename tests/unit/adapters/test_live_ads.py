"""Which ads marketplaces ``ADOLF_MARKETPLACE=live`` cycles: those whose client is installed and
whose credential the cabinet has; asking for one whose client is missing names it."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.adapters.marketplaces.live_ads import BUILDERS, Builder, LiveAdsMarketplaces
from adolf.domain.marketplace import Marketplace

BUILT: list[tuple[Any, str]] = []


def build(clients: Any, brand: str) -> tuple[Any, str]:
    BUILT.append((clients, brand))
    return (clients, brand)


HERE = Builder(__name__, "build", "wb_api_token")
MISSING = Builder("adolf.adapters.marketplaces.http.no_such_client", "NoSuchAds.for_brand", "ym_api_key")


class MissingClient(Exception):
    pass


def test_a_marketplace_is_cycled_with_its_client_and_credential_and_built_once() -> None:
    BUILT.clear()
    ads = LiveAdsMarketplaces(
        "clients",
        "acme",
        {"ADOLF_WB_API_TOKEN__ACME": "t", "ADOLF_YM_API_KEY": "k"},
        MissingClient,
        {Marketplace.WB: HERE, Marketplace.YM: MISSING},
    )
    assert list(ads) == [Marketplace.WB]  # YM has its key but no client installed
    assert ads[Marketplace.WB] == ("clients", "acme")
    assert ads[Marketplace.WB] is ads[Marketplace.WB]
    assert BUILT == [("clients", "acme")]
    with pytest.raises(MissingClient, match=r"marketplace='ym' needs .*no_such_client\.NoSuchAds\.for_brand"):
        ads[Marketplace.YM]
    with pytest.raises(KeyError):
        ads[Marketplace.OZON]


@given(st.sets(st.sampled_from(["wb_api_token", "ozon_performance_client_id", "ym_api_key", "ozon_api_key"])))
def test_the_cycle_is_the_marketplaces_whose_credential_is_set(fields: set[str]) -> None:
    builders = {mp: Builder(__name__, "build", b.credential) for mp, b in BUILDERS.items()}
    env = {f"ADOLF_{field.upper()}": "x" for field in fields}
    ads = LiveAdsMarketplaces("clients", "acme", env, MissingClient, builders)
    assert set(ads) == {mp for mp, b in builders.items() if b.credential in fields}
    assert len(ads) == len(set(ads))


def build_with_business(clients: Any, brand: str, business_id: int) -> tuple[Any, str, int]:
    return (clients, brand, business_id)


def test_yms_client_takes_the_cabinets_business_id_and_is_not_cycled_without_one() -> None:
    ym = Builder(__name__, "build_with_business", "ym_api_key", business_id=True)
    env = {"ADOLF_YM_API_KEY": "k"}
    without = LiveAdsMarketplaces("clients", "acme", env, MissingClient, {Marketplace.YM: ym})
    assert list(without) == []
    with pytest.raises(MissingClient, match="ADOLF_YM_BUSINESS_ID"):
        without[Marketplace.YM]
    env["ADOLF_YM_BUSINESS_ID__ACME"] = "4242"
    ads = LiveAdsMarketplaces("clients", "acme", env, MissingClient, {Marketplace.YM: ym})
    assert list(ads) == [Marketplace.YM]
    assert ads[Marketplace.YM] == ("clients", "acme", 4242)
    env["ADOLF_YM_BUSINESS_ID__ACME"] = "forty"
    with pytest.raises(MissingClient, match="ADOLF_YM_BUSINESS_ID__ACME='forty'"):
        LiveAdsMarketplaces("clients", "acme", env, MissingClient, {Marketplace.YM: ym})
