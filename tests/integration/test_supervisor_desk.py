"""Supervisors run the desk over real sockets: the waiting and active chats pushed live,
any chat followed read-only, a waiting chat assigned to a chosen agent, an active one
moved to another agent or back to the front of its queue, a stuck one ended; each action
written to the case's activity for staff only. In one node and across nodes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
import socketio

from frontdesk.accounts.models import Role
from frontdesk.cases.models import ActivityKind
from frontdesk.chat.desk import FOLLOW_SECONDS
from tests.integration.chat_clients import (
    ChatClient,
    Clients,
    chat_case,
    error_of,
    offered_to,
    person,
    queue_place,
)
from tests.live import LiveServer

Desk = dict[str, Any]


REOFFER_SECONDS = 10


@pytest.fixture
def server(servers) -> LiveServer:
    return servers.start(chat_sweep_seconds=0.05, chat_reoffer_seconds=REOFFER_SECONDS)


async def desk_where(sue: ChatClient, holds: Callable[[Desk], bool]) -> Desk:
    """The first desk that `holds`, read (ask desk) each time it is announced."""
    while True:
        await sue.next("desk_changed")
        desk: Desk = await sue.ok("desk")
        if holds(desk):
            return desk


def row(rows: list[dict[str, Any]], chat_id: str) -> dict[str, Any] | None:
    return next((r for r in rows if r["chat_id"] == chat_id), None)


async def actions_of(server: LiveServer, viewer, number: str) -> list[str]:
    feed = await server.acall(lambda: server.services.cases.feed(viewer, number))
    return [
        f"{item.actor_name}: {item.body}" for item in feed if item.kind is ActivityKind.CHAT_ACTION
    ]


async def waiting_chat(clients: Clients, server: LiveServer, customer) -> tuple[ChatClient, str]:
    case = await chat_case(server, customer)
    client = await clients.open(server, "/customer", customer)
    asked = await client.ok("request_chat", {"case_number": case.number})
    return client, asked["chat"]["public_id"]


async def answered_chat(
    clients: Clients, server: LiveServer, customer, agent: ChatClient
) -> tuple[ChatClient, str]:
    """A chat the customer asks for and `agent` (available, with a free seat) takes."""
    client, chat_id = await waiting_chat(clients, server, customer)
    await agent.next("chat_offered", chat_id=chat_id)
    await agent.ok("accept_chat", {"chat_id": chat_id})
    return client, chat_id


# The lists ----------------------------------------------------------------------------------


@pytest.mark.both_stores  # the desk's reads: unread counts, last messages, agents' times
async def test_the_desk_lists_waiting_and_active_chats_live(server, clock):
    ann, bob = await person(server, first_name="Ann"), await person(server, first_name="Bob")
    ben = await person(server, Role.AGENT, first_name="Ben", last_name="Agent")
    supervisor = await person(server, Role.SUPERVISOR)
    async with Clients() as clients:
        sue = await clients.open(server, "/supervisor", supervisor)
        watched = await sue.ok("watch")
        assert watched["desk"] == {"waiting": [], "active": [], "waiting_total": 0,
                                   "active_total": 0}  # fmt: skip

        ann_client, ann_chat = await waiting_chat(clients, server, ann)
        clock.advance(seconds=30)
        _, bob_chat = await waiting_chat(clients, server, bob)
        desk = await desk_where(sue, lambda d: d["waiting_total"] == 2)
        first, second = desk["waiting"]
        assert (first["chat_id"], first["position"], first["offered_to"]) == (ann_chat, 1, None)
        assert (second["chat_id"], second["position"]) == (bob_chat, 2)
        assert first["customer_name"].startswith("Ann")
        assert first["group_name"] != first["group"]  # a name for people, not the key
        assert datetime.fromisoformat(first["requested_at"]) < clock.now()

        agent = await clients.open(server, "/agent", ben)
        await agent.ok("set_presence", {"presence": "available", "capacity": 1})
        await agent.next("chat_offered", chat_id=ann_chat)
        desk = await desk_where(
            sue, lambda d: (row(d["waiting"], ann_chat) or {}).get("position") == 0
        )
        assert row(desk["waiting"], ann_chat)["offered_to"] == "Ben Agent"
        assert row(desk["waiting"], bob_chat)["position"] == 1

        await agent.ok("accept_chat", {"chat_id": ann_chat})
        desk = await desk_where(sue, lambda d: d["active_total"] == 1)
        (active,) = desk["active"]
        assert (active["chat_id"], active["agent_name"], active["unread"]) == (
            ann_chat,
            "Ben Agent",
            0,
        )
        assert active["last_message_at"] is None

        # Messages move the desk too: unread counts what waits for the agent.
        await ann_client.send(ann_chat, "Hello?")
        await ann_client.send(ann_chat, "Anyone there?")
        desk = await desk_where(sue, lambda d: d["active"] and d["active"][0]["unread"] == 2)
        assert desk["active"][0]["last_message_at"] is not None
        await agent.send(ann_chat, "Yes, I am here")
        await desk_where(sue, lambda d: d["active"] and d["active"][0]["unread"] == 0)


@pytest.mark.both_stores
async def test_agents_show_their_state_since_when_and_busy_counts_while_chatting(server, clock):
    customer = await person(server)
    ben = await person(server, Role.AGENT)
    supervisor = await person(server, Role.SUPERVISOR)
    async with Clients() as clients:
        sue = await clients.open(server, "/supervisor", supervisor)
        await sue.ok("watch")
        agent = await clients.open(server, "/agent", ben)
        await agent.ok("set_presence", {"presence": "available"})
        available_at = clock.now()
        client, chat_id = await waiting_chat(clients, server, customer)
        await agent.next("chat_offered", chat_id=chat_id)
        clock.advance(seconds=15)  # within the offer's 20 s: the sweep must not lapse it
        await agent.ok("accept_chat", {"chat_id": chat_id})
        group = (await server.acall(lambda: server.services.live.states.chat(chat_id))).group_name
        figures = await sue.next("queue_changed", group=group, chats_active=1)
        assert (figures["agents_busy"], figures["agents_available"]) == (1, 0)
        while True:
            (listed,) = (await sue.next("agents_changed"))["agents"]
            if listed["chats"] == 1:
                break
        assert (listed["state"], listed["active"]) == ("busy", 1)
        assert datetime.fromisoformat(listed["since"]) == clock.now()  # answered then

        clock.advance(seconds=60)
        await client.ok("end_chat", {"chat_id": chat_id})
        figures = await sue.next("queue_changed", group=group, chats_active=0)
        assert (figures["agents_busy"], figures["agents_available"]) == (0, 1)
        while True:
            (listed,) = (await sue.next("agents_changed"))["agents"]
            if listed["state"] == "available":
                break
        assert datetime.fromisoformat(listed["since"]) == clock.now()  # its chat ended then
        assert datetime.fromisoformat(listed["since"]) > available_at


# Following a chat ---------------------------------------------------------------------------


async def test_a_supervisor_follows_a_chat_read_only_and_stops(server, clock):
    ann, bob = await person(server), await person(server)
    ben = await person(server, Role.AGENT)
    supervisor = await person(server, Role.SUPERVISOR)
    async with Clients() as clients:
        agent = await clients.open(server, "/agent", ben)
        await agent.ok("set_presence", {"presence": "available"})
        ann_client, ann_chat = await waiting_chat(clients, server, ann)
        bob_client, bob_chat = await waiting_chat(clients, server, bob)
        for chat_id in (ann_chat, bob_chat):
            await agent.next("chat_offered", chat_id=chat_id)
            await agent.ok("accept_chat", {"chat_id": chat_id})
        await ann_client.send(ann_chat, "Before anyone watched")

        sue = await clients.open(server, "/supervisor", supervisor)
        view = await sue.ok("monitor_chat", {"chat_id": ann_chat, "last_seq": 0})
        assert [m["body"] for m in view["messages"]] == ["Before anyone watched"]
        assert view["case"]["number"] and view["agent_name"] == ben.display_name
        await agent.send(ann_chat, "Hello Ann")
        heard = await sue.next("message_created", chat_id=ann_chat)
        assert heard["body"] == "Hello Ann"
        # Read-only: the supervisor has no way to post from here.
        post = {"chat_id": ann_chat, "body": "x", "client_msg_id": "1"}
        assert (await error_of(sue, "send_message", post))["code"] == "UNKNOWN_EVENT"

        await sue.ok("unmonitor_chat", {"chat_id": ann_chat})
        await sue.ok("monitor_chat", {"chat_id": bob_chat, "last_seq": 0})
        await ann_client.send(ann_chat, "Not followed any more")
        await bob_client.send(bob_chat, "Followed")
        assert (await sue.next("message_created"))["body"] == "Followed"
        assert sue.events["message_created"].empty()

        await bob_client.ok("end_chat", {"chat_id": bob_chat})
        ended = await sue.next("chat_ended")
        assert ended["chat"]["public_id"] == bob_chat


async def test_a_chat_is_followed_for_a_while_and_asking_again_goes_on(server, clock):
    """Messages reach a supervisor for FOLLOW_SECONDS after each monitor_chat (the chat's
    row says so, so a chat nobody follows costs no publish); asking again catches up."""
    customer, ben = await person(server), await person(server, Role.AGENT)
    supervisor = await person(server, Role.SUPERVISOR)
    async with Clients() as clients:
        agent = await clients.open(server, "/agent", ben)
        await agent.ok("set_presence", {"presence": "available"})
        client, chat_id = await answered_chat(clients, server, customer, agent)
        sue = await clients.open(server, "/supervisor", supervisor)
        await sue.ok("monitor_chat", {"chat_id": chat_id, "last_seq": 0})
        await client.send(chat_id, "followed")
        assert (await sue.next("message_created"))["body"] == "followed"

        clock.advance(seconds=FOLLOW_SECONDS)
        await client.send(chat_id, "after the follow ran out")
        await agent.next("message_created", body="after the follow ran out")
        again = await sue.ok("monitor_chat", {"chat_id": chat_id, "last_seq": 1})
        assert [m["body"] for m in again["messages"]] == ["after the follow ran out"]
        await client.send(chat_id, "followed again")
        assert (await sue.next("message_created"))["body"] == "followed again"


async def test_following_a_chat_that_does_not_exist_is_not_found(server):
    supervisor = await person(server, Role.SUPERVISOR)
    async with Clients() as clients:
        sue = await clients.open(server, "/supervisor", supervisor)
        error = await error_of(sue, "monitor_chat", {"chat_id": "ab" * 16, "last_seq": 0})
        assert error["code"] == "CHAT_NOT_FOUND"


# Assigning ----------------------------------------------------------------------------------


async def test_a_one_agent_desk_assign_gives_a_declined_chat_back_at_once(server, clock):
    customer = await person(server)
    ben = await person(server, Role.AGENT, first_name="Ben", last_name="Agent")
    supervisor = await person(server, Role.SUPERVISOR, first_name="Sue", last_name="Visor")
    async with Clients() as clients:
        agent = await clients.open(server, "/agent", ben)
        await agent.ok("set_presence", {"presence": "available"})
        client, chat_id = await waiting_chat(clients, server, customer)
        await agent.next("chat_offered", chat_id=chat_id)
        await agent.ok("decline_chat", {"chat_id": chat_id})
        assert await queue_place(server, chat_id) == 1  # passed on: not offered again yet

        sue = await clients.open(server, "/supervisor", supervisor)
        assigned = await sue.ok("assign_chat", {"chat_id": chat_id, "agent_id": ben.id})
        assert assigned["offered_to"] == "Ben Agent"
        await agent.next("chat_offered", chat_id=chat_id)
        await client.next("queue_updated", chat_id=chat_id, position=0)
        await agent.ok("accept_chat", {"chat_id": chat_id})
        await client.next("chat_accepted", chat_id=chat_id)

    chat = await server.acall(lambda: server.services.live.states.chat(chat_id))
    case = await server.acall(lambda: server.services.live.states.case_of(chat))
    assert await actions_of(server, supervisor, case.number) == [
        "Sue Visor: Offered the chat to Ben Agent."
    ]
    assert await actions_of(server, customer, case.number) == []  # staff only


async def test_assigning_to_another_agent_withdraws_the_offer_out(server, clock):
    customer = await person(server)
    ben, kim = await person(server, Role.AGENT), await person(server, Role.AGENT)
    supervisor = await person(server, Role.SUPERVISOR)
    async with Clients() as clients:
        ben_client = await clients.open(server, "/agent", ben)
        await ben_client.ok("set_presence", {"presence": "available"})
        _, chat_id = await waiting_chat(clients, server, customer)
        await ben_client.next("chat_offered", chat_id=chat_id)
        kim_client = await clients.open(server, "/agent", kim)
        await kim_client.ok("set_presence", {"presence": "away"})  # signed in, not taking

        sue = await clients.open(server, "/supervisor", supervisor)
        await sue.ok("assign_chat", {"chat_id": chat_id, "agent_id": kim.id})
        withdrawn = await ben_client.next("offer_withdrawn", chat_id=chat_id)
        assert withdrawn["reason"] == "reassigned"
        await kim_client.next("chat_offered", chat_id=chat_id)
        assert await offered_to(server, chat_id) == kim.id
        error = await error_of(ben_client, "accept_chat", {"chat_id": chat_id})
        assert error["code"] == "OFFER_GONE"
        await kim_client.ok("accept_chat", {"chat_id": chat_id})


async def test_assigning_is_refused_with_reasons_and_changes_nothing(server, clock):
    customer, other = await person(server), await person(server)
    ben, off = await person(server, Role.AGENT), await person(server, Role.AGENT)
    supervisor = await person(server, Role.SUPERVISOR)
    async with Clients() as clients:
        sue = await clients.open(server, "/supervisor", supervisor)
        ben_client = await clients.open(server, "/agent", ben)
        await ben_client.ok("set_presence", {"presence": "available", "capacity": 1})
        off_client = await clients.open(server, "/agent", off)
        await off_client.ok("set_presence", {"presence": "offline"})
        _, taken = await answered_chat(clients, server, customer, ben_client)
        other_client, chat_id = await waiting_chat(clients, server, other)

        async def refused(agent_id: Any, chat: str = chat_id) -> dict[str, Any]:
            return await error_of(sue, "assign_chat", {"chat_id": chat, "agent_id": agent_id})

        assert (await refused(ben.id))["code"] == "AGENT_UNAVAILABLE"  # every seat taken
        assert (await refused(off.id))["code"] == "AGENT_UNAVAILABLE"  # offline
        assert (await refused(supervisor.id))["fields"] == {
            "agent_id": "Not an agent who takes chats"
        }
        assert (await refused("ben"))["code"] == "INVALID"
        assert (await refused(ben.id, taken))["code"] == "CHAT_NOT_WAITING"
        assert (await refused(ben.id, "ab" * 16))["code"] == "CHAT_NOT_FOUND"
        assert await queue_place(server, chat_id) == 1

        await other_client.close()  # the customer steps out of the line
        await sue.next("queue_changed", waiting=0)
        await off_client.ok("set_presence", {"presence": "available"})
        assert (await refused(off.id))["code"] == "CUSTOMER_AWAY"


async def test_others_cannot_run_the_desk(server):
    customer, agent = await person(server), await person(server, Role.AGENT)
    async with Clients() as clients:
        for user in (customer, agent):
            with pytest.raises(socketio.exceptions.ConnectionError):
                await clients.open(server, "/supervisor", user)
        agent_client = await clients.open(server, "/agent", agent)
        for ask in ("assign_chat", "move_chat", "monitor_chat"):
            error = await error_of(agent_client, ask, {"chat_id": "ab" * 16, "agent_id": 1})
            assert error["code"] == "UNKNOWN_EVENT"


# Moving and ending --------------------------------------------------------------------------


async def test_moving_an_active_chat_to_another_agent(server, clock):
    customer = await person(server)
    ben = await person(server, Role.AGENT, first_name="Ben", last_name="Agent")
    kim = await person(server, Role.AGENT, first_name="Kim", last_name="Second")
    supervisor = await person(server, Role.SUPERVISOR, first_name="Sue", last_name="Visor")
    async with Clients() as clients:
        ben_client = await clients.open(server, "/agent", ben)
        await ben_client.ok("set_presence", {"presence": "available"})
        client, chat_id = await answered_chat(clients, server, customer, ben_client)
        await client.next("chat_accepted", chat_id=chat_id)
        await client.send(chat_id, "My results are missing")
        kim_client = await clients.open(server, "/agent", kim)
        await kim_client.ok("set_presence", {"presence": "available"})

        sue = await clients.open(server, "/supervisor", supervisor)
        error = await error_of(sue, "move_chat", {"chat_id": chat_id, "agent_id": ben.id})
        assert error["code"] == "INVALID"
        moved = await sue.ok("move_chat", {"chat_id": chat_id, "agent_id": kim.id})
        assert moved["chat"]["status"] == "requested"
        told = await ben_client.next("chat_moved", chat_id=chat_id)
        assert told["message"] == "Sue Visor moved this chat to Kim Second."
        await client.next("chat_transferred", chat_id=chat_id, same_team=True)
        offer = await kim_client.next("chat_offered", chat_id=chat_id)
        assert offer["case"]["number"]
        view = await kim_client.ok("accept_chat", {"chat_id": chat_id})
        assert [m["body"] for m in view["messages"]] == ["My results are missing"]
        accepted = await client.next("chat_accepted", chat_id=chat_id)
        assert accepted["agent_name"] == "Kim Second"
        error = await error_of(ben_client, "send_message", {"chat_id": chat_id, "body": "x",
                                                           "client_msg_id": "late"})  # fmt: skip
        assert error["code"] in {"FORBIDDEN", "NOT_YOUR_CHAT"}

    chat = await server.acall(lambda: server.services.live.states.chat(chat_id))
    case = await server.acall(lambda: server.services.live.states.case_of(chat))
    assert await actions_of(server, supervisor, case.number) == [
        "Sue Visor: Moved the chat from Ben Agent to Kim Second."
    ]


async def test_moving_a_chat_to_the_queue_offers_it_to_others_first(server, clock):
    customer = await person(server)
    ben, kim = await person(server, Role.AGENT), await person(server, Role.AGENT)
    supervisor = await person(server, Role.SUPERVISOR)
    async with Clients() as clients:
        ben_client = await clients.open(server, "/agent", ben)
        await ben_client.ok("set_presence", {"presence": "available"})
        _, chat_id = await answered_chat(clients, server, customer, ben_client)

        sue = await clients.open(server, "/supervisor", supervisor)
        # With nobody else on duty, the chat waits at the front; not straight back to Ben.
        await sue.ok("move_chat", {"chat_id": chat_id, "agent_id": None})
        await ben_client.next("chat_moved", chat_id=chat_id)
        assert await queue_place(server, chat_id) == 1
        kim_client = await clients.open(server, "/agent", kim)
        await kim_client.ok("set_presence", {"presence": "available"})
        await kim_client.next("chat_offered", chat_id=chat_id)
        await kim_client.ok("decline_chat", {"chat_id": chat_id})
        # Both passed on it now: after the cool-down it goes to one of them again.
        clock.advance(seconds=REOFFER_SECONDS)
        await ben_client.next("chat_offered", chat_id=chat_id)


async def test_a_chat_moved_while_its_customer_is_away_waits_for_them(server, clock):
    customer = await person(server)
    ben, kim = await person(server, Role.AGENT), await person(server, Role.AGENT)
    supervisor = await person(server, Role.SUPERVISOR)
    async with Clients() as clients:
        ben_client = await clients.open(server, "/agent", ben)
        await ben_client.ok("set_presence", {"presence": "available"})
        client, chat_id = await answered_chat(clients, server, customer, ben_client)
        kim_client = await clients.open(server, "/agent", kim)
        await kim_client.ok("set_presence", {"presence": "available"})
        await client.close()
        await ben_client.next("customer_disconnected", chat_id=chat_id)

        sue = await clients.open(server, "/supervisor", supervisor)
        await sue.ok("move_chat", {"chat_id": chat_id, "agent_id": kim.id})
        await ben_client.next("chat_moved", chat_id=chat_id)
        assert await queue_place(server, chat_id) is None  # nobody is offered an empty chat
        desk = await sue.ok("watch")
        assert row(desk["desk"]["waiting"], chat_id)["position"] is None

        back = await clients.open(server, "/customer", customer)
        await back.ok("resume_chat", {"chat_id": chat_id, "last_seq": 0})
        await kim_client.next("chat_offered", chat_id=chat_id)


async def test_a_supervisor_ends_a_stuck_chat_with_a_reason(server, clock):
    customer, waiting_customer = await person(server), await person(server)
    ben = await person(server, Role.AGENT)
    supervisor = await person(server, Role.SUPERVISOR, first_name="Sue", last_name="Visor")
    async with Clients() as clients:
        ben_client = await clients.open(server, "/agent", ben)
        await ben_client.ok("set_presence", {"presence": "available", "capacity": 1})
        client, chat_id = await answered_chat(clients, server, customer, ben_client)
        other, waiting_id = await waiting_chat(clients, server, waiting_customer)

        sue = await clients.open(server, "/supervisor", supervisor)
        for bad in ({"chat_id": chat_id, "reason": ""}, {"chat_id": chat_id}):
            assert (await error_of(sue, "end_chat", bad))["code"] == "INVALID"
        ended = await sue.ok("end_chat", {"chat_id": chat_id, "reason": "Stuck for an hour"})
        assert ended["chat"]["status"] == "ended"
        note = "Sue Visor (supervisor) ended this chat: Stuck for an hour."
        assert (await client.next("chat_ended"))["note"] == note
        assert (await ben_client.next("chat_ended"))["note"] == note
        await ben_client.next("chat_offered", chat_id=waiting_id)  # the seat came free
        again = await error_of(sue, "end_chat", {"chat_id": chat_id, "reason": "again"})
        assert again["code"] == "CHAT_ENDED"

        # A waiting chat too: it leaves the line, counted as abandoned.
        await ben_client.ok("decline_chat", {"chat_id": waiting_id})
        await sue.ok("end_chat", {"chat_id": waiting_id, "reason": "Test chat"})
        await other.next("chat_ended")
        assert await queue_place(server, waiting_id) is None

    chat = await server.acall(lambda: server.services.live.states.chat(chat_id))
    case = await server.acall(lambda: server.services.live.states.case_of(chat))
    feed = await server.acall(lambda: server.services.cases.feed(customer, case.number))
    (transcript,) = [item for item in feed if item.kind is ActivityKind.CHAT_TRANSCRIPT]
    assert "Stuck for an hour" in transcript.body
    assert await actions_of(server, supervisor, case.number) == [
        "Sue Visor: Ended the chat: Stuck for an hour"
    ]


# Across nodes -------------------------------------------------------------------------------


@pytest.mark.redis
async def test_a_supervisor_runs_the_desk_across_nodes(servers, redis_url, clock):
    """The customer on one node, the agents and the supervisor on others."""
    one = servers.start(redis_url, node_id="desk-one", chat_sweep_seconds=0.05)
    two = servers.start(redis_url, node_id="desk-two", auto_migrate=False)
    three = servers.start(redis_url, node_id="desk-three", auto_migrate=False)
    customer = await person(one)
    ben = await person(one, Role.AGENT)
    kim = await person(one, Role.AGENT, first_name="Kim", last_name="Second")
    supervisor = await person(one, Role.SUPERVISOR)
    async with Clients() as clients:
        sue = await clients.open(three, "/supervisor", supervisor)
        await sue.ok("watch")
        ben_client = await clients.open(two, "/agent", ben)
        await ben_client.ok("set_presence", {"presence": "away"})
        kim_client = await clients.open(three, "/agent", kim)
        await kim_client.ok("set_presence", {"presence": "away"})
        client, chat_id = await waiting_chat(clients, one, customer)
        await desk_where(sue, lambda d: row(d["waiting"], chat_id) is not None)

        await sue.ok("assign_chat", {"chat_id": chat_id, "agent_id": ben.id})
        await ben_client.next("chat_offered", chat_id=chat_id)
        await ben_client.ok("accept_chat", {"chat_id": chat_id})
        await client.next("chat_accepted", chat_id=chat_id)
        await desk_where(sue, lambda d: (row(d["active"], chat_id) or {}).get("agent_id") == ben.id)

        await sue.ok("monitor_chat", {"chat_id": chat_id, "last_seq": 0})
        await client.send(chat_id, "Hello from node one")
        assert (await sue.next("message_created", chat_id=chat_id))["body"] == "Hello from node one"

        await sue.ok("move_chat", {"chat_id": chat_id, "agent_id": kim.id})
        await ben_client.next("chat_moved", chat_id=chat_id)
        await client.next("chat_transferred", chat_id=chat_id)
        await kim_client.next("chat_offered", chat_id=chat_id)
        await kim_client.ok("accept_chat", {"chat_id": chat_id})
        accepted = await client.next("chat_accepted", chat_id=chat_id)
        assert accepted["agent_name"] == "Kim Second"

        await sue.ok("end_chat", {"chat_id": chat_id, "reason": "Resolved elsewhere"})
        for heard_by in (client, kim_client, sue):
            ended = await heard_by.next("chat_ended")
            assert ended["chat"]["public_id"] == chat_id
        await desk_where(sue, lambda d: d["active_total"] == 0 and d["waiting_total"] == 0)
