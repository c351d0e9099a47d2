"""The Alert value: time passed in with a zone, text fields required, enums parsed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from adolf.domain.alerts.alert import Alert, InvalidAlert
from adolf.domain.alerts.severity import AlertModule, Severity

MOSCOW = timezone(timedelta(hours=3))
AT = datetime(2026, 11, 25, 12, 7, tzinfo=MOSCOW)


def test_an_alert_keeps_what_it_was_given() -> None:
    alert = Alert(
        module=AlertModule.MARKETING,
        type="budget_exceeded",
        severity=Severity.WARNING,
        brand="ohana",
        message="Расход 5000₽ достиг лимита 5000₽",
        created_at=AT,
        campaign_id="c-17",
        dedupe_key="budget_exceeded:c-17:2026-11-25",
    )
    assert alert.campaign_id == "c-17"
    assert alert.created_at == datetime(2026, 11, 25, 9, 7, tzinfo=UTC)


def test_module_and_severity_read_from_text_become_enum_members() -> None:
    alert = Alert("marketing", "CAP_BID", "warning", "ohana", "bid capped", AT)  # type: ignore[arg-type]
    assert alert.module is AlertModule.MARKETING
    assert alert.severity is Severity.WARNING


def test_an_alert_without_a_time_zone_is_refused() -> None:
    with pytest.raises(InvalidAlert, match=r"created_at=.* must be a timezone-aware datetime"):
        Alert(AlertModule.WATCHER, "dumping_detected", Severity.INFO, "ohana", "x", datetime(2026, 1, 1))


def test_an_alert_without_a_type_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidAlert, match="type=''"):
        Alert(AlertModule.WATCHER, "", Severity.INFO, "ohana", "x", AT)
