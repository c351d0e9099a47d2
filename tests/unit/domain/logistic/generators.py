"""Hypothesis generators for Logistic's domain values (units, velocities, covers, policies, needs)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import strategies as st

from adolf.domain.logistic.deficit import Need, SupplyPriority
from adolf.domain.logistic.policy import SupplyPolicy
from adolf.domain.logistic.stock import FboStock

T0 = datetime(2026, 2, 2, 4, 0, tzinfo=UTC)

UNITS = st.integers(min_value=0, max_value=5_000)
#: Average daily sales with 2 places (Ozon's ``ads``), 0 included, and as often whole ones.
VELOCITIES = st.integers(min_value=0, max_value=50_000).map(lambda n: Decimal(n).scaleb(-2)) | st.integers(
    min_value=0, max_value=200
).map(Decimal)
POSITIVE_VELOCITIES = VELOCITIES.filter(lambda v: v > 0)
#: Days of cover as ``days_of_cover`` makes them (one place), or None (nothing sells).
COVERS = st.none() | st.integers(min_value=0, max_value=600).map(lambda n: Decimal(n).scaleb(-1))
PRIORITIES = st.sampled_from(list(SupplyPriority))


@st.composite
def policies(draw: st.DrawFn) -> SupplyPolicy:
    urgent = draw(st.integers(min_value=1, max_value=20))
    planned = draw(st.integers(min_value=urgent + 1, max_value=40))
    recommended = draw(st.integers(min_value=planned, max_value=60))
    target = draw(st.integers(min_value=recommended, max_value=90))
    urgent_stock = draw(st.integers(min_value=1, max_value=20))
    low_stock = draw(st.integers(min_value=urgent_stock + 1, max_value=40))
    return SupplyPolicy(
        target_days=target,
        urgent_days=urgent,
        planned_days=planned,
        recommended_days=recommended,
        low_stock_days=low_stock,
        urgent_stock_days=urgent_stock,
    )


@st.composite
def stocks(draw: st.DrawFn, article_id: int | None = None, cluster_id: int | None = None) -> FboStock:
    return FboStock(
        article_id=article_id if article_id is not None else draw(st.integers(min_value=1, max_value=50)),
        cluster_id=cluster_id if cluster_id is not None else draw(st.integers(min_value=1, max_value=12)),
        available=draw(UNITS),
        in_transit=draw(st.integers(min_value=0, max_value=500)),
        requested=draw(st.integers(min_value=0, max_value=500)),
        avg_daily_sales=draw(VELOCITIES),
        observed_at=T0,
        days_left=draw(st.none() | COVERS.filter(lambda c: c is not None)),
    )


@st.composite
def need_lists(draw: st.DrawFn, articles: int = 4, clusters: int = 8, max_size: int = 30) -> list[Need]:
    """Needs of a few articles over a few clusters (each pair once), so articles compete."""
    pairs = draw(
        st.lists(
            st.tuples(st.integers(1, articles), st.integers(1, clusters)),
            unique=True,
            max_size=max_size,
        )
    )
    return [
        Need(
            article_id=article,
            cluster_id=cluster,
            deficit=draw(st.integers(min_value=1, max_value=60)),
            priority=draw(PRIORITIES),
            days_of_cover=draw(COVERS),
            velocity=draw(POSITIVE_VELOCITIES),
        )
        for article, cluster in pairs
    ]


def warehouses(articles: int = 4) -> st.SearchStrategy[dict[int, int]]:
    """Units per article in the 1C warehouse; some articles absent (0)."""
    return st.dictionaries(st.integers(1, articles), st.integers(min_value=0, max_value=150))
