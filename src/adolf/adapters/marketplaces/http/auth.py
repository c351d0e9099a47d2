"""How each marketplace API is authenticated, per cabinet (SPEC §6).

- Wildberries: header ``Authorization: <token>`` (the bare token, no scheme).
- Ozon Seller API: headers ``Client-Id`` and ``Api-Key``.
- Yandex.Market: header ``Api-Key``.
- Ozon Performance API: client credentials. ``POST /api/client/token`` with ``client_id``,
  ``client_secret`` and ``grant_type=client_credentials`` returns a bearer token valid 30 min;
  it is fetched once per cabinet and shared by every worker until it expires
  (``token_store.py``). On a 401 the client calls ``renew`` once: the refused token is
  dropped, the next ``headers()`` fetches a new one, and the call is made once more.

An ``Auth`` gives the headers of one call, says whether a 401 is worth one renewal, and lists
the secrets it holds so that the client can mask them in any message a marketplace echoes
back. The credentials come from the environment (``credentials.py``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, Field

from .credentials import CabinetCredentials
from .token_store import IssuedToken, TokenStore
from .validation import parse_model

if TYPE_CHECKING:
    from .client import MarketplaceHttpClient

TOKEN_ENDPOINT = "ozon_perf.token"
_BEARER = "Bearer "


class Auth(Protocol):
    def headers(self) -> dict[str, str]: ...

    def renew(self, refused: Mapping[str, str]) -> bool:
        """After a 401 to a call sent with ``refused`` headers: True if new credentials may
        now be had (the call is then made once more), False if not (the 401 stands)."""

    def secrets(self) -> tuple[str, ...]: ...


class HeaderAuth:
    """Fixed headers: WB, Ozon Seller, YM. A 401 is final: there is nothing to renew."""

    def __init__(self, headers: Mapping[str, str]) -> None:
        self._headers = dict(headers)

    def headers(self) -> dict[str, str]:
        return dict(self._headers)

    def renew(self, refused: Mapping[str, str]) -> bool:
        return False

    def secrets(self) -> tuple[str, ...]:
        return tuple(self._headers.values())

    def __repr__(self) -> str:
        return f"HeaderAuth({sorted(self._headers)})"


NO_AUTH = HeaderAuth({})


def wb_auth(credentials: CabinetCredentials) -> HeaderAuth:
    return HeaderAuth({"Authorization": credentials.require("wb_api_token")})


def ozon_seller_auth(credentials: CabinetCredentials) -> HeaderAuth:
    return HeaderAuth(
        {"Client-Id": credentials.require("ozon_client_id"), "Api-Key": credentials.require("ozon_api_key")}
    )


def ym_auth(credentials: CabinetCredentials) -> HeaderAuth:
    return HeaderAuth({"Api-Key": credentials.require("ym_api_key")})


class _TokenReply(BaseModel):
    access_token: str = Field(min_length=1)
    expires_in: float = Field(gt=0)
    token_type: str = "Bearer"


class OzonPerformanceAuth:
    """A bearer token per cabinet from a ``TokenStore``, fetched with ``token_client`` (a
    client of the Performance host without auth) when the store has none."""

    def __init__(
        self,
        cabinet: str,
        client_id: str,
        client_secret: str,
        store: TokenStore,
        token_client: MarketplaceHttpClient,
    ) -> None:
        self.cabinet = cabinet
        self._client_id = client_id
        self._client_secret = client_secret
        self._store = store
        self._token_client = token_client
        self._seen: deque[str] = deque(maxlen=4)  # the tokens recently used, for masking

    @classmethod
    def from_credentials(
        cls, credentials: CabinetCredentials, store: TokenStore, token_client: MarketplaceHttpClient
    ) -> OzonPerformanceAuth:
        return cls(
            credentials.brand,
            credentials.require("ozon_performance_client_id"),
            credentials.require("ozon_performance_client_secret"),
            store,
            token_client,
        )

    def fetch(self) -> IssuedToken:
        reply = self._token_client.request_json(
            TOKEN_ENDPOINT,
            "POST",
            "/api/client/token",
            json={
                "client_id": self._client_id,
                "client_secret": self._client_secret,
                "grant_type": "client_credentials",
            },
        )
        token = parse_model(TOKEN_ENDPOINT, reply, _TokenReply, show_values=False)
        return IssuedToken(token.access_token, token.expires_in)

    def headers(self) -> dict[str, str]:
        token = self._store.get_or_fetch(self.cabinet, self.fetch)
        if token not in self._seen:
            self._seen.append(token)
        return {"Authorization": _BEARER + token}

    def renew(self, refused: Mapping[str, str]) -> bool:
        value = refused.get("Authorization", "")
        if not value.startswith(_BEARER):
            return False
        self._store.invalidate(self.cabinet, value[len(_BEARER) :])
        return True

    def secrets(self) -> tuple[str, ...]:
        return (self._client_id, self._client_secret, *self._seen)

    def __repr__(self) -> str:
        return f"OzonPerformanceAuth(cabinet={self.cabinet!r})"
