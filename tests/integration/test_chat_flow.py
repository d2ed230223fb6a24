"""The whole chat over real sockets: request, offer, accept, talk both ways, end."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import socketio

from frontdesk.accounts.models import Role
from frontdesk.cases.models import ActivityKind, Channel
from tests.factories import make_user, open_case, outbox_messages
from tests.integration.chat_clients import ChatClient
from tests.integration.test_sockets import session_cookie


async def people(live_server):
    services = live_server.services
    customer = await live_server.acall(lambda: make_user(services, first_name="Ann"))
    agent = await live_server.acall(
        lambda: make_user(services, Role.AGENT, first_name="Sam", last_name="Agent")
    )
    case = await live_server.acall(lambda: open_case(services, customer, Channel.CHAT))
    return customer, agent, case


async def test_a_chat_from_request_to_transcript(live_server):
    customer, agent, case = await people(live_server)
    ann = await ChatClient.open(live_server.url, "/customer", customer.username)
    sam = await ChatClient.open(live_server.url, "/agent", agent.username)
    try:
        waiting = await ann.ok("request_chat", {"case_number": case.number})
        chat_id = waiting["chat"]["public_id"]
        assert waiting["chat"]["status"] == "requested"
        assert waiting["position"] == 1

        await sam.ok("set_presence", {"presence": "available"})
        offer = await sam.next("chat_offered", chat_id=chat_id)
        assert offer["case"]["number"] == case.number
        await ann.next("queue_updated", chat_id=chat_id, position=0)

        taken = await sam.ok("accept_chat", {"chat_id": chat_id})
        assert taken["chat"]["status"] == "active"
        assert taken["case"]["number"] == case.number
        assert (await ann.next("chat_accepted"))["agent_name"] == agent.display_name

        sent = await ann.send(chat_id, "Hello, my certificates are missing", "m1")
        assert sent["seq"] == 1
        assert (await sam.next("message_created", chat_id=chat_id))["body"].startswith("Hello")
        reply = await sam.send(chat_id, "Let me look into that")
        assert reply["seq"] == 2
        assert (await ann.next("message_created", seq=2))["body"] == "Let me look into that"

        again = await ann.send(chat_id, "Hello, my certificates are missing", "m1")
        assert again["seq"] == 1  # a retry is stored once

        ended = await sam.ok("end_chat", {"chat_id": chat_id, "wrap_up": "Sent a reprint"})
        assert ended["chat"]["status"] == "ended"
        await ann.next("chat_ended")
        refused = await ann.call(
            "send_message", {"chat_id": chat_id, "body": "x", "client_msg_id": "m9"}
        )
        assert refused["error"]["code"] == "CHAT_ENDED"
    finally:
        await ann.close()
        await sam.close()
    feed = await live_server.acall(lambda: live_server.services.cases.feed(customer, case.number))
    transcripts = [item for item in feed if item.kind is ActivityKind.CHAT_TRANSCRIPT]
    assert len(transcripts) == 1
    assert "Let me look into that" in transcripts[0].body
    await the_wrap_up_is_for_staff_only(live_server, customer, agent, case.number, "Sent a reprint")


async def the_wrap_up_is_for_staff_only(live_server, customer, agent, number, note) -> None:
    """The agent's wrap-up is beside the transcript for staff, on the page and in the
    API; the customer's feed, pages and emails never carry it."""
    services = live_server.services
    staff_feed = await live_server.acall(lambda: services.cases.feed(agent, number))
    (transcript,) = [i for i in staff_feed if i.kind is ActivityKind.CHAT_TRANSCRIPT]
    assert transcript.data["wrap_up"] == note
    assert note not in transcript.body
    customer_feed = await live_server.acall(lambda: services.cases.feed(customer, number))
    assert all("wrap_up" not in item.data for item in customer_feed)
    pages = {
        agent.username: [f"/agent/cases/{number}", f"/api/v1/cases/{number}/feed"],
        customer.username: [f"/my-cases/{number}", f"/api/v1/cases/{number}/feed"],
    }
    for username, paths in pages.items():
        cookie = await session_cookie(live_server.url, username)
        async with httpx.AsyncClient(base_url=live_server.url, headers={"Cookie": cookie}) as http:
            for path in paths:
                response = await http.get(path)
                assert response.status_code == 200, path
                assert (note in response.text) is (username == agent.username), path
    mails = await live_server.acall(lambda: outbox_messages(services))
    assert mails and all(note not in mail.body for mail in mails)


async def test_queue_figures_reach_supervisors_and_prometheus(live_server):
    services = live_server.services
    customer = await live_server.acall(lambda: make_user(services))
    supervisor = await live_server.acall(lambda: make_user(services, Role.SUPERVISOR))
    case = await live_server.acall(lambda: open_case(services, customer, Channel.CHAT))
    sue = await ChatClient.open(live_server.url, "/supervisor", supervisor.username)
    ann = await ChatClient.open(live_server.url, "/customer", customer.username)
    try:
        before = {g["group"]: g for g in (await sue.ok("watch"))["groups"]}
        assert before["centres"]["waiting"] == 0
        await ann.ok("request_chat", {"case_number": case.number})
        figures = await sue.next("queue_changed", group=case.customer_group, waiting=1)
        assert figures["requested_today"] == 1 and figures["agents_available"] == 0
        # Scraped while Ann is still connected: once her last socket closes, her chat
        # steps out of the line (away), and the gauge rightly drops to 0.
        async with httpx.AsyncClient(base_url=live_server.url) as http:
            scraped = (await http.get("/metrics")).text
    finally:
        await ann.close()
        await sue.close()
    assert f'frontdesk_chat_waiting{{group="{case.customer_group}"}} 1.0' in scraped
    assert f'frontdesk_chat_requests_total{{group="{case.customer_group}"}} 1.0' in scraped


async def test_sockets_are_websocket_only(live_server):
    customer = await live_server.acall(lambda: make_user(live_server.services))
    cookie = await session_cookie(live_server.url, customer.username)
    polling = socketio.AsyncClient(reconnection=False)
    # Refused either way: the client reads the 400 and raises ConnectionError, or the
    # server has already closed the connection and aiohttp raises "Connection closed.".
    with pytest.raises((socketio.exceptions.ConnectionError, RuntimeError)):
        async with asyncio.timeout(10):
            await polling.connect(
                live_server.url, namespaces=["/customer"], transports=["polling"],
                headers={"Cookie": cookie},
            )  # fmt: skip
    websocket = await ChatClient.connect(live_server.url, "/customer", cookie)
    assert (await websocket.ok("whoami"))["user_id"] == customer.id
    await websocket.close()


async def test_waiting_customers_see_their_place_and_wait_move_up(live_server, clock):
    services = live_server.services
    agent = await live_server.acall(lambda: make_user(services, Role.AGENT))
    names = ("Ann", "Bea", "Cal")
    customers = [
        await live_server.acall(lambda n=n: make_user(services, first_name=n)) for n in names
    ]
    cases = [
        await live_server.acall(lambda c=c: open_case(services, c, Channel.CHAT)) for c in customers
    ]
    sam = await ChatClient.open(live_server.url, "/agent", agent.username)
    ann, bea, cal = [
        await ChatClient.open(live_server.url, "/customer", c.username) for c in customers
    ]
    try:
        await sam.ok("set_presence", {"presence": "available", "capacity": 1})
        first = await ann.ok("request_chat", {"case_number": cases[0].number})
        await sam.ok("accept_chat", {"chat_id": first["chat"]["public_id"]})
        # One seat, no finished chats yet: each place waits one default handle time (6 min).
        second = await bea.ok("request_chat", {"case_number": cases[1].number})
        clock.advance(seconds=1)  # the line is ordered by time of request
        third = await cal.ok("request_chat", {"case_number": cases[2].number})
        assert (second["position"], second["estimated_wait_seconds"]) == (1, 360)
        assert (third["position"], third["estimated_wait_seconds"]) == (2, 720)

        await bea.ok("end_chat", {"chat_id": second["chat"]["public_id"]})
        moved = await cal.next("queue_updated", chat_id=third["chat"]["public_id"], position=1)
        assert moved["estimated_wait_seconds"] == 360
    finally:
        for client in (sam, ann, bea, cal):
            await client.close()


async def test_supervisors_see_each_agents_load_and_the_queue_over_time(live_server, clock):
    services = live_server.services
    customer = await live_server.acall(lambda: make_user(services))
    agent = await live_server.acall(lambda: make_user(services, Role.AGENT, first_name="Sam"))
    supervisor = await live_server.acall(lambda: make_user(services, Role.SUPERVISOR))
    case = await live_server.acall(lambda: open_case(services, customer, Channel.CHAT))
    sue = await ChatClient.open(live_server.url, "/supervisor", supervisor.username)
    assert (await sue.ok("watch"))["agents"] == []
    sam = await ChatClient.open(live_server.url, "/agent", agent.username)
    ann = await ChatClient.open(live_server.url, "/customer", customer.username)

    async def agent_seen(presence: str, active: int) -> dict:
        # Flushes may still carry earlier states: wait for the one sought.
        while True:
            (seen,) = (await sue.next("agents_changed"))["agents"]
            if (seen["presence"], seen["active"]) == (presence, active):
                return seen

    try:
        await sam.ok("set_presence", {"presence": "available", "capacity": 2})
        listed = await agent_seen("available", 0)
        assert (listed["name"], listed["capacity"]) == (agent.display_name, 2)

        # The request waits 3 minutes with Sam away (an offer out that long would lapse
        # at the server's next sweep), then he takes it.
        await sam.ok("set_presence", {"presence": "away"})
        chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
        clock.advance(minutes=3)
        await sam.ok("set_presence", {"presence": "available"})
        await sam.next("chat_offered", chat_id=chat_id)
        await sam.ok("accept_chat", {"chat_id": chat_id})
        await agent_seen("available", 1)

        clock.advance(minutes=2)
        points = (await sue.ok("history", {"group": case.customer_group, "hours": 1}))["points"]
        assert len(points) == 12
        assert points[-1]["waiting"] == 0
        assert [p["average_wait_seconds"] for p in points if p["average_wait_seconds"]] == [180.0]
        refused = await sue.call("history", {"group": "nowhere"})
        assert refused["error"]["code"] == "INVALID"
    finally:
        for client in (sue, sam, ann):
            await client.close()
