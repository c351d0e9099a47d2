"""Which drafts may skip the manager (issue 12: "e.g. 5★ reviews with no question in them is a
per-brand setting, off by default"; ``ItemStatus`` ``analyzed → approved``).

``may_skip_manager`` is True only when all of these hold:

- the brand turned auto-approve on (``auto_approve``; off unless configured);
- the item is a review (a question always waits for a manager: it asks for facts a template
  cannot vouch for) rated 5★;
- the model read it as positive;
- its text asks nothing: no ``?`` and none of the Russian question words in ``QUESTION_WORDS``
  (``как``, ``почему``, ``подскажите`` …, and the particle ``ли``).

The question test is deliberately eager ("всё как на фото" counts as a question): a false
"question" costs a manager a glance, a false "no question" leaves a buyer's question answered
by a thank-you note.
"""

from __future__ import annotations

import re

from adolf.domain.reputation.items import Item, ItemType, Sentiment

__all__ = ["QUESTION_WORDS", "asks_something", "may_skip_manager"]

QUESTION_WORDS = (
    "как",
    "каким",
    "какой",
    "какая",
    "какое",
    "какие",
    "каков",
    "почему",
    "зачем",
    "отчего",
    "когда",
    "где",
    "куда",
    "откуда",
    "сколько",
    "кто",
    "чей",
    "чья",
    "чье",
    "ли",
    "подскажите",
    "подскажи",
    "скажите",
    "объясните",
    "уточните",
    "расскажите",
    "посоветуйте",
    "можно",
)
_QUESTION = re.compile(r"\?|\b(?:" + "|".join(QUESTION_WORDS) + r")\b", re.IGNORECASE)


def asks_something(text: str) -> bool:
    """Whether ``text`` holds a question mark or a Russian question word."""
    return _QUESTION.search(text.replace("ё", "е").replace("Ё", "Е")) is not None


def may_skip_manager(item: Item, reading_sentiment: Sentiment, auto_approve: bool) -> bool:
    """Whether the draft for ``item`` may be approved without a manager (see the module's rules)."""
    return (
        auto_approve is True
        and item.item_type is ItemType.REVIEW
        and item.rating == 5
        and Sentiment.parse(reading_sentiment) is Sentiment.POSITIVE
        and not asks_something(item.text)
    )
