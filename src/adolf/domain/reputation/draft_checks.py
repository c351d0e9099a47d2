"""The checks every answer passes before it may be published (issue 12: "every draft is checked
before it can be published"). A model's draft and a manager's own words are checked alike.

Rules, each a reason in ``check_draft``'s answer (empty: publishable):

- Not empty: a blank answer is refused.
- Length, in characters of the text as given (the publisher sends it unchanged), at most
  ``MAX_LENGTH[platform]``:
    * ``wb`` 5000 — the feedbacks API's answer text is 2 … 5000 characters; its questions
      answer is held to the same (the API states no other limit);
    * ``ozon`` 3000 — Ozon's review comment and question answer endpoints state no limit;
      3000 is this project's choice, under what the seller cabinet accepts, so a long answer is
      caught here rather than refused by the API;
    * ``ym`` 4096 — goods-feedback ``comment.text`` is 1 … 4096 characters.
- No links: ``http(s)://…``, ``www.…`` and bare domains (``example.ru``, ``shop.рф``, ``t.me``)
  with a top-level domain from ``_TLDS``. The marketplaces forbid contacts and outside links in
  answers (Yandex Market's API says so in the field's description) and moderate them away.
- No phone numbers: Russian formats (``+7 999 123-45-67``, ``8 (999) 123-45-67``,
  ``89991234567``, ``999-123-45-67``) and any ``+`` followed by ten or more digits. A bare run
  of ten digits without a prefix or separators is not a phone: Ozon SKUs look like that and an
  answer may recommend another product by its article.
- No e-mail addresses.
- No instruction echo: a draft that says "ignore previous instructions", mentions a system
  prompt, speaks as a language model, or carries chat-template markers read the review as
  orders (prompt injection) and is refused whatever else it says.
- No copying from a buyer who left contacts: when ``review`` (the buyer's text) holds a link, a
  phone or an e-mail, a draft repeating ``COPY_WORDS`` or more of its words in a row is refused —
  copying such a review is how an injected contact or message gets republished in the seller's
  name, even reworded around the contact itself.

``require_publishable`` returns the text or raises ``InvalidReputation`` naming every reason.
"""

from __future__ import annotations

import re

from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.errors import InvalidReputation
from adolf.domain.reputation.items import platform_of

__all__ = ["COPY_WORDS", "MAX_LENGTH", "check_draft", "contacts_in", "require_publishable"]

#: The longest answer each marketplace takes, in characters.
MAX_LENGTH: dict[Marketplace, int] = {Marketplace.WB: 5000, Marketplace.OZON: 3000, Marketplace.YM: 4096}
COPY_WORDS = 5
_QUOTE = 60  # a reason quotes at most this much of what it found

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_TLDS = (
    "ru|рф|su|рус|com|net|org|info|biz|pro|io|me|co|cc|ly|gl|tk|xyz|top|site|online|shop|store|"
    "club|app|link|ua|by|kz|uz|am|ge|de|uk|eu|us|tv|to|ws|in|ai|dev|moscow|click|page|space"
)
_LINK = re.compile(
    r"(?:https?://|ftp://)\S+"
    r"|\bwww\.\S+"
    rf"|\b[\w-]+(?:\.[\w-]+)*\.(?:{_TLDS})\b(?:/\S*)?",
    re.IGNORECASE,
)
_SEP = r"[\s\-.]?"
_PHONE = re.compile(
    r"(?<![\d+])(?:"
    rf"(?:\+\s?7|[78]){_SEP}\(?\d{{3}}\)?{_SEP}\d{{3}}{_SEP}\d{{2}}{_SEP}\d{{2}}"  # +7 / 8 prefix
    rf"|\(\d{{3}}\){_SEP}\d{{3}}{_SEP}\d{{2}}{_SEP}\d{{2}}"  # (999) 123-45-67
    r"|\d{3}[\s\-.]\d{3}[\s\-.]?\d{2}[\s\-.]?\d{2}"  # 999 123 45 67
    r"|\+\d(?:[\s\-.()]?\d){9,}"  # any international number
    r")(?!\d)"
)
_ECHO = re.compile(
    r"\b(?:ignore|disregard|forget)\b.{0,40}\b(?:instructions?|prompts?|rules)\b"
    r"|\bsystem\s+prompt\b|\bprompt\s+injection\b"
    r"|\bas\s+an?\s+(?:ai|language\s+model|assistant)\b|\bi\s+am\s+an?\s+(?:ai|language\s+model)\b"
    r"|\b(?:игнорир|проигнорир|забуд|забыв|не\s+обращай|не\s+следуй|отмени)\w*\b.{0,40}\bинструкц"
    r"|\bсистемн\w*\s+(?:промпт|подсказ|инструкц|сообщени)"
    r"|\bпромпт\w*"
    r"|\b(?:я|как)\s+(?:—\s*)?(?:языков\w+\s+модел|искусственн\w+\s+интеллект|нейросет|ии\b|бот\b)"
    r"|<\|[^|]*\|>|\[/?inst\]|<</?sys>>|^\s*(?:system|assistant|user)\s*:",
    re.IGNORECASE | re.MULTILINE | re.DOTALL,
)
_WORD = re.compile(r"\w+")


def _quote(found: str) -> str:
    return repr(found if len(found) <= _QUOTE else found[: _QUOTE - 1] + "…")


def contacts_in(text: str) -> tuple[str, ...]:
    """The links, phone numbers and e-mail addresses in ``text``, in the order found."""
    found = [m.group() for m in _EMAIL.finditer(text)]
    without_emails = _EMAIL.sub(" ", text)
    found += [m.group() for m in _LINK.finditer(without_emails)]
    found += [m.group() for m in _PHONE.finditer(without_emails)]
    return tuple(found)


def _words(text: str) -> list[str]:
    return [w.lower().replace("ё", "е") for w in _WORD.findall(text)]


def _copied(draft: str, review: str) -> str | None:
    """The first run of ``COPY_WORDS`` words the draft shares with the review, or None."""
    said = _words(review)
    runs = {tuple(said[i : i + COPY_WORDS]) for i in range(len(said) - COPY_WORDS + 1)}
    if not runs:
        return None
    words = _words(draft)
    for i in range(len(words) - COPY_WORDS + 1):
        run = tuple(words[i : i + COPY_WORDS])
        if run in runs:
            return " ".join(run)
    return None


def check_draft(text: str, platform: Marketplace | str, review: str | None = None) -> tuple[str, ...]:
    """Why ``text`` may not be published on ``platform`` as an answer to ``review`` (the buyer's
    words, when known); empty when it may."""
    market = platform_of(platform)
    if not isinstance(text, str):
        raise InvalidReputation(f"text={text!r} must be a string")
    if not text.strip():
        return (f"text={text!r} is empty",)
    reasons: list[str] = []
    limit = MAX_LENGTH[market]
    if len(text) > limit:
        reasons.append(f"length={len(text)} exceeds {limit} characters allowed on {market.value}")
    emails = [m.group() for m in _EMAIL.finditer(text)]
    rest = _EMAIL.sub(" ", text)
    reasons += [f"contains an e-mail address {_quote(e)}" for e in emails]
    reasons += [f"contains a link {_quote(m.group())}" for m in _LINK.finditer(rest)]
    reasons += [f"contains a phone number {_quote(m.group())}" for m in _PHONE.finditer(rest)]
    reasons += [f"echoes an instruction {_quote(m.group())}" for m in _ECHO.finditer(text)]
    if review and contacts_in(review):
        copied = _copied(text, review)
        if copied is not None:
            reasons.append(f"copies the buyer's words {_quote(copied)} from a review that holds contacts")
    return tuple(reasons)


def require_publishable(text: str, platform: Marketplace | str, review: str | None = None) -> str:
    """``text`` if it passes ``check_draft``; ``InvalidReputation`` naming every reason otherwise."""
    reasons = check_draft(text, platform, review)
    if reasons:
        raise InvalidReputation(f"answer refused on {platform_of(platform).value}: " + "; ".join(reasons))
    return text
