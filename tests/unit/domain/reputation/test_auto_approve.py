"""Skipping the manager: only with the brand's setting on, a 5★ positive review asking nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.domain.reputation.auto_approve import QUESTION_WORDS, asks_something, may_skip_manager
from adolf.domain.reputation.items import ItemType, Sentiment

from ..generators import PROPERTY
from .reputation_generators import items, sentences

five_star = items(item_type=ItemType.REVIEW, rating=5)


@PROPERTY
@given(five_star)
def test_a_5_star_positive_review_asking_nothing_skips_when_the_brand_allows(item: object) -> None:
    assert may_skip_manager(item, Sentiment.POSITIVE, True) is True  # type: ignore[arg-type]


@PROPERTY
@given(items(), st.sampled_from(Sentiment))
def test_off_by_default_nothing_skips(item: object, sentiment: Sentiment) -> None:
    assert may_skip_manager(item, sentiment, False) is False  # type: ignore[arg-type]


@PROPERTY
@given(items(item_type=ItemType.QUESTION), st.sampled_from(Sentiment))
def test_a_question_never_skips(item: object, sentiment: Sentiment) -> None:
    assert may_skip_manager(item, sentiment, True) is False  # type: ignore[arg-type]


@PROPERTY
@given(items(item_type=ItemType.REVIEW), st.sampled_from(Sentiment))
def test_less_than_5_stars_or_not_positive_never_skips(item: object, sentiment: Sentiment) -> None:
    skips = may_skip_manager(item, sentiment, True)  # type: ignore[arg-type]
    assert skips == (item.rating == 5 and sentiment is Sentiment.POSITIVE)  # type: ignore[attr-defined]


@PROPERTY
@given(
    items(item_type=ItemType.REVIEW, rating=5, text=sentences()),
    st.sampled_from([*QUESTION_WORDS, "?"]),
    st.integers(0, 40),
)
def test_a_question_inside_a_5_star_review_never_skips(item: object, word: str, at: int) -> None:
    from dataclasses import replace

    words = item.text.split()  # type: ignore[attr-defined]
    asked = replace(item, text=" ".join([*words[:at], word.capitalize(), *words[at:]]))  # type: ignore[type-var]
    assert asks_something(asked.text)
    assert may_skip_manager(asked, Sentiment.POSITIVE, True) is False


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("Отличное платье, спасибо!", False),
        ("", False),
        ("Подойдёт ли на рост 170", True),
        ("Подскажите размер", True),
        ("Где чек", True),
        ("КОГДА будет поступление", True),
        ("Всё как на фото", True),  # eager on purpose: a manager glances at it
        ("Какая прелесть", True),
        ("Прекрасно сидит, размер в размер", False),  # "как" inside a word is not a question
    ],
)
def test_question_words(text: str, asks: bool) -> None:
    assert asks_something(text) is asks
