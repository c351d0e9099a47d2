"""The marketplaces ADOLF works with."""

from enum import StrEnum


class Marketplace(StrEnum):
    WB = "wb"
    OZON = "ozon"
    YM = "ym"
