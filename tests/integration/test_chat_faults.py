"""When connections drop or state is lost: replay after a reconnect, retried sends, an
agent's grace to come back, a Redis that restarted empty, and two nodes on one Redis."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from frontdesk.accounts.models import Role
from tests.integration.chat_clients import (
    Clients,
    chat_case,
    delete_keys,
    person,
)
from tests.live import LiveServer


async def stored_messages(server: LiveServer, chat_id: str, viewer) -> list[int]:
    messages = await server.acall(lambda: server.services.chats.messages_after(chat_id, viewer, 0))
    return [message.seq for message in messages]


async def start_chat(server, clients, customer, agent_client):
    """The customer asks, the (available) agent is offered and accepts; the customer's
    client and the chat id."""
    case = await chat_case(server, customer)
    ann = await clients.open(server, "/customer", customer)
    chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
    await agent_client.next("chat_offered", chat_id=chat_id)
    await agent_client.ok("accept_chat", {"chat_id": chat_id})
    await ann.next("chat_accepted", chat_id=chat_id)
    return ann, chat_id


async def test_a_reconnecting_customer_gets_the_messages_it_missed_in_order(live_server):
    server = live_server
    customer = await person(server)
    agent = await person(server, Role.AGENT)
    async with Clients() as clients:
        sam = await clients.open(server, "/agent", agent)
        await sam.ok("set_presence", {"presence": "available"})
        ann, chat_id = await start_chat(server, clients, customer, sam)
        for body in ("one", "two", "three"):
            await ann.send(chat_id, body)
        await ann.close()

        again = await clients.open(server, "/customer", customer)
        state = await again.ok("resume_chat", {"chat_id": chat_id, "last_seq": 1})
        assert [(m["seq"], m["body"]) for m in state["messages"]] == [(2, "two"), (3, "three")]
        assert state["chat"]["status"] == "active"
        # The new connection hears the chat from now on.
        await sam.send(chat_id, "four")
        assert (await again.next("message_created", chat_id=chat_id))["body"] == "four"


async def test_a_retried_send_is_stored_once(live_server):
    server = live_server
    customer = await person(server)
    agent = await person(server, Role.AGENT)
    async with Clients() as clients:
        sam = await clients.open(server, "/agent", agent)
        await sam.ok("set_presence", {"presence": "available"})
        ann, chat_id = await start_chat(server, clients, customer, sam)
        first = await ann.send(chat_id, "hello", "retry-me")
        await ann.send(chat_id, "other", "next-one")
        retried = await ann.send(chat_id, "hello", "retry-me")
        assert retried["seq"] == first["seq"] == 1
        assert retried["created_at"] == first["created_at"]
        assert await stored_messages(server, chat_id, customer) == [1, 2]


async def test_an_agent_back_within_the_grace_keeps_its_chats(live_server, clock):
    server = live_server
    customer = await person(server)
    agent = await person(server, Role.AGENT)
    async with Clients() as clients:
        sam = await clients.open(server, "/agent", agent)
        await sam.ok("set_presence", {"presence": "available"})
        ann, chat_id = await start_chat(server, clients, customer, sam)
        await ann.send(chat_id, "before")

        await sam.close()
        dropped = await ann.next("agent_disconnected", chat_id=chat_id)
        grace = timedelta(seconds=server.services.settings.chat_grace_seconds)
        assert datetime.fromisoformat(dropped["back_by"]) == clock.now() + grace

        back = await clients.open(server, "/agent", agent)
        await ann.next("agent_reconnected", chat_id=chat_id)
        chats = (await back.ok("my_chats"))["chats"]
        assert [chat["public_id"] for chat in chats] == [chat_id]
        view = await back.ok("open_chat", {"chat_id": chat_id, "last_seq": 0})
        assert [m["body"] for m in view["messages"]] == ["before"]

        await back.send(chat_id, "sorry, I am back")
        assert (await ann.next("message_created", seq=2))["body"] == "sorry, I am back"
        await ann.send(chat_id, "no problem")
        assert (await back.next("message_created", seq=3))["body"] == "no problem"
        # The grace was cancelled: a sweep past its end leaves the chat with its agent.
        clock.advance(seconds=server.services.settings.chat_grace_seconds + 1)
        await server.acall(lambda: server.services.timeouts.sweep())
        state = await ann.ok("resume_chat", {"chat_id": chat_id})
        assert state["chat"]["status"] == "active"
        assert [chat["public_id"] for chat in (await back.ok("my_chats"))["chats"]] == [chat_id]
        assert ann.events["chat_requeued"].empty()


async def test_an_agent_gone_past_the_grace_loses_its_chats_to_another(servers, clock):
    server = servers.start(chat_sweep_seconds=0.05)
    customer = await person(server)
    gone = await person(server, Role.AGENT)
    other = await person(server, Role.AGENT)
    async with Clients() as clients:
        sam = await clients.open(server, "/agent", gone)
        await sam.ok("set_presence", {"presence": "available"})
        clock.advance(seconds=1)
        kim = await clients.open(server, "/agent", other)
        await kim.ok("set_presence", {"presence": "available"})
        ann, chat_id = await start_chat(server, clients, customer, sam)
        await ann.send(chat_id, "my certificates")
        await sam.send(chat_id, "checking")

        await sam.close()
        await ann.next("agent_disconnected", chat_id=chat_id)
        assert kim.events["chat_offered"].empty()
        clock.advance(seconds=server.services.settings.chat_grace_seconds + 1)
        requeued = await ann.next("chat_requeued", chat_id=chat_id)
        assert requeued["position"] == 1
        await kim.next("chat_offered", chat_id=chat_id)

        taken = await kim.ok("accept_chat", {"chat_id": chat_id})
        assert [(m["seq"], m["body"]) for m in taken["messages"]] == [
            (1, "my certificates"),
            (2, "checking"),
        ]
        assert (await ann.next("chat_accepted", chat_id=chat_id))["agent_name"] == (
            other.display_name
        )
        await kim.send(chat_id, "I can help")
        assert (await ann.next("message_created", seq=3))["body"] == "I can help"

        late = await clients.open(server, "/agent", gone)
        assert (await late.ok("my_chats"))["chats"] == []


@pytest.mark.both_stores
@pytest.mark.redis
async def test_a_queue_lost_by_redis_is_rebuilt_from_the_store(servers, redis_url):
    # A slow sweep of its own: the test runs the sweep that finds the state gone.
    server = servers.start(redis_url, chat_sweep_seconds=10)
    services = server.services
    customer = await person(server)
    agent = await person(server, Role.AGENT)
    case = await chat_case(server, customer)
    async with Clients() as clients:
        ann = await clients.open(server, "/customer", customer)
        chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
        assert await server.acall(lambda: services.queue.generation()) is not None
        assert await delete_keys(redis_url, f"{servers.redis_prefix}queue:") > 0
        assert await server.acall(lambda: services.queue.position(chat_id)) is None
        assert await server.acall(lambda: services.queue.generation()) is None

        await server.acall(lambda: services.timeouts.sweep())
        assert await server.acall(lambda: services.queue.generation()) is not None
        assert await server.acall(lambda: services.queue.position(chat_id)) == 1

        sam = await clients.open(server, "/agent", agent)
        await sam.ok("set_presence", {"presence": "available"})
        offer = await sam.next("chat_offered", chat_id=chat_id)
        assert offer["case"]["number"] == case.number
        await sam.ok("accept_chat", {"chat_id": chat_id})
        await ann.next("chat_accepted", chat_id=chat_id)


@pytest.mark.redis
async def test_two_nodes_on_one_redis_carry_a_whole_chat(servers, redis_url):
    one = servers.start(redis_url, node_id="node-one")
    two = servers.start(redis_url, node_id="node-two", auto_migrate=False)
    customer = await person(one)
    agent = await person(one, Role.AGENT)
    case = await chat_case(one, customer)
    async with Clients() as clients:
        ann = await clients.open(one, "/customer", customer)
        sam = await clients.open(two, "/agent", agent)
        await sam.ok("set_presence", {"presence": "available"})
        # A request cancelled on node one withdraws the offer on node two.
        cancelled = (await ann.ok("request_chat", {"case_number": case.number}))["chat"][
            "public_id"
        ]
        await sam.next("chat_offered", chat_id=cancelled)
        await ann.ok("end_chat", {"chat_id": cancelled})
        withdrawn = await sam.next("offer_withdrawn", chat_id=cancelled)
        assert withdrawn["reason"] == "cancelled"
        assert (await ann.next("chat_ended"))["chat"]["public_id"] == cancelled

        requested = await ann.ok("request_chat", {"case_number": case.number})
        chat_id = requested["chat"]["public_id"]
        assert chat_id != cancelled
        assert requested["position"] == 0  # offered at once
        offer = await sam.next("chat_offered", chat_id=chat_id)
        assert offer["case"]["number"] == case.number
        await ann.next("queue_updated", chat_id=chat_id, position=0)

        await sam.ok("accept_chat", {"chat_id": chat_id})
        assert (await ann.next("chat_accepted", chat_id=chat_id))["agent_name"] == (
            agent.display_name
        )
        await ann.send(chat_id, "hello from node one")
        assert (await sam.next("message_created", seq=1))["body"] == "hello from node one"
        await sam.send(chat_id, "hello from node two")
        assert (await ann.next("message_created", seq=2))["body"] == "hello from node two"

        ended = await sam.ok("end_chat", {"chat_id": chat_id, "wrap_up": "Answered"})
        assert ended["chat"]["status"] == "ended"
        assert (await ann.next("chat_ended"))["chat"]["public_id"] == chat_id
    assert await one.acall(lambda: one.services.queue.position(chat_id)) is None


@pytest.mark.redis
async def test_deadlines_fire_on_redis_across_nodes(servers, redis_url, clock):
    # The clock jumps by minutes here: nodes must not take each other for dead meanwhile.
    alive = {"chat_sweep_seconds": 0.05, "chat_node_timeout_seconds": 3600}
    one = servers.start(redis_url, **alive)
    two = servers.start(redis_url, auto_migrate=False, **alive)
    customer = await person(one)
    agent = await person(one, Role.AGENT)
    case = await chat_case(one, customer)
    async with Clients() as clients:
        ann = await clients.open(one, "/customer", customer)
        sam = await clients.open(two, "/agent", agent)
        await sam.ok("set_presence", {"presence": "available"})
        chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
        await sam.next("chat_offered", chat_id=chat_id)

        clock.advance(seconds=one.services.settings.chat_offer_seconds + 1)
        withdrawn = await sam.next("offer_withdrawn", chat_id=chat_id)
        assert withdrawn["reason"] == "lapsed"
        assert (await sam.next("presence_changed"))["settings"]["presence"] == "away"

        clock.advance(minutes=one.services.settings.chat_max_wait_minutes)
        unavailable = await ann.next("chat_unavailable", chat_id=chat_id)
        assert unavailable["reason"] == "max_wait"
    assert await two.acall(lambda: two.services.queue.position(chat_id)) is None


@pytest.mark.both_stores
@pytest.mark.redis
async def test_a_rebuild_keeps_active_chats_with_their_connected_agent(servers, redis_url, clock):
    server = servers.start(redis_url, chat_sweep_seconds=10)
    services = server.services
    agent = await person(server, Role.AGENT)
    first, second = await person(server), await person(server)
    async with Clients() as clients:
        sam = await clients.open(server, "/agent", agent)
        await sam.ok("set_presence", {"presence": "available", "capacity": 1})
        ann, active_id = await start_chat(server, clients, first, sam)
        case = await chat_case(server, second)
        bob = await clients.open(server, "/customer", second)
        waiting_id = (await bob.ok("request_chat", {"case_number": case.number}))["chat"][
            "public_id"
        ]
        assert await delete_keys(redis_url, f"{servers.redis_prefix}queue:") > 0

        await server.acall(lambda: services.timeouts.sweep())
        # The agent's one seat is taken again by its chat: the waiting one waits.
        assert await server.acall(lambda: services.queue.position(waiting_id)) == 1
        assert await server.acall(lambda: services.queue.connections(agent.id)) == 1
        # Its agent is still connected: no grace runs out on the active chat.
        clock.advance(seconds=services.settings.chat_grace_seconds + 1)
        await server.acall(lambda: services.timeouts.sweep())
        assert ann.events["chat_requeued"].empty()
        assert [c["public_id"] for c in (await sam.ok("my_chats"))["chats"]] == [active_id]

        await sam.ok("end_chat", {"chat_id": active_id})
        await sam.next("chat_offered", chat_id=waiting_id)


async def test_a_restarted_node_counts_no_agent_available_until_they_are_back(servers, clock):
    """The queue rebuilt from the store (the embedded default rebuilds at every start)
    keeps no ghost: an agent whose console is closed is offline there, and Contact Us
    offers no chat on their account, until they connect again."""
    first = servers.start()
    customer, ben = await person(first), await person(first, Role.AGENT)
    case = await chat_case(first, customer)
    async with Clients() as clients:
        agent = await clients.open(first, "/agent", ben)
        await agent.ok("set_presence", {"presence": "available"})
        assert await first.acall(lambda: first.services.live.chat_staffed(case.customer_group))
    servers.stop_servers()

    again = servers.start()
    live = again.services.live
    assert not await again.acall(lambda: live.chat_staffed(case.customer_group))
    (state,) = await again.acall(lambda: live.router.agents())
    assert state.presence == "offline"
    async with Clients() as clients:
        await clients.open(again, "/agent", ben)  # the stored choice comes back with them
        assert await again.acall(lambda: live.chat_staffed(case.customer_group))
        (state,) = await again.acall(lambda: live.router.agents())
        assert state.presence == "available"
