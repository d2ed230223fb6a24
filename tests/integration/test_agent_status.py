"""Agents say why they are away (a reason from the desk's list), supervisors see it and
for how long; an agent idle in the console past the limit is set away as "idle" and
told. Over real sockets, on one node and across nodes on Redis."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from frontdesk.accounts.models import Role
from tests.integration.chat_clients import ChatClient, Clients, chat_case, error_of, person
from tests.live import LiveServer

IDLE_MINUTES = 5


@pytest.fixture
def server(servers) -> LiveServer:
    return servers.start(agent_idle_minutes=IDLE_MINUTES, away_reasons="Lunch,Training,Meeting")


async def listed_as(sue: ChatClient, agent_id: int, **wanted: Any) -> dict[str, Any]:
    """The agent as the next agents_changed that shows it so lists it."""
    while True:
        for row in (await sue.next("agents_changed"))["agents"]:
            if row["agent_id"] == agent_id and all(row[k] == v for k, v in wanted.items()):
                return row


async def check_idle(server: LiveServer) -> list[int]:
    return await server.acall(lambda: server.services.idle.check())


async def test_away_with_a_reason_is_shown_to_supervisors_with_since(server, clock):
    ben = await person(server, Role.AGENT)
    supervisor = await person(server, Role.SUPERVISOR)
    async with Clients() as clients:
        sue = await clients.open(server, "/supervisor", supervisor)
        await sue.ok("watch")
        agent = await clients.open(server, "/agent", ben)
        await agent.ok("set_presence", {"presence": "available"})
        clock.advance(minutes=2)
        ack = await agent.ok("set_presence", {"presence": "away", "reason": "lunch"})
        assert (ack["settings"]["presence"], ack["reason"]) == ("away", "Lunch")
        row = await listed_as(sue, ben.id, reason="Lunch")
        assert row["state"] == "away"
        assert datetime.fromisoformat(row["since"]) == clock.now()

        # Another reason is another state: its time starts again.
        clock.advance(minutes=30)
        await agent.ok("set_presence", {"presence": "away", "reason": "Meeting"})
        row = await listed_as(sue, ben.id, reason="Meeting")
        assert datetime.fromisoformat(row["since"]) == clock.now()
        watched = await sue.ok("watch")
        assert [a["reason"] for a in watched["agents"]] == ["Meeting"]

        await agent.ok("set_presence", {"presence": "available"})
        assert (await listed_as(sue, ben.id, state="available"))["reason"] is None


async def test_an_unknown_reason_is_refused_and_changes_nothing(server):
    ben = await person(server, Role.AGENT)
    async with Clients() as clients:
        agent = await clients.open(server, "/agent", ben)
        await agent.ok("set_presence", {"presence": "available"})
        for bad, said in (
            ({"presence": "away", "reason": "Golf"}, "choose Lunch, Training, Meeting"),
            # The desk's own reason, never one to pick.
            ({"presence": "away", "reason": "idle"}, "choose Lunch, Training, Meeting"),
            ({"presence": "available", "reason": "Lunch"}, "with Away only"),
        ):
            error = await error_of(agent, "set_presence", bad)
            assert error["code"] == "UNKNOWN_AWAY_REASON"
            assert said in error["fields"]["reason"]
        state = await server.acall(lambda: server.services.live.router.agent(ben.id))
        assert (state.presence, state.reason) == ("available", None)
        settings = await server.acall(lambda: server.services.live.agents.settings(ben.id))
        assert settings.presence == "available"


async def test_an_idle_agent_is_set_away_as_idle_and_told(server, clock):
    ben = await person(server, Role.AGENT)
    supervisor = await person(server, Role.SUPERVISOR)
    async with Clients() as clients:
        sue = await clients.open(server, "/supervisor", supervisor)
        await sue.ok("watch")
        agent = await clients.open(server, "/agent", ben)
        await agent.ok("set_presence", {"presence": "available"})
        clock.advance(minutes=IDLE_MINUTES, milliseconds=-1)
        assert await check_idle(server) == []
        # Activity puts the limit off: idle counts from the last report.
        await agent.ok("report_activity")
        clock.advance(minutes=IDLE_MINUTES, milliseconds=-1)
        assert await check_idle(server) == []

        clock.advance(milliseconds=1)
        await check_idle(server)  # this node's loop may have taken it first: same result
        told = await agent.next("presence_changed")
        assert (told["settings"]["presence"], told["reason"]) == ("away", "idle")
        row = await listed_as(sue, ben.id, reason="idle")
        assert row["state"] == "away"
        assert datetime.fromisoformat(row["since"]) == clock.now()
        settings = await server.acall(lambda: server.services.live.agents.settings(ben.id))
        assert settings.presence == "away"  # a reload of the console shows it too
        # Away already: no second notice, however long it lasts.
        clock.advance(minutes=IDLE_MINUTES * 3)
        assert await check_idle(server) == []


async def test_an_agent_holding_a_chat_is_never_idle(server, clock):
    customer = await person(server)
    ben = await person(server, Role.AGENT)
    async with Clients() as clients:
        agent = await clients.open(server, "/agent", ben)
        await agent.ok("set_presence", {"presence": "available"})
        case = await chat_case(server, customer)
        client = await clients.open(server, "/customer", customer)
        chat_id = (await client.ok("request_chat", {"case_number": case.number}))["chat"][
            "public_id"
        ]
        await agent.next("chat_offered", chat_id=chat_id)
        await agent.ok("accept_chat", {"chat_id": chat_id})
        clock.advance(minutes=IDLE_MINUTES * 2)
        assert await check_idle(server) == []

        await client.ok("end_chat", {"chat_id": chat_id})
        await agent.next("chat_ended")
        # Idle from the chat's end, not from the last activity before it.
        clock.advance(minutes=IDLE_MINUTES, milliseconds=-1)
        assert await check_idle(server) == []
        state = await server.acall(lambda: server.services.live.router.agent(ben.id))
        assert state.presence == "available"


@pytest.mark.redis
async def test_idle_agents_are_taken_once_across_nodes(servers, redis_url, clock):
    # The clock jumps minutes at a time: no node may take the other for dead meanwhile.
    nodes = {"agent_idle_minutes": IDLE_MINUTES, "chat_node_timeout_seconds": 86_400}
    one = servers.start(redis_url, node_id="idle-one", **nodes)
    two = servers.start(redis_url, node_id="idle-two", **nodes)
    ben = await person(one, Role.AGENT)
    kim = await person(one, Role.AGENT)
    supervisor = await person(one, Role.SUPERVISOR)
    async with Clients() as clients:
        sue = await clients.open(two, "/supervisor", supervisor)
        await sue.ok("watch")
        ben_client = await clients.open(one, "/agent", ben)
        kim_client = await clients.open(two, "/agent", kim)
        await ben_client.ok("set_presence", {"presence": "available"})
        await kim_client.ok("set_presence", {"presence": "available"})
        clock.advance(minutes=IDLE_MINUTES - 1)
        await ben_client.ok("report_activity")  # noted on node one, read by node two
        clock.advance(minutes=1)

        taken = [*await check_idle(two), *await check_idle(one)]
        assert set(taken) <= {kim.id} and len(taken) <= 1  # a loop may have been first
        told = await kim_client.next("presence_changed")
        assert told["reason"] == "idle"
        row = await listed_as(sue, kim.id, reason="idle")
        assert row["state"] == "away"
        ben_state = await two.acall(lambda: two.services.live.router.agent(ben.id))
        assert (ben_state.presence, ben_state.reason) == ("available", None)
