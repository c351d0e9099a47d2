"""The ports' marketplace errors, carrying what the HTTP call said: endpoint, status, detail.

Each is the port's type (``MarketplaceError`` retryable, ``MarketplaceRejected`` never
retried, ``MarketplaceUnauthorised`` never retried), so use cases and the runtime treat them as
they treat the simulation's; the clients read ``status`` and ``detail`` where a refusal means
something for one row of a batch (a bid below the minimum). ``detail`` is the marketplace's
own message, with any secret of the call masked.
"""

from __future__ import annotations

from adolf.application.ports.ads_marketplace import MarketplaceError, MarketplaceRejected, MarketplaceUnauthorised


def _text(endpoint: str, status: int | None, detail: str) -> str:
    said = f"HTTP {status}" if status is not None else "no answer"
    return f"{endpoint}: {said}: {detail}" if detail else f"{endpoint}: {said}"


class FailedCall(MarketplaceError):
    """Timeouts, connection errors, 5xx, a 429 past the retries, an unreadable page."""

    def __init__(self, endpoint: str, status: int | None, detail: str) -> None:
        super().__init__(_text(endpoint, status, detail))
        self.endpoint = endpoint
        self.status = status
        self.detail = detail


class RejectedCall(MarketplaceRejected):
    """A 4xx other than 401/403, 408 and 429: the request itself is wrong for the marketplace."""

    def __init__(self, endpoint: str, status: int, detail: str) -> None:
        super().__init__(_text(endpoint, status, detail))
        self.endpoint = endpoint
        self.status = status
        self.detail = detail


class UnauthorisedCall(MarketplaceUnauthorised):
    """401/403: the cabinet's credentials are refused (after one renewal, where there is one)."""

    def __init__(self, endpoint: str, status: int, detail: str) -> None:
        super().__init__(_text(endpoint, status, detail))
        self.endpoint = endpoint
        self.status = status
        self.detail = detail


class MissingCredentials(MarketplaceUnauthorised):
    """The environment holds no credential for the cabinet: the message names the variables."""
