"""``SimulatedReputation``: reviews and questions on WB, Ozon and YM and the answers to them,
simulated, behind the Reputation port ``ReputationMarketplace``.

**Fetch** returns the brand's items of that type created from ``since`` (None: from the start
of the feed) up to now on the clock that are not answered yet, newest first — so an item comes
back on every poll until it is answered, and never after. The feed (``reputation_feed``) starts
at ``start`` (default: the Moscow midnight before the clock's now, as if it had run since);
nothing before it exists. Like the real adapters the fetch pages through the endpoint: one
call per page of at most ``PAGE_SIZES[platform]`` items (WB ``take`` ≤ 5000 on feedbacks and
questions; Ozon review and question lists ``limit`` ≤ 100; YM goods-feedback and
goods-questions ``limit`` ≤ 50), every page counted and held to the quota; ``max_pages`` stops
it early (the newest pages only). Each raw row is parsed (``reputation_parsing``): a malformed
one is skipped into ``Fetched.skipped`` with its reason and the rest of the page kept.

**Publish** stores ``text`` as the item's answer. A second publish to an answered item (ours,
from whichever process) answers ``ALREADY_ANSWERED`` and stores nothing: there is never a
second answer (the ``already_answered`` counter counts such attempts). Refused as such
(``MarketplaceRejected``, never worth a retry): a blank text, a text over
``ANSWER_LIMITS[platform]`` characters, an item the brand does not have (a made-up id, or one
not written yet on the clock).

**Quotas** (SPEC §6; on when ``ReputationFaults.quotas``): WB's feedbacks API takes 3 requests
a second per cabinet, feedbacks and questions, lists and answers together; YM's goods-feedback
1000 an hour and goods-questions 10 000 an hour per cabinet (lists and answers of each
together); Ozon states none. A call over its quota fails with a 429 ``MarketplaceError``.
Quota windows are kept in the store, so they hold across every process.

**Faults** (``ReputationFaults``): outage windows per platform during which every fetch and
publish fails with a 503 ``MarketplaceError``; publish failures "the first N publishes of item
X fail with a 502" (counted across processes); quotas on or off.

What changes — answers, publish attempts, quota windows, counters — is kept in a store
(``reputation_state``): this process's memory by default, or a database
(``SqlReputationState``) shared by the simulating process and the Celery/RQ workers. The feed is
recomputed from the seed everywhere. ``counters()`` answers the report: ``calls <platform>
<endpoint>``, ``published``, ``already_answered``, ``outage_refusals``, ``quota_refusals``,
``publish_failures``, ``rejected``, ``skipped_rows``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import NoReturn

from adolf.application.ports.ads_marketplace import Fetched, MarketplaceError, MarketplaceRejected
from adolf.application.ports.clock import Clock
from adolf.application.reputation.marketplace import PublishOutcome
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import Item, ItemType, platform_of

from .reputation_feed import (
    DAILY_QUESTIONS,
    DAILY_REVIEWS,
    MALFORMED_RATE,
    FeedRow,
    ReputationFeed,
)
from .reputation_parsing import parse_page
from .reputation_state import Answer, InMemoryReputationState, Quota, ReputationMeta, ReputationState
from .timeline import MOSCOW

#: the most items one list call returns
PAGE_SIZES: dict[Marketplace, int] = {Marketplace.WB: 5000, Marketplace.OZON: 100, Marketplace.YM: 50}
#: the longest answer each marketplace accepts, in characters (WB 2 … 5000; YM comment 1 … 4096;
#: Ozon states none: 3000 is the simulation's, as in the draft checks)
ANSWER_LIMITS: dict[Marketplace, int] = {Marketplace.WB: 5000, Marketplace.OZON: 3000, Marketplace.YM: 4096}
#: (list endpoint, answer endpoint) per platform and type (SPEC §6)
ENDPOINTS: dict[tuple[Marketplace, ItemType], tuple[str, str]] = {
    (Marketplace.WB, ItemType.REVIEW): ("GET /api/v1/feedbacks", "POST /api/v1/feedbacks/answer"),
    (Marketplace.WB, ItemType.QUESTION): ("GET /api/v1/questions", "PATCH /api/v1/questions"),
    (Marketplace.OZON, ItemType.REVIEW): ("POST /v2/review/list", "POST /v1/review/comment/create"),
    (Marketplace.OZON, ItemType.QUESTION): ("POST /v1/question/list", "POST /v1/question/answer/create"),
    (Marketplace.YM, ItemType.REVIEW): (
        "POST /v2/businesses/{id}/goods-feedback",
        "POST /v2/businesses/{id}/goods-feedback/comments/update",
    ),
    (Marketplace.YM, ItemType.QUESTION): (
        "POST /v1/businesses/{id}/goods-questions",
        "POST /v1/businesses/{id}/goods-questions/update",
    ),
}
_INSTANT = timedelta(microseconds=1)  # so an item written at the very moment of the call is in it
#: (quota bucket, calls, per seconds) per platform and type; one bucket per brand's cabinet
QUOTAS: dict[tuple[Marketplace, ItemType], tuple[str, int, int]] = {
    (Marketplace.WB, ItemType.REVIEW): ("wb feedbacks-api", 3, 1),
    (Marketplace.WB, ItemType.QUESTION): ("wb feedbacks-api", 3, 1),
    (Marketplace.YM, ItemType.REVIEW): ("ym goods-feedback", 1000, 3600),
    (Marketplace.YM, ItemType.QUESTION): ("ym goods-questions", 10_000, 3600),
}


@dataclass(frozen=True, slots=True)
class Outage:
    """``platform`` answers nothing but 503 from ``start`` (included) to ``end`` (excluded)."""

    platform: Marketplace
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "platform", platform_of(self.platform))
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError(f"outage start={self.start!r}, end={self.end!r} must be time-zone aware")
        if self.end <= self.start:
            raise ValueError(f"outage end={self.end.isoformat()} must be after start={self.start.isoformat()}")

    def covers(self, platform: Marketplace, moment: datetime) -> bool:
        return platform is self.platform and self.start <= moment < self.end


@dataclass(frozen=True, slots=True)
class PublishFailure:
    """The first ``times`` publishes of the item fail (502), whichever process sends them."""

    platform: Marketplace
    item_type: ItemType
    external_id: str
    times: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "platform", platform_of(self.platform))
        object.__setattr__(self, "item_type", ItemType.parse(self.item_type))
        if isinstance(self.times, bool) or not isinstance(self.times, int) or self.times < 1:
            raise ValueError(f"times={self.times!r} must be a whole number >= 1")


@dataclass(frozen=True, slots=True)
class ReputationFaults:
    """What goes wrong. The default is a healthy API with no quotas enforced."""

    outages: tuple[Outage, ...] = ()
    failing_publishes: tuple[PublishFailure, ...] = ()
    quotas: bool = False
    _failing: dict[tuple[Marketplace, ItemType, str], int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "outages", tuple(self.outages))
        object.__setattr__(self, "failing_publishes", tuple(self.failing_publishes))
        object.__setattr__(
            self, "_failing", {(f.platform, f.item_type, f.external_id): f.times for f in self.failing_publishes}
        )

    def outage(self, platform: Marketplace, moment: datetime) -> Outage | None:
        return next((o for o in self.outages if o.covers(platform, moment)), None)

    def failures_of(self, platform: Marketplace, item_type: ItemType, external_id: str) -> int:
        return self._failing.get((platform, item_type, external_id), 0)


def moscow_midnight(moment: datetime) -> datetime:
    """The Moscow midnight at or before ``moment``."""
    return datetime.combine(moment.astimezone(MOSCOW).date(), time(), MOSCOW)


class SimulatedReputation:
    """The simulated reviews and questions of every brand's cabinet (see the module's docstring)."""

    def __init__(
        self,
        seed: int,
        clock: Clock,
        *,
        start: datetime | None = None,
        faults: ReputationFaults | None = None,
        state: ReputationState | None = None,
        daily_reviews: float = DAILY_REVIEWS,
        daily_questions: float = DAILY_QUESTIONS,
        malformed_rate: float = MALFORMED_RATE,
        max_pages: int | None = None,
    ) -> None:
        """``start``: when the feed starts (None: the store's, else the Moscow midnight before
        the clock's now); ``state``: where answers and counters are kept (None: a fresh store in
        memory); ``max_pages``: the most list calls one fetch makes (None: as many as it takes)."""
        if start is not None and start.tzinfo is None:
            raise ValueError(f"start={start!r} must be time-zone aware")
        if max_pages is not None and (isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1):
            raise ValueError(f"max_pages={max_pages!r} must be a whole number >= 1 or None")
        self.seed = seed
        self.clock = clock
        self.faults = faults if faults is not None else ReputationFaults()
        self.state = state if state is not None else InMemoryReputationState()
        self.feed = ReputationFeed(
            seed, daily_reviews=daily_reviews, daily_questions=daily_questions, malformed_rate=malformed_rate
        )
        self.max_pages = max_pages
        first = start if start is not None else moscow_midnight(clock.now())
        self.origin = self.state.bind(ReputationMeta(seed, first), fixed=start is not None).origin

    # -- the port ---------------------------------------------------------------------------

    def fetch(self, platform: Marketplace, item_type: ItemType, brand: str, since: datetime | None) -> Fetched[Item]:
        endpoint = ENDPOINTS[(platform, item_type)][0]
        now = self.clock.now()
        begin = self.origin if since is None or since < self.origin else since
        answered = self.state.answered(platform, item_type, brand)
        written = self.feed.rows(platform, item_type, brand, begin, now + _INSTANT)
        rows = [r for r in written if r.external_id not in answered]
        rows.sort(key=lambda r: (r.created_at, r.external_id), reverse=True)
        size = PAGE_SIZES[platform]
        items: list[Item] = []
        skipped: list[str] = []
        for page, offset in enumerate(range(0, max(len(rows), 1), size)):
            if self.max_pages is not None and page >= self.max_pages:
                break
            self._call(platform, item_type, brand, endpoint, now)
            parsed, bad = parse_page([r.row for r in rows[offset : offset + size]], platform, item_type, brand)
            items.extend(parsed)
            skipped.extend(bad)
        if skipped:
            self.state.count("skipped_rows", n=len(skipped))
        return Fetched(tuple(items), tuple(skipped))

    def publish(
        self, platform: Marketplace, item_type: ItemType, brand: str, external_id: str, text: str
    ) -> PublishOutcome:
        endpoint = ENDPOINTS[(platform, item_type)][1]
        now = self.clock.now()
        self._call(platform, item_type, brand, endpoint, now)
        limit = ANSWER_LIMITS[platform]
        if not isinstance(text, str) or not text.strip():
            self._reject(f"{platform} {endpoint}: 400 text={text!r} is empty (simulated)")
        if len(text) > limit:
            self._reject(f"{platform} {endpoint}: 400 text is {len(text)} characters, at most {limit} (simulated)")
        row = self.feed.locate(platform, item_type, brand, external_id)
        if row is None or row.created_at > now:
            self._reject(f"{platform} {endpoint}: 404 {item_type} id={external_id!r} of brand={brand!r} not found")
        times = self.faults.failures_of(platform, item_type, external_id)
        if times and self.state.attempt(platform, item_type, external_id) <= times:
            self.state.count("publish_failures")
            raise MarketplaceError(f"{platform} {endpoint}: 502 Bad Gateway for id={external_id!r} (simulated)")
        if not self.state.answer(Answer(platform, item_type, external_id, brand, text, now)):
            return PublishOutcome.ALREADY_ANSWERED
        return PublishOutcome.PUBLISHED

    def _call(self, platform: Marketplace, item_type: ItemType, brand: str, endpoint: str, now: datetime) -> None:
        """Count the call, then fail it if the platform is down or the quota is spent."""
        name = f"calls {platform} {endpoint}"
        outage = self.faults.outage(platform, now)
        if outage is not None:
            self.state.count(name, "outage_refusals")
            raise MarketplaceError(
                f"{platform} {endpoint}: 503 Service Unavailable until {outage.end.isoformat()} (simulated outage)"
            )
        limit = QUOTAS.get((platform, item_type)) if self.faults.quotas else None
        quota = None if limit is None else Quota(f"{limit[0]} {brand}", limit[1], limit[2])
        if not self.state.call(name, now, quota):
            assert quota is not None
            raise MarketplaceError(
                f"{platform} {endpoint}: 429 Too Many Requests (quota {quota.calls} per {quota.seconds:g} s "
                f"for brand={brand!r}, simulated)"
            )

    def _reject(self, message: str) -> NoReturn:
        self.state.count("rejected")
        raise MarketplaceRejected(message)

    # -- for the simulation and the tests -------------------------------------------------------

    def items(
        self, platform: Marketplace, item_type: ItemType, brand: str, start: datetime, end: datetime
    ) -> list[FeedRow]:
        """The feed's items created in [start, end), answered or not, oldest first (malformed
        ones too: ``FeedRow.broken`` says how)."""
        return self.feed.rows(platform, item_type, brand, max(start, self.origin), end)

    def answer_of(self, platform: Marketplace, item_type: ItemType, external_id: str) -> Answer | None:
        return self.state.answer_of(platform, item_type, external_id)

    def answers(self) -> list[Answer]:
        return self.state.answers()

    def counters(self) -> Counter[str]:
        return self.state.counters()

    @property
    def double_posts(self) -> int:
        """Publishes to an item that had its answer already (none of them stored a second)."""
        return self.counters()["already_answered"]

    def calls(self, platform: Marketplace, item_type: ItemType, *, answer: bool = False) -> int:
        """Calls made to the list (or, with ``answer``, the answer) endpoint, in any process."""
        return self.counters()[f"calls {platform} {ENDPOINTS[(platform, item_type)][int(answer)]}"]


__all__ = [
    "ANSWER_LIMITS",
    "ENDPOINTS",
    "PAGE_SIZES",
    "QUOTAS",
    "Outage",
    "PublishFailure",
    "ReputationFaults",
    "SimulatedReputation",
    "moscow_midnight",
]
