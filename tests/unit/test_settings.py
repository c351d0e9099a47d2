"""Settings: sane defaults, environment overrides, and errors that name the variable."""

from __future__ import annotations

import pytest

from adolf.settings import QueueBackend, SettingsError, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("ADOLF_"):
            monkeypatch.delenv(name)


def test_defaults_are_the_embedded_runtime() -> None:
    settings = load_settings()
    assert settings.database_url.startswith("sqlite:///var/")
    assert settings.queue_backend is QueueBackend.INLINE
    assert settings.redis_url is None
    assert settings.timezone == "Europe/Moscow"
    assert settings.brands == ("ohana_market", "ohana_kids")
    assert settings.visibility_timeout > 2100  # above the longest hard limit


def test_the_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOLF_DATABASE_URL", "postgresql+psycopg2://adolf@db/adolf")
    monkeypatch.setenv("ADOLF_QUEUE_BACKEND", "rq")
    monkeypatch.setenv("ADOLF_REDIS_URL", "redis://cache:6379/2")
    monkeypatch.setenv("ADOLF_BRANDS", "alpha, beta ,gamma")
    settings = load_settings()
    assert settings.database_url == "postgresql+psycopg2://adolf@db/adolf"
    assert settings.queue_backend is QueueBackend.RQ
    assert settings.brands == ("alpha", "beta", "gamma")
    assert settings.effective_broker_url == "redis://cache:6379/2"


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("ADOLF_QUEUE_BACKEND", "kafka", "ADOLF_QUEUE_BACKEND='kafka'"),
        ("ADOLF_TIMEZONE", "Mars/Olympus", "ADOLF_TIMEZONE='Mars/Olympus'"),
        ("ADOLF_REDIS_URL", "localhost:6379", "ADOLF_REDIS_URL='localhost:6379'"),
        ("ADOLF_DATABASE_URL", "adolf.db", "ADOLF_DATABASE_URL='adolf.db'"),
        ("ADOLF_VISIBILITY_TIMEOUT", "soon", "ADOLF_VISIBILITY_TIMEOUT='soon'"),
        ("ADOLF_BRANDS", " , ", "ADOLF_BRANDS"),
    ],
)
def test_an_invalid_value_fails_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=named.replace("(", r"\(").replace("?", r"\?")):
        load_settings()


def test_a_queue_backend_without_redis_names_the_missing_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOLF_QUEUE_BACKEND", "celery")
    with pytest.raises(SettingsError, match="ADOLF_REDIS_URL is required when ADOLF_QUEUE_BACKEND=celery"):
        load_settings()


def test_secrets_are_masked_in_the_settings_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOLF_WB_API_TOKEN", "wb-secret-token-value")
    settings = load_settings()
    assert "wb-secret-token-value" not in repr(settings)
    assert "wb-secret-token-value" in settings.secret_values()


def test_each_brands_cabinet_credentials_are_secrets_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOLF_OZON_API_KEY__OHANA_KIDS", "kids-ozon-key-value")
    monkeypatch.setenv("ADOLF_WB_API_TOKENISH", "not-a-credential")
    secrets = load_settings().secret_values()
    assert "kids-ozon-key-value" in secrets
    assert "not-a-credential" not in secrets


def test_api_tokens_map_to_roles_and_are_treated_as_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOLF_API_TOKENS", "tok-admin-1:admin, tok-mgr-2:manager")
    settings = load_settings()
    assert settings.api_roles() == {"tok-admin-1": "admin", "tok-mgr-2": "manager"}
    assert "tok-admin-1" in settings.secret_values()
    assert "tok-admin-1" not in repr(settings)


def test_an_api_token_with_an_unknown_role_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOLF_API_TOKENS", "tok:owner")
    with pytest.raises(SettingsError, match="ADOLF_API_TOKENS"):
        load_settings().api_roles()


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    # what compose's `${ADOLF_ANTHROPIC_API_KEY:-}` passes when the deployer has no key
    for name in ("ADOLF_ANTHROPIC_API_KEY", "ADOLF_WB_API_TOKEN", "ADOLF_REDIS_URL", "ADOLF_TIMEZONE"):
        monkeypatch.setenv(name, "")
    settings = load_settings()
    assert settings.anthropic_api_key is None and settings.wb_api_token is None and settings.redis_url is None
    assert settings.timezone == "Europe/Moscow"


def test_reputation_defaults_are_the_specs_breaker_and_no_auto_approval() -> None:
    settings = load_settings()
    assert settings.reputation_breaker_failures == 5
    assert settings.reputation_breaker_cooldown == 900
    assert settings.reputation_breaker_probe_timeout == 300
    assert settings.reputation_auto_approve == ()
    assert settings.sim_reputation_faults is None


def test_reputation_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOLF_BRANDS", "alpha,beta")
    monkeypatch.setenv("ADOLF_REPUTATION_AUTO_APPROVE", " beta, alpha ,beta")
    monkeypatch.setenv("ADOLF_REPUTATION_BREAKER_FAILURES", "3")
    monkeypatch.setenv("ADOLF_REPUTATION_BREAKER_COOLDOWN", "60")
    monkeypatch.setenv("ADOLF_REPUTATION_BREAKER_PROBE_TIMEOUT", "12.5")
    settings = load_settings()
    assert settings.reputation_auto_approve == ("beta", "alpha")
    assert (settings.reputation_breaker_failures, settings.reputation_breaker_cooldown) == (3, 60)
    assert settings.reputation_breaker_probe_timeout == 12.5


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        (
            "ADOLF_REPUTATION_BREAKER_FAILURES",
            "0",
            "ADOLF_REPUTATION_BREAKER_FAILURES='0': .*greater than or equal to 1",
        ),
        ("ADOLF_REPUTATION_BREAKER_FAILURES", "many", "ADOLF_REPUTATION_BREAKER_FAILURES='many'"),
        ("ADOLF_REPUTATION_BREAKER_COOLDOWN", "-5", "ADOLF_REPUTATION_BREAKER_COOLDOWN='-5'"),
        ("ADOLF_REPUTATION_BREAKER_PROBE_TIMEOUT", "0", "ADOLF_REPUTATION_BREAKER_PROBE_TIMEOUT='0'"),
        ("ADOLF_REPUTATION_AUTO_APPROVE", "ohana_kids,acme", "ADOLF_REPUTATION_AUTO_APPROVE='ohana_kids,acme': 'acme'"),
        ("ADOLF_SIM_REPUTATION_FAULTS", "{oops", "ADOLF_SIM_REPUTATION_FAULTS='{oops'"),
        (
            "ADOLF_SIM_REPUTATION_FAULTS",
            '{"outages": [{"platform": "avito", "start": "2026-01-12T14:00:00+03:00", "end": "2026-01-12T15:00:00+03:00"}]}',
            "outages\\[0\\]: platform='avito'",
        ),
    ],
)
def test_a_bad_reputation_setting_fails_naming_the_variable_and_value(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=named):
        load_settings()
