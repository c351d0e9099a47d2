"""The simulated reviews and questions of ``adolf simulate``: what goes wrong, and the
marketplace the run's jobs and its simulated manager share.

The feed (``SimulatedReputation``) starts at the run's first Moscow midnight: 48 reviews and 12
questions a day per platform and brand, Russian texts and ratings, a few malformed rows that the
polls skip and count. The fault plan (``fault_plan``), choices so a one-day run shows them:

* **the outage**: ``OUTAGE_PLATFORM`` (Ozon) answers nothing but 503 from 14:00 to 15:00 Moscow
  on the first day, on reviews and questions alike, so both Ozon breakers open, refuse polls
  through their cool-down, send one probe, reopen while Ozon is still down and close on the
  first probe after it is back;
* **the failing publish**: the answer to one WB review of the first brand, written on the first
  morning between 09:00 and 10:00 (the first such row that is not malformed), fails twice
  with a 502 and goes through on the third send — ``send_response``'s own retries. The
  simulated manager approves that item whatever its draw (``reputation_run``).

The plan reaches every process of the run as text (``ADOLF_SIM_REPUTATION_FAULTS``), so the
Celery/RQ workers' containers build the same faulty marketplace on the shared store. The
breaker opens at the third consecutive failure in the simulation (``BREAKER_FAILURES``, the
deployment's default is 5): a poll is tried 4 times (3 retries × 60 s), so at 5 the first poll
of an outage would end in the dead-letter queue before the breaker opened, and ``adolf
simulate`` exits 1 on a dead letter. At 3 the poll's own retries open it and its last retry
is answered ``circuit_open``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from adolf.adapters.marketplaces.simulated.reputation import (
    Outage,
    PublishFailure,
    ReputationFaults,
    SimulatedReputation,
)
from adolf.adapters.marketplaces.simulated.reputation_fault_plan import faults_to_text
from adolf.adapters.marketplaces.simulated.reputation_feed import ReputationFeed
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import ItemType

MOSCOW = ZoneInfo("Europe/Moscow")
OUTAGE_PLATFORM = Marketplace.OZON
OUTAGE_FROM = time(14, 0)
OUTAGE_FOR = timedelta(hours=1)
FAILING_PLATFORM = Marketplace.WB
FAILING_WRITTEN = (time(9, 0), time(10, 0))
FAILING_TIMES = 2
BREAKER_FAILURES = 3


def outage_window(first_day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(first_day, OUTAGE_FROM, MOSCOW).astimezone(UTC)
    return start, start + OUTAGE_FOR


def failing_item(seed: int, first_day: date, brand: str) -> str:
    """The external id of the WB review whose answer fails twice (see the module's docstring)."""
    begin, end = (datetime.combine(first_day, moment, MOSCOW).astimezone(UTC) for moment in FAILING_WRITTEN)
    rows = ReputationFeed(seed).rows(FAILING_PLATFORM, ItemType.REVIEW, brand, begin, end)
    for row in rows:
        if row.broken is None:
            return row.external_id
    raise ValueError(f"seed={seed} has no well-formed WB review of brand={brand!r} written {begin} … {end}")


def fault_plan(seed: int, first_day: date, brands: Sequence[str]) -> ReputationFaults:
    start, end = outage_window(first_day)
    return ReputationFaults(
        outages=(Outage(OUTAGE_PLATFORM, start, end),),
        failing_publishes=(
            PublishFailure(FAILING_PLATFORM, ItemType.REVIEW, failing_item(seed, first_day, brands[0]), FAILING_TIMES),
        ),
    )


def reputation_settings(seed: int, first_day: date, brands: Sequence[str]) -> dict[str, Any]:
    """What ``simulation_settings`` adds for Reputation (every process of the run reads them)."""
    return {
        "sim_reputation_faults": faults_to_text(fault_plan(seed, first_day, brands)),
        "reputation_breaker_failures": BREAKER_FAILURES,
    }


def build_marketplace(container: Any, options: Any, clock: Any) -> SimulatedReputation:
    """The run's simulated reviews and questions, starting at its first midnight, with the
    settings' fault plan, on the container's store (memory inline; the database the workers'
    own simulated marketplaces share under Celery/RQ). It becomes the container's, so the jobs
    run here and the simulated manager see one marketplace."""
    from dependency_injector import providers

    from adolf.adapters.marketplaces.simulated.reputation_fault_plan import faults_from_text

    settings = container.settings()
    faults = faults_from_text(settings.sim_reputation_faults) if settings.sim_reputation_faults else None
    market = SimulatedReputation(
        settings.sim_seed, clock, start=options.start_at, faults=faults, state=container.reputation_state()
    )
    container.reputation_marketplace.override(providers.Object(market))
    return market
