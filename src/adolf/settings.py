"""Deployment settings, read once from the environment (prefix ``ADOLF_``).

Secrets are ``SecretStr``: they print as ``**********`` and reach adapters only through
``get_secret_value()`` in the composition root.
"""

from __future__ import annotations

import os
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATA_DIR = Path("var")


class QueueBackend(StrEnum):
    INLINE = "inline"
    CELERY = "celery"
    RQ = "rq"


class LogFormat(StrEnum):
    AUTO = "auto"  # console in a terminal, JSON otherwise
    CONSOLE = "console"
    JSON = "json"


class SettingsError(Exception):
    """A setting is missing or invalid; the message names the environment variable."""


class Settings(BaseSettings):
    # env_ignore_empty: compose files pass unset secrets as "" (`${ADOLF_X:-}`); that means "not set".
    model_config = SettingsConfigDict(env_prefix="ADOLF_", extra="ignore", validate_default=True, env_ignore_empty=True)

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_DATA_DIR / 'adolf.sqlite3'}",
        description="SQLAlchemy URL. SQLite file under ./var by default; postgresql+psycopg2://… in production.",
    )
    redis_url: str | None = Field(
        default=None,
        description="Locks, status board, circuit breakers, RQ and the Celery broker. Unset: the embedded "
        "runtime keeps them in process. Required for the celery and rq backends.",
    )
    queue_backend: QueueBackend = Field(default=QueueBackend.INLINE, description="inline | celery | rq")
    broker_url: str | None = Field(default=None, description="Celery broker; defaults to the Redis URL when unset.")
    timezone: str = Field(default="Europe/Moscow", description="Time zone of every schedule.")
    alert_severities: str | None = Field(
        default=None,
        description="Severity per alert type over the defaults, e.g. 'cap_bid=critical,low_ctr=warning'.",
    )
    watcher_alerts: str | None = Field(
        default=None,
        description="Watcher's alert thresholds and severities over the defaults, e.g. "
        "'dumping_margin_percent=12,sharp_drop_percent=25,price_drop=critical'.",
    )
    logistic_policy: str | None = Field(
        default=None,
        description="Logistic's thresholds over the defaults (SupplyPolicy): a JSON object or name=value list, e.g. "
        '\'{"target_days": 35, "urgent_days": 5, "stale_after": "30h"}\'.',
    )
    brands: Annotated[tuple[str, ...], NoDecode] = Field(
        default=("ohana_market", "ohana_kids"), description="Comma-separated brand names."
    )
    reputation_breaker_failures: int = Field(
        default=5,
        ge=1,
        le=1000,
        description="Reputation: consecutive failed polls of one platform and item type that open its circuit breaker.",
    )
    reputation_breaker_cooldown: float = Field(
        default=900.0,
        gt=0,
        le=86_400,
        description="Reputation: seconds an open breaker refuses polls before one probe may go (half-open).",
    )
    reputation_breaker_probe_timeout: float = Field(
        default=300.0,
        gt=0,
        le=86_400,
        description="Reputation: seconds a half-open probe may run before it is given up and another may go.",
    )
    reputation_auto_approve: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Reputation: comma-separated brands whose 5★ reviews with no question in them are answered "
        "without a manager (default: none, a manager approves every answer).",
    )
    log_format: LogFormat = LogFormat.AUTO
    log_level: str = "INFO"
    dry_run: bool = Field(default=False, description="Log bid decisions without sending them.")
    visibility_timeout: int = Field(
        default=7200,
        ge=1,
        description="Seconds before a Redis broker hands an unacked job to another worker. "
        "Above the longest hard limit (2100 s) and the longest countdown we use.",
    )

    lock_ttl: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="Seconds a task lock outlives its holder's last heartbeat (a beat every 2 s): "
        "the longest a job waits for a dead worker's lock to lapse.",
    )

    transient_retry_delay: float = Field(
        default=15.0,
        ge=0.1,
        le=600,
        description="First wait (s) before retrying a transient failure (database or Redis "
        "unreachable); doubled for each of at least 3 retries.",
    )

    marketplace: str = Field(
        default="simulated",
        pattern="^(simulated|live)$",
        description="simulated: the built-in market model; live: the marketplaces' HTTP APIs (each brand's "
        "credentials in ADOLF_WB_API_TOKEN__<BRAND> …, the hosts' URLs in ADOLF_WB_ADVERT_URL …).",
    )
    marketplace_redis_prefix: str = Field(
        default="adolf:",
        min_length=1,
        description="Live marketplaces: prefix of the Redis keys of the shared quota windows and Ozon "
        "Performance tokens (every worker of one deployment must use the same).",
    )
    sim_seed: int = Field(default=7, description="Seed of the simulated market.")
    sim_campaigns: int = Field(default=17, ge=1, description="Simulated campaigns per marketplace.")
    sim_keywords: int = Field(default=20, ge=1, le=1000, description="Simulated keywords per campaign.")
    sim_fbo_articles: int = Field(
        default=200, ge=1, le=1_000_000, description="Articles (SKUs) of the simulated Ozon FBO (Logistic)."
    )
    sim_reputation_faults: str | None = Field(
        default=None,
        description="What goes wrong on the simulated reviews and questions (a JSON fault plan: outages, "
        "publishes that fail N times); set by `adolf simulate` for its workers. Unset: a healthy API.",
    )
    sim_state: str = Field(
        default="database",
        pattern="^(database|memory)$",
        description="Where the simulated market keeps its state: the database (shared by workers) or memory.",
    )
    clock: str = Field(
        default="system",
        pattern="^(system|simulated)$",
        description="system: wall time; simulated: the time `adolf simulate` publishes in Redis.",
    )

    api_tokens: SecretStr | None = Field(
        default=None,
        description="HTTP API bearer tokens and their roles: 'token:role,token:role' "
        "(roles: admin, director, senior, manager); a manager's token may name the brands the manager "
        "answers for: 'token:manager:brand|brand' (or 'all'). Unset: the API refuses every request.",
    )
    api_public_docs: bool = Field(
        default=False,
        description="Serve the API's /openapi.json and /docs without a token (default: a token of any role).",
    )

    wb_api_token: SecretStr | None = None
    ozon_client_id: SecretStr | None = None
    ozon_api_key: SecretStr | None = None
    ozon_performance_client_id: SecretStr | None = None
    ozon_performance_client_secret: SecretStr | None = None
    ym_api_key: SecretStr | None = None
    anthropic_api_key: SecretStr | None = Field(
        default=None,
        description="Set: marketing.calculate_analytics asks Claude for its advice (needs adolf[llm]); "
        "unset: the built-in rule-based adviser writes it.",
    )
    anthropic_model: str = Field(default="claude-opus-5-5", description="Model that writes the analytics advice.")
    anthropic_base_url: str | None = Field(
        default=None, description="Anthropic API endpoint; unset: the SDK's default."
    )

    @field_validator("brands", mode="before")
    @classmethod
    def _split_brands(cls, value: object) -> object:
        if isinstance(value, str):
            brands = tuple(b.strip() for b in value.split(",") if b.strip())
            if not brands:
                raise ValueError("at least one brand is required")
            return brands
        return value

    @field_validator("reputation_auto_approve", mode="before")
    @classmethod
    def _split_auto_approve(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(dict.fromkeys(b.strip() for b in value.split(",") if b.strip()))
        return value

    @field_validator("sim_reputation_faults")
    @classmethod
    def _reputation_faults(cls, value: str | None) -> str | None:
        if value:
            from adolf.adapters.marketplaces.simulated.reputation_fault_plan import faults_from_text

            faults_from_text(value)  # a bad entry fails at load, naming it
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("alert_severities")
    @classmethod
    def _severities(cls, value: str | None) -> str | None:
        if value:
            from adolf.application.marketing.severities import parse_severities

            parse_severities(value)  # a bad entry fails at load, naming it
        return value

    @field_validator("watcher_alerts")
    @classmethod
    def _watcher_alerts(cls, value: str | None) -> str | None:
        if value:
            from adolf.application.watcher.alert_config import alert_rules_from_text

            alert_rules_from_text(value)  # a bad entry fails at load, naming it
        return value

    @field_validator("logistic_policy")
    @classmethod
    def _logistic_policy(cls, value: str | None) -> str | None:
        if value:
            from adolf.application.logistic.policy_config import policy_from_text

            policy_from_text(value)  # a bad entry fails at load, naming it
        return value

    @field_validator("database_url")
    @classmethod
    def _sqlalchemy_url(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError("not a database URL (expected e.g. sqlite:///var/adolf.sqlite3)")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("not a Redis URL (expected redis://host:port/db)")
        return value

    extra_catalogues: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Comma-separated 'module:attribute' catalogues of your own tasks to run beside ours.",
    )

    @field_validator("extra_catalogues", mode="before")
    @classmethod
    def _split_paths(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(p.strip() for p in value.split(",") if p.strip())
        return value

    @model_validator(mode="after")
    def _backend_needs_redis(self) -> Settings:
        if self.queue_backend is not QueueBackend.INLINE and not self.redis_url:
            raise ValueError(f"ADOLF_REDIS_URL is required when ADOLF_QUEUE_BACKEND={self.queue_backend.value}")
        return self

    @model_validator(mode="after")
    def _auto_approve_known_brands(self) -> Settings:
        unknown = [b for b in self.reputation_auto_approve if b not in self.brands]
        if unknown:
            raise ValueError(
                f"ADOLF_REPUTATION_AUTO_APPROVE={','.join(self.reputation_auto_approve)!r}: "
                f"{', '.join(map(repr, unknown))} not in ADOLF_BRANDS ({','.join(self.brands)})"
            )
        return self

    @property
    def effective_broker_url(self) -> str:
        url = self.broker_url or self.redis_url
        if not url:
            raise SettingsError("ADOLF_BROKER_URL or ADOLF_REDIS_URL is required for the celery backend")
        return url

    @field_validator("api_tokens")
    @classmethod
    def _token_roles(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            _parse_api_tokens(value.get_secret_value())  # a malformed entry fails at load, naming no token
        return value

    def api_roles(self) -> dict[str, str]:
        """Token → role, from ADOLF_API_TOKENS."""
        if self.api_tokens is None:
            return {}
        try:
            return _parse_api_tokens(self.api_tokens.get_secret_value())
        except ValueError as exc:
            raise SettingsError(f"ADOLF_API_TOKENS: {exc}") from None

    def api_brands(self) -> dict[str, tuple[str, ...]]:
        """Token → the brands its manager answers for (``token:manager:brand|brand``, ``all``
        for every brand); tokens that name no brands are not in it."""
        if self.api_tokens is None:
            return {}
        try:
            grants = _parse_api_grants(self.api_tokens.get_secret_value())
        except ValueError as exc:
            raise SettingsError(f"ADOLF_API_TOKENS: {exc}") from None
        return {token: brands for token, (_, brands) in grants.items() if brands}

    @model_validator(mode="after")
    def _token_brands_known(self) -> Settings:
        # A misspelt brand would leave its manager an empty queue without a word: refused at load.
        if self.api_tokens is None:
            return self
        entries = _parse_api_grants(self.api_tokens.get_secret_value()).values()
        for number, (_, brands) in enumerate(entries, 1):
            unknown = [b for b in brands if b != "all" and b not in self.brands]
            if unknown:
                raise ValueError(
                    f"ADOLF_API_TOKENS: entry {number} of {len(entries)} names brand(s) "
                    f"{', '.join(map(repr, unknown))} not in ADOLF_BRANDS ({','.join(self.brands)}) nor 'all'"
                )
        return self

    def secret_values(self) -> list[str]:
        """Every configured secret, for the log masker."""
        values = [getattr(self, name) for name in type(self).model_fields]
        secrets = [v.get_secret_value() for v in values if isinstance(v, SecretStr)]
        secrets += list(self.api_roles())
        # Each brand's own cabinet credentials (ADOLF_WB_API_TOKEN__<BRAND> …) are read by the
        # marketplace clients from the environment, not by these settings: masked all the same.
        from adolf.adapters.marketplaces.http.credentials import credential_secrets

        secrets += list(credential_secrets(os.environ))
        for url in (self.database_url, self.redis_url, self.broker_url):
            userinfo = url.rpartition("@")[0].split("//")[-1] if url else ""
            if ":" in userinfo:
                password = userinfo.split(":", 1)[1]
                secrets += [password, unquote(password)]  # as written in the URL, and as a client sends it
        return list(dict.fromkeys(s for s in secrets if s))

    metrics_dir: Path | None = Field(
        default=None,
        description="Directory where every process of a host writes its task metrics (Prometheus "
        "multiprocess mode): the workers' pool children and work horses, and the API that serves "
        "them. Wiped when the fleet starts (a tmpfs, or the start script). Unset: each process "
        "keeps its own.",
    )
    metrics_port: int | None = Field(
        default=None,
        ge=0,
        le=65535,
        description="Port a Celery or RQ worker serves its Prometheus metrics on (its main "
        "process; one port per worker). Unset: the worker serves none.",
    )


_ROLES = ("admin", "director", "senior", "manager")


def _parse_api_tokens(text: str) -> dict[str, str]:
    """'token:role,token:role' → {token: role}; the error says which entry, never its token."""
    return {token: role for token, (role, _) in _parse_api_grants(text).items()}


def _parse_api_grants(text: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """'token:role,token:manager:brand|brand' → {token: (role, brands)}, brands () when the
    entry names none. A token may hold ':' itself: the role is the last part, or the one before
    a manager's brands."""
    entries = [p.strip() for p in text.split(",") if p.strip()]
    grants = {}
    for number, entry in enumerate(entries, 1):
        token, _, role = entry.rpartition(":")
        brands: tuple[str, ...] = ()
        if role not in _ROLES:
            listed = role
            token, _, role = token.rpartition(":")
            brands = tuple(dict.fromkeys(b.strip() for b in listed.split("|")))
            if role != "manager" or not all(brands):
                token = ""
        if not token or role not in _ROLES:
            raise ValueError(
                f"entry {number} of {len(entries)} is not 'token:role' with role {'|'.join(_ROLES)}, "
                "nor 'token:manager:brand|brand' (entries are comma-separated)"
            )
        grants[token] = (role, brands)
    return grants


#: Everything from the scheme (or what was meant as one) to the last ``@``: the credentials
#: of a URL, even a mistyped one (``postgresql//user:pw@host``, ``user:pw@host``).
_USERINFO = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*:?/*)?(?P<userinfo>.*)@(?=[^@]*$)")


def mask_credentials(value: str) -> str:
    """``value`` with a URL password (anything between the user name and the ``@``) masked."""

    def masked(match: re.Match[str]) -> str:
        user, colon, _password = match["userinfo"].partition(":")
        return f"{match['scheme'] or ''}{user + ':' if colon else ''}***@"

    return _USERINFO.sub(masked, value)


def _shown_input(field: str, value: object) -> str:
    """What an error may echo of an invalid input: never a secret's value, never a URL's password."""
    annotation = str(Settings.model_fields[field].annotation) if field in Settings.model_fields else ""
    if "SecretStr" in annotation:
        return "(secret, not shown)"
    return repr(mask_credentials(value)) if isinstance(value, str) else repr(value)


def load_settings(**overrides: object) -> Settings:
    """Read the settings; an invalid value raises ``SettingsError`` naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            message = err["msg"].removeprefix("Value error, ")
            if err["loc"]:
                field = str(err["loc"][0])
                problems.append(f"ADOLF_{field.upper()}={_shown_input(field, err.get('input'))}: {message}")
            else:
                problems.append(message)
        raise SettingsError("invalid settings: " + "; ".join(problems)) from None
