"""Alerts: what the modules raise, how severe it is, and who receives it (SPEC §4.5).

- `Alert` — an alert as a module raises it (module, type, `Severity`, brand, message, time);
- `Severity` — ``info`` < ``warning`` < ``critical`` (``low`` / ``medium`` / ``high`` read as
  aliases); `worst` picks the most severe;
- `User` with a `Role` and a brand (or `ALL_BRANDS`), and its `Contact` addresses;
- `recipients` — the users an alert goes to, by the module's policy in `POLICIES`: managers of
  the alert's brand, and the senior, director and admin as the severity rises.

>>> from adolf.domain.alerts import Role, User, recipients, worst, Severity
>>> users = [
...     User("1", "Anna", Role.MANAGER, "ohana_market"),
...     User("2", "Boris", Role.MANAGER, "ohana_kids"),
...     User("3", "Vera", Role.SENIOR, "all"),
...     User("4", "Gleb", Role.DIRECTOR, "all"),
... ]
>>> [user.name for user in recipients("watcher", "info", "ohana_market", users)]
['Anna']
>>> [user.name for user in recipients("watcher", "warning", "ohana_market", users)]
['Anna', 'Vera']
>>> [user.name for user in recipients("marketing", "high", "ohana_kids", users)]
['Boris', 'Vera', 'Gleb']
>>> worst([Severity.INFO, Severity.CRITICAL, Severity.WARNING])
<Severity.CRITICAL: 'critical'>
"""

from adolf.domain.alerts.alert import Alert, InvalidAlert
from adolf.domain.alerts.routing import POLICIES, Policy, recipients
from adolf.domain.alerts.severity import AlertModule, Severity, UnknownModule, UnknownSeverity, worst
from adolf.domain.alerts.users import ALL_BRANDS, Contact, InvalidUser, Role, UnknownRole, User

__all__ = [
    "ALL_BRANDS",
    "POLICIES",
    "Alert",
    "AlertModule",
    "Contact",
    "InvalidAlert",
    "InvalidUser",
    "Policy",
    "Role",
    "Severity",
    "UnknownModule",
    "UnknownRole",
    "UnknownSeverity",
    "User",
    "recipients",
    "worst",
]
