"""Plain async helpers that make test data through the real services."""

from __future__ import annotations

import itertools
import re
from typing import Any

import altcha
from sqlalchemy import select

from frontdesk.accounts.models import Role, User
from frontdesk.cases.models import Case, CaseOpen, Channel
from frontdesk.db.tables import outbox
from frontdesk.intake.taxonomy import Choice
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


# Cases ---------------------------------------------------------------------------------------

# Who runs the portal unless a test says otherwise (Settings.organisation_name's default),
# and the queue that owns CHOICE's cases in the shipped taxonomy. A new case is the
# organisation's until routing hands it to the queue: its first "Case Owner" change.
ORGANISATION = "Northgate Assessment"
EXAMS_OFFICERS_QUEUE = "Northgate: Exams Officers"
FIRST_OWNER = f"{ORGANISATION} to {EXAMS_OFFICERS_QUEUE}"

# Exams Officers asking about GCSE certificates: the guide's own example, owned by the
# EXAMS_OFFICERS_QUEUE, reply in 2 working days.
CHOICE = {
    "customer_type": "Exams Officers",
    "issue_type": "Certificates",
    "category": "Certificate Delivery",
    "subcategory": "Certificate Receipt Dates",
    "qualification": "GCSE",
    "qualification_subject": "Mathematics",
}
CONTACT = {
    "phone": "01234 567890",
    "country": "United Kingdom",
    "language": "English",
    "institution": "Northfield School Examination Officer",
}


def solved_human_check(services: Services) -> str:
    """A real solution to a real challenge of this app's human check, as the Contact Us
    widget would send it (tests set an easy one: FRONTDESK_CONTACT_CHECK_MAX_COUNTER)."""
    issued = services.intake.human_check_challenge()
    challenge = altcha.Challenge.from_dict(issued)
    solution = altcha.solve_challenge(challenge)
    assert solution is not None
    return altcha.Payload(challenge, solution).to_base64()


async def open_case(
    services: Services, customer: User, channel: Channel = Channel.MESSAGE, **overrides: Any
) -> Case:
    """Open a case through the case service, as Contact Us does.

    `overrides` may name any choice field (subcategory, issue_type...), any contact
    field (email, phone...) or the description."""
    choice = {key: overrides.pop(key, value) for key, value in CHOICE.items()}
    contact = {
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "email": customer.email,
        **CONTACT,
    }
    contact = {key: overrides.pop(key, value) for key, value in contact.items()}
    description = overrides.pop("description", "Our GCSE certificates have not arrived yet.")
    assert not overrides, f"unknown case fields: {sorted(overrides)}"
    data = CaseOpen(
        choice=Choice(**choice),
        description=description,
        contact=contact,
        channel=channel,
        human_check=solved_human_check(services),
    )
    return await services.cases.open_case(customer, data)


async def copy_case(services: Services, case: Case, customer: User) -> str:
    """Another case like `case` for `customer`, written straight to the store: for tests
    that need hundreds of cases, where solving a human check for each would dominate."""
    from frontdesk.cases import store as case_store
    from frontdesk.cases.numbers import new_case_number
    from frontdesk.db.engine import transaction

    values = case.model_dump(exclude={"id"}, mode="python")
    values.update(customer_id=customer.id, number=new_case_number())
    values = {key: getattr(value, "value", value) for key, value in values.items()}
    async with transaction(services.engine) as conn:
        await case_store.insert_case(conn, values)
    return str(values["number"])
