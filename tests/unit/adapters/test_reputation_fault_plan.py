"""The simulated reviews' fault plan as text (``ADOLF_SIM_REPUTATION_FAULTS``): what the
simulation writes, its workers read back exactly, and a bad plan is refused naming the entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.adapters.marketplaces.simulated.reputation import Outage, PublishFailure, ReputationFaults
from adolf.adapters.marketplaces.simulated.reputation_fault_plan import faults_from_text, faults_to_text
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import ItemType

zones = st.sampled_from([UTC, timezone(timedelta(hours=3)), timezone(timedelta(hours=-5, minutes=-30))])
instants = st.builds(
    lambda at, zone: at.replace(tzinfo=UTC).astimezone(zone),
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),
    zones,
)
outages = st.builds(
    lambda platform, start, minutes: Outage(platform, start, start + timedelta(minutes=minutes)),
    st.sampled_from(Marketplace),
    instants,
    st.integers(1, 24 * 60),
)
failures = st.builds(
    PublishFailure,
    st.sampled_from(Marketplace),
    st.sampled_from(ItemType),
    st.text(alphabet="abcdefwbozym-0123456789ёж", min_size=1, max_size=30),
    st.integers(1, 10),
)
plans = st.builds(
    ReputationFaults, st.lists(outages, max_size=3).map(tuple), st.lists(failures, max_size=3).map(tuple), st.booleans()
)


@given(plans)
def test_a_plan_read_back_is_the_plan_written(faults: ReputationFaults) -> None:
    again = faults_from_text(faults_to_text(faults))
    assert again == faults
    # the same instants in the same zones: a worker prints the times the simulation planned
    assert [(o.start.utcoffset(), o.end.utcoffset()) for o in again.outages] == [
        (o.start.utcoffset(), o.end.utcoffset()) for o in faults.outages
    ]
    for failing in again.failing_publishes:
        assert again.failures_of(failing.platform, failing.item_type, failing.external_id) >= 1


def test_an_outage_read_from_text_covers_its_hour_only() -> None:
    faults = faults_from_text(
        '{"outages": [{"platform": "ozon", "start": "2026-01-12T14:00:00+03:00", "end": "2026-01-12T15:00:00+03:00"}]}'
    )
    two_pm = datetime(2026, 1, 12, 11, tzinfo=UTC)
    assert faults.outage(Marketplace.OZON, two_pm) is not None
    assert faults.outage(Marketplace.OZON, two_pm + timedelta(minutes=59)) is not None
    assert faults.outage(Marketplace.OZON, two_pm + timedelta(hours=1)) is None
    assert faults.outage(Marketplace.WB, two_pm) is None
    assert faults.failing_publishes == () and faults.quotas is False


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[1, 2]", "must be a JSON object"),
        ('{"outage": []}', "'outage'"),
        ('{"quotas": "yes"}', "quotas='yes'"),
        ('{"outages": {}}', "outages={}"),
        ('{"outages": [{"platform": "ozon"}]}', r"outages\[0\]=.*exactly platform, start, end"),
        (
            '{"outages": [{"platform": "ozon", "start": "2026-01-12T14:00:00", "end": "2026-01-12T15:00:00+03:00"}]}',
            r"outages\[0\]\.start='2026-01-12T14:00:00' must carry its UTC offset",
        ),
        (
            '{"outages": [{"platform": "ozon", "start": "2026-01-12T15:00:00+03:00", "end": "2026-01-12T14:00:00+03:00"}]}',
            r"outages\[0\]: outage end=.* must be after start",
        ),
        (
            '{"failing_publishes": [{"platform": "wb", "item_type": "answer", "external_id": "x", "times": 2}]}',
            r"failing_publishes\[0\]: item_type='answer'",
        ),
        (
            '{"failing_publishes": [{"platform": "wb", "item_type": "review", "external_id": "x", "times": 0}]}',
            r"failing_publishes\[0\]: times=0",
        ),
        (
            '{"failing_publishes": [{"platform": "wb", "item_type": "review", "external_id": "", "times": 1}]}',
            r"failing_publishes\[0\]\.external_id=''",
        ),
    ],
)
def test_a_bad_plan_is_refused_naming_the_entry(text: str, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        faults_from_text(text)
