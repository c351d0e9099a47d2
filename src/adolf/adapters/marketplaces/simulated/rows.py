"""The JSON-like rows the simulated APIs answer with, in each marketplace's wire units."""

from __future__ import annotations

from datetime import date

from adolf.domain.marketplace import Marketplace

from . import wire
from .dynamics import Totals
from .model import CampaignModel
from .rates import bid_of, is_active
from .state import CampaignState

RawRow = dict[str, object]

#: what a wire bid of each marketplace counts, for messages
BID_UNIT = {Marketplace.WB: "kopecks", Marketplace.OZON: "millionths of a ruble", Marketplace.YM: "basis points"}


def rubles(kopecks: int) -> str:
    return f"{kopecks // 100}.{kopecks % 100:02d}"


def campaign_row(model: CampaignModel, state: CampaignState | None) -> RawRow:
    active_code, paused_code = wire.CAMPAIGN_STATUS_WIRE[model.marketplace]
    active = model.initially_active if state is None or state.active is None else state.active
    budget = model.daily_budget
    return {
        "id": model.external_id,
        "name": model.name,
        "status": active_code if active else paused_code,
        "daily_budget": None if budget is None else budget // 100 * wire.BUDGET_WIRE_PER_RUBLE[model.marketplace],
    }


def keyword_row(model: CampaignModel, state: CampaignState | None, index: int) -> RawRow:
    per = wire.BID_WIRE_PER_HUNDREDTH[model.marketplace]
    return {
        "id": model.keyword_id(index),
        "campaign_id": model.external_id,
        "phrase": model.phrase(index),
        "bid": bid_of(model, state, index) * per,
        "min_bid": model.min_bid[index] * per,
        "status": wire.KEYWORD_STATUS_WIRE[0 if is_active(model, state, index) else 1],
    }


def stats_row(external_id: str, day: date, totals: Totals, *, with_position: bool = False) -> RawRow:
    row: RawRow = {
        "id": external_id,
        "date": day.isoformat(),
        "views": totals.views,
        "clicks": totals.clicks,
        "orders": totals.orders,
        "spent": rubles(totals.spent),
        "revenue": rubles(totals.revenue),
    }
    if with_position:
        row["avg_position"] = None if totals.avg_position is None else f"{totals.avg_position:.2f}"
    return row


def bid_problem(model: CampaignModel, index: int, wire_bid: object) -> str | None:
    """Why the marketplace refuses ``wire_bid`` for keyword ``index``, or None."""
    per = wire.BID_WIRE_PER_HUNDREDTH[model.marketplace]
    unit = BID_UNIT[model.marketplace]
    if not isinstance(wire_bid, int) or isinstance(wire_bid, bool):
        return f"bid={wire_bid!r} is not an integer"
    hundredths = to_hundredths(model.marketplace, wire_bid)
    if hundredths <= 0:
        return f"bid {wire_bid} {unit} must be positive"
    if model.marketplace is Marketplace.YM and hundredths > 10_000:
        return f"bid {wire_bid} {unit} is above 100 %"
    if hundredths < model.min_bid[index]:
        return f"bid {wire_bid} {unit} is below the minimum bid {model.min_bid[index] * per} {unit}"
    return None


def to_hundredths(marketplace: Marketplace, wire_bid: int) -> int:
    per = wire.BID_WIRE_PER_HUNDREDTH[marketplace]
    return (wire_bid + per // 2) // per
