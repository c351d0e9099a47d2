"""Each brand's marketplace credentials, read from the environment (a seller has a cabinet
per brand on every marketplace).

For a brand ``<BRAND>`` (its name upper-cased, every character but ``A-Z``/``0-9`` turned
into ``_``: brand ``acme-home`` → ``ACME_HOME``):

==============================================  ==============================================
``ADOLF_WB_API_TOKEN__<BRAND>``                 Wildberries API token (``Authorization`` header)
``ADOLF_OZON_CLIENT_ID__<BRAND>``               Ozon Seller ``Client-Id``
``ADOLF_OZON_API_KEY__<BRAND>``                 Ozon Seller ``Api-Key``
``ADOLF_OZON_PERFORMANCE_CLIENT_ID__<BRAND>``   Ozon Performance client id
``ADOLF_OZON_PERFORMANCE_CLIENT_SECRET__<BRAND>``  Ozon Performance client secret
``ADOLF_YM_API_KEY__<BRAND>``                   Yandex.Market ``Api-Key``
==============================================  ==============================================

The same name without ``__<BRAND>`` (the settings' ``ADOLF_WB_API_TOKEN`` …) serves every brand
that has none of its own: a seller with one cabinet sets only those. An empty value is unset.
Every one of them is a secret: ``credential_secrets`` lists their values for the log masker
(``configure_logging(known_secrets=…)``), and no client ever logs a header.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .errors import MissingCredentials

FIELDS = (
    "wb_api_token",
    "ozon_client_id",
    "ozon_api_key",
    "ozon_performance_client_id",
    "ozon_performance_client_secret",
    "ym_api_key",
)


def brand_suffix(brand: str) -> str:
    suffix = re.sub(r"[^A-Z0-9]", "_", brand.strip().upper())
    if not suffix.strip("_"):
        raise ValueError(f"brand={brand!r} has no letter or digit to name its environment variables by")
    return suffix


def variable(field: str, brand: str | None = None) -> str:
    """``ADOLF_<FIELD>__<BRAND>``; without a brand, the name every brand falls back to."""
    if field not in FIELDS:
        raise ValueError(f"field={field!r} must be one of {', '.join(FIELDS)}")
    name = f"ADOLF_{field.upper()}"
    return f"{name}__{brand_suffix(brand)}" if brand is not None else name


@dataclass(frozen=True, slots=True)
class CabinetCredentials:
    brand: str
    values: Mapping[str, str]  # field → value, only the fields set

    def require(self, field: str) -> str:
        value = self.values.get(field)
        if value is None:
            raise MissingCredentials(
                f"brand {self.brand!r} has no {field}: set {variable(field, self.brand)} (or {variable(field)} "
                "for every brand)"
            )
        return value

    def __repr__(self) -> str:  # a credentials object printed in a traceback names fields, never values
        return f"CabinetCredentials(brand={self.brand!r}, set={sorted(self.values)})"


def cabinet_credentials(brand: str, env: Mapping[str, str]) -> CabinetCredentials:
    values = {}
    for field in FIELDS:
        value = env.get(variable(field, brand), "").strip() or env.get(variable(field), "").strip()
        if value:
            values[field] = value
    return CabinetCredentials(brand, values)


def check_brands(brands: Iterable[str]) -> None:
    """Two brands whose names give the same suffix would read each other's credentials."""
    seen: dict[str, str] = {}
    for brand in brands:
        suffix = brand_suffix(brand)
        if suffix in seen and seen[suffix] != brand:
            raise ValueError(
                f"brands {seen[suffix]!r} and {brand!r} both read their credentials from ADOLF_…__{suffix}: rename one"
            )
        seen[suffix] = brand


def credential_secrets(env: Mapping[str, str]) -> tuple[str, ...]:
    """The value of every credential variable in ``env``, any brand's, for the log masker."""
    prefixes = tuple(variable(field) for field in FIELDS)
    found = [
        value.strip()
        for name, value in env.items()
        if value.strip() and any(name == p or name.startswith(p + "__") for p in prefixes)
    ]
    return tuple(dict.fromkeys(found))
