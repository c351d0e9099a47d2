"""Reviews and questions, their analysis and their answers (SPEC §3 Reputation; seed 002).

An ``Item`` is a review or a question a buyer left on a marketplace about one of a brand's
products. ``(platform, item_type, external_id)`` identifies it: the marketplace's own id is
unique per platform and type only (a WB review and a WB question may share an id). A review
has a rating 1 … 5; a question has none. Text may be empty for a review (a bare rating) but not
for a question. ``id`` is 0 until the database assigns one. Times are time-zone aware.

An ``Analysis`` is what the language model read in an item: sentiment, topics, urgency, and
which model said so. A ``Response`` is the answer to an item: its text, where it came from (the
model's draft or a manager's own words), how its publishing went (attempts, last error, when it
was published).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.errors import InvalidReputation
from adolf.domain.reputation.lifecycle import ItemStatus

__all__ = [
    "Analysis",
    "Item",
    "ItemType",
    "Response",
    "ResponseSource",
    "ResponseStatus",
    "Sentiment",
    "Urgency",
    "platform_of",
]


def _enum_parse(enum: type[StrEnum], name: str, value: object) -> StrEnum:
    try:
        return enum(str(value).strip().lower())
    except ValueError:
        known = ", ".join(member.value for member in enum)
        raise InvalidReputation(f"{name}={value!r} is not one of: {known}") from None


def platform_of(value: object) -> Marketplace:
    """``value`` as a marketplace (``wb``, ``ozon``, ``ym``)."""
    return _enum_parse(Marketplace, "platform", value)  # type: ignore[return-value]


class ItemType(StrEnum):
    """A review (rated 1 … 5) or a question (unrated)."""

    REVIEW = "review"
    QUESTION = "question"

    @classmethod
    def parse(cls, value: object) -> ItemType:
        return _enum_parse(cls, "item_type", value)  # type: ignore[return-value]


class Sentiment(StrEnum):
    """How an item reads: positive, neutral or negative."""

    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"

    @classmethod
    def parse(cls, value: object) -> Sentiment:
        return _enum_parse(cls, "sentiment", value)  # type: ignore[return-value]


class Urgency(StrEnum):
    """How soon an item needs an answer: low, medium or high."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @classmethod
    def parse(cls, value: object) -> Urgency:
        return _enum_parse(cls, "urgency", value)  # type: ignore[return-value]


class ResponseSource(StrEnum):
    """Who wrote an answer: the model or a manager."""

    MODEL = "model"
    MANAGER = "manager"

    @classmethod
    def parse(cls, value: object) -> ResponseSource:
        return _enum_parse(cls, "source", value)  # type: ignore[return-value]


class ResponseStatus(StrEnum):
    """An answer's status: draft, approved, published, or failed."""

    DRAFT = "draft"  # waits for a manager (or was refused by the checks: see ``last_error``)
    APPROVED = "approved"  # a manager (or the brand's auto-approve) accepted it; not yet sent
    PUBLISHED = "published"
    FAILED = "failed"  # the last send failed; ``attempts`` and ``last_error`` say how

    @classmethod
    def parse(cls, value: object) -> ResponseStatus:
        return _enum_parse(cls, "response status", value)  # type: ignore[return-value]


def _aware(name: str, value: object) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidReputation(f"{name}={value!r} must be a time-zone aware datetime")


def _whole(name: str, value: object, minimum: int = 0) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidReputation(f"{name}={value!r} must be a whole number >= {minimum}")


def _text(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidReputation(f"{name}={value!r} must be a non-empty string")
    return value.strip()


@dataclass(frozen=True, slots=True)
class Item:
    """A review or a question about a brand's product; ``key`` identifies it (see the module docstring)."""

    id: int
    platform: Marketplace
    item_type: ItemType
    external_id: str
    brand: str
    product_id: str  # the marketplace's product id (WB nmId, Ozon SKU, YM offer id) as text
    text: str  # the buyer's words; may be "" for a review that is a bare rating
    created_at: datetime  # when the buyer wrote it (the marketplace's time)
    status: ItemStatus = ItemStatus.NEW
    rating: int | None = None  # 1 … 5 for a review; None for a question
    author: str = ""
    product_name: str = ""
    fetched_at: datetime | None = None  # when ADOLF first saw it

    def __post_init__(self) -> None:
        _whole("id", self.id)
        object.__setattr__(self, "platform", platform_of(self.platform))
        object.__setattr__(self, "item_type", ItemType.parse(self.item_type))
        object.__setattr__(self, "external_id", _text("external_id", self.external_id))
        object.__setattr__(self, "brand", _text("brand", self.brand))
        object.__setattr__(self, "product_id", _text("product_id", self.product_id))
        if not isinstance(self.text, str):
            raise InvalidReputation(f"text={self.text!r} must be a string")
        if self.item_type is ItemType.QUESTION and not self.text.strip():
            raise InvalidReputation(f"text={self.text!r}: a question must have text")
        if self.item_type is ItemType.REVIEW:
            if isinstance(self.rating, bool) or not isinstance(self.rating, int) or not 1 <= self.rating <= 5:
                raise InvalidReputation(f"rating={self.rating!r} must be 1 … 5 for a review")
        elif self.rating is not None:
            raise InvalidReputation(f"rating={self.rating!r} must be None for a question")
        object.__setattr__(self, "status", ItemStatus.parse(self.status))
        _aware("created_at", self.created_at)
        if self.fetched_at is not None:
            _aware("fetched_at", self.fetched_at)
        if not isinstance(self.author, str) or not isinstance(self.product_name, str):
            raise InvalidReputation(f"author={self.author!r}, product_name={self.product_name!r} must be strings")

    @property
    def key(self) -> tuple[Marketplace, ItemType, str]:
        """(platform, item_type, external_id): unique per platform and type."""
        return (self.platform, self.item_type, self.external_id)


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the model read in an item: sentiment, urgency, topics, and which model said so."""

    item_id: int
    sentiment: Sentiment
    urgency: Urgency
    model: str  # which model (or rule set) said so, e.g. "local-rules-1", "claude-…"
    analyzed_at: datetime
    topics: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        _whole("item_id", self.item_id)
        object.__setattr__(self, "sentiment", Sentiment.parse(self.sentiment))
        object.__setattr__(self, "urgency", Urgency.parse(self.urgency))
        object.__setattr__(self, "model", _text("model", self.model))
        _aware("analyzed_at", self.analyzed_at)
        topics = tuple(self.topics)
        for topic in topics:
            _text("topics[]", topic)
        object.__setattr__(self, "topics", tuple(dict.fromkeys(t.strip() for t in topics)))


@dataclass(frozen=True, slots=True)
class Response:
    """The answer to an item: its text, who wrote it, its status, and how publishing went."""

    item_id: int
    text: str
    source: ResponseSource
    status: ResponseStatus
    created_at: datetime
    attempts: int = 0  # sends tried so far
    last_error: str | None = None
    published_at: datetime | None = None
    instructions: str | None = None  # a manager's instructions the draft followed, if any

    def __post_init__(self) -> None:
        _whole("item_id", self.item_id)
        if not isinstance(self.text, str):
            raise InvalidReputation(f"text={self.text!r} must be a string")
        object.__setattr__(self, "source", ResponseSource.parse(self.source))
        object.__setattr__(self, "status", ResponseStatus.parse(self.status))
        _aware("created_at", self.created_at)
        _whole("attempts", self.attempts)
        if self.published_at is not None:
            _aware("published_at", self.published_at)
        if self.status is ResponseStatus.PUBLISHED and self.published_at is None:
            raise InvalidReputation("published_at=None: a published response has a time")
