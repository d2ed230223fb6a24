"""A node that dies takes nothing with it: the agent it held is taken for gone by the
other node, and the chat goes on with the next agent, who sees the whole transcript."""

from __future__ import annotations

import pytest

from frontdesk.accounts.models import Role
from frontdesk.cases.models import Channel
from frontdesk.clock import FixedClock
from frontdesk.events import RecordingNotifier
from frontdesk.services import Services
from tests.conftest import make_settings
from tests.factories import make_user, open_case
from tests.integration.chat_clients import ChatClient
from tests.nodes import node_env, nodes

# On both stores: nodes share chats through the store.
pytestmark = [pytest.mark.redis, pytest.mark.both_stores]


async def test_an_agents_chat_outlives_the_node_it_was_on(database_url, redis_url, tmp_path):
    settings = make_settings(database_url, tmp_path)
    services = Services.build(settings, FixedClock(), notifier=RecordingNotifier())
    try:
        customer = await make_user(services, first_name="Ann")
        first = await make_user(services, Role.AGENT)
        second = await make_user(services, Role.AGENT)
        case = await open_case(services, customer, Channel.CHAT)
    finally:
        await services.aclose()
    env = node_env(
        settings, redis_url, tmp_path,
        FRONTDESK_CHAT_NODE_TIMEOUT_SECONDS="2", FRONTDESK_CHAT_GRACE_SECONDS="1",
        FRONTDESK_CHAT_SWEEP_SECONDS="0.1",
    )  # fmt: skip
    async with nodes(2, env, tmp_path) as (survivor, doomed):
        ann = await ChatClient.open(survivor.url, "/customer", customer.username)
        lost = await ChatClient.open(doomed.url, "/agent", first.username)
        await lost.ok("set_presence", {"presence": "available"})
        chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
        await lost.next("chat_offered", chat_id=chat_id)
        await lost.ok("accept_chat", {"chat_id": chat_id})
        await ann.send(chat_id, "Are you still there?")

        doomed.kill()
        await ann.next("agent_disconnected", chat_id=chat_id)
        await ann.next("chat_requeued", chat_id=chat_id)
        taker = await ChatClient.open(survivor.url, "/agent", second.username)
        await taker.ok("set_presence", {"presence": "available"})
        await taker.next("chat_offered", chat_id=chat_id)
        taken = await taker.ok("accept_chat", {"chat_id": chat_id})
        assert [m["body"] for m in taken["messages"]] == ["Are you still there?"]
        await ann.next("chat_accepted", chat_id=chat_id, agent_name=second.display_name)
        for client in (ann, taker):
            await client.close()


async def test_a_customer_whose_node_dies_is_taken_for_gone_and_welcomed_back(
    database_url, redis_url, tmp_path
):
    settings = make_settings(database_url, tmp_path)
    services = Services.build(settings, FixedClock(), notifier=RecordingNotifier())
    try:
        customer = await make_user(services, first_name="Ann")
        agent = await make_user(services, Role.AGENT)
        case = await open_case(services, customer, Channel.CHAT)
    finally:
        await services.aclose()
    env = node_env(
        settings, redis_url, tmp_path,
        FRONTDESK_CHAT_NODE_TIMEOUT_SECONDS="2", FRONTDESK_CHAT_SWEEP_SECONDS="0.1",
    )  # fmt: skip
    async with nodes(2, env, tmp_path) as (survivor, doomed):
        sam = await ChatClient.open(survivor.url, "/agent", agent.username)
        ann = await ChatClient.open(doomed.url, "/customer", customer.username)
        await sam.ok("set_presence", {"presence": "available"})
        chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
        await sam.next("chat_offered", chat_id=chat_id)
        await sam.ok("accept_chat", {"chat_id": chat_id})

        doomed.kill()  # no socket closes: only the node's silence tells
        await sam.next("customer_disconnected", chat_id=chat_id)
        back = await ChatClient.open(survivor.url, "/customer", customer.username)
        await sam.next("customer_reconnected", chat_id=chat_id)
        await back.send(chat_id, "The page came back")
        assert (await sam.next("message_created", chat_id=chat_id))["body"] == "The page came back"
        for client in (sam, back):
            await client.close()
