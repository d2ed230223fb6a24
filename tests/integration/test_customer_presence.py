"""Customers are present or gone: a closed tab or a lost network takes a waiting chat out
of the line at once (no agent is offered a chat with nobody in it), keeps its place for
the customer's grace period, and past it ends the chat; an active chat's agent hears the
customer go and come back. Over real sockets, in one node and across two."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from frontdesk.accounts.models import Role
from frontdesk.cases.models import ActivityKind
from frontdesk.chat.chats import LEFT_A_MESSAGE
from frontdesk.chat.timeouts import CUSTOMER_LEFT
from tests.integration.chat_clients import Clients, chat_case, person, queue_place
from tests.live import LiveServer

GRACE = 60


@pytest.fixture
def server(servers) -> LiveServer:
    """One node whose sweep looks for due deadlines every 50 ms of real time."""
    return servers.start(chat_sweep_seconds=0.05, chat_customer_grace_seconds=GRACE)


async def status_of(server: LiveServer, chat_id: str) -> str:
    chat = await server.acall(lambda: server.services.live.states.chat(chat_id))
    assert chat is not None
    return chat.status.value


async def test_a_customer_who_closes_the_tab_while_waiting_is_never_offered(server, clock):
    customer = await person(server)
    agent = await person(server, Role.AGENT)
    supervisor = await person(server, Role.SUPERVISOR)
    case = await chat_case(server, customer)
    async with Clients() as clients:
        sue = await clients.open(server, "/supervisor", supervisor)
        await sue.ok("watch")
        ann = await clients.open(server, "/customer", customer)
        chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
        assert await queue_place(server, chat_id) == 1
        await ann.close()
        await sue.next("queue_changed", group=case.customer_group, waiting=0)
        assert await queue_place(server, chat_id) is None

        ben = await clients.open(server, "/agent", agent)
        await ben.ok("set_presence", {"presence": "available"})
        clock.advance(seconds=GRACE)
        await sue.next("queue_changed", group=case.customer_group, abandoned_today=1)
        assert await status_of(server, chat_id) == "ended"
        assert ben.events["chat_offered"].empty()


async def test_a_customer_back_within_the_grace_keeps_their_place(server, clock):
    first, second = await person(server), await person(server)
    agent = await person(server, Role.AGENT)
    first_case, second_case = await chat_case(server, first), await chat_case(server, second)
    async with Clients() as clients:
        ann = await clients.open(server, "/customer", first)
        bob = await clients.open(server, "/customer", second)
        ann_chat = (await ann.ok("request_chat", {"case_number": first_case.number}))["chat"]
        clock.advance(seconds=1)
        bob_chat = (await bob.ok("request_chat", {"case_number": second_case.number}))["chat"]
        await ann.close()
        await bob.next("queue_updated", chat_id=bob_chat["public_id"], position=1)

        clock.advance(seconds=GRACE - 1)
        again = await clients.open(server, "/customer", first)
        state = await again.ok("resume_chat", {"chat_id": ann_chat["public_id"], "last_seq": 0})
        assert state["position"] == 1
        await bob.next("queue_updated", chat_id=bob_chat["public_id"], position=2)
        clock.advance(seconds=GRACE)  # the grace that was cancelled never fires
        ben = await clients.open(server, "/agent", agent)
        await ben.ok("set_presence", {"presence": "available", "capacity": 1})
        await ben.next("chat_offered", chat_id=ann_chat["public_id"])
        await ben.ok("accept_chat", {"chat_id": ann_chat["public_id"]})
        await again.next("chat_accepted", chat_id=ann_chat["public_id"])


async def test_an_offer_out_when_the_customer_drops_is_withdrawn_and_made_again(server, clock):
    customer = await person(server)
    agent = await person(server, Role.AGENT)
    case = await chat_case(server, customer)
    async with Clients() as clients:
        ben = await clients.open(server, "/agent", agent)
        await ben.ok("set_presence", {"presence": "available"})
        ann = await clients.open(server, "/customer", customer)
        chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
        await ben.next("chat_offered", chat_id=chat_id)
        await ann.close()
        withdrawn = await ben.next("offer_withdrawn", chat_id=chat_id)
        assert withdrawn["reason"] == "customer_away"
        assert await status_of(server, chat_id) == "requested"
        await clients.open(server, "/customer", customer)  # a reload, say
        await ben.next("chat_offered", chat_id=chat_id)


async def test_an_agent_hears_the_customer_drop_and_the_chat_end_past_the_grace(server, clock):
    customer = await person(server)
    agent = await person(server, Role.AGENT)
    waiting = await person(server)
    case, next_case = await chat_case(server, customer), await chat_case(server, waiting)
    async with Clients() as clients:
        ben = await clients.open(server, "/agent", agent)
        await ben.ok("set_presence", {"presence": "available", "capacity": 1})
        ann = await clients.open(server, "/customer", customer)
        chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
        await ben.next("chat_offered", chat_id=chat_id)
        await ben.ok("accept_chat", {"chat_id": chat_id})
        await ann.send(chat_id, "One moment, my train is going into a tunnel")
        cat = await clients.open(server, "/customer", waiting)
        next_chat = await cat.ok("request_chat", {"case_number": next_case.number})

        await ann.close()
        dropped = await ben.next("customer_disconnected", chat_id=chat_id)
        assert datetime.fromisoformat(dropped["back_by"]) == clock.now() + timedelta(seconds=GRACE)
        back = await clients.open(server, "/customer", customer)
        await ben.next("customer_reconnected", chat_id=chat_id)
        await back.close()
        await ben.next("customer_disconnected", chat_id=chat_id)

        clock.advance(seconds=GRACE)
        ended = await ben.next("chat_ended")
        assert ended["chat"]["public_id"] == chat_id
        assert ended["chat"]["end_reason"] == CUSTOMER_LEFT["active"]
        # The seat is free: the next customer's chat is offered to the agent.
        await ben.next("chat_offered", chat_id=next_chat["chat"]["public_id"])

    feed = await server.acall(lambda: server.services.cases.feed(customer, case.number))
    (transcript,) = [item for item in feed if item.kind is ActivityKind.CHAT_TRANSCRIPT]
    assert "tunnel" in transcript.body
    assert CUSTOMER_LEFT["active"] in transcript.body


@pytest.mark.redis
async def test_the_agent_on_another_node_hears_the_customer_go_and_come_back(
    servers, redis_url, clock
):
    one = servers.start(redis_url, node_id="presence-one", chat_sweep_seconds=0.05)
    two = servers.start(redis_url, node_id="presence-two", auto_migrate=False)
    customer = await person(one)
    agent = await person(one, Role.AGENT)
    case = await chat_case(one, customer)
    async with Clients() as clients:
        ben = await clients.open(two, "/agent", agent)
        await ben.ok("set_presence", {"presence": "available"})
        ann = await clients.open(one, "/customer", customer)
        chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
        await ben.next("chat_offered", chat_id=chat_id)
        await ben.ok("accept_chat", {"chat_id": chat_id})

        await ann.close()
        await ben.next("customer_disconnected", chat_id=chat_id)
        # Back through the other node: the grace is shared, so it is cancelled there.
        back = await clients.open(two, "/customer", customer)
        await ben.next("customer_reconnected", chat_id=chat_id)
        clock.advance(seconds=one.services.settings.chat_customer_grace_seconds)
        await back.send(chat_id, "Still here")
        message = await ben.next("message_created", chat_id=chat_id)
        assert message["body"] == "Still here"
        assert await status_of(one, chat_id) == "active"


async def test_a_waiting_customer_may_leave_a_message_at_any_moment(server, clock):
    customer = await person(server)
    supervisor = await person(server, Role.SUPERVISOR)
    case = await chat_case(server, customer)
    async with Clients() as clients:
        sue = await clients.open(server, "/supervisor", supervisor)
        await sue.ok("watch")
        ann = await clients.open(server, "/customer", customer)
        chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
        clock.advance(minutes=2)
        left = await ann.ok("leave_message", {"chat_id": chat_id, "body": "Please call me back"})
        assert left["case_number"] == case.number
        ended = await ann.next("chat_ended")
        assert ended["chat"]["end_reason"] == LEFT_A_MESSAGE
        await sue.next("queue_changed", group=case.customer_group, waiting=0, abandoned_today=1)
        assert await queue_place(server, chat_id) is None

    found = await server.acall(lambda: server.services.cases.access_case(customer, case.number))
    assert found.channel.value == "message"
    assert found.reply_by.isoformat() == left["reply_by"]
    assert found.reply_by > clock.now()
    feed = await server.acall(lambda: server.services.cases.feed(customer, case.number))
    kinds = [item.kind for item in feed]
    assert ActivityKind.CHAT_TRANSCRIPT in kinds
    assert [i.body for i in feed if i.kind is ActivityKind.MESSAGE] == ["Please call me back"]


async def test_outside_hours_a_chat_case_takes_a_message_by_its_number(server, clock):
    customer, other = await person(server), await person(server)
    case = await chat_case(server, customer)
    clock.advance(hours=12)  # 23:00 UK time: chat is closed
    async with Clients() as clients:
        ann = await clients.open(server, "/customer", customer)
        refused = await ann.call("request_chat", {"case_number": case.number})
        assert refused["error"]["code"] == "OUTSIDE_OFFICE_HOURS"
        left = await ann.ok("leave_message", {"case_number": case.number, "body": "Tomorrow?"})
        assert left["case_number"] == case.number
        # Nobody else's case, and one place only.
        eve = await clients.open(server, "/customer", other)
        theirs = await eve.call("leave_message", {"case_number": case.number, "body": "x"})
        assert theirs["error"]["code"] == "CASE_NOT_FOUND"
        both = await ann.call(
            "leave_message", {"case_number": case.number, "chat_id": "ab", "body": "x"}
        )
        assert both["error"]["code"] == "INVALID"
    feed = await server.acall(lambda: server.services.cases.feed(customer, case.number))
    assert [i.body for i in feed if i.kind is ActivityKind.MESSAGE] == ["Tomorrow?"]
