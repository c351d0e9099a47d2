"""A settings error names the variable and never echoes a secret: a mistyped URL's password,
an ADOLF_API_TOKENS token."""

from __future__ import annotations

import os

import pytest

from adolf.settings import SettingsError, load_settings, mask_credentials


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("ADOLF_"):
            monkeypatch.delenv(name)


@pytest.mark.parametrize(
    ("variable", "value", "shown"),
    [
        (
            "ADOLF_DATABASE_URL",
            "postgresql+psycopg2//adolf:S3cretPw@db/adolf",
            "postgresql+psycopg2//adolf:***@db/adolf",
        ),
        ("ADOLF_DATABASE_URL", "adolf:S3cretPw@db/adolf", "adolf:***@db/adolf"),
        ("ADOLF_REDIS_URL", "redis//:S3cretPw@cache:6379/0", "redis//:***@cache:6379/0"),
        ("ADOLF_REDIS_URL", "http://user:S3cr@tPw@cache:6379/0", "http://user:***@cache:6379/0"),
    ],
)
def test_a_mistyped_url_is_named_with_its_password_masked(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, shown: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert f"{variable}={shown!r}" in message
    assert "S3cr" not in message


def test_a_malformed_api_tokens_entry_fails_at_load_naming_the_variable_not_the_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ADOLF_API_TOKENS", "tok-admin-secret1:admin,tok-nobody-secret2")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert "ADOLF_API_TOKENS" in message and "entry 2 of 2" in message
    assert "tok-" not in message and "secret" not in message.replace("(secret, not shown)", "")


def test_an_unknown_role_is_refused_without_echoing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOLF_API_TOKENS", "tok-admin-secret1:root")
    with pytest.raises(SettingsError, match="ADOLF_API_TOKENS") as caught:
        load_settings()
    assert "tok-admin-secret1" not in str(caught.value)


def test_url_passwords_are_configured_secrets_as_written_and_decoded() -> None:
    settings = load_settings(redis_url="redis://u:p%40ss-word@cache:6379/0")
    secrets = settings.secret_values()
    assert "p%40ss-word" in secrets and "p@ss-word" in secrets


@pytest.mark.parametrize("url", ["sqlite:///var/adolf.sqlite3", "redis://cache:6379/0", "localhost:6379"])
def test_a_url_without_credentials_is_left_alone(url: str) -> None:
    assert mask_credentials(url) == url
