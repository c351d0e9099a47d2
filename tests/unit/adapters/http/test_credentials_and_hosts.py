"""Credentials per brand and base URLs per host, from an environment mapping."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adolf.adapters.marketplaces.http.credentials import (
    FIELDS,
    brand_suffix,
    cabinet_credentials,
    check_brands,
    credential_secrets,
    variable,
)
from adolf.adapters.marketplaces.http.errors import MissingCredentials
from adolf.adapters.marketplaces.http.hosts import DEFAULT_BASE_URLS, base_urls
from adolf.application.ports.ads_marketplace import MarketplaceUnauthorised


def test_a_brand_reads_its_own_variable_before_the_shared_one() -> None:
    env = {"ADOLF_WB_API_TOKEN": "shared-token", "ADOLF_WB_API_TOKEN__ACME_HOME": "acme-token"}
    assert cabinet_credentials("acme-home", env).require("wb_api_token") == "acme-token"
    assert cabinet_credentials("other", env).require("wb_api_token") == "shared-token"


def test_an_empty_variable_is_unset() -> None:
    env = {"ADOLF_YM_API_KEY__ACME": "  ", "ADOLF_YM_API_KEY": "shared-key"}
    assert cabinet_credentials("acme", env).require("ym_api_key") == "shared-key"


def test_a_missing_credential_names_both_variables() -> None:
    credentials = cabinet_credentials("acme", {})
    with pytest.raises(MissingCredentials) as missing:
        credentials.require("ozon_api_key")
    assert isinstance(missing.value, MarketplaceUnauthorised)
    assert str(missing.value) == (
        "brand 'acme' has no ozon_api_key: set ADOLF_OZON_API_KEY__ACME (or ADOLF_OZON_API_KEY for every brand)"
    )


def test_two_brands_with_one_suffix_are_refused() -> None:
    check_brands(["acme", "globex"])
    with pytest.raises(ValueError, match=r"brands 'acme home' and 'acme-home' both read .*ACME_HOME"):
        check_brands(["acme home", "acme-home"])


def test_the_secrets_for_the_masker_are_every_credential_value_and_nothing_else() -> None:
    env = {
        "ADOLF_WB_API_TOKEN": "t0",
        "ADOLF_WB_API_TOKEN__ACME": "t1",
        "ADOLF_OZON_PERFORMANCE_CLIENT_SECRET__X": "s1",
        "ADOLF_OZON_CLIENT_ID_OTHER": "not-a-credential",
        "ADOLF_BRANDS": "acme,x",
        "ADOLF_YM_API_KEY__ACME": "",
    }
    assert set(credential_secrets(env)) == {"t0", "t1", "s1"}


@settings(max_examples=50, deadline=None)
@given(brand=st.text(min_size=1, max_size=20).filter(lambda b: re.search(r"[A-Za-z0-9]", b.upper())))
def test_any_brand_name_gives_a_variable_of_letters_digits_and_underscores(brand: str) -> None:
    suffix = brand_suffix(brand)
    assert re.fullmatch(r"[A-Z0-9_]+", suffix)
    for field in FIELDS:
        assert variable(field, brand) == f"ADOLF_{field.upper()}__{suffix}"


def test_a_brand_with_no_letter_or_digit_is_refused() -> None:
    with pytest.raises(ValueError, match=r"brand='--' has no letter or digit"):
        brand_suffix("--")


def test_base_urls_default_to_the_marketplaces_and_take_an_override() -> None:
    urls = base_urls({"ADOLF_WB_ADVERT_URL": "http://127.0.0.1:8900/", "ADOLF_YM_URL": ""})
    assert urls["wb_advert"] == "http://127.0.0.1:8900"
    assert urls["ym"] == DEFAULT_BASE_URLS["ym"]
    assert set(urls) == set(DEFAULT_BASE_URLS)


def test_a_base_url_that_is_no_url_is_refused_naming_the_variable() -> None:
    with pytest.raises(ValueError, match=r"^ADOLF_OZON_SELLER_URL='api-seller.ozon.ru' must be an http\(s\) URL"):
        base_urls({"ADOLF_OZON_SELLER_URL": "api-seller.ozon.ru"})
