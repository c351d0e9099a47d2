"""One HTTP client under every marketplace client: quota, retries, auth and errors in one place.

``request(endpoint, method, path, …)`` makes one marketplace call for one cabinet:

- **quota first.** Every attempt takes one call of the endpoint's quota from the shared
  limiter (``limiter.py``) before it is sent: a retry is a call the marketplace counts too.
- **transient failures retried** (``tenacity``): timeouts, connection errors, 5xx and 408, at
  most ``RetryPolicy.attempts`` tries with exponential backoff and jitter (or the reply's
  ``Retry-After``, when it gives one within ``max_retry_after``). Writes are retried
  as well: every write the ports make is idempotent (bids carry their key, an answer already
  posted reads as ``ALREADY_ANSWERED``, pause/start set a state).
- **429** waits the marketplace's ``Retry-After`` (seconds or an HTTP date; WB's
  ``X-Ratelimit-Retry`` too), then tries again within the same attempts; a wait longer than
  ``RetryPolicy.max_retry_after`` is not slept through: ``QuotaExceeded`` is raised at once with
  ``retry_after``, and the job comes back then.
- **401/403** → ``UnauthorisedCall`` (``MarketplaceUnauthorised``), after one renewal of the
  credentials where the auth has one (Ozon Performance's bearer token): never retried.
- **any other 4xx** → ``RejectedCall`` (``MarketplaceRejected``) with the marketplace's own
  message: never retried.
- Every error names the endpoint; the marketplace's message is cut to ``DETAIL_CHARS`` with the
  call's secrets masked.

Each attempt is logged (``marketplace_call``: endpoint, cabinet, method, path, status, duration,
attempt) — never headers, parameters or bodies, where the credentials and the sellers' data
are. The base URL is the caller's (``hosts.py``), one client per API host and cabinet; several
clients may share one ``httpx.Client`` (its connection pool) through ``http``.
"""

from __future__ import annotations

import json as jsonlib
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import structlog
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from adolf.adapters.observability.logging import MASK
from adolf.application.logistic.ozon_fbo import QuotaExceeded

from .auth import Auth
from .errors import FailedCall, RejectedCall, UnauthorisedCall
from .limiter import RateLimiter
from .quotas import QUOTAS, Quota, quota_of

DETAIL_CHARS = 300
_RETRY_AFTER_HEADERS = ("Retry-After", "X-Ratelimit-Retry")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4  # tries of one call in all, for transient failures and 429s together
    backoff: float = 0.5  # seconds before the first retry; doubles with each
    backoff_max: float = 8.0
    jitter: float = 0.25
    max_retry_after: float = 60.0  # a 429 asking for longer raises QuotaExceeded instead of sleeping

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts={self.attempts} must be >= 1")
        if min(self.backoff, self.backoff_max, self.jitter, self.max_retry_after) < 0:
            raise ValueError(f"{self} has a negative duration")


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect: float = 5.0
    read: float = 30.0
    write: float = 30.0
    pool: float = 5.0

    def httpx(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)


class _Transient(Exception):
    """One attempt failed in a way the next may not: retried by tenacity, never let out."""

    def __init__(self, status: int | None, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.retry_after = retry_after


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """``Retry-After`` as seconds from ``now``: a number of seconds, or an HTTP date. None when
    absent or unreadable (the backoff decides then); a date already past is 0."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return max(0.0, (moment - now).total_seconds())
    return max(0.0, seconds) if math.isfinite(seconds) else None


def marketplace_message(response: httpx.Response) -> str:
    """What the marketplace said about a refusal, from the shapes WB, Ozon and YM use
    (``message``, ``detail``, ``error``, ``errorText``, ``title``, ``errors[0].message``), else
    the body's text."""
    try:
        body = response.json()
    except ValueError:
        return " ".join(response.text.split())
    if isinstance(body, dict):
        for key in ("message", "detail", "error", "errorText", "title"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            first = errors[0]
            if isinstance(first, dict):
                return str(first.get("message") or first.get("code") or first)
            return str(first)
    return jsonlib.dumps(body, ensure_ascii=False)


class MarketplaceHttpClient:
    def __init__(
        self,
        base_url: str,
        cabinet: str,
        auth: Auth,
        limiter: RateLimiter,
        *,
        quotas: Mapping[str, Quota] = QUOTAS,
        retry: RetryPolicy = RetryPolicy(),
        timeouts: Timeouts = Timeouts(),
        http: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.cabinet = cabinet
        self.auth = auth
        self.limiter = limiter
        self.retry = retry
        self._quotas = dict(quotas)
        self._owns_http = http is None
        self._http = http or httpx.Client(timeout=timeouts.httpx(), transport=transport)
        self._sleep = sleep
        self._now = now
        self._log = structlog.get_logger("adolf.marketplaces.http")

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> MarketplaceHttpClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def request(
        self,
        endpoint: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """The marketplace's 2xx reply to one call; any other outcome raises (module doc)."""
        quota = quota_of(endpoint, self._quotas)
        if method.upper() != quota.method:
            raise ValueError(f"{endpoint} is called with {quota.method}, not method={method!r}")
        renewed: list[bool] = []  # one renewal per call, across its attempts

        def attempt() -> httpx.Response:
            return self._attempt(endpoint, method.upper(), path, params, json, headers, renewed)

        retrying = Retrying(
            stop=stop_after_attempt(self.retry.attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_Transient),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except _Transient as failed:
            detail = f"{failed.detail} (after {self.retry.attempts} attempts)"
            if failed.status == 429:
                wait = failed.retry_after if failed.retry_after is not None else self.retry.backoff_max
                raise QuotaExceeded(f"{endpoint}: HTTP 429: {detail}", wait) from None
            raise FailedCall(endpoint, failed.status, detail) from None

    def request_json(self, endpoint: str, method: str, path: str, **kwargs: Any) -> Any:
        """``request``'s reply as JSON; a body that is not JSON → ``FailedCall``."""
        response = self.request(endpoint, method, path, **kwargs)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            kind = response.headers.get("content-type", "no content type")
            raise FailedCall(endpoint, response.status_code, f"the reply is not JSON ({kind})") from None

    def _wait(self, state: RetryCallState) -> float:
        failed = state.outcome.exception() if state.outcome else None
        if isinstance(failed, _Transient) and failed.retry_after is not None:
            return failed.retry_after
        backoff = wait_exponential(multiplier=self.retry.backoff, max=self.retry.backoff_max)
        return float((backoff + wait_random(0, self.retry.jitter))(state))

    def _attempt(
        self,
        endpoint: str,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json: Any,
        headers: Mapping[str, str] | None,
        renewed: list[bool],
    ) -> httpx.Response:
        while True:
            self.limiter.acquire(endpoint, self.cabinet)
            sent = self.auth.headers()
            response = self._send(endpoint, method, path, params, json, {**(headers or {}), **sent})
            if response.status_code == 401 and not renewed and self.auth.renew(sent):
                renewed.append(True)
                continue  # the same attempt, with the renewed credentials
            return self._judge(endpoint, response)

    def _send(
        self,
        endpoint: str,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json: Any,
        headers: Mapping[str, str],
    ) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = self._http.request(
                method, self.base_url + path, params=dict(params) if params else None, json=json, headers=headers
            )
        except httpx.RequestError as error:  # timeouts, refused and reset connections, a garbled body
            self._logged(endpoint, method, path, None, started, error=type(error).__name__)
            raise _Transient(None, f"{type(error).__name__}: {self._masked(str(error))}") from None
        self._logged(endpoint, method, path, response.status_code, started)
        return response

    def _logged(
        self, endpoint: str, method: str, path: str, status: int | None, started: float, error: str | None = None
    ) -> None:
        self._log.info(
            "marketplace_call",
            endpoint=endpoint,
            cabinet=self.cabinet,
            method=method,
            path=path,
            status=status,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
            **({"error": error} if error else {}),
        )

    def _masked(self, text: str) -> str:
        # only the call's own secrets: the log masker's patterns would also eat "token expired"
        text = " ".join(text.split())
        for secret in sorted((s for s in self.auth.secrets() if len(s) >= 4), key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text if len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 3] + "..."

    def _judge(self, endpoint: str, response: httpx.Response) -> httpx.Response:
        status = response.status_code
        if status < 400:
            return response
        detail = self._masked(marketplace_message(response))
        if status == 429:
            wait = self._retry_after(response)
            if wait is not None and wait > self.retry.max_retry_after:
                raise QuotaExceeded(f"{endpoint}: HTTP 429: {detail} (retry after {wait:g} s)", wait)
            raise _Transient(429, detail or "too many requests", wait)
        if status >= 500 or status == 408:
            wait = self._retry_after(response)  # a 503 may say when to come back; a long one is backed off
            raise _Transient(status, detail, wait if wait is not None and wait <= self.retry.max_retry_after else None)
        if status in (401, 403):
            raise UnauthorisedCall(endpoint, status, detail)
        raise RejectedCall(endpoint, status, detail)

    def _retry_after(self, response: httpx.Response) -> float | None:
        for name in _RETRY_AFTER_HEADERS:
            seconds = retry_after_seconds(response.headers.get(name), self._now())
            if seconds is not None:
                return seconds
        return None
