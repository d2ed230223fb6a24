"""Demo data: one account of each role, created once however often this runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.accounts import store
from frontdesk.accounts.models import Role
from frontdesk.services import Services


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    first_name: str
    last_name: str
    role: Role


# Published in the README: demo only, never on a production store (the CLI refuses).
DEMO_ACCOUNTS = (
    DemoAccount("ann.example@school.sch.uk", "Customer123", "Ann", "Example", Role.CUSTOMER),
    DemoAccount("ben.agent@frontdesk.test", "Agent12345", "Ben", "Agent", Role.AGENT),
    DemoAccount(
        "sue.supervisor@frontdesk.test", "Supervisor1", "Sue", "Supervisor", Role.SUPERVISOR
    ),
    DemoAccount("ada.admin@frontdesk.test", "Admin12345", "Ada", "Admin", Role.ADMIN),
)


async def _exists(conn: AsyncConnection, username: str) -> bool:
    return await store.select_user_by_login(conn, username) is not None


async def load_demo_data(
    services: Services, progress: Callable[[str], None] = print
) -> list[DemoAccount]:
    """Create the demo accounts that are missing; returns them all."""
    for number, account in enumerate(DEMO_ACCOUNTS, start=1):
        async with services.engine.connect() as conn:
            exists = await _exists(conn, account.username)
        state = "exists" if exists else "created"
        if not exists:
            await services.accounts.add_user(
                email=account.username,
                username=account.username,
                password=account.password,
                first_name=account.first_name,
                last_name=account.last_name,
                role=account.role,
            )
        progress(
            f"[{number}/{len(DEMO_ACCOUNTS)}] {account.role.value:<10} {account.username} ({state})"
        )
    return list(DEMO_ACCOUNTS)
