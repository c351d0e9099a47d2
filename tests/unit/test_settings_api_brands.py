"""``ADOLF_API_TOKENS`` naming a manager's brands (``token:manager:brand|brand``), beside the
``token:role`` entries it always took: the roles read as before, the brands come out of
``api_brands``, a misspelt brand or brands on another role stop the program naming the entry,
never the token."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adolf.settings import SettingsError, load_settings

BRANDS = ("ohana_market", "ohana_kids")
ROLES = ("admin", "director", "senior", "manager")


def test_a_manager_token_names_its_brands_and_keeps_its_role() -> None:
    settings = load_settings(api_tokens="tok-a:admin, tok-m:manager:ohana_kids|ohana_market, tok-o:manager")
    assert settings.api_roles() == {"tok-a": "admin", "tok-m": "manager", "tok-o": "manager"}
    assert settings.api_brands() == {"tok-m": ("ohana_kids", "ohana_market")}


def test_all_names_every_brand() -> None:
    assert load_settings(api_tokens="tok-m:manager:all").api_brands() == {"tok-m": ("all",)}


def test_a_token_holding_colons_still_reads_its_role_from_the_last_part() -> None:
    settings = load_settings(api_tokens="a:b:admin,c:d:manager:ohana_kids")
    assert settings.api_roles() == {"a:b": "admin", "c:d": "manager"}
    assert settings.api_brands() == {"c:d": ("ohana_kids",)}


@pytest.mark.parametrize(
    "entry",
    ["tok-secret-9:admin:ohana_kids", "tok-secret-9:senior:all", "tok-secret-9:manager:", "tok-secret-9:manager:a||b"],
)
def test_brands_on_another_role_or_an_empty_brand_are_refused_naming_no_token(entry: str) -> None:
    with pytest.raises(SettingsError, match="entry 2 of 2 is not 'token:role'") as refused:
        load_settings(api_tokens=f"tok-a:admin,{entry}")
    assert "tok-secret-9" not in str(refused.value)


def test_a_brand_not_configured_is_refused_naming_it_and_the_entry() -> None:
    with pytest.raises(
        SettingsError, match=r"entry 1 of 1 names brand\(s\) 'ohana_kid' not in ADOLF_BRANDS"
    ) as refused:
        load_settings(api_tokens="tok-secret-9:manager:ohana_kid")
    assert "tok-secret-9" not in str(refused.value)


tokens = st.text(st.sampled_from("abcdefXYZ0189-_.:"), min_size=1, max_size=24).filter(
    lambda t: not t.endswith(":") and not t.startswith(":") and "::" not in t
)


@settings(max_examples=50)
@given(
    entries=st.lists(
        st.tuples(tokens, st.sampled_from(ROLES), st.lists(st.sampled_from((*BRANDS, "all")), max_size=3)),
        min_size=1,
        max_size=5,
        unique_by=lambda e: e[0],
    )
)
def test_every_entry_reads_back_as_written(entries: list[tuple[str, str, list[str]]]) -> None:
    written = []
    for token, role, brands in entries:
        listed = brands if role == "manager" else []
        written.append(f"{token}:{role}" + (f":{'|'.join(listed)}" if listed else ""))
    settings = load_settings(api_tokens=",".join(written))
    assert settings.api_roles() == {token: role for token, role, _ in entries}
    assert settings.api_brands() == {
        token: tuple(dict.fromkeys(brands)) for token, role, brands in entries if role == "manager" and brands
    }
    assert {token for token, _, _ in entries} <= set(settings.secret_values())
