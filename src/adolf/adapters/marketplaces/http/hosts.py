"""The base URL of each marketplace API host, with an override per host from the environment.

A seller points a host at the marketplace's sandbox (WB has one), and the tests and
``adolf simulate --marketplace http`` point every host at the local fake. Read from an
environment mapping so that the settings can wire it in as they are:

=============================  =========================================
``ADOLF_WB_ADVERT_URL``        ``https://advert-api.wildberries.ru``
``ADOLF_WB_FEEDBACKS_URL``     ``https://feedbacks-api.wildberries.ru``
``ADOLF_OZON_SELLER_URL``      ``https://api-seller.ozon.ru``
``ADOLF_OZON_PERFORMANCE_URL`` ``https://api-performance.ozon.ru``
``ADOLF_YM_URL``               ``https://api.partner.market.yandex.ru``
=============================  =========================================
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from adolf.adapters.observability.logging import mask_text

from .quotas import APIS, OZON_PERFORMANCE, OZON_SELLER, WB_ADVERT, WB_FEEDBACKS, YM

DEFAULT_BASE_URLS: dict[str, str] = {
    WB_ADVERT: "https://advert-api.wildberries.ru",
    WB_FEEDBACKS: "https://feedbacks-api.wildberries.ru",
    OZON_SELLER: "https://api-seller.ozon.ru",
    OZON_PERFORMANCE: "https://api-performance.ozon.ru",
    YM: "https://api.partner.market.yandex.ru",
}


def base_url_variable(api: str) -> str:
    return f"ADOLF_{api.upper()}_URL"


def base_urls(env: Mapping[str, str]) -> dict[str, str]:
    """Every host's base URL: the environment's where set (an empty value means unset), else
    the marketplace's own. A value that is not an http(s) URL is refused, naming the variable."""
    urls = {}
    for api in APIS:
        name = base_url_variable(api)
        value = env.get(name, "").strip() or DEFAULT_BASE_URLS[api]
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{name}={mask_text(value)!r} must be an http(s) URL such as {DEFAULT_BASE_URLS[api]}")
        urls[api] = value.rstrip("/")
    return urls
