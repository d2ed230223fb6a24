"""Plain async helpers that make test data through the real services."""

from __future__ import annotations

import itertools
import re
from typing import Any

from sqlalchemy import select

from frontdesk.accounts.models import Role, User
from frontdesk.db.tables import outbox
from frontdesk.services import Services

PASSWORD = "Correct1horse"
_numbers = itertools.count(1)


async def make_user(
    services: Services, role: Role = Role.CUSTOMER, password: str = PASSWORD, **overrides: Any
) -> User:
    number = next(_numbers)
    email = overrides.pop("email", f"user{number}@school{number}.sch.uk")
    values = {
        "email": email,
        "username": overrides.pop("username", email),
        "password": password,
        "first_name": overrides.pop("first_name", f"First{number}"),
        "last_name": overrides.pop("last_name", f"Last{number}"),
        "role": role,
        **overrides,
    }
    return await services.accounts.add_user(**values)


def registration(**overrides: Any) -> dict[str, Any]:
    """A valid registration form, as the API takes it."""
    number = next(_numbers)
    email = overrides.pop("email", f"new{number}@centre{number}.ac.uk")
    return {
        "email": email,
        "email_confirm": overrides.pop("email_confirm", email),
        "username": "",
        "password": PASSWORD,
        "first_name": "Ann",
        "last_name": "Example",
        "country": "GB",
        "accept_terms": True,
        **overrides,
    }


async def outbox_messages(services: Services, to: str | None = None) -> list[Any]:
    async with services.engine.connect() as conn:
        query = select(outbox).order_by(outbox.c.id)
        if to is not None:
            query = query.where(outbox.c.to_addr == to)
        return list((await conn.execute(query)).all())


LINK = re.compile(r"https?://\S+/(?:verify-email|reset-password)\?token=(\S+)")


async def last_link_token(services: Services, to: str) -> str:
    """The token of the newest verification or reset link emailed to `to`."""
    for message in reversed(await outbox_messages(services, to)):
        found = LINK.search(message.body)
        if found:
            return found.group(1)
    raise AssertionError(f"no link emailed to {to}")
