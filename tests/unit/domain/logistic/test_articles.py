"""Articles and clusters: what is refused and why."""

from __future__ import annotations

import pytest

from adolf.domain.logistic.articles import Article, Cluster
from adolf.domain.logistic.errors import InvalidLogistic


def test_an_article_keeps_its_fields_and_drops_padding_around_brand_and_code() -> None:
    article = Article(7, " ohana ", " ЦБ-00012 ", "Плед", 123456)
    assert (article.brand, article.code, article.ozon_sku, article.active) == ("ohana", "ЦБ-00012", 123456, True)
    assert Article(8, "ohana", "X", "", None).ozon_sku is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"brand": " "}, "brand=' '"),
        ({"code": ""}, "code=''"),
        ({"ozon_sku": 0}, "ozon_sku=0"),
        ({"ozon_sku": -5}, "ozon_sku=-5"),
        ({"ozon_sku": True}, "ozon_sku=True"),
        ({"id": -1}, "id=-1"),
    ],
)
def test_an_article_refuses_blank_text_and_non_positive_ids(changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"id": 1, "brand": "ohana", "code": "A-1", "name": "n", "ozon_sku": 10}
    fields.update(changes)
    with pytest.raises(InvalidLogistic, match=message):
        Article(**fields)  # type: ignore[arg-type]


def test_a_cluster_needs_a_positive_id_and_a_name() -> None:
    assert Cluster(154, " Москва, МО и Дальние регионы ").name == "Москва, МО и Дальние регионы"
    with pytest.raises(InvalidLogistic, match="id=-1"):
        Cluster(-1, "Казань")
    with pytest.raises(InvalidLogistic, match="name=''"):
        Cluster(1, "")
