"""The velocity of an article in a cluster: the analytics volume split by Ozon's ``ads``."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from adolf.application.logistic.cluster_velocity import blend
from tests.unit.application.logistic.world import stock
from tests.unit.domain.generators import PROPERTY

paces = st.decimals(min_value=0, max_value=500, places=2)


def test_the_volume_is_the_analytics_and_the_split_is_ozons() -> None:
    stocks = [stock(1, 1, 5, "1"), stock(1, 2, 5, "3"), stock(2, 1, 5, "2")]

    blended = blend(stocks, {1: Decimal("8"), 3: Decimal("9")})

    assert [s.avg_daily_sales for s in blended] == [Decimal("2.00"), Decimal("6.00"), Decimal("2")]


def test_no_share_to_follow_keeps_ozons_figure() -> None:
    stocks = [stock(1, 1, 5, "0"), stock(1, 2, 5, "0")]

    assert blend(stocks, {1: Decimal("4")}) == stocks


@PROPERTY
@given(st.lists(paces, min_size=1, max_size=12), paces)
def test_shares_add_up_to_the_volume_and_keep_the_clusters_order(ads: list[Decimal], volume: Decimal) -> None:
    stocks = [stock(1, cluster, 5, str(pace)) for cluster, pace in enumerate(ads, start=1)]

    blended = [s.avg_daily_sales for s in blend(stocks, {1: volume})]

    if sum(ads) == 0:
        assert blended == ads
        return
    assert abs(sum(blended) - volume) <= Decimal("0.005") * len(ads)  # half a cent of rounding each
    for i in range(len(ads)):
        for j in range(len(ads)):
            if ads[i] < ads[j]:
                assert blended[i] <= blended[j]
    assert all(b >= 0 for b in blended)
    assert all(b == 0 for b, a in zip(blended, ads, strict=True) if a == 0)
