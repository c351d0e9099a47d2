"""Supply tasks: the status machine, expiry after 48 h, a task made from an allocation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.domain.logistic.allocation import Allocation, Coverage
from adolf.domain.logistic.deficit import Need, SupplyPriority
from adolf.domain.logistic.errors import IllegalTransition, InvalidLogistic
from adolf.domain.logistic.policy import SupplyPolicy
from adolf.domain.logistic.supply_tasks import (
    SupplyTask,
    SupplyTaskStatus,
    expired,
    task_for,
    transition,
    with_status,
)

from ..generators import PROPERTY

CREATED = datetime(2026, 2, 3, 4, 0, tzinfo=UTC)  # 07:00 Moscow
DAY = date(2026, 2, 3)
S = SupplyTaskStatus
ALLOWED = {(S.NEW, S.ACCEPTED), (S.NEW, S.CANCELLED), (S.ACCEPTED, S.SHIPPED), (S.ACCEPTED, S.CANCELLED)}


def task(**changes: object) -> SupplyTask:
    values: dict[str, object] = {
        "id": 1,
        "article_id": 7,
        "cluster_id": 154,
        "brand": "ohana",
        "quantity": 40,
        "allocated": 25,
        "priority": SupplyPriority.URGENT,
        "coverage": Coverage.PARTIAL,
        "status": S.NEW,
        "created_at": CREATED,
        "task_date": DAY,
        **changes,
    }
    return SupplyTask(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(("current", "target"), list(product(S, S)))
def test_the_transition_table(current: SupplyTaskStatus, target: SupplyTaskStatus) -> None:
    if (current, target) in ALLOWED:
        assert transition(current, target) is target
    else:
        with pytest.raises(IllegalTransition, match=f"status='{current.value}' cannot become target='{target.value}'"):
            transition(current, target)


def test_shipped_and_cancelled_are_final() -> None:
    assert [status for status in S if status.final] == [S.SHIPPED, S.CANCELLED]
    with pytest.raises(IllegalTransition, match="may become nothing \\(final\\)"):
        transition("shipped", "cancelled")


def test_statuses_parse_from_text_and_unknown_ones_are_named() -> None:
    assert transition(" NEW ", "accepted") is S.ACCEPTED
    with pytest.raises(InvalidLogistic, match="status='done' is not one of: new, accepted, shipped, cancelled"):
        transition("new", "done")


def test_with_status_stamps_the_time() -> None:
    later = CREATED + timedelta(hours=3)
    accepted = with_status(task(), "accepted", later)
    assert (accepted.status, accepted.accepted_at) == (S.ACCEPTED, later)
    shipped = with_status(accepted, S.SHIPPED, later + timedelta(hours=1))
    assert (shipped.status, shipped.shipped_at, shipped.accepted_at) == (S.SHIPPED, later + timedelta(hours=1), later)
    assert with_status(task(), S.CANCELLED, later).cancelled_at == later
    with pytest.raises(IllegalTransition):
        with_status(shipped, S.CANCELLED, later)


def test_expired_after_48_hours_not_at_48() -> None:
    limit = SupplyPolicy().task_max_age
    assert not expired(task(), CREATED + timedelta(hours=48), limit)
    assert expired(task(), CREATED + timedelta(hours=48, seconds=1), limit)
    accepted = with_status(task(), S.ACCEPTED, CREATED)
    assert not expired(accepted, CREATED + timedelta(days=10), limit)  # only new tasks expire
    with pytest.raises(InvalidLogistic, match="max_age"):
        expired(task(), CREATED, timedelta(0))
    with pytest.raises(InvalidLogistic, match="now="):
        expired(task(), datetime(2026, 2, 5), limit)


@PROPERTY
@given(
    status=st.sampled_from(list(S)),
    minutes=st.integers(-600, 10_000),
    max_hours=st.integers(1, 96),
)
def test_expired_exactly_when_still_new_past_the_limit(status: SupplyTaskStatus, minutes: int, max_hours: int) -> None:
    now = CREATED + timedelta(minutes=minutes)
    limit = timedelta(hours=max_hours)
    assert expired(task(status=status), now, limit) == (status is S.NEW and minutes > max_hours * 60)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"quantity": 0}, "quantity=0 must be >= 1"),
        ({"allocated": 41}, "allocated=41 must be <= quantity=40"),
        ({"allocated": -1}, "allocated=-1"),
        (
            {"coverage": Coverage.FULL},
            "coverage='full' disagrees with allocated=25 of quantity=40 \\(that is 'partial'\\)",
        ),
        ({"coverage": "most"}, "coverage='most' is not one of"),
        ({"priority": "asap"}, "priority='asap'"),
        ({"status": "lost"}, "status='lost'"),
        ({"brand": " "}, "brand=' '"),
        ({"created_at": datetime(2026, 2, 3)}, "created_at="),
        ({"task_date": CREATED}, "task_date=.* must be a date"),
        ({"days_of_cover": Decimal("-1")}, "days_of_cover="),
        ({"shipped_at": datetime(2026, 2, 3)}, "shipped_at="),
    ],
)
def test_an_invalid_task_row_is_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidLogistic, match=message):
        task(**changes)


def test_a_row_read_as_text_becomes_members() -> None:
    row = task(priority="planned", coverage="none", allocated=0, status="accepted")
    assert (row.priority, row.coverage, row.status) == (SupplyPriority.PLANNED, Coverage.NONE, S.ACCEPTED)
    assert row.key == (DAY, 7, 154)


@pytest.mark.parametrize(("allocated", "coverage"), [(30, Coverage.FULL), (12, Coverage.PARTIAL), (0, Coverage.NONE)])
def test_a_task_from_an_allocation(allocated: int, coverage: Coverage) -> None:
    need = Need(7, 154, 30, SupplyPriority.URGENT, Decimal("3.5"), Decimal("4.2"))
    made = task_for(Allocation(need, allocated, coverage), "ohana", DAY, CREATED)
    assert made == SupplyTask(
        id=0,
        article_id=7,
        cluster_id=154,
        brand="ohana",
        quantity=30,
        allocated=allocated,
        priority=SupplyPriority.URGENT,
        coverage=coverage,
        status=S.NEW,
        created_at=CREATED,
        task_date=DAY,
        days_of_cover=Decimal("3.5"),
    )
