"""Safety checks run before any bid is computed: pause, alert, or carry on.

Rules (SPEC §4.1 "Safety", §3 ``check_budgets``; seed 001 ``_process_campaign``,
``check_budgets``), thresholds in ``safety_thresholds``:

Campaign — ``check_campaign``
- spent today ≥ daily limit × ``budget_pause_ratio`` → ``PAUSE_CAMPAIGN`` (``budget_exceeded``).
  The ratio is at most 1, so spend at the limit always pauses. A limit of 0 or None means
  "no daily limit": the budget checks are skipped;
- else spent ≥ limit × ``budget_warning_ratio`` → ``ALERT`` (``budget_warning``);
- DRR above ``max_drr`` → ``ALERT`` (``drr_above_max``), alongside the budget reasons.
Keyword — ``check_keyword``
- no orders and spend above ``keyword_max_spend_without_orders`` → ``PAUSE_KEYWORD``
  (``spend_without_orders``);
- DRR ≥ ``keyword_drr_pause_factor`` × ``max_drr`` (with revenue) → ``PAUSE_KEYWORD`` (``drr_far_above_max``);
- CTR below ``low_ctr_percent`` after ``min_views_for_ctr`` views → ``ALERT`` (``low_ctr``).

The verdict carries every reason that fired (most severe first) and its action is the most
severe one. Severities follow seed 001: ``budget_exceeded`` warning, ``budget_warning`` info;
this project adds: keyword pauses and ``drr_above_max`` warning, ``low_ctr`` info.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from adolf.domain.alerts.severity import Severity, worst
from adolf.domain.errors import DomainError
from adolf.domain.marketing.metrics import StatsTotals
from adolf.domain.marketing.safety_thresholds import SafetyThresholds

DEFAULT_THRESHOLDS = SafetyThresholds()


class InvalidSafetyInput(DomainError):
    """A spend, limit or DRR given to a safety check is negative or not a Decimal."""


class SafetyAction(StrEnum):
    """What a verdict asks for, mildest first: carry on, alert, pause the keyword, pause the campaign."""

    OK = "OK"
    ALERT = "ALERT"
    PAUSE_KEYWORD = "PAUSE_KEYWORD"
    PAUSE_CAMPAIGN = "PAUSE_CAMPAIGN"


class SafetyReason(StrEnum):
    """Why a safety check fired (the rules in the module docstring)."""

    BUDGET_EXCEEDED = "budget_exceeded"
    BUDGET_WARNING = "budget_warning"
    DRR_ABOVE_MAX = "drr_above_max"
    SPEND_WITHOUT_ORDERS = "spend_without_orders"
    DRR_FAR_ABOVE_MAX = "drr_far_above_max"
    LOW_CTR = "low_ctr"


SEVERITY_OF: dict[SafetyReason, Severity] = {
    SafetyReason.BUDGET_EXCEEDED: Severity.WARNING,
    SafetyReason.BUDGET_WARNING: Severity.INFO,
    SafetyReason.DRR_ABOVE_MAX: Severity.WARNING,
    SafetyReason.SPEND_WITHOUT_ORDERS: Severity.WARNING,
    SafetyReason.DRR_FAR_ABOVE_MAX: Severity.WARNING,
    SafetyReason.LOW_CTR: Severity.INFO,
}


@dataclass(frozen=True, slots=True)
class SafetyVerdict:
    """A safety check's answer: the most severe ``action`` and every reason that fired, most severe
    first, each with a line of ``details``."""

    action: SafetyAction
    reasons: tuple[SafetyReason, ...] = ()
    details: tuple[str, ...] = ()  # one line per reason, same order, with the numbers

    @property
    def reason(self) -> str:
        """The main reason ("" when OK), e.g. for the keyword's ``paused`` status."""
        return self.reasons[0].value if self.reasons else ""

    @property
    def severity(self) -> Severity | None:
        """The alert severity: the most severe of the reasons; None when OK."""
        return worst(SEVERITY_OF[reason] for reason in self.reasons)


def _money(name: str, value: Decimal) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidSafetyInput(f"{name}={value!r} must be a finite Decimal")
    if value < 0:
        raise InvalidSafetyInput(f"{name}={value} must be >= 0")
    return value


def check_campaign(
    spent_today: Decimal,
    daily_limit: Decimal | None,
    drr: Decimal | None = None,
    thresholds: SafetyThresholds = DEFAULT_THRESHOLDS,
) -> SafetyVerdict:
    """The campaign-level verdict. ``drr`` is the campaign's DRR in percent (None: unknown)."""
    spent = _money("spent_today", spent_today)
    reasons: list[tuple[SafetyReason, str]] = []
    action = SafetyAction.OK
    if daily_limit is not None and _money("daily_limit", daily_limit) > 0:
        if spent >= daily_limit * thresholds.budget_pause_ratio:
            action = SafetyAction.PAUSE_CAMPAIGN
            detail = f"spent_today={spent} >= daily_limit={daily_limit}"
            reasons.append((SafetyReason.BUDGET_EXCEEDED, detail))
        elif spent >= daily_limit * thresholds.budget_warning_ratio:
            action = SafetyAction.ALERT
            share = thresholds.budget_warning_ratio * 100
            detail = f"spent_today={spent} >= {share:.0f}% of daily_limit={daily_limit}"
            reasons.append((SafetyReason.BUDGET_WARNING, detail))
    if drr is not None and _money("drr", drr) > thresholds.max_drr:
        if action is SafetyAction.OK:
            action = SafetyAction.ALERT
        reasons.append((SafetyReason.DRR_ABOVE_MAX, f"drr={drr} > max_drr={thresholds.max_drr}"))
    return SafetyVerdict(action, tuple(r for r, _ in reasons), tuple(d for _, d in reasons))


def check_keyword(stats: StatsTotals, thresholds: SafetyThresholds = DEFAULT_THRESHOLDS) -> SafetyVerdict:
    """The keyword-level verdict from its stats window."""
    pauses: list[tuple[SafetyReason, str]] = []
    alerts: list[tuple[SafetyReason, str]] = []
    limit = thresholds.keyword_max_spend_without_orders
    if stats.orders == 0 and stats.spent > limit:
        pauses.append((SafetyReason.SPEND_WITHOUT_ORDERS, f"spent={stats.spent} > {limit} with orders=0"))
    far = thresholds.max_drr * thresholds.keyword_drr_pause_factor
    # Without revenue DRR reads 0 (SPEC's zero-denominator rule); that case is
    # spend_without_orders' business, not this one's.
    if stats.revenue > 0 and stats.drr >= far:
        pauses.append((SafetyReason.DRR_FAR_ABOVE_MAX, f"drr={stats.drr} >= {far} (max_drr × factor)"))
    if stats.views >= thresholds.min_views_for_ctr and stats.ctr < thresholds.low_ctr_percent:
        detail = f"ctr={stats.ctr} < {thresholds.low_ctr_percent} after views={stats.views}"
        alerts.append((SafetyReason.LOW_CTR, detail))
    found = pauses + alerts
    if pauses:
        action = SafetyAction.PAUSE_KEYWORD
    elif alerts:
        action = SafetyAction.ALERT
    else:
        action = SafetyAction.OK
    return SafetyVerdict(action, tuple(r for r, _ in found), tuple(d for _, d in found))
