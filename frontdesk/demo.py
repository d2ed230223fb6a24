"""Demo data: one account of each role and a few cases, created once however often this runs.

What a newcomer signed in as the demo customer finds in My Cases, and as the demo agent in
the agent's case list:

- a "Send us a message" case, answered by the demo agent (In Progress);
- a "Call us" case with the call logged (so the 24-hour close leaves it alone), now
  Waiting on Customer with the reason;
- a "Chat with an agent" case, New.

The cases are opened through the case service like any other, on the last working
morning before now, when chat is staffed: a chat case can only be opened then. They are
made only while the demo customer has no cases at all, so running this again, or after
trying the portal, adds nothing.

The demo agent serves every queue: an agent with no queues set works all of them (see
`CaseService.list_queue_cases`), so every case, the demo ones included, is in Ben's list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.accounts import store
from frontdesk.accounts.models import Role, User
from frontdesk.business_hours import UK, BusinessCalendar
from frontdesk.cases import store as case_store
from frontdesk.cases.models import Case, CaseOpen, Channel, Status
from frontdesk.clock import FixedClock
from frontdesk.errors import FrontdeskError
from frontdesk.events import NobodyListens
from frontdesk.intake.human_check import solve
from frontdesk.intake.taxonomy import Choice
from frontdesk.kb.importer import DEMO_CONTENT, import_folder
from frontdesk.replies.models import ReplyIn, Scope
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
# No queues: the demo agent works every queue (an agent with none sees all of them).
DEMO_AGENT_QUEUES: tuple[str, ...] = ()

DEMO_CONTACT = {
    "phone": "01632 960001",
    "country": "United Kingdom",
    "language": "English",
    "institution": "Northfield School",
}


@dataclass(frozen=True)
class DemoCase:
    channel: Channel
    choice: Choice
    description: str


def _exams_officer(issue: str, category: str, sub: str, qual: str, subject: str) -> Choice:
    return Choice(
        customer_type="Exams Officers", issue_type=issue, category=category, subcategory=sub,
        qualification=qual, qualification_subject=subject,
    )  # fmt: skip


DEMO_CASES = (
    DemoCase(
        Channel.MESSAGE,
        _exams_officer(
            "Certificates", "Certificate Delivery", "Missing Certificates", "GCSE", "Mathematics"
        ),
        "Our GCSE Mathematics certificates from the summer series have not arrived; the "
        "certificates for every other subject came last week.",
    ),
    DemoCase(
        Channel.CALL,
        _exams_officer("Entries & Registrations", "Entries", "Late Entries", "A Level", "Physics"),
        "Two candidates need late entries for A Level Physics; what fee applies?",
    ),
    DemoCase(
        Channel.CHAT,
        _exams_officer(
            "Results", "Results Day", "Accessing Results", "Northgate Nationals", "Business"
        ),
        "Our exams officer account shows no Northgate Nationals Business results yet.",
    ),
)
REPLY = (
    "Thank you, Ann. The Mathematics certificates were sent separately and should reach "
    "you within five working days; if they have not arrived by then, reply here."
)
# Shared canned replies, as a supervisor would write them: "/" in a chat finds them.
DEMO_REPLIES = (
    ReplyIn(
        scope=Scope.SHARED, shortcut="hello", title="Greeting",
        body="Hello {customer_first_name}, I'm {agent_name} and I'm looking at case "
        "{case_number} now.",
    ),
    ReplyIn(
        scope=Scope.SHARED, shortcut="hours", title="Our opening hours",
        body="Our team is here {group_hours}.",
    ),
    ReplyIn(
        scope=Scope.SHARED, shortcut="thanks", title="Anything else?",
        body="Thank you, {customer_first_name}. Is there anything else I can help with today?",
    ),
)  # fmt: skip
CALL_NOTES = "Called back: late entry fees explained; the candidate numbers are to follow."
WAITING_REASON = "Please send us the candidate numbers of the two late entries."


async def _user(conn: AsyncConnection, username: str) -> User | None:
    found = await store.select_user_by_login(conn, username)
    return None if found is None else found[0]


async def load_demo_data(
    services: Services, progress: Callable[[str], None] = print
) -> list[DemoAccount]:
    """Create the demo accounts and cases that are missing; returns the accounts."""
    users: dict[Role, User] = {}
    for number, account in enumerate(DEMO_ACCOUNTS, start=1):
        async with services.engine.connect() as conn:
            user = await _user(conn, account.username)
        state = "exists" if user else "created"
        if user is None:
            user = await services.accounts.add_user(
                email=account.username,
                username=account.username,
                password=account.password,
                first_name=account.first_name,
                last_name=account.last_name,
                role=account.role,
            )
        users[account.role] = user
        progress(
            f"[{number}/{len(DEMO_ACCOUNTS)}] {account.role.value:<10} {account.username} ({state})"
        )
    agent = users[Role.AGENT]
    await services.case_work.set_agent_queues(agent, list(DEMO_AGENT_QUEUES))
    progress(f"{'':6}{'queues':<10} {agent.username} works every queue")
    report = await import_folder(services.kb, services.community, DEMO_CONTENT, show_progress=True)
    progress(f"{'':6}{'articles':<10} {report}")
    await _load_demo_replies(services, users[Role.SUPERVISOR], progress)
    await _load_demo_cases(services, users[Role.CUSTOMER], agent, progress)
    return list(DEMO_ACCOUNTS)


async def _load_demo_replies(
    services: Services, supervisor: User, progress: Callable[[str], None]
) -> None:
    shared = [r for r in await services.replies.list_for(supervisor) if r.scope is Scope.SHARED]
    if shared:
        progress(f"{'':6}{'replies':<10} {len(shared)} shared canned replies already (kept)")
        return
    for reply in DEMO_REPLIES:
        await services.replies.create(supervisor, reply)
    shortcuts = ", ".join(f"/{reply.shortcut}" for reply in DEMO_REPLIES)
    progress(f"{'':6}{'replies':<10} shared canned replies {shortcuts} (created)")


async def _load_demo_cases(
    services: Services, customer: User, agent: User, progress: Callable[[str], None]
) -> None:
    async with services.engine.connect() as conn:
        _found, total = await case_store.select_cases(conn, customer_id=customer.id, limit=1)
    if total:
        progress(f"{'':6}{'cases':<10} {customer.username} has {total} already (kept)")
        return
    # The same store, seen from the last working morning: chat was staffed then.
    clock = FixedClock(last_working_morning(services.clock.now()))
    past = Services.build(services.settings, clock, notifier=NobodyListens())
    try:
        for number, demo in enumerate(DEMO_CASES, start=1):
            prefix = f"[{number}/{len(DEMO_CASES)}] {'case':<10}"
            try:
                case = await past.cases.open_case(customer, _case_open(past, customer, demo))
            except FrontdeskError as error:  # an edited taxonomy may not offer it
                progress(f"{prefix} {demo.channel.value}: skipped ({error.message})")
                continue
            clock.advance(minutes=20)
            await _follow_up(past, agent, case)
            clock.advance(minutes=10)
            progress(f"{prefix} {case.number} {demo.channel.value}: {case.subject} (created)")
    finally:
        await past.aclose()


def _case_open(services: Services, customer: User, demo: DemoCase) -> CaseOpen:
    challenge = services.intake.human_check_challenge()
    return CaseOpen(
        choice=demo.choice,
        description=demo.description,
        contact={
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "email": customer.email,
            **DEMO_CONTACT,
        },
        channel=demo.channel,
        human_check=solve(challenge),
    )


async def _follow_up(services: Services, agent: User, case: Case) -> None:
    """What the demo agent has done on each case so far."""
    if case.channel is Channel.MESSAGE:
        await services.case_work.reply(agent, case.number, REPLY)
    elif case.channel is Channel.CALL:
        await services.case_work.log_call(agent, case.number, CALL_NOTES)
        await services.case_work.change_status(
            agent, case.number, Status.WAITING_ON_CUSTOMER, WAITING_REASON
        )


def last_working_morning(now: datetime, calendar: BusinessCalendar | None = None) -> datetime:
    """10:00 UK time on the last working day before `now`'s UK date, in UTC."""
    calendar = calendar or BusinessCalendar()
    day: date = now.astimezone(UK).date() - timedelta(days=1)
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return datetime.combine(day, time(10, 0), tzinfo=UK).astimezone(now.tzinfo)
