"""Parsing agents on a fake clock: stale heartbeats, coming online, going offline, panic, recovery."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.domain.alerts.severity import Severity
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.agents import (
    HEARTBEAT_TIMEOUT,
    IP_BLOCK,
    Agent,
    AgentStatus,
    InvalidAgentTransition,
    goes_offline,
    heartbeat,
    ip_to_block,
    is_stale,
    mark_offline,
    panic,
    recover,
)

from ..generators import PROPERTY
from .generators import T0

ONLINE = Agent("a1", "WB night 1", Marketplace.WB, "10.0.0.1", AgentStatus.ONLINE, last_heartbeat=T0)
TICK = timedelta(microseconds=1)


def test_the_seed_spec_timings() -> None:
    five_minutes, one_hour = HEARTBEAT_TIMEOUT, IP_BLOCK
    assert five_minutes.total_seconds() == 300
    assert one_hour.total_seconds() == 3600


def test_a_heartbeat_goes_stale_only_after_the_timeout() -> None:
    assert not is_stale(ONLINE, T0 + HEARTBEAT_TIMEOUT)
    assert is_stale(ONLINE, T0 + HEARTBEAT_TIMEOUT + TICK)
    assert not is_stale(ONLINE, T0 + timedelta(minutes=2), timeout=timedelta(minutes=2))
    assert is_stale(replace(ONLINE, last_heartbeat=None), T0)
    assert not is_stale(ONLINE, T0 - timedelta(minutes=1))  # a beat "from the future" (clock skew)


def test_only_a_stale_online_agent_goes_offline() -> None:
    late = T0 + HEARTBEAT_TIMEOUT + TICK
    assert goes_offline(ONLINE, late)
    assert not goes_offline(ONLINE, T0 + HEARTBEAT_TIMEOUT)
    assert not goes_offline(replace(ONLINE, status=AgentStatus.PANIC), late)
    assert not goes_offline(replace(ONLINE, status=AgentStatus.OFFLINE), late)


def test_going_offline_is_logged_with_the_last_heartbeat() -> None:
    change = mark_offline(ONLINE, T0 + timedelta(minutes=6))
    assert change.agent.status is AgentStatus.OFFLINE
    assert change.event is not None and change.event.kind is AgentStatus.OFFLINE
    assert change.event.message == "no heartbeat since 2026-01-12T21:00:00+00:00"
    assert change.event.severity is Severity.WARNING
    for status in (AgentStatus.OFFLINE, AgentStatus.PANIC):
        with pytest.raises(InvalidAgentTransition, match=f"status='{status.value}'"):
            mark_offline(replace(ONLINE, status=status), T0)


def test_a_heartbeat_brings_an_offline_agent_online_and_records_ip_and_cookies() -> None:
    offline = replace(ONLINE, status=AgentStatus.OFFLINE)
    change = heartbeat(offline, T0 + timedelta(minutes=9), ip="10.0.0.9", cookies_valid=False)
    assert change.agent == replace(ONLINE, ip="10.0.0.9", cookies_valid=False, last_heartbeat=T0 + timedelta(minutes=9))
    assert change.event is not None and change.event.kind is AgentStatus.ONLINE


def test_a_heartbeat_of_an_online_agent_logs_nothing_and_keeps_what_it_did_not_send() -> None:
    change = heartbeat(ONLINE, T0 + timedelta(minutes=1))
    assert change.event is None
    assert change.agent == replace(ONLINE, last_heartbeat=T0 + timedelta(minutes=1))


def test_a_heartbeat_does_not_end_panic() -> None:
    panicked = panic(ONLINE, "captcha", T0).agent
    change = heartbeat(panicked, T0 + timedelta(minutes=1))
    assert change.agent.status is AgentStatus.PANIC and change.event is None
    assert change.agent.last_heartbeat == T0 + timedelta(minutes=1)


def test_panic_is_logged_with_its_reason_and_the_ip_to_block() -> None:
    change = panic(ONLINE, "captcha", T0, {"url": "https://wb.ru/x"})
    assert change.agent.status is AgentStatus.PANIC
    assert change.event is not None
    assert (change.event.kind, change.event.message) == (AgentStatus.PANIC, "captcha")
    assert dict(change.event.details) == {"url": "https://wb.ru/x", "ip": "10.0.0.1"}
    assert change.event.severity is Severity.CRITICAL
    assert ip_to_block(change) == "10.0.0.1"
    assert ip_to_block(panic(ONLINE, "ban", T0, {"ip": "10.9.9.9"})) == "10.9.9.9"  # the agent's own report wins
    assert ip_to_block(panic(replace(ONLINE, ip=None), "ban", T0)) is None
    assert ip_to_block(heartbeat(replace(ONLINE, status=AgentStatus.OFFLINE), T0)) is None


def test_panic_comes_from_any_status() -> None:
    for status in AgentStatus:
        assert panic(replace(ONLINE, status=status), "ban", T0).agent.status is AgentStatus.PANIC


def test_only_an_agent_in_panic_recovers_and_comes_back_online() -> None:
    panicked = panic(ONLINE, "captcha", T0).agent
    change = recover(panicked, T0 + IP_BLOCK)
    assert change.agent.status is AgentStatus.ONLINE and change.agent.last_heartbeat == T0 + IP_BLOCK
    assert change.event is not None and change.event.kind is AgentStatus.ONLINE
    assert change.event.severity is Severity.INFO
    with pytest.raises(InvalidAgentTransition, match="status='online'"):
        recover(ONLINE, T0)


@PROPERTY
@given(offsets=st.lists(st.integers(min_value=-600, max_value=600), min_size=1, max_size=20))
def test_heartbeats_in_any_order_keep_the_latest_and_never_make_an_agent_stale(offsets: list[int]) -> None:
    agent = replace(ONLINE, last_heartbeat=None, status=AgentStatus.OFFLINE)
    for offset in offsets:
        agent = heartbeat(agent, T0 + timedelta(seconds=offset)).agent
    latest = T0 + timedelta(seconds=max(offsets))
    assert agent.last_heartbeat == latest and agent.status is AgentStatus.ONLINE
    assert not is_stale(agent, latest + HEARTBEAT_TIMEOUT)
    assert is_stale(agent, latest + HEARTBEAT_TIMEOUT + TICK)
