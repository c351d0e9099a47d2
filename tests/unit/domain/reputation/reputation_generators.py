"""Hypothesis generators for Reputation: items, clean Russian answers, contacts to smuggle in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import Item, ItemType
from adolf.domain.reputation.lifecycle import ItemStatus

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)

# Words of an ordinary answer: no question words, no digits, nothing that reads as a contact.
WORDS = [
    "спасибо",
    "за",
    "ваш",
    "отзыв",
    "мы",
    "рады",
    "что",
    "товар",
    "вам",
    "понравился",
    "качество",
    "ткани",
    "мягкая",
    "приятная",
    "будем",
    "ждать",
    "новых",
    "покупок",
    "хорошего",
    "дня",
    "магазин",
    "цвет",
    "упаковка",
    "доставка",
    "удобно",
    "носить",
    "очень",
    "благодарим",
    "выбор",
    "наши",
    "изделия",
    "шьём",
    "внимательно",
    "проверяем",
    "каждую",
    "вещь",
    "перед",
    "отправкой",
    "желаем",
    "приятных",
    "покупок",
    "всегда",
    "стараемся",
    "радовать",
    "покупателей",
]

TLDS = ("ru", "рф", "com", "net", "org", "su", "me", "shop", "online", "io")


@st.composite
def sentences(draw: st.DrawFn, min_words: int = 1, max_words: int = 40) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=min_words, max_size=max_words))
    text = " ".join(words)
    return text[:1].upper() + text[1:] + draw(st.sampled_from([".", "!", ""]))


_label = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=2, max_size=12)


@st.composite
def links(draw: st.DrawFn) -> str:
    host = f"{draw(_label)}.{draw(st.sampled_from(TLDS))}"
    prefix = draw(st.sampled_from(["http://", "https://", "www.", ""]))
    path = draw(st.sampled_from(["", "/", "/sale", "/p?id=1"]))
    return prefix + host + path


@st.composite
def phones(draw: st.DrawFn) -> str:
    d = draw(st.lists(st.sampled_from("0123456789"), min_size=10, max_size=10))
    a, b, c, e = "".join(d[:3]), "".join(d[3:6]), "".join(d[6:8]), "".join(d[8:])
    shapes = [
        f"+7 {a} {b}-{c}-{e}",
        f"+7({a}){b}{c}{e}",
        f"8 ({a}) {b}-{c}-{e}",
        f"8{a}{b}{c}{e}",
        f"+7{a}{b}{c}{e}",
        f"8-{a}-{b}-{c}-{e}",
        f"{a} {b} {c} {e}",
        f"({a}) {b}-{c}-{e}",
        f"7 {a} {b} {c} {e}",
    ]
    return draw(st.sampled_from(shapes))


@st.composite
def emails(draw: st.DrawFn) -> str:
    return f"{draw(_label)}@{draw(_label)}.{draw(st.sampled_from(TLDS))}"


@st.composite
def items(
    draw: st.DrawFn,
    item_type: ItemType | None = None,
    rating: int | None = None,
    text: st.SearchStrategy[str] | None = None,
    status: ItemStatus = ItemStatus.NEW,
    created_at: datetime = NOW,
) -> Item:
    kind = item_type or draw(st.sampled_from(ItemType))
    stars = None if kind is ItemType.QUESTION else (rating or draw(st.integers(1, 5)))
    body = draw(text if text is not None else sentences())
    if kind is ItemType.QUESTION and not body.strip():
        body = "Есть ли другие размеры?"
    return Item(
        id=draw(st.integers(0, 10_000)),
        platform=draw(st.sampled_from(Marketplace)),
        item_type=kind,
        external_id=draw(st.text(alphabet="abcdef0123456789", min_size=1, max_size=12)),
        brand=draw(st.sampled_from(["ohana_market", "ohana_kids"])),
        product_id=str(draw(st.integers(1, 10**9))),
        text=body,
        created_at=created_at - timedelta(minutes=draw(st.integers(0, 60 * 24 * 30))),
        status=status,
        rating=stars,
        author=draw(st.sampled_from(["", "Анна", "Иван П.", "Мария-Луиза"])),
    )
