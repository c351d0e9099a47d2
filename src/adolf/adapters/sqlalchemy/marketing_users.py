"""``SqlUserDirectory``: the people alerts are routed to (SPEC §4.5).

``add`` inserts or replaces by id, so seeding the directory twice (a restarted embedded
runtime, a re-run setup script) leaves one row per user.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.marketing_bulk import upsert
from adolf.adapters.sqlalchemy.tables import users
from adolf.domain.alerts.users import Contact, Role, User

_FIELDS = ("name", "role", "brand", "active", "contacts")


class SqlUserDirectory:
    def __init__(self, session: Session) -> None:
        self.session = session

    def active(self) -> list[User]:
        query = select(users).where(users.c.active.is_(True)).order_by(users.c.id)
        return [
            User(
                id=r["id"],
                name=r["name"],
                role=Role.parse(r["role"]),
                brand=r["brand"],
                active=bool(r["active"]),
                contacts=tuple(Contact(channel=c["channel"], address=c["address"]) for c in r["contacts"]),
            )
            for r in self.session.execute(query).mappings()
        ]

    def add(self, user: User) -> None:
        row = {
            "id": user.id,
            "name": user.name,
            "role": user.role.value,
            "brand": user.brand,
            "active": user.active,
            "contacts": [{"channel": c.channel, "address": c.address} for c in user.contacts],
        }
        upsert(self.session, users, [row], ("id",), _FIELDS)
