"""Alert routing (SPEC §4.5): per-module tables, active users, managers by brand, once each."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.domain.alerts.routing import (
    POLICIES,
    AlertModule,
    Role,
    Severity,
    UnknownModule,
    UnknownSeverity,
    User,
    recipients,
)
from adolf.domain.alerts.users import ALL_BRANDS, UnknownRole

from .generators import BRANDS, PROPERTY, users

STAFF = (
    User("m1", "Manager Ohana", Role.MANAGER, "ohana"),
    User("m2", "Manager Forest", Role.MANAGER, "forest"),
    User("m3", "Manager of all", Role.MANAGER, ALL_BRANDS),
    User("m4", "Former manager", Role.MANAGER, "ohana", active=False),
    User("s1", "Senior", Role.SENIOR, "forest"),
    User("d1", "Director", Role.DIRECTOR, ALL_BRANDS),
    User("a1", "Admin", Role.ADMIN, ALL_BRANDS),
)


def ids(people: tuple[User, ...]) -> list[str]:
    return [person.id for person in people]


@pytest.mark.parametrize(
    ("module", "severity", "expected"),
    [
        ("watcher", "info", ["m1", "m3"]),
        ("watcher", "warning", ["m1", "m3", "s1"]),
        ("watcher", "critical", ["m1", "m3", "s1", "d1", "a1"]),
        ("marketing", "info", ["m1", "m3"]),
        ("marketing", "warning", ["m1", "m3", "s1", "d1", "a1"]),
        ("marketing", "critical", ["m1", "m3", "s1", "d1", "a1"]),
        ("logistic", "info", ["m1", "m3"]),
        ("logistic", "warning", ["m1", "m3", "s1", "d1", "a1"]),
        ("logistic", "critical", ["m1", "m3", "s1", "d1", "a1"]),
        ("reputation", "warning", ["m1", "m3", "s1"]),
    ],
)
def test_each_cell_of_the_routing_table(module: str, severity: str, expected: list[str]) -> None:
    assert ids(recipients(module, severity, "ohana", STAFF)) == expected


def test_senior_staff_are_not_filtered_by_their_brand() -> None:
    assert "s1" in ids(recipients("watcher", "warning", "ohana", STAFF))  # s1's brand is forest


def test_an_alert_about_all_brands_reaches_every_manager() -> None:
    assert ids(recipients("marketing", "info", ALL_BRANDS, STAFF)) == ["m1", "m2", "m3"]


def test_brands_match_ignoring_case_and_spaces() -> None:
    assert ids(recipients("marketing", "info", " Ohana ", STAFF)) == ["m1", "m3"]


def test_administrator_and_admin_are_the_same_role() -> None:
    assert Role("administrator") is Role.ADMIN
    assert Role.parse("Administrator") is Role.ADMIN
    person = User("a2", "Admin from seed 001", "administrator", ALL_BRANDS)  # type: ignore[arg-type]
    assert person.role is Role.ADMIN
    assert ids(recipients("marketing", "warning", "ohana", (person,))) == ["a2"]


def test_a_person_listed_twice_is_notified_once() -> None:
    twice = (STAFF[0], STAFF[0], User("m1", "Same id", Role.MANAGER, ALL_BRANDS))
    assert ids(recipients("watcher", "info", "ohana", twice)) == ["m1"]


def test_logistic_routes_its_seeds_severity_words_like_marketing() -> None:
    assert Severity.parse("HIGH") is Severity.CRITICAL
    assert ids(recipients("logistic", "high", "ohana", STAFF)) == ["m1", "m3", "s1", "d1", "a1"]
    assert ids(recipients("logistic", "medium", "ohana", STAFF)) == ["m1", "m3", "s1", "d1", "a1"]  # TASK_OVERDUE
    assert ids(recipients("logistic", "low", "forest", STAFF)) == ["m2", "m3"]  # TASKS_GENERATED of forest
    assert POLICIES[AlertModule.LOGISTIC] == POLICIES[AlertModule.MARKETING]


def test_unknown_module_severity_and_role_are_named_errors() -> None:
    with pytest.raises(UnknownModule, match="module='billing'"):
        recipients("billing", "info", "ohana", STAFF)
    with pytest.raises(UnknownSeverity, match="severity='urgent'"):
        recipients("watcher", "urgent", "ohana", STAFF)
    with pytest.raises(UnknownRole, match="role='intern'"):
        User("x", "X", "intern", "ohana")  # type: ignore[arg-type]


def test_a_module_missing_from_a_custom_policy_table_is_a_named_error() -> None:
    only_watcher = {AlertModule.WATCHER: POLICIES[AlertModule.WATCHER]}
    with pytest.raises(UnknownModule, match="module='marketing' has no routing policy"):
        recipients("marketing", "info", "ohana", STAFF, only_watcher)


MODULES = st.sampled_from(list(AlertModule))
SEVERITIES = st.sampled_from(list(Severity))
ALERT_BRANDS = st.sampled_from((*BRANDS, ALL_BRANDS))


@PROPERTY
@given(module=MODULES, severity=SEVERITIES, brand=ALERT_BRANDS, people=users())
def test_every_routed_recipient_is_active_and_listed_once(
    module: AlertModule, severity: Severity, brand: str, people: tuple[User, ...]
) -> None:
    chosen = recipients(module, severity, brand, people)
    assert all(person.active for person in chosen)
    assert len(ids(chosen)) == len(set(ids(chosen)))
    assert all(person in people for person in chosen)
    # stable: in the order given
    positions = [people.index(person) for person in chosen]
    assert positions == sorted(positions)


@PROPERTY
@given(module=MODULES, severity=SEVERITIES, brand=st.sampled_from(BRANDS), people=users())
def test_a_manager_of_another_brand_never_receives(
    module: AlertModule, severity: Severity, brand: str, people: tuple[User, ...]
) -> None:
    for person in recipients(module, severity, brand, people):
        if person.role is Role.MANAGER:
            assert person.brand in (brand, ALL_BRANDS)


@PROPERTY
@given(module=MODULES, severity=SEVERITIES, brand=ALERT_BRANDS, people=users())
def test_every_active_manager_of_the_brand_receives_once(
    module: AlertModule, severity: Severity, brand: str, people: tuple[User, ...]
) -> None:
    chosen = set(ids(recipients(module, severity, brand, people)))
    first_record: dict[str, User] = {}
    for person in people:
        first_record.setdefault(person.id, person)
    for person in first_record.values():
        if person.active and person.role is Role.MANAGER and brand in (person.brand, ALL_BRANDS):
            assert person.id in chosen
        if person.active and person.role is Role.MANAGER and person.brand == ALL_BRANDS:
            assert person.id in chosen


@PROPERTY
@given(module=MODULES, brand=ALERT_BRANDS, people=users())
def test_info_alerts_reach_managers_only(module: AlertModule, brand: str, people: tuple[User, ...]) -> None:
    assert all(person.role is Role.MANAGER for person in recipients(module, Severity.INFO, brand, people))
