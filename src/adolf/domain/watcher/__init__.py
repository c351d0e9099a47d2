"""Watcher's pure rules: competitor price monitoring (SPEC §3 Watcher, §4.2, §4.3).

One idea per module:

- ``catalog``          our products, competitors, their products, subscriptions;
- ``observations``     a competitor product's price as an agent observed it;
- ``priority``         the seed's monitoring-priority score (SPEC §4.3);
- ``alerts``           alert kinds and the stored alert row;
- ``alert_rules``      the configurable thresholds and severities of the conditions;
- ``alert_conditions`` which alerts a new observation raises (SPEC §4.2);
- ``tasks``            a parsing task and its lifecycle (claim, complete, fail, release, regenerate);
- ``agents``           a parsing agent, its liveness and status transitions.

Nothing here reads the clock: every "now" is an argument.

Score how closely a competitor's listing deserves watching (base 50; 6 price changes in 30
days +10, a 20 % average discount +5, a price within 5 % of ours +15), then judge its new
price against the previous one and ours:

>>> from datetime import datetime, timezone
>>> from decimal import Decimal
>>> from adolf.domain.watcher import PriceObservation, PriorityInputs, evaluate_alerts, score_priority
>>> score_priority(
...     PriorityInputs(
...         changes_30d=6,
...         avg_discount=Decimal("20"),
...         latest_price=Decimal("980"),
...         our_price=Decimal("1000"),
...         dumping_alerts_30d=0,
...     )
... )
PriorityScore(value=80, price_changes=10, discount=5, proximity=15, dumping=0)
>>> morning = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)
>>> noon = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
>>> before = PriceObservation(competitor_product_id=7, price=Decimal("990"), in_stock=True, observed_at=morning)
>>> after = PriceObservation(competitor_product_id=7, price=Decimal("850"), in_stock=True, observed_at=noon)
>>> [(alert.kind.value, alert.severity.value) for alert in evaluate_alerts(after, before, our_price=Decimal("1000"))]
[('dumping_detected', 'critical')]
"""

from adolf.domain.watcher.agents import (
    Agent,
    AgentChange,
    AgentEvent,
    AgentStatus,
    InvalidAgentTransition,
    goes_offline,
    heartbeat,
    is_stale,
    mark_offline,
    panic,
    recover,
)
from adolf.domain.watcher.alert_conditions import AlertDecision, InvalidAlertInput, evaluate_alerts
from adolf.domain.watcher.alert_rules import AlertRules, InvalidAlertRules
from adolf.domain.watcher.alerts import AlertKind, WatcherAlert
from adolf.domain.watcher.catalog import Competitor, CompetitorProduct, OurProduct, Subscription
from adolf.domain.watcher.observations import InvalidObservation, PriceObservation, discount_from_old_price
from adolf.domain.watcher.priority import (
    InvalidPriorityInputs,
    PriorityInputs,
    PriorityScore,
    count_price_changes,
    price_gap_percent,
    score_priority,
)
from adolf.domain.watcher.tasks import (
    AgentCannotClaim,
    InvalidTaskTransition,
    ParsingTask,
    TaskNotHeld,
    TaskStatus,
    claim,
    complete,
    fail,
    lease_expired,
    regenerate,
    release,
)

__all__ = [
    "Agent",
    "AgentCannotClaim",
    "AgentChange",
    "AgentEvent",
    "AgentStatus",
    "AlertDecision",
    "AlertKind",
    "AlertRules",
    "Competitor",
    "CompetitorProduct",
    "InvalidAgentTransition",
    "InvalidAlertInput",
    "InvalidAlertRules",
    "InvalidObservation",
    "InvalidPriorityInputs",
    "InvalidTaskTransition",
    "OurProduct",
    "ParsingTask",
    "PriceObservation",
    "PriorityInputs",
    "PriorityScore",
    "Subscription",
    "TaskNotHeld",
    "TaskStatus",
    "WatcherAlert",
    "claim",
    "complete",
    "count_price_changes",
    "discount_from_old_price",
    "evaluate_alerts",
    "fail",
    "goes_offline",
    "heartbeat",
    "is_stale",
    "lease_expired",
    "mark_offline",
    "panic",
    "price_gap_percent",
    "recover",
    "regenerate",
    "release",
    "score_priority",
]
