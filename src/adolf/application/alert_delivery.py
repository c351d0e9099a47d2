"""Telling people of an alert: the part every module's alert job shares.

Who is told comes from the domain's routing table (``adolf.domain.alerts.routing``); this
module turns the routed people into notifications. Each notification's ``key`` is the same
for every attempt to tell one person of one alert (``{alert key}:{person}``), so a channel
that deduplicates sends it once when a job dying between sending and marking the alert
notified makes the next delivery send it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from adolf.application.ports.alerts import Notification, Notifier
from adolf.domain.alerts.routing import recipients
from adolf.domain.alerts.severity import Severity
from adolf.domain.alerts.users import ALL_BRANDS, Role, User


def subject_of(severity: Severity | str, type: str) -> str:
    return f"[{Severity.parse(severity).value}] {type}"


def notifications(people: Iterable[User], subject: str, body: str, key: str) -> list[Notification]:
    """One notification per person, keyed ``{key}:{person id}``."""
    return [Notification(recipient=p.id, subject=subject, body=body, key=f"{key}:{p.id}") for p in people]


def notify(notifier: Notifier, people: Sequence[User], subject: str, body: str, key: str) -> int:
    """Send one notification per person (one ``send`` call); how many were sent."""
    notifier.send(notifications(people, subject, body, key))
    return len(people)


def admins(module: str, users: Iterable[User]) -> tuple[User, ...]:
    """The administrators an operational problem of ``module`` goes to (an agent's panic, bad
    cookies): the module's *critical* route for every brand — the only one that reaches
    admins — narrowed to admins. Routing's rules (active users only, each once) hold. With no
    active admin the whole critical route is told instead, so such a problem is never silent."""
    routed = recipients(module, Severity.CRITICAL, ALL_BRANDS, users)
    chosen = tuple(user for user in routed if user.role is Role.ADMIN)
    return chosen or routed
