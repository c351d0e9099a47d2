"""The local, deterministic Reputation model (``model = "local-rules-1"``): rules over the rating
and Russian keywords, and answers assembled from fixed templates. No network, no randomness —
the embedded default, the simulation and the tests run offline and repeat exactly.

Reading an item:

- sentiment: the rating sets a base (1★ −2, 2★ −1, 3★ 0, 4★ +1, 5★ +2; a question 0); each
  distinct positive keyword adds 1 and each negative one takes 1 (at most 2 either way; a
  negated positive, "не рекомендую", is negative). ≥ 1 positive, ≤ −1 negative, else neutral —
  so a 5★ review with one complaint stays positive, a 1★ one with "спасибо" stays negative;
- topics: the keyword groups of ``TOPICS`` found in the text, in that order;
- urgency: high for a negative item naming a defect, a return, a fraud, a danger or a health
  harm (``HIGH_URGENCY``), medium for other negatives and for questions, low otherwise.

Drafting: a greeting (by the author's name when it looks like a name and passes the draft
checks), a body chosen by item type, sentiment and topics, and a closing. The buyer's text is
only read for keywords, never copied: nothing a review says reaches the answer. A manager's
instructions are followed deterministically — recognised wishes change the template (short,
formal, warm, an apology, a return or exchange, a bonus); anything else is added as a sentence
of its own, as the manager's words.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

from adolf.application.reputation.language_model import Draft, Reading
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.draft_checks import check_draft
from adolf.domain.reputation.items import Item, ItemType, Sentiment, Urgency

from .local_reputation_texts import (
    BASE_BY_RATING,
    CLOSINGS,
    HIGH_URGENCY,
    NEGATIVE,
    OPENINGS,
    POSITIVE,
    TOPIC_LINES,
    TOPICS,
    WISH_LINES,
    WISHES,
)

MODEL = "local-rules-1"
_NAME = re.compile(r"^[A-Za-zА-ЯЁа-яё][A-Za-zА-ЯЁа-яё.\- ]{0,38}$")
_ORDER = re.compile(
    r"^(?:пожалуйста,?\s+)?(?:упомян|напиш|скаж|добав|сообщ|ответ|укаж|передай|напомн|поясн|объясн)\w*"
    r"(?:\s+(?:покупател\w*|клиент\w*|ему|ей|им))?,?(?:\s+что|\s+о\s+том,?\s+что)?[\s,:—-]*",
    re.IGNORECASE,
)
_MAX_INSTRUCTION = 300  # the manager's own sentence, kept well inside every marketplace's limit


def _normal(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


def _stems(stems: Sequence[str]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(не\s+)?(" + "|".join(re.escape(s) for s in stems) + ")")


_POSITIVE = _stems(POSITIVE)
_NEGATIVE = _stems(NEGATIVE)
_HIGH = _stems(HIGH_URGENCY)
_TOPICS = {topic: _stems(stems) for topic, stems in TOPICS}


def _sentiment(item: Item, text: str) -> Sentiment:
    positive: set[str] = set()
    negative = {m.group(2) for m in _NEGATIVE.finditer(text)}
    for m in _POSITIVE.finditer(text):
        (negative if m.group(1) else positive).add(m.group(2))
    base = 0 if item.rating is None else BASE_BY_RATING[item.rating]
    score = base + min(len(positive), 2) - min(len(negative), 2)
    if score >= 1:
        return Sentiment.POSITIVE
    return Sentiment.NEGATIVE if score <= -1 else Sentiment.NEUTRAL


def _pick(options: Sequence[str], item: Item) -> str:
    """The same option for the same item on every run (no randomness, no Python hash seed)."""
    key = f"{item.platform.value}:{item.item_type.value}:{item.external_id}".encode()
    return options[zlib.crc32(key) % len(options)]


def _name(author: str) -> str | None:
    name = " ".join(author.split())
    if not _NAME.match(name) or len(name.split()) > 3:
        return None
    if any(check_draft(name, platform) for platform in Marketplace):
        return None
    return name


def _sentence(text: str) -> str:
    """The manager's words as a sentence to the buyer: "Упомяни, что партия придёт в марте" →
    "Партия придёт в марте." (the order to the writer dropped, the message kept)."""
    words = " ".join(text.split()).strip(" \"'«»")
    words = _ORDER.sub("", words, count=1)[:_MAX_INSTRUCTION].rstrip()
    if not words:
        return ""
    words = words[:1].upper() + words[1:]
    return words if words[-1] in ".!…" else words + "."


class LocalReputationModel:
    """``ReputationModel`` from rules and templates; see the module's docstring."""

    model = MODEL

    def analyze(self, item: Item) -> Reading:
        text = _normal(item.text)
        sentiment = _sentiment(item, text)
        topics = tuple(topic for topic, pattern in _TOPICS.items() if pattern.search(text))
        if sentiment is Sentiment.NEGATIVE:
            urgency = Urgency.HIGH if _HIGH.search(text) else Urgency.MEDIUM
        else:
            urgency = Urgency.MEDIUM if item.item_type is ItemType.QUESTION else Urgency.LOW
        return Reading(sentiment=sentiment, urgency=urgency, topics=topics, model=MODEL)

    def draft(self, item: Item, reading: Reading, instructions: str | None = None) -> Draft:
        wishes = {wish for wish, pattern in WISHES if re.search(pattern, _normal(instructions or ""))}
        kind = "question" if item.item_type is ItemType.QUESTION else reading.sentiment.value
        name = _name(item.author)
        formal = "formal" in wishes
        hello = "Добрый день" if formal else "Здравствуйте"
        parts = [f"{hello}, {name}!" if name else f"{hello}!", _pick(OPENINGS[kind], item)]
        known = TOPIC_LINES[kind]
        lines = [known[t] for t in reading.topics if t in known] or ([known[""]] if "" in known else [])
        extra = [WISH_LINES[w] for w in ("apology", "return", "bonus", "warm") if w in wishes]
        body = lines[:1] if "short" in wishes else lines
        parts += [line for line in (*extra, *body) if line not in parts]
        if instructions and not wishes:
            parts.append(_sentence(instructions))
        parts.append(CLOSINGS["formal" if formal else kind])
        return Draft(text=" ".join(p for p in parts if p), model=MODEL)
