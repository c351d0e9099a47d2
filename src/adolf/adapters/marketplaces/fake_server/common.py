"""What every fake router does before it answers: check the caller, count the quota, refuse.

``guard(world, endpoint, request)`` is the first line of every handler (or
``Depends(guarded(world, endpoint))``): it finds the brand by the endpoint's API's auth, as
the real hosts check it, then takes one call of the endpoint's quota for that brand, and
returns the brand.

- Auth (SPEC §6): WB ``Authorization: <token>``; Ozon Seller ``Client-Id`` + ``Api-Key``; YM
  ``Api-Key``; Ozon Performance ``Authorization: Bearer <token>`` issued by its token
  endpoint (``world.bearer_tokens``). Anything else → 401 in the marketplace's error shape.
- Quota: a sliding window per (quota group, brand) of ``quota.calls`` per ``quota.per``
  seconds on ``world.quota_clock`` (else ``world.clock``); past it → 429 with ``Retry-After`` (whole seconds until the
  oldest call of the window leaves it; WB also sends ``X-Ratelimit-Retry``).
- ``refuse(api, status, message)`` raises a refusal the app renders in the API's own error
  shape (``build_app`` installs the handler): WB ``{"title", "detail", "status", …}``, Ozon
  Seller ``{"code", "message", "details"}``, Ozon Performance ``{"error"}``, YM
  ``{"status": "ERROR", "errors": [{"code", "message"}]}``.
- ``check_batch(world, endpoint, ids)`` → 400 when a call carries more ids than the
  endpoint's ``batch``.
"""

from __future__ import annotations

from collections.abc import Callable, Sized

from fastapi import Request
from fastapi.responses import JSONResponse

from adolf.adapters.marketplaces.http.quotas import OZON_PERFORMANCE, OZON_SELLER, WB_ADVERT, WB_FEEDBACKS, YM

from .world import FakeWorld

_BEARER = "Bearer "
_STATUS_TEXT = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests"}


class FakeRefusal(Exception):
    """A 4xx the fake answers with, in ``api``'s error shape."""

    def __init__(self, api: str, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.api = api
        self.status = status
        self.message = message
        self.retry_after = retry_after


def refuse(api: str, status: int, message: str) -> FakeRefusal:
    """``raise refuse(WB_ADVERT, 400, "bid=5 is below the minimum 150")``."""
    return FakeRefusal(api, status, message)


def error_body(api: str, status: int, message: str) -> dict[str, object]:
    text = _STATUS_TEXT.get(status, "Error")
    if api in (WB_ADVERT, WB_FEEDBACKS):
        return {"title": text.lower(), "detail": message, "code": str(status), "status": status, "statusText": text}
    if api == OZON_SELLER:
        return {"code": 16 if status == 401 else 3, "message": message, "details": []}
    if api == OZON_PERFORMANCE:
        return {"error": message}
    if api == YM:
        code = {401: "UNAUTHORIZED", 429: "LIMIT_EXCEEDED"}.get(status, "BAD_REQUEST")
        return {"status": "ERROR", "errors": [{"code": code, "message": message}]}
    raise ValueError(f"api={api!r} has no error shape")


def refusal_response(_request: Request, refusal: Exception) -> JSONResponse:
    assert isinstance(refusal, FakeRefusal)
    headers = {}
    if refusal.retry_after is not None:
        headers["Retry-After"] = str(refusal.retry_after)
        if refusal.api in (WB_ADVERT, WB_FEEDBACKS):
            headers["X-Ratelimit-Retry"] = str(refusal.retry_after)
    return JSONResponse(error_body(refusal.api, refusal.status, refusal.message), refusal.status, headers)


def brand_of(world: FakeWorld, api: str, request: Request) -> str:
    """The caller's brand by ``api``'s auth; a wrong or missing credential → 401."""
    headers = request.headers
    brand: str | None
    if api in (WB_ADVERT, WB_FEEDBACKS):
        brand = world.brand_with("wb_api_token", headers.get("Authorization"))
    elif api == OZON_SELLER:
        brand = world.brand_with("ozon_api_key", headers.get("Api-Key"))
        if brand is not None and world.credentials[brand].get("ozon_client_id") != headers.get("Client-Id"):
            brand = None
    elif api == YM:
        brand = world.brand_with("ym_api_key", headers.get("Api-Key"))
    elif api == OZON_PERFORMANCE:
        value = headers.get("Authorization", "")
        brand = world.bearer_tokens.get(value[len(_BEARER) :]) if value.startswith(_BEARER) else None
    else:
        raise ValueError(f"api={api!r} is not a marketplace API")
    if brand is None:
        raise refuse(api, 401, "unauthorized: the token is missing, wrong or expired")
    return brand


def guard(world: FakeWorld, endpoint: str, request: Request) -> str:
    """Auth, then one call of the endpoint's quota; the caller's brand."""
    quota = world.quotas[endpoint]
    brand = brand_of(world, quota.api, request)
    wait = world.take_quota(quota, brand)
    if wait is not None:
        raise FakeRefusal(
            quota.api, 429, f"{endpoint}: more than {quota.calls} calls in {quota.per} s", retry_after=wait
        )
    return brand


def guarded(world: FakeWorld, endpoint: str) -> Callable[[Request], str]:
    """``guard`` as a FastAPI dependency: ``brand: str = Depends(guarded(world, "wb.adverts"))``."""

    def dependency(request: Request) -> str:
        return guard(world, endpoint, request)

    return dependency


def check_batch(world: FakeWorld, endpoint: str, ids: Sized) -> None:
    """400 when ``ids`` is more than the endpoint takes in one call."""
    quota = world.quotas[endpoint]
    if quota.batch is not None and len(ids) > quota.batch:
        raise refuse(quota.api, 400, f"{endpoint}: {len(ids)} ids in one call, at most {quota.batch}")
