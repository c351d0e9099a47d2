"""Every marketplace endpoint the real clients call: its quota, its batch limit, its host.

A quota is a number of calls per window per **cabinet** (one seller account: a brand's
credentials), as the marketplaces count them. The limiter (``limiter.py``) keys each one by
``(quota.group, cabinet)``: endpoints whose quota the marketplace counts together share a
group (WB's feedbacks and questions API: 3 requests a second for all its methods at once).

The figures come from SPEC §6 where it gives one (``documented=True``). Where it is silent the
figure is a cautious assumption (``documented=False``) — low enough that the marketplace
should never answer 429 — to be replaced when the endpoint's page is checked; a 429 is still
handled by the client (``Retry-After``), so a figure too high costs a wait, not a failure.

``batch`` is the most ids (campaigns, SKUs, rows) one call takes; the clients split longer
lists. ``api`` names the host the endpoint lives on (``hosts.py`` maps it to a base URL): WB
serves adverts and feedbacks from different hosts, Ozon its Seller and Performance APIs.
Endpoint names are stable: Redis keys, logs and metrics carry them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from adolf.domain.marketplace import Marketplace

SECOND = 1
MINUTE = 60
HOUR = 3600

#: the hosts (``hosts.py``)
WB_ADVERT = "wb_advert"
WB_FEEDBACKS = "wb_feedbacks"
OZON_SELLER = "ozon_seller"
OZON_PERFORMANCE = "ozon_performance"
YM = "ym"
APIS = (WB_ADVERT, WB_FEEDBACKS, OZON_SELLER, OZON_PERFORMANCE, YM)


@dataclass(frozen=True, slots=True)
class Quota:
    endpoint: str
    marketplace: Marketplace
    api: str
    method: str
    path: str  # ``{id}``-style placeholders where the path carries an id
    calls: int  # at most this many calls …
    per: int  # … in any window of this many seconds (1, 60 or 3600)
    group: str = ""  # the quota is counted with other endpoints' under this name
    batch: int | None = None  # most ids one call takes; None: not a batched call
    documented: bool = True  # False: SPEC §6 gives no figure, this one is assumed

    def __post_init__(self) -> None:
        if self.calls < 1:
            raise ValueError(f"calls={self.calls} must be >= 1 (endpoint {self.endpoint})")
        if self.per not in (SECOND, MINUTE, HOUR):
            raise ValueError(f"per={self.per} must be 1, 60 or 3600 seconds (endpoint {self.endpoint})")
        if self.batch is not None and self.batch < 1:
            raise ValueError(f"batch={self.batch} must be >= 1 (endpoint {self.endpoint})")
        if self.api not in APIS:
            raise ValueError(f"api={self.api!r} must be one of {', '.join(APIS)} (endpoint {self.endpoint})")
        if not self.group:
            object.__setattr__(self, "group", self.endpoint)

    @property
    def interval(self) -> float:
        """Seconds per call at the full quota: the floor under a run of calls."""
        return self.per / self.calls


def _on(marketplace: Marketplace, api: str) -> Callable[..., Quota]:
    def quota(
        endpoint: str, method: str, path: str, calls: int, per: int, group: str = "", batch: int | None = None
    ) -> Quota:
        return Quota(endpoint, marketplace, api, method, path, calls, per, group, batch)

    return quota


def _assumed(quota: Quota) -> Quota:
    return replace(quota, documented=False)


_wb = _on(Marketplace.WB, WB_ADVERT)
_wb_feedbacks = _on(Marketplace.WB, WB_FEEDBACKS)
_ozon = _on(Marketplace.OZON, OZON_SELLER)
_perf = _on(Marketplace.OZON, OZON_PERFORMANCE)
_ym = _on(Marketplace.YM, YM)
_FEEDBACKS = "wb.feedbacks_questions"  # WB counts all of the feedbacks API's methods together
_CAMPAIGN = "/api/client/campaign/{id}"

QUOTA_TABLE: tuple[Quota, ...] = (
    _wb("wb.adverts.count", "GET", "/adv/v1/promotion/count", 5, SECOND),
    _wb("wb.adverts", "GET", "/api/advert/v2/adverts", 5, SECOND, batch=50),
    _wb("wb.pause", "GET", "/adv/v0/pause", 5, SECOND),
    _wb("wb.start", "GET", "/adv/v0/start", 5, SECOND),
    _wb("wb.fullstats", "GET", "/adv/v3/fullstats", 3, MINUTE, batch=50),
    _wb("wb.normquery.stats", "POST", "/adv/v0/normquery/stats", 10, MINUTE),
    _wb("wb.bids", "PATCH", "/api/advert/v1/bids", 5, SECOND, batch=50),
    _wb("wb.normquery.bids", "POST", "/adv/v0/normquery/bids", 2, SECOND),
    _assumed(_wb("wb.bids.min", "POST", "/api/advert/v1/bids/min", 1, SECOND)),
    _wb_feedbacks("wb.feedbacks", "GET", "/api/v1/feedbacks", 3, SECOND, _FEEDBACKS, batch=5000),
    _wb_feedbacks("wb.feedbacks.answer", "POST", "/api/v1/feedbacks/answer", 3, SECOND, _FEEDBACKS),
    _wb_feedbacks("wb.questions", "GET", "/api/v1/questions", 3, SECOND, _FEEDBACKS, batch=5000),
    _wb_feedbacks("wb.questions.answer", "PATCH", "/api/v1/questions", 3, SECOND, _FEEDBACKS),
    _assumed(_ozon("ozon.reviews", "POST", "/v2/review/list", 5, SECOND, batch=100)),
    _assumed(_ozon("ozon.reviews.answer", "POST", "/v1/review/comment/create", 5, SECOND)),
    _assumed(_ozon("ozon.questions", "POST", "/v1/question/list", 5, SECOND, batch=100)),
    _assumed(_ozon("ozon.questions.answer", "POST", "/v1/question/answer/create", 5, SECOND)),
    # the answer names the question's SKU, which the port's publish does not carry
    _assumed(_ozon("ozon.questions.info", "POST", "/v1/question/info", 5, SECOND)),
    _assumed(_ozon("ozon.stocks", "POST", "/v1/analytics/stocks", 5, SECOND, batch=100)),
    _ozon("ozon.analytics", "POST", "/v1/analytics/data", 1, MINUTE, batch=1000),
    _assumed(_ozon("ozon.clusters", "POST", "/v1/cluster/list", 1, SECOND)),
    _assumed(_perf("ozon_perf.token", "POST", "/api/client/token", 1, SECOND)),
    _assumed(_perf("ozon_perf.campaigns", "GET", "/api/client/campaign", 5, SECOND)),
    _assumed(_perf("ozon_perf.activate", "POST", f"{_CAMPAIGN}/activate", 5, SECOND)),
    _assumed(_perf("ozon_perf.deactivate", "POST", f"{_CAMPAIGN}/deactivate", 5, SECOND)),
    _assumed(_perf("ozon_perf.stats.products", "GET", "/api/client/statistics/campaign/product/json", 1, SECOND)),
    _assumed(_perf("ozon_perf.stats.report", "POST", "/api/client/statistics", 1, SECOND)),
    _assumed(_perf("ozon_perf.bids", "PUT", f"{_CAMPAIGN}/products", 5, SECOND)),
    # the products of a campaign with their bids: what the port's keywords are read from
    _assumed(_perf("ozon_perf.products", "GET", f"{_CAMPAIGN}/v2/products", 5, SECOND)),
    _assumed(_perf("ozon_perf.bids.competitive", "GET", f"{_CAMPAIGN}/products/bids/competitive", 5, SECOND)),
    _assumed(_ym("ym.campaigns", "GET", "/v2/campaigns", 5, SECOND)),
    _ym("ym.bids", "PUT", "/v2/businesses/{id}/bids", 1000, MINUTE, batch=1500),
    _assumed(_ym("ym.boost.report", "POST", "/v2/reports/boost-consolidated/generate", 1, SECOND)),
    # the boost's SKUs with their bids (designed in YM's style) and the report's status and file
    _assumed(_ym("ym.bids.info", "POST", "/v2/businesses/{id}/bids/info", 1000, MINUTE)),
    _assumed(_ym("ym.report.info", "GET", "/v2/reports/info/{reportId}", 10, SECOND)),
    _assumed(_ym("ym.report.file", "GET", "/v2/reports/files/{reportId}", 10, SECOND)),
    _ym("ym.feedbacks", "POST", "/v2/businesses/{id}/goods-feedback", 1000, HOUR),
    _ym("ym.feedbacks.answer", "POST", "/v2/businesses/{id}/goods-feedback/comments/update", 1000, HOUR),
    _ym("ym.questions", "POST", "/v1/businesses/{id}/goods-questions", 10_000, HOUR),
    _ym("ym.questions.answer", "POST", "/v1/businesses/{id}/goods-questions/update", 10_000, HOUR),
)


def _index(table: tuple[Quota, ...]) -> dict[str, Quota]:
    quotas: dict[str, Quota] = {}
    for quota in table:
        if quota.endpoint in quotas:
            raise ValueError(f"endpoint {quota.endpoint!r} is listed twice")
        quotas[quota.endpoint] = quota
    groups: dict[str, tuple[int, int]] = {}
    for quota in table:
        # a shared quota is one limit: every member must state it alike
        if groups.setdefault(quota.group, (quota.calls, quota.per)) != (quota.calls, quota.per):
            raise ValueError(f"group {quota.group!r}: {quota.endpoint} states a different quota than its group")
    return quotas


QUOTAS: dict[str, Quota] = _index(QUOTA_TABLE)


class UnknownEndpoint(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


def quota_of(endpoint: str, quotas: dict[str, Quota] | None = None) -> Quota:
    """The endpoint's quota; an endpoint not in the table is a programming error, named."""
    table = QUOTAS if quotas is None else quotas
    try:
        return table[endpoint]
    except KeyError:
        raise UnknownEndpoint(f"endpoint={endpoint!r} has no quota in the table ({len(table)} endpoints)") from None


def build_quotas(table: tuple[Quota, ...]) -> dict[str, Quota]:
    """A quota table of one's own (a test's, a sandbox's), checked as ``QUOTAS`` is."""
    return _index(table)
