"""Hypothesis generators for Watcher's domain values (whole-kopeck prices, observations)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from adolf.domain.watcher.observations import PriceObservation

T0 = datetime(2026, 1, 12, 21, 0, tzinfo=UTC)

#: Whole kopecks from 0.01 to 100 000 ₽ — every price a marketplace can show — and, as often,
#: whole rubles, whose whole-percent thresholds fall exactly on a kopeck (boundaries get hit).
PRICES = st.integers(min_value=1, max_value=10_000_000).map(lambda n: Decimal(n).scaleb(-2)) | st.integers(
    min_value=1, max_value=100_000
).map(Decimal)
#: Percentages with 2 places in [0, 100), and as often whole ones.
PERCENTS = st.integers(min_value=0, max_value=9_999).map(lambda n: Decimal(n).scaleb(-2)) | st.integers(
    min_value=0, max_value=99
).map(Decimal)


def near(base: Decimal, percent: Decimal, sign: int) -> st.SearchStrategy[Decimal]:
    """Whole-kopeck prices a few kopecks either side of ``base × (1 + sign × percent / 100)``:
    where a threshold bites, including (when it falls on a kopeck) exactly on it."""
    target = base * (1 + sign * percent / 100)
    return st.integers(min_value=-3, max_value=3).map(
        lambda k: max(Decimal("0.01"), target.quantize(Decimal("0.01")) + Decimal(k).scaleb(-2))
    )


@st.composite
def observations(
    draw: st.DrawFn, price: Decimal | None = None, *, product: int = 7, minutes: int = 0
) -> PriceObservation:
    in_stock = draw(st.booleans()) if price is None else draw(st.integers(0, 4).map(lambda n: n > 0))
    shown = price if price is not None else draw(PRICES)
    return PriceObservation(
        competitor_product_id=product,
        price=shown if in_stock or draw(st.booleans()) else None,
        in_stock=in_stock,
        observed_at=T0 + timedelta(minutes=minutes),
        agent_id="agent-1",
    )
