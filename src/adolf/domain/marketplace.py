"""The marketplaces ADOLF works with (SPEC, preamble): Wildberries, Ozon, Yandex.Market.

The values are the short codes the seeds use in task arguments, Redis keys and table rows.
"""

from enum import StrEnum


class Marketplace(StrEnum):
    """A marketplace ADOLF sells on; the value is its short code."""

    WB = "wb"
    OZON = "ozon"
    YM = "ym"
