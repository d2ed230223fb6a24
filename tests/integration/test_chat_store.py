"""Chat storage and delivery rules, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from frontdesk.accounts.models import Role
from frontdesk.business_hours import BusinessCalendar
from frontdesk.cases.models import ActivityKind, Channel, Status
from frontdesk.cases.sla import ReplyTargets
from frontdesk.chat.chats import ChatService
from frontdesk.chat.models import ChatStatus, MessageIn
from frontdesk.db.tables import case_activities, chat_messages
from frontdesk.errors import Conflict, Forbidden, NotFound
from tests.factories import make_user, open_case

# On both stores: chats and messages rely on the store's locks and unique keys.
pytestmark = pytest.mark.both_stores


@pytest.fixture
def chats(services):
    return ChatService(
        services.engine,
        services.clock,
        ReplyTargets(BusinessCalendar()),
        public_url="http://127.0.0.1:8000",
    )


@pytest.fixture
async def customer(services):
    return await make_user(services)


@pytest.fixture
async def other_customer(services):
    return await make_user(services)


@pytest.fixture
async def agent(services):
    return await make_user(services, Role.AGENT)


@pytest.fixture
async def case(services, customer):
    return await open_case(services, customer, Channel.CHAT)


@pytest.fixture
async def chat(chats, customer, agent, case):
    requested = await chats.request_chat(customer, case.number)
    return await chats.accept(requested.public_id, agent)


def msg(client_id, body=None):
    return MessageIn(client_msg_id=client_id, body=body or f"text {client_id}")


async def stored_messages(services, chat):
    async with services.engine.connect() as conn:
        query = select(func.count()).select_from(chat_messages)
        return (await conn.execute(query.where(chat_messages.c.chat_id == chat.id))).scalar_one()


async def transcripts(services, case):
    async with services.engine.connect() as conn:
        rows = await conn.execute(
            select(case_activities).where(
                case_activities.c.case_id == case.id,
                case_activities.c.kind == ActivityKind.CHAT_TRANSCRIPT.value,
            )
        )
        return list(rows)


# Starting ------------------------------------------------------------------------------


async def test_a_customer_requests_a_chat_on_their_chat_case(chats, customer, case):
    chat = await chats.request_chat(customer, case.number)

    assert chat.status is ChatStatus.REQUESTED
    assert (chat.case_id, chat.customer_id, chat.agent_id) == (case.id, customer.id, None)
    assert chat.group_name == case.customer_group
    assert chat.last_seq == 0
    assert len(chat.public_id) == 32


async def test_one_open_chat_per_case(chats, customer, case):
    first = await chats.request_chat(customer, case.number)

    with pytest.raises(Conflict) as refused:
        await chats.request_chat(customer, case.number)
    assert refused.value.code == "CHAT_ALREADY_OPEN"

    await chats.end_chat(first.public_id, customer)
    second = await chats.request_chat(customer, case.number)
    assert second.public_id != first.public_id
    assert second.status is ChatStatus.REQUESTED


async def test_concurrent_requests_open_one_chat(chats, customer, case):
    results = await asyncio.gather(
        *(chats.request_chat(customer, case.number) for _ in range(5)), return_exceptions=True
    )

    opened = [r for r in results if not isinstance(r, Exception)]
    assert len(opened) == 1
    assert all(isinstance(r, Conflict) for r in results if r not in opened)


async def test_another_customers_case_is_not_found(chats, other_customer, case):
    with pytest.raises(NotFound) as refused:
        await chats.request_chat(other_customer, case.number)
    assert refused.value.code == "CASE_NOT_FOUND"


async def test_a_chat_needs_a_chat_case_that_is_open(services, chats, customer, agent):
    message_case = await open_case(services, customer, Channel.MESSAGE)
    with pytest.raises(Conflict) as refused:
        await chats.request_chat(customer, message_case.number)
    assert refused.value.code == "NOT_A_CHAT_CASE"

    closed = await open_case(services, customer, Channel.CHAT)
    await services.case_work.change_status(agent, closed.number, Status.CLOSED, "Done")
    with pytest.raises(Conflict) as refused:
        await chats.request_chat(customer, closed.number)
    assert refused.value.code == "CASE_CLOSED"


@pytest.mark.parametrize("owner", [True, False], ids=["owner", "stranger"])
async def test_another_customers_chat_is_not_found(chats, chat, customer, other_customer, owner):
    viewer = customer if owner else other_customer
    if owner:
        assert (await chats.access_chat(viewer, chat.public_id)).id == chat.id
        assert await chats.messages_after(chat.public_id, viewer) == []
        return
    with pytest.raises(NotFound):
        await chats.access_chat(viewer, chat.public_id)
    with pytest.raises(NotFound):
        await chats.messages_after(chat.public_id, viewer)
    with pytest.raises(NotFound):
        await chats.post_message(chat.public_id, viewer, msg("x"))
    with pytest.raises(NotFound):
        await chats.end_chat(chat.public_id, viewer)


async def test_accepting_gives_the_chat_to_one_agent(services, chats, customer, case, agent):
    requested = await chats.request_chat(customer, case.number)
    rival = await make_user(services, Role.AGENT)

    accepted = await chats.accept(requested.public_id, agent)
    assert (accepted.status, accepted.agent_id) == (ChatStatus.ACTIVE, agent.id)
    assert accepted.accepted_at == services.clock.now()
    assert (await chats.accept(requested.public_id, agent)).agent_id == agent.id
    with pytest.raises(Conflict) as refused:
        await chats.accept(requested.public_id, rival)
    assert refused.value.code == "CHAT_TAKEN"
    with pytest.raises(Forbidden):
        await chats.accept(requested.public_id, customer)


# Talking -------------------------------------------------------------------------------


async def test_messages_are_numbered_one_to_n_in_order(chats, chat, customer, agent):
    senders = [customer, agent, customer, agent, customer]
    posted = [
        await chats.post_message(chat.public_id, who, msg(f"m{i}")) for i, who in enumerate(senders)
    ]

    assert [m.seq for m in posted] == [1, 2, 3, 4, 5]
    replay = await chats.messages_after(chat.public_id, customer)
    assert [(m.seq, m.body, m.sender_id) for m in replay] == [
        (i + 1, f"text m{i}", who.id) for i, who in enumerate(senders)
    ]
    assert replay[0].sender_role == "Customer" and replay[1].sender_role == "Agent"
    assert replay[0].sender_name == customer.display_name
    assert all(m.chat_id == chat.public_id for m in replay)
    assert (await chats.access_chat(customer, chat.public_id)).last_seq == 5


async def test_concurrent_posts_get_distinct_consecutive_numbers(chats, chat, customer, agent):
    posted = await asyncio.gather(
        *(
            chats.post_message(chat.public_id, customer if i % 2 else agent, msg(f"c{i}"))
            for i in range(50)
        )
    )

    assert sorted(m.seq for m in posted) == list(range(1, 51))
    replay = await chats.messages_after(chat.public_id, agent)
    assert [m.seq for m in replay] == list(range(1, 51))
    assert {m.client_msg_id for m in replay} == {f"c{i}" for i in range(50)}


async def test_a_message_and_its_chat_read_back_as_they_were_answered(
    services, chats, chat, customer, agent
):
    services.clock.set(datetime(2026, 6, 15, 10, 0, 1, 123456, tzinfo=UTC))
    await chats.post_message(chat.public_id, customer, msg("first"))

    # The second lands in a batch with a third on the same chat (SQLite writes batches
    # straight on its driver: what it stores, SQLAlchemy must read back the same).
    answered, (posted_chat, _) = await asyncio.gather(
        chats.post_message(chat.public_id, agent, msg("second", "Héllo ✓")),
        chats.post(chat.public_id, customer, msg("third")),
    )

    replay = await chats.messages_after(chat.public_id, customer, after_seq=1)
    assert replay[0] == answered
    assert answered.created_at == datetime(2026, 6, 15, 10, 0, 1, 123456, tzinfo=UTC)
    assert answered.body == "Héllo ✓"
    read_chat = await chats.access_chat(customer, chat.public_id)
    assert posted_chat == read_chat
    assert read_chat.last_seq == 3


async def test_a_batch_on_sqlite_runs_no_statement_through_sqlalchemy(
    services, chats, chat, customer
):
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        # The batch's own writes: the node's background loops run statements meanwhile.
        if "INSERT INTO chat_messages" in statement or "UPDATE chats" in statement:
            statements.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        posted = await chats.post_message(chat.public_id, customer, msg("fast"))
    finally:
        event.remove(Engine, "before_cursor_execute", seen)

    # PostgreSQL's batch is SQLAlchemy's; SQLite's goes straight to the driver.
    assert bool(statements) is (services.engine.dialect.name != "sqlite")
    assert posted.seq == 1
    assert await stored_messages(services, chat) == 1


async def test_a_retry_returns_the_stored_message(services, chats, chat, customer, agent):
    first = await chats.post_message(chat.public_id, customer, msg("same", "Hello"))
    await chats.post_message(chat.public_id, agent, msg("other"))

    again = await chats.post_message(chat.public_id, customer, msg("same", "Hello"))

    assert again == first
    assert again.seq == 1
    assert await stored_messages(services, chat) == 2
    assert (await chats.access_chat(customer, chat.public_id)).last_seq == 2


async def test_a_retry_in_a_batch_of_new_messages_leaves_no_gap(
    services, chats, chat, customer, agent
):
    first = await chats.post_message(chat.public_id, customer, msg("kept", "Hello"))

    # One batch: the retry makes the first try of it fail on the UNIQUE client id, and
    # the batch is written again; the new messages must not lose numbers to that try.
    again, *new = await asyncio.gather(
        chats.post_message(chat.public_id, customer, msg("kept", "Hello")),
        chats.post_message(chat.public_id, agent, msg("new-1")),
        chats.post_message(chat.public_id, customer, msg("new-2")),
    )

    assert again == first
    assert sorted(m.seq for m in new) == [2, 3]
    assert await stored_messages(services, chat) == 3
    assert (await chats.access_chat(customer, chat.public_id)).last_seq == 3


async def test_concurrent_retries_store_one_message(services, chats, chat, customer):
    posted = await asyncio.gather(
        *(chats.post_message(chat.public_id, customer, msg("dup")) for _ in range(10))
    )

    assert {m.seq for m in posted} == {1}
    assert await stored_messages(services, chat) == 1


async def test_a_message_id_is_not_reused_by_another_sender(chats, chat, customer, agent):
    await chats.post_message(chat.public_id, customer, msg("mine"))
    with pytest.raises(Conflict) as refused:
        await chats.post_message(chat.public_id, agent, msg("mine"))
    assert refused.value.code == "CLIENT_MSG_ID_IN_USE"


async def test_replay_after_k_returns_the_rest_in_order(chats, chat, customer, agent):
    for i in range(8):
        await chats.post_message(chat.public_id, customer, msg(f"r{i}"))

    for k in (0, 3, 7, 8):
        replay = await chats.messages_after(chat.public_id, agent, after_seq=k)
        assert [m.seq for m in replay] == list(range(k + 1, 9))


async def test_staff_may_read_but_only_participants_post(services, chats, chat, customer):
    await chats.post_message(chat.public_id, customer, msg("a"))
    supervisor = await make_user(services, Role.SUPERVISOR)
    other_agent = await make_user(services, Role.AGENT)

    assert [m.seq for m in await chats.messages_after(chat.public_id, supervisor)] == [1]
    for outsider in (supervisor, other_agent):
        with pytest.raises(Forbidden):
            await chats.post_message(chat.public_id, outsider, msg(f"x{outsider.id}"))
    assert await stored_messages(services, chat) == 1


async def test_an_ended_chat_refuses_posts_and_stores_nothing(services, chats, chat, customer):
    await chats.post_message(chat.public_id, customer, msg("before"))
    await chats.end_chat(chat.public_id, customer)

    with pytest.raises(Conflict) as refused:
        await chats.post_message(chat.public_id, customer, msg("after"))

    assert refused.value.code == "CHAT_ENDED"
    assert await stored_messages(services, chat) == 1
    assert (await chats.access_chat(customer, chat.public_id)).last_seq == 1


# Ending --------------------------------------------------------------------------------


async def test_ending_files_one_transcript_in_the_case_feed(
    services, chats, chat, case, customer, agent
):
    await chats.post_message(chat.public_id, customer, msg("q", "Where are my certificates?"))
    await chats.post_message(chat.public_id, agent, msg("a", "They were posted today."))
    services.clock.advance(minutes=5)

    ended = await chats.end_chat(chat.public_id, agent, wrap_up="Told them it was posted")
    again = await chats.end_chat(chat.public_id, customer)

    assert again == ended
    assert ended.status is ChatStatus.ENDED
    assert (ended.ended_by, ended.ended_at) == (agent.id, services.clock.now())
    assert ended.wrap_up == "Told them it was posted"
    [item] = await transcripts(services, case)
    assert f"case {case.number}" in item.body
    assert f"] {customer.display_name} (Customer): Where are my certificates?" in item.body
    assert f"] {agent.display_name} (Agent): They were posted today." in item.body
    feed = await services.cases.feed(customer, case.number)
    [shown] = [a for a in feed if a.kind is ActivityKind.CHAT_TRANSCRIPT]
    assert shown.data == {"chat_id": chat.public_id, "messages": 2}


async def test_concurrent_ends_file_one_transcript(services, chats, chat, case, customer, agent):
    ended = await asyncio.gather(
        *(chats.end_chat(chat.public_id, who) for who in [customer, agent] * 3)
    )

    assert {e.ended_at for e in ended} == {services.clock.now()}
    assert len(await transcripts(services, case)) == 1


async def test_only_staff_leave_a_wrap_up(services, chats, chat, case, customer):
    with pytest.raises(Forbidden):
        await chats.end_chat(chat.public_id, customer, wrap_up="My own note")
    assert (await chats.access_chat(customer, chat.public_id)).status is ChatStatus.ACTIVE
    assert await transcripts(services, case) == []
