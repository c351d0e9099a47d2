"""Who receives an alert: per-module policy tables by severity, filtered by brand.

Rule (SPEC §4.5):

    module      info                    warning                             critical
    Watcher     managers of the brand   + senior                            + senior, director, admin
    Marketing   managers of the brand   + senior, director, administrator   same as warning
    Logistic    managers of the brand   + senior, director, administrator   same as warning   (choice)

Only active users; a manager whose brand is ``all`` gets every brand; each recipient once.

Choices where SPEC and seeds are silent (both seeds behave this way):
- only managers are filtered by brand; senior, director and admin oversee every brand and
  receive whatever their role is routed, whatever their own brand field says;
- an alert whose brand is ``all`` concerns every brand, so every routed manager receives it;
- brands compare ignoring case and surrounding spaces;
- Logistic (seed 003 sends its alerts through an alert service but names no recipients) routes
  like Marketing: a low alert (``TASKS_GENERATED``, ``STOCK_RECOVERED``) to the brand's managers,
  a medium or high one (``LOW_STOCK``, ``TASK_OVERDUE``; ``OUT_OF_STOCK``, ``WAREHOUSE_LOW``,
  ``DATA_STALE``) also to senior, director and admin — a stock-out or an overdue supply costs
  sales now and needs whoever can ship or buy, as an overspent campaign costs money now;
- Reputation, not in the table, uses Watcher's escalation (the general info → warning →
  critical ladder); an unlisted module is an ``UnknownModule`` error;
- recipients come back in the order of the ``users`` given (stable for tests and
  notification logs), the first record of a repeated id wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from adolf.domain.alerts.severity import AlertModule, Severity, UnknownModule, UnknownSeverity
from adolf.domain.alerts.users import ALL_BRANDS, Role, User

__all__ = [
    "POLICIES",
    "AlertModule",
    "Policy",
    "Role",
    "Severity",
    "UnknownModule",
    "UnknownSeverity",
    "User",
    "recipients",
]

#: The roles that receive an alert, per severity.
Policy = Mapping[Severity, frozenset[Role]]

_MANAGERS = frozenset({Role.MANAGER})
_WITH_SENIOR = frozenset({Role.MANAGER, Role.SENIOR})
_EVERYONE = frozenset({Role.MANAGER, Role.SENIOR, Role.DIRECTOR, Role.ADMIN})

_ESCALATING: Policy = MappingProxyType(
    {Severity.INFO: _MANAGERS, Severity.WARNING: _WITH_SENIOR, Severity.CRITICAL: _EVERYONE}
)
_MARKETING: Policy = MappingProxyType(
    {Severity.INFO: _MANAGERS, Severity.WARNING: _EVERYONE, Severity.CRITICAL: _EVERYONE}
)
_LOGISTIC: Policy = _MARKETING  # choice: see the module docstring

#: Which roles receive each module's alerts at each severity (the table above).
POLICIES: Mapping[AlertModule, Policy] = MappingProxyType(
    {
        AlertModule.WATCHER: _ESCALATING,
        AlertModule.MARKETING: _MARKETING,
        AlertModule.REPUTATION: _ESCALATING,
        AlertModule.LOGISTIC: _LOGISTIC,
    }
)


def _same_brand(left: str, right: str) -> bool:
    return left.strip().casefold() == right.strip().casefold()


def _receives(user: User, roles: frozenset[Role], brand: str) -> bool:
    if not user.active or user.role not in roles:
        return False
    if user.role is not Role.MANAGER:
        return True
    return user.sees_all_brands or _same_brand(brand, ALL_BRANDS) or _same_brand(user.brand, brand)


def recipients(
    module: str,
    severity: str,
    brand: str,
    users: Iterable[User],
    policies: Mapping[AlertModule, Policy] = POLICIES,
) -> tuple[User, ...]:
    """The users an alert of ``module`` / ``severity`` about ``brand`` goes to, each once."""
    module_key = AlertModule.parse(module)
    level = Severity.parse(severity)
    policy = policies.get(module_key)
    if policy is None:
        raise UnknownModule(f"module={module!r} has no routing policy")
    roles = policy.get(level)
    if roles is None:
        raise UnknownSeverity(f"severity={severity!r} has no routing for module={module_key.value!r}")
    chosen: list[User] = []
    seen: set[str] = set()
    for user in users:
        if user.id in seen or not _receives(user, roles, brand):
            continue
        seen.add(user.id)
        chosen.append(user)
    return tuple(chosen)
