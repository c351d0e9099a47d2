"""Watcher's alert kinds and the alert row it keeps.

Kinds (SPEC §4.2; seed 000 names ``dumping_detected`` and ``watcher_alert_{alert_type}``
events): ``dumping_detected``, ``price_drop``, ``price_rise``, ``out_of_stock``.

A ``WatcherAlert`` is what ``check_alerts`` stores and ``send_alert_notification`` routes
(SPEC §4.5, by ``severity`` and ``brand``); ``details`` holds strings only (JSON payloads),
with ``new_price`` among them as ``process_dumping_alert`` reads it in the seed.
``dedupe_key`` is the decision's key (``alert_conditions``): ``check_alerts`` looks 20 minutes
back every 15 minutes, so an observation can be evaluated twice and must alert once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from adolf.domain.alerts.severity import Severity
from adolf.domain.marketplace import Marketplace


class AlertKind(StrEnum):
    """The kinds of Watcher alert (SPEC §4.2)."""

    DUMPING_DETECTED = "dumping_detected"
    PRICE_DROP = "price_drop"
    PRICE_RISE = "price_rise"
    OUT_OF_STOCK = "out_of_stock"


@dataclass(frozen=True, slots=True)
class WatcherAlert:
    """A Watcher alert as stored and routed: kind, severity, the products and brand it concerns, the
    message and its facts."""

    id: int
    kind: AlertKind
    severity: Severity
    competitor_product_id: int
    our_product_id: int | None
    brand: str  # our product's brand ("all" when no product of ours is linked)
    marketplace: Marketplace
    message: str
    created_at: datetime
    details: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    resolved: bool = False
    dedupe_key: str | None = None
