"""The whole chat over real sockets: request, offer, accept, talk both ways, end."""

from __future__ import annotations

from frontdesk.accounts.models import Role
from frontdesk.cases.models import ActivityKind, Channel
from tests.factories import make_user, open_case
from tests.integration.chat_clients import ChatClient


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
