"""The case service's rules on both stores: opening cases from Contact Us, case numbers,
reply targets, the 24-hour close of call-us cases, status rules, queues."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import altcha
import pytest
import yaml

from frontdesk.accounts.models import Role, User
from frontdesk.business_hours import UK
from frontdesk.cases import service as case_service
from frontdesk.cases import store as case_store
from frontdesk.cases.models import ActivityKind, Case, CaseOpen, Channel, Status
from frontdesk.cases.staff import CALL_CLOSE_REASON
from frontdesk.errors import Conflict, Forbidden, Invalid, NotFound
from frontdesk.events import RecordingNotifier
from frontdesk.intake.human_check import HumanCheck
from frontdesk.intake.taxonomy import DEFAULT_TAXONOMY, Choice
from frontdesk.services import Services
from tests.factories import EXAMS_OFFICERS_QUEUE, ORGANISATION, make_user, outbox_messages

# On both stores (both_stores) where the store decides: numbers, lengths, dates and two
# nodes at once. The rest is the service's rules, the same on either store.

# The clock starts on Monday 15 June 2026 at 10:00 UTC (11:00 BST). Tests only move it
# forwards: each node's call-us sweep runs once as it starts, with the clock as it was.
START = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)

CHOICES: dict[str, dict[str, str]] = {
    # key: the choice; its owner queue and reply target follow in ROUTES
    "results": {
        "customer_type": "Exams Officers",
        "issue_type": "Results",
        "category": "Results Day",
        "subcategory": "Missing Results",
        "qualification": "GCSE",
        "qualification_subject": "Mathematics",
    },
    "contracts": {
        "customer_type": "Northgate Associates",
        "issue_type": "Associate contracts, deployment & allocation",
        "category": "Contracts",
        "subcategory": "New Contracts",
        "qualification": "Not qualification specific",
        "qualification_subject": "General",
    },
    "special": {
        "customer_type": "Teachers",
        "issue_type": "Special Considerations",
        "category": "Access Arrangements",
        "subcategory": "Extra Time",
        "qualification": "A Level",
        "qualification_subject": "Physics",
    },
    "learner": {
        "customer_type": "Students & Parents",
        "issue_type": "Results",
        "category": "Results Day",
        "subcategory": "Results Slips",
        "qualification": "GCSE",
        "qualification_subject": "History",
    },
    "complaint": {
        "customer_type": "Students & Parents",
        "issue_type": "Complaints",
        "category": "Complaint",
        "subcategory": "Service Complaint",
        "qualification": "Northgate Nationals",
        "qualification_subject": "Business",
    },
}
ROUTES = {  # owner queue, reply days, phone
    "results": ("Northgate: Exams Officers", 2, "020 7946 0000"),
    "contracts": ("Northgate: Assessment Associates", 3, "020 7946 0000"),
    "special": ("Northgate: Special Considerations", 5, "020 7946 0000"),
    "learner": ("Northgate: Learner Enquiries", 5, "020 7946 0500"),
    "complaint": ("Northgate: Customer Complaints", 10, "020 7946 0200"),
}
# Challenges that cost next to nothing to solve: the work is signed into the challenge,
# so the service accepts them; most tests are about cases, not the proof of work.
CHEAP = {"cost": 2, "max_counter": 50}


def solve(challenge: dict[str, Any]) -> str:
    """The payload the Contact Us widget sends back for a challenge the server issued,
    found with the `altcha` package's own solver (the protocol's one place in this file)."""
    parsed = altcha.Challenge.from_dict(challenge)
    solution = altcha.solve_challenge(parsed)
    assert solution is not None, "the challenge could not be solved"
    return altcha.Payload(parsed, solution).to_base64()


def solved_check(services: Services, cheap: bool = True) -> str:
    check = HumanCheck(services.settings.secret_key, **(CHEAP if cheap else {}))
    return solve(check.challenge(services.clock.now()))


def case_open(
    services: Services,
    customer: User,
    channel: Channel = Channel.MESSAGE,
    choice: str = "results",
    *,
    cheap: bool = True,
    **contact: str,
) -> CaseOpen:
    return CaseOpen(
        choice=Choice(**CHOICES[choice]),
        description="Our candidates' results are missing from the results service.",
        contact={
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "email": customer.email,
            "phone": "01632 960123",
            "country": "United Kingdom",
            "language": "English",
            "institution": "Northfield Academy",
            **contact,
        },
        channel=channel,
        human_check=solved_check(services, cheap),
    )


async def open_case(
    services: Services,
    customer: User,
    channel: Channel = Channel.MESSAGE,
    choice: str = "results",
    **contact: str,
) -> Case:
    return await services.cases.open_case(
        customer, case_open(services, customer, channel, choice, **contact)
    )


async def reload(services: Services, case: Case) -> Case:
    staff = await make_user(services, Role.ADMIN)
    return await services.cases.access_case(staff, case.number)


async def closings(services: Services, viewer: User, case: Case) -> list[Any]:
    """The feed entries that record the case being closed."""
    feed = await services.cases.feed(viewer, case.number)
    return [a for a in feed if a.data.get("field") == "Status" and a.data.get("to") == "Closed"]


def uk(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UK).astimezone(UTC)


@pytest.fixture
async def customer(services: Services) -> User:
    return await make_user(services, first_name="Ann", last_name="Example")


@pytest.fixture
async def agent(services: Services) -> User:
    return await make_user(services, Role.AGENT, first_name="Ben", last_name="Agent")


# Opening a case --------------------------------------------------------------------------------


@pytest.mark.both_stores
@pytest.mark.parametrize("channel", list(Channel))
async def test_open_case_records_the_case_the_guide_describes(services, clock, customer, channel):
    assert clock.now() == START
    case = await services.cases.open_case(
        customer, case_open(services, customer, channel, cheap=False)
    )
    assert len(case.number) == 8 and case.number.isdigit() and case.number[0] != "0"
    assert case.subject == "Missing Results (GCSE Mathematics)"
    assert case.status is Status.NEW
    assert case.channel is channel
    assert case.customer_id == customer.id
    assert case.owner_queue == EXAMS_OFFICERS_QUEUE
    assert case.customer_group == "centres"
    assert case.reply_days == 2
    assert case.reply_by == START + timedelta(days=2)  # Wednesday, same time
    assert case.phone == "020 7946 0000"
    assert case.created_at == START
    assert case.closed_at is None and case.call_logged_at is None
    assert case.description_block() == (
        "Description : Our candidates' results are missing from the results service.;\n"
        "First Name : Ann;\n"
        "Last Name : Example;\n"
        f"Email Address : {customer.email};\n"
        "Phone Number : 01632 960123;\n"
        "Country : United Kingdom;\n"
        "Language : English;\n"
        "School/University : Northfield Academy"
    )
    assert await services.cases.access_case(customer, case.number) == case


async def test_the_feed_starts_with_created_and_the_case_owner(services, customer):
    case = await open_case(services, customer)
    feed = await services.cases.feed(customer, case.number, newest_first=False)
    assert [(a.kind, a.actor_name, a.actor_role) for a in feed] == [
        (ActivityKind.CREATED, "Ann Example", "Customer"),
        # The taxonomy routed the case, not the customer: the system's item.
        (ActivityKind.FIELD_CHANGED, "frontdesk", "System"),
    ]
    assert feed[1].data == {
        "field": "Case Owner",
        "from": ORGANISATION,
        "to": EXAMS_OFFICERS_QUEUE,
        "reply_by": case.reply_by.isoformat(),  # a message case: when a reply is due
    }
    newest_first = await services.cases.feed(customer, case.number)
    assert [a.id for a in newest_first] == [a.id for a in reversed(feed)]


@pytest.mark.parametrize(
    "channel, says",
    [
        # Opened while the lines are open: the guide's 24 hours, from now.
        (
            Channel.CALL,
            "If you do not call us within 24 hours of creating the case, we will close it"
            " automatically.",
        ),
        (Channel.MESSAGE, "within 2 working days, by 17/06/2026 11:00 (UK time)"),
        (Channel.CHAT, "You asked to chat with our team"),
    ],
)
async def test_a_confirmation_email_is_queued(services, customer, channel, says):
    case = await open_case(services, customer, channel, email="exams@northfield.sch.uk")
    [message] = await outbox_messages(services, to="exams@northfield.sch.uk")
    assert message.subject == f"Your case {case.number}: {case.subject}"
    assert f"Your case number is {case.number}." in message.body
    assert says in " ".join(message.body.split())  # as read, whatever the line breaks
    # Sent before any chat: it must not say one took place.
    assert "is attached to this case" not in message.body
    assert await outbox_messages(services, to=customer.email) == []


async def test_the_contact_details_are_kept_for_next_time(services, customer):
    before = await services.cases.previous_contact(customer)
    assert before == {
        "first_name": "Ann",
        "last_name": "Example",
        "email": customer.email,
    }
    await open_case(services, customer, phone="01632 960999", institution="Southfield College")
    after = await services.cases.previous_contact(customer)
    assert after == {
        "first_name": "Ann",
        "last_name": "Example",
        "email": customer.email,
        "phone": "01632 960999",
        "country": "United Kingdom",
        "language": "English",
        "institution": "Southfield College",
    }
    await open_case(services, customer, language="Welsh")
    assert (await services.cases.previous_contact(customer))["language"] == "Welsh"
    other = await make_user(services)
    assert (await services.cases.previous_contact(other))["email"] == other.email


@pytest.mark.parametrize("choice", list(ROUTES))
async def test_owner_queue_reply_by_and_phone_follow_the_choice(services, customer, choice):
    queue, days, phone = ROUTES[choice]
    case = await open_case(services, customer, Channel.MESSAGE, choice)
    assert (case.owner_queue, case.reply_days, case.phone) == (queue, days, phone)
    # From Monday 15 June 2026: 2 -> Wed 17, 3 -> Thu 18, 5 -> Mon 22, 10 -> Mon 29.
    due = {2: 17, 3: 18, 5: 22, 10: 29}[days]
    assert case.reply_by == datetime(2026, 6, due, 10, 0, tzinfo=UTC)


async def test_reply_by_from_a_friday_afternoon_before_a_bank_holiday_monday(
    services, clock, customer
):
    clock.set(uk(2026, 8, 28, 15, 30))  # Friday; Monday 31 August is a bank holiday
    case = await open_case(services, customer, Channel.CHAT)
    assert case.reply_by == uk(2026, 9, 2, 15, 30)  # Tuesday and Wednesday count
    complaint = await open_case(services, customer, Channel.MESSAGE, "complaint")
    assert complaint.reply_by == uk(2026, 9, 14, 15, 30)  # ten working days


async def test_a_message_sent_on_a_saturday_counts_from_monday_morning(services, clock, customer):
    # Not Tuesday 23:59 (as it was): the promise is a time the team is at work.
    clock.set(uk(2026, 6, 20, 10, 0))
    case = await open_case(services, customer)
    assert case.reply_by == uk(2026, 6, 24, 9, 0)


async def test_a_message_sent_before_opening_counts_from_opening_time(services, clock, customer):
    clock.set(uk(2026, 12, 7, 7, 20))  # Monday, before the 09:00 opening
    case = await open_case(services, customer)
    assert case.reply_by == uk(2026, 12, 9, 9, 0)


@pytest.mark.parametrize(
    "when, choice, says",
    [
        (uk(2026, 6, 20, 12, 0), "results", "Chat opens again Monday 22 June at 09:00"),
        (uk(2026, 6, 16, 17, 0), "results", "Chat opens again Wednesday 17 June at 09:00"),
        (uk(2026, 8, 31, 10, 0), "results", "Chat opens again Tuesday 01 September at 09:00"),
        (uk(2026, 6, 16, 10, 0), "complaint", "Chat is not offered for this kind of query"),
    ],
    ids=["weekend", "after five", "bank holiday", "not offered"],
)
async def test_chat_when_chat_is_not_open_is_refused_and_creates_nothing(
    services, clock, customer, store_counts, when, choice, says
):
    clock.set(when)
    data = case_open(services, customer, Channel.CHAT, choice)
    before = await store_counts()
    with pytest.raises(Conflict) as caught:
        await services.cases.open_case(customer, data)
    assert caught.value.code == "CHAT_UNAVAILABLE"
    assert says in caught.value.message
    assert await store_counts() == before
    # The human check was not spent: the same solution still opens a message case.
    case = await services.cases.open_case(
        customer, data.model_copy(update={"channel": Channel.MESSAGE})
    )
    assert case.channel is Channel.MESSAGE


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
async def test_only_customers_open_cases(services, store_counts, role):
    staff = await make_user(services, role)
    before = await store_counts()
    with pytest.raises(Forbidden):
        await services.cases.open_case(staff, case_open(services, staff))
    assert await store_counts() == before


async def test_a_choice_off_the_list_is_refused_naming_the_field(services, customer, store_counts):
    data = case_open(services, customer)
    wrong = data.choice.model_copy(update={"issue_type": "Marking & Training"})
    before = await store_counts()
    with pytest.raises(Invalid) as caught:
        await services.cases.open_case(customer, data.model_copy(update={"choice": wrong}))
    assert caught.value.code == "INVALID_CHOICE"
    assert caught.value.fields == {"choice.issue_type": "Choose an issue type from the list"}
    assert await store_counts() == before


async def test_a_solution_opens_one_case_only(services, customer, store_counts):
    data = case_open(services, customer)
    await services.cases.open_case(customer, data)
    before = await store_counts()
    with pytest.raises(Invalid) as caught:
        await services.cases.open_case(customer, data)
    assert caught.value.code == "HUMAN_CHECK_FAILED"
    assert await store_counts() == before


async def test_another_customers_case_is_not_found(services, customer):
    case = await open_case(services, customer)
    stranger = await make_user(services)
    with pytest.raises(NotFound):
        await services.cases.access_case(stranger, case.number)
    with pytest.raises(NotFound):
        await services.cases.feed(stranger, case.number)


@pytest.mark.both_stores
async def test_long_taxonomy_names_make_a_subject_the_store_keeps(start_app, tmp_path, clock):
    """Names may be 200 characters each; the subject built from three is cut to 200, so
    the case and its email subject line ("Your case 12345678: ...") fit the store."""
    data = yaml.safe_load(DEFAULT_TAXONOMY.read_text(encoding="utf-8"))
    long_names = {
        "subcategory": "Missing Results " + "s" * 184,
        "qualification": "GCSE " + "q" * 195,
        "qualification_subject": "Mathematics " + "m" * 188,
    }
    data["issue_types"][1]["categories"][0]["subcategories"].append(long_names["subcategory"])
    data["qualifications"].append(
        {"name": long_names["qualification"], "subjects": [long_names["qualification_subject"]]}
    )
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    services = (await start_app(taxonomy_path=path)).extensions["frontdesk"]
    customer = await make_user(services)
    data = case_open(services, customer)
    choice = data.choice.model_copy(update=long_names)
    case = await services.cases.open_case(customer, data.model_copy(update={"choice": choice}))
    assert case.subject == long_names["subcategory"][:199] + "…"
    assert case.subcategory == long_names["subcategory"]
    [email] = await outbox_messages(services, to=customer.email)
    assert email.subject == f"Your case {case.number}: {case.subject}"
    agent = await make_user(services, Role.AGENT)
    await services.case_work.reply(agent, case.number, "We are looking into it.")
    assert len((await outbox_messages(services, to=customer.email))[-1].subject) == 224


# Case numbers ---------------------------------------------------------------------------------


@pytest.mark.both_stores
async def test_case_numbers_are_eight_digits_and_unique_across_many_cases(services, customer):
    cases = [await open_case(services, customer) for _ in range(50)]
    numbers = {case.number for case in cases}
    assert len(numbers) == 50
    assert all(len(n) == 8 and n.isdigit() and n[0] != "0" for n in numbers)
    staff = await make_user(services, Role.ADMIN)
    page = await services.cases.list_queue_cases(staff, page=1, page_size=1)
    assert page.total == 50


@pytest.mark.both_stores
async def test_a_number_in_use_is_never_reused(services, customer, monkeypatch):
    first = await open_case(services, customer)
    draws = iter([first.number, first.number, "12345678"])
    monkeypatch.setattr(case_service, "new_case_number", lambda: next(draws))
    second = await open_case(services, customer)
    assert second.number == "12345678"
    assert (await reload(services, first)).id == first.id


@pytest.mark.both_stores
async def test_when_every_draw_is_taken_nothing_is_created(
    services, customer, monkeypatch, store_counts
):
    first = await open_case(services, customer)
    monkeypatch.setattr(case_service, "new_case_number", itertools.repeat(first.number).__next__)
    data = case_open(services, customer)
    before = await store_counts()
    with pytest.raises(Conflict):
        await services.cases.open_case(customer, data)
    assert await store_counts() == before


# The 24-hour close of call-us cases ------------------------------------------------------------


async def test_a_call_us_case_closes_exactly_24_hours_after_it_opened(
    services, clock, customer, agent
):
    case = await open_case(services, customer, Channel.CALL)
    clock.set(START + timedelta(hours=23, minutes=59, seconds=59))
    assert await services.case_work.close_unanswered_calls() == []
    assert (await reload(services, case)).status is Status.NEW
    clock.set(START + timedelta(hours=24))
    assert await services.case_work.close_unanswered_calls() == [case.id]
    closed = await reload(services, case)
    assert closed.status is Status.CLOSED
    assert closed.closed_at == START + timedelta(hours=24)
    assert closed.closed_reason == CALL_CLOSE_REASON
    [entry] = await closings(services, customer, case)
    assert (entry.actor_name, entry.actor_role, entry.body) == (
        "frontdesk",
        "System",
        CALL_CLOSE_REASON,
    )
    # Sweeping again changes nothing.
    clock.advance(hours=1)
    assert await services.case_work.close_unanswered_calls() == []
    assert len(await closings(services, customer, case)) == 1
    with pytest.raises(Conflict):
        await services.case_work.log_call(agent, case.number, "Called too late")


async def test_a_call_us_case_opened_on_a_friday_evening_waits_for_the_lines_to_open(
    services, clock, customer
):
    # Lines Monday to Friday 08:00-17:00: 24 hours from Monday 08:00, not from now.
    clock.set(uk(2026, 6, 19, 19, 30))
    case = await open_case(services, customer, Channel.CALL)
    assert case.call_by == uk(2026, 6, 23, 8, 0)
    [message] = await outbox_messages(services, to=case.contact_email)
    assert (
        "Our lines are closed now and open again Monday 22 June at 08:00 (UK time). If you do"
        " not call us by Tuesday 23 June at 08:00 (UK time), we will close the case"
        " automatically." in message.body
    )
    clock.set(uk(2026, 6, 20, 19, 30))  # 24 hours on: the lines have not opened yet
    assert await services.case_work.close_unanswered_calls() == []
    clock.set(uk(2026, 6, 23, 7, 59))
    assert await services.case_work.close_unanswered_calls() == []
    clock.set(uk(2026, 6, 23, 8, 0))
    assert await services.case_work.close_unanswered_calls() == [case.id]


async def test_a_call_us_case_from_before_call_by_was_kept_closes_after_24_hours(
    services, clock, customer
):
    case = await open_case(services, customer, Channel.CALL)
    async with services.engine.begin() as conn:
        await case_store.update_case(conn, case.id, call_by=None)
    clock.set(START + timedelta(hours=23, minutes=59))
    assert await services.case_work.close_unanswered_calls() == []
    clock.set(START + timedelta(hours=24))
    assert await services.case_work.close_unanswered_calls() == [case.id]


async def test_a_call_us_case_with_a_call_logged_is_never_closed(services, clock, customer, agent):
    case = await open_case(services, customer, Channel.CALL)
    clock.set(START + timedelta(hours=23))
    await services.case_work.log_call(agent, case.number, "Talked through the results service")
    clock.set(START + timedelta(days=30))
    assert await services.case_work.close_unanswered_calls() == []
    called = await reload(services, case)
    assert called.status is Status.IN_PROGRESS
    assert called.call_logged_at == START + timedelta(hours=23)


async def test_message_and_chat_cases_are_never_closed_by_the_sweep(services, clock, customer):
    cases = [await open_case(services, customer, c) for c in (Channel.MESSAGE, Channel.CHAT)]
    clock.set(START + timedelta(days=30))
    assert await services.case_work.close_unanswered_calls() == []
    assert [(await reload(services, c)).status for c in cases] == [Status.NEW, Status.NEW]


async def test_a_call_us_case_waiting_on_the_customer_still_closes_without_a_call(
    services, clock, customer, agent
):
    case = await open_case(services, customer, Channel.CALL)
    await services.case_work.change_status(
        agent, case.number, Status.WAITING_ON_CUSTOMER, "Call us"
    )
    resolved = await open_case(services, customer, Channel.CALL)
    await services.case_work.change_status(agent, resolved.number, Status.RESOLVED)
    clock.set(START + timedelta(hours=24))
    assert await services.case_work.close_unanswered_calls() == [case.id]
    assert (await reload(services, resolved)).status is Status.RESOLVED


@pytest.mark.both_stores
async def test_two_nodes_sweeping_at_once_close_each_case_once(services, clock, customer, settings):
    other = Services.build(settings, clock, notifier=RecordingNotifier())
    await other.start()  # its own sweep runs now, with the clock before any deadline
    try:
        cases = [await open_case(services, customer, Channel.CALL) for _ in range(12)]
        clock.set(START + timedelta(hours=24))
        mine, theirs = await asyncio.gather(
            services.case_work.close_unanswered_calls(), other.case_work.close_unanswered_calls()
        )
    finally:
        await other.aclose()
    assert not set(mine) & set(theirs)
    assert sorted(mine + theirs) == sorted(c.id for c in cases)
    for case in cases:
        assert len(await closings(services, customer, case)) == 1


# Status rules -----------------------------------------------------------------------------------


async def test_waiting_on_customer_needs_a_reason(services, customer, agent):
    case = await open_case(services, customer)
    for reason in (None, "", "   "):
        with pytest.raises(Invalid) as caught:
            await services.case_work.change_status(
                agent, case.number, Status.WAITING_ON_CUSTOMER, reason
            )
        assert caught.value.code == "REASON_REQUIRED"
        assert "reason" in caught.value.fields
    assert (await reload(services, case)).status is Status.NEW
    await services.case_work.change_status(
        agent, case.number, Status.WAITING_ON_CUSTOMER, "  Send the candidate numbers  "
    )
    waiting = await reload(services, case)
    assert waiting.status is Status.WAITING_ON_CUSTOMER
    assert waiting.waiting_reason == "Send the candidate numbers"
    [latest, *_] = await services.cases.feed(customer, case.number)
    assert latest.data == {
        "field": "Status",
        "from": "New",
        "to": "Waiting on Customer",
        "reason": "Send the candidate numbers",
    }
    assert (latest.actor_name, latest.actor_role) == ("Ben Agent", "Agent")


async def test_a_customer_comment_takes_a_waiting_case_back_to_in_progress(
    services, customer, agent
):
    case = await open_case(services, customer)
    await services.case_work.change_status(
        agent, case.number, Status.WAITING_ON_CUSTOMER, "Numbers"
    )
    [latest, *_] = await services.cases.feed(customer, case.number)
    await services.cases.comment(customer, case.number, latest.id, "Here they are: 1234, 5678")
    back = await reload(services, case)
    assert back.status is Status.IN_PROGRESS
    assert back.waiting_reason is None


async def test_closing_sets_closed_at_and_refuses_replies(services, clock, customer, agent):
    case = await open_case(services, customer)
    clock.advance(hours=3)
    await services.case_work.change_status(agent, case.number, Status.CLOSED, "Answered by phone")
    closed = await reload(services, case)
    assert closed.status is Status.CLOSED
    assert closed.closed_at == START + timedelta(hours=3)
    assert closed.closed_reason == "Answered by phone"
    with pytest.raises(Conflict) as caught:
        await services.case_work.reply(agent, case.number, "One more thing")
    assert caught.value.code == "CASE_CLOSED"
    with pytest.raises(Conflict):
        await services.case_work.change_status(agent, case.number, Status.IN_PROGRESS)


@pytest.mark.both_stores
async def test_a_closing_reason_longer_than_the_store_keeps_is_refused(services, customer, agent):
    case = await open_case(services, customer)
    with pytest.raises(Invalid) as caught:
        await services.case_work.change_status(agent, case.number, Status.CLOSED, "x" * 301)
    assert caught.value.code == "REASON_TOO_LONG"
    assert "reason" in caught.value.fields
    assert (await reload(services, case)).status is Status.NEW
    await services.case_work.change_status(agent, case.number, Status.CLOSED, "x" * 300)
    assert (await reload(services, case)).closed_reason == "x" * 300


async def test_a_resolved_case_can_be_reopened(services, customer, agent):
    case = await open_case(services, customer)
    await services.case_work.change_status(agent, case.number, Status.RESOLVED)
    resolved = await reload(services, case)
    assert resolved.status is Status.RESOLVED
    assert resolved.closed_at is None
    with pytest.raises(Conflict):
        await services.case_work.reply(agent, case.number, "Before reopening")
    await services.case_work.change_status(agent, case.number, Status.IN_PROGRESS)
    assert (await reload(services, case)).status is Status.IN_PROGRESS
    await services.case_work.reply(agent, case.number, "Reopened: we are looking again")


async def test_a_reply_moves_a_new_case_to_in_progress_and_emails_the_contact(
    services, customer, agent
):
    case = await open_case(services, customer, email="exams@northfield.sch.uk")
    await services.case_work.reply(agent, case.number, "The results are now released.")
    assert (await reload(services, case)).status is Status.IN_PROGRESS
    [status, reply, *_] = await services.cases.feed(customer, case.number)
    assert (reply.kind, reply.body) == (ActivityKind.REPLY, "The results are now released.")
    assert status.data == {"field": "Status", "from": "New", "to": "In Progress"}
    messages = await outbox_messages(services, to="exams@northfield.sch.uk")
    assert messages[-1].subject == f"Re: your case {case.number}: {case.subject}"
    assert "The results are now released." in messages[-1].body


async def test_customers_cannot_work_cases(services, customer):
    case = await open_case(services, customer)
    with pytest.raises(Forbidden):
        await services.case_work.change_status(customer, case.number, Status.RESOLVED)
    with pytest.raises(Forbidden):
        await services.case_work.reply(customer, case.number, "I answer myself")
    with pytest.raises(Forbidden):
        await services.case_work.move_case(customer, case.number, "Northgate: Finance")
    with pytest.raises(Forbidden):
        await services.cases.list_queue_cases(customer, page=1, page_size=10)


# Queues ---------------------------------------------------------------------------------------


async def test_moving_a_case_to_an_unknown_queue_is_refused(services, customer, agent):
    case = await open_case(services, customer)
    with pytest.raises(Invalid) as caught:
        await services.case_work.move_case(agent, case.number, "Northgate: Nowhere")
    assert "queue" in caught.value.fields
    assert (await reload(services, case)).owner_queue == EXAMS_OFFICERS_QUEUE


async def test_moving_a_case_records_the_new_owner(services, customer, agent):
    case = await open_case(services, customer)
    await services.case_work.move_case(agent, case.number, "Northgate: Finance")
    assert (await reload(services, case)).owner_queue == "Northgate: Finance"
    [latest, *_] = await services.cases.feed(customer, case.number)
    assert latest.data == {
        "field": "Case Owner",
        "from": EXAMS_OFFICERS_QUEUE,
        "to": "Northgate: Finance",
    }
    # No change, no entry.
    await services.case_work.move_case(agent, case.number, "Northgate: Finance")
    assert len(await services.cases.feed(customer, case.number)) == 3


async def test_agents_see_the_cases_of_their_queues(services, customer, agent):
    results = await open_case(services, customer, choice="results")
    complaint = await open_case(services, customer, choice="complaint")
    special = await open_case(services, customer, choice="special")

    async def seen() -> list[str]:
        page = await services.cases.list_queue_cases(agent, page=1, page_size=50)
        return [c.number for c in page.cases]

    # No queues: every open case, soonest reply-by first.
    assert await seen() == [results.number, special.number, complaint.number]
    await services.case_work.set_agent_queues(agent, ["Northgate: Customer Complaints"])
    assert await services.cases.agent_queues(agent) == ["Northgate: Customer Complaints"]
    assert await seen() == [complaint.number]
    await services.case_work.set_agent_queues(
        agent, ["Northgate: Exams Officers", "Northgate: Special Considerations"]
    )
    assert await seen() == [results.number, special.number]
    with pytest.raises(Invalid):
        await services.case_work.set_agent_queues(agent, ["Northgate: Nowhere"])
    assert await seen() == [results.number, special.number]
    await services.case_work.change_status(agent, results.number, Status.CLOSED, "Done")
    assert await seen() == [special.number]
    page = await services.cases.list_queue_cases(agent, page=1, page_size=50, include_closed=True)
    assert [c.number for c in page.cases] == [results.number, special.number]
    await services.case_work.set_agent_queues(agent, [])
    assert await seen() == [special.number, complaint.number]
