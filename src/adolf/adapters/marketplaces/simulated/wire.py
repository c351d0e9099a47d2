"""What the simulated APIs look like on the wire: ids, units and status codes.

Ids are numeric strings, as at the real marketplaces. A campaign's id encodes its
marketplace and its number (WB ``10000001`` …, Ozon ``20000001`` …, YM ``30000001`` …); a
keyword's id is its campaign's id followed by three digits (``10000001001`` is keyword 1 of
campaign ``10000001``), so any id can be resolved without a lookup table.

Units follow SPEC §6: WB bids in kopecks, Ozon bids and budgets in millionths of a ruble,
YM bids in basis points of the price (570 = 5.70 %). Money in statistics rows is a decimal
string in rubles. Inside the market every bid is kept in hundredths (kopecks, or basis
points for YM), and money in kopecks.
"""

from __future__ import annotations

from collections.abc import Mapping

from adolf.domain.marketplace import Marketplace

MAX_CAMPAIGNS_PER_MARKETPLACE = 9_999_998
MAX_KEYWORDS_PER_CAMPAIGN = 999

_CAMPAIGN_BASE: Mapping[Marketplace, int] = {
    Marketplace.WB: 10_000_000,
    Marketplace.OZON: 20_000_000,
    Marketplace.YM: 30_000_000,
}
_BY_PREFIX: Mapping[int, Marketplace] = {base // 10_000_000: mp for mp, base in _CAMPAIGN_BASE.items()}

#: wire units per hundredth of a bid (WB kopecks: 1; Ozon millionths: 10 000; YM bp: 1)
BID_WIRE_PER_HUNDREDTH: Mapping[Marketplace, int] = {
    Marketplace.WB: 1,
    Marketplace.OZON: 10_000,
    Marketplace.YM: 1,
}
#: wire units per ruble of a daily budget
BUDGET_WIRE_PER_RUBLE: Mapping[Marketplace, int] = {
    Marketplace.WB: 1,
    Marketplace.OZON: 1_000_000,
    Marketplace.YM: 1,
}
#: campaign status codes on the wire: (active, paused)
CAMPAIGN_STATUS_WIRE: Mapping[Marketplace, tuple[object, object]] = {
    Marketplace.WB: (9, 11),
    Marketplace.OZON: ("CAMPAIGN_STATE_RUNNING", "CAMPAIGN_STATE_INACTIVE"),
    Marketplace.YM: ("ACTIVE", "PAUSED"),
}
KEYWORD_STATUS_WIRE = ("active", "paused")


def campaign_number(marketplace: Marketplace, index: int) -> int:
    return _CAMPAIGN_BASE[marketplace] + index + 1


def campaign_id(marketplace: Marketplace, index: int) -> str:
    return str(campaign_number(marketplace, index))


def keyword_id(campaign_external_id: str, index: int) -> str:
    return f"{campaign_external_id}{index + 1:03d}"


def parse_campaign_id(text: str) -> tuple[Marketplace, int] | None:
    """(marketplace, index) of a well-formed campaign id, else None. Range is not checked."""
    if len(text) != 8 or not text.isdigit():
        return None
    number = int(text)
    marketplace = _BY_PREFIX.get(number // 10_000_000)
    index = number % 10_000_000 - 1
    if marketplace is None or index < 0:
        return None
    return marketplace, index


def parse_keyword_id(text: str) -> tuple[str, int] | None:
    """(campaign id, keyword index) of a well-formed keyword id, else None."""
    if len(text) != 11 or not text.isdigit() or text[8:] == "000":
        return None
    if parse_campaign_id(text[:8]) is None:
        return None
    return text[:8], int(text[8:]) - 1
