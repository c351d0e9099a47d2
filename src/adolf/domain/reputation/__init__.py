"""Reputation: reviews and questions from the marketplaces, their analysis, the answers drafted
for them, a manager's approval and the publishing of the answer (SPEC §3 Reputation, §4.6;
seed 002). Pure: standard library only, time passed in.

- `Item` (a review or a question), its `Analysis` and its `Response`;
- the lifecycle: `ItemStatus`, `transition` and `allowed` (``new → analyzed → pending_review →
  approved → published``, with ``failed`` and ``skipped``);
- `check_draft` / `require_publishable`: length per marketplace, no contacts or links, no
  instruction echo, no copying from a review that holds contacts;
- `may_skip_manager`: the per-brand auto-approval of 5★ reviews that ask nothing;
- `daily_analytics`, `average_minutes`, `archivable`, and the circuit breaker's rules
  (`on_acquire`, `on_success`, `on_failure`) every adapter applies.

>>> from datetime import datetime, timezone
>>> from adolf.domain.reputation import Item, Sentiment, check_draft, may_skip_manager, transition
>>> review = Item(
...     id=1,
...     platform="wb",
...     item_type="review",
...     external_id="fb-1",
...     brand="ohana_kids",
...     product_id="123456",
...     text="Отличный комбинезон, тёплый",
...     created_at=datetime(2026, 3, 1, 9, tzinfo=timezone.utc),
...     rating=5,
... )
>>> transition(review.status, "analyzed")
<ItemStatus.ANALYZED: 'analyzed'>
>>> may_skip_manager(review, Sentiment.POSITIVE, auto_approve=True)
True
>>> check_draft("Спасибо за отзыв!", "wb")
()
>>> check_draft("Спасибо! Пишите нам: shop@example.ru", "wb")
("contains an e-mail address 'shop@example.ru'",)
"""

from adolf.domain.reputation.analytics import DailyAnalytics, ItemFact, daily_analytics
from adolf.domain.reputation.archive import ARCHIVE_AFTER, archivable, archive_cutoff
from adolf.domain.reputation.auto_approve import asks_something, may_skip_manager
from adolf.domain.reputation.circuit import (
    BreakerPolicy,
    BreakerSnapshot,
    BreakerState,
    Grant,
    breaker_key,
    on_acquire,
    on_failure,
    on_success,
)
from adolf.domain.reputation.draft_checks import MAX_LENGTH, check_draft, contacts_in, require_publishable
from adolf.domain.reputation.errors import IllegalTransition, InvalidReputation
from adolf.domain.reputation.items import (
    Analysis,
    Item,
    ItemType,
    Response,
    ResponseSource,
    ResponseStatus,
    Sentiment,
    Urgency,
    platform_of,
)
from adolf.domain.reputation.lifecycle import ItemStatus, allowed, transition
from adolf.domain.reputation.response_time import average_minutes

__all__ = [
    "ARCHIVE_AFTER",
    "MAX_LENGTH",
    "Analysis",
    "BreakerPolicy",
    "BreakerSnapshot",
    "BreakerState",
    "DailyAnalytics",
    "Grant",
    "IllegalTransition",
    "InvalidReputation",
    "Item",
    "ItemFact",
    "ItemStatus",
    "ItemType",
    "Response",
    "ResponseSource",
    "ResponseStatus",
    "Sentiment",
    "Urgency",
    "allowed",
    "archivable",
    "archive_cutoff",
    "asks_something",
    "average_minutes",
    "breaker_key",
    "check_draft",
    "contacts_in",
    "daily_analytics",
    "may_skip_manager",
    "on_acquire",
    "on_failure",
    "on_success",
    "platform_of",
    "require_publishable",
    "transition",
]
