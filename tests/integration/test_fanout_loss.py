"""No acknowledged message goes unseen when the fan-out between nodes loses it: two nodes
on a Redis of the test's own, killed and started again empty while both sides write."""

from __future__ import annotations

import asyncio

import pytest

from frontdesk.accounts.models import Role
from tests.integration.chat_clients import (
    ChatClient,
    Clients,
    Follower,
    chat_case,
    person,
)
from tests.live import LiveServer

pytestmark = pytest.mark.redis

# Fast beats and sweeps, so the test waits on them briefly; the logic is the same at 5 s.
FAST = {"chat_heartbeat_seconds": 0.2, "chat_sweep_seconds": 0.1}
# After Redis is back: a heartbeat, a catch-up, and a resubscribe (at most 1 s) apart.
CONVERGE_SECONDS = 10.0


async def start_chat(
    one: LiveServer, two: LiveServer, clients: Clients
) -> tuple[ChatClient, ChatClient, str]:
    """A customer on node one chatting with an agent on node two."""
    customer = await person(one)
    agent = await person(one, Role.AGENT)
    case = await chat_case(one, customer)
    ann = await clients.open(one, "/customer", customer)
    sam = await clients.open(two, "/agent", agent)
    await sam.ok("set_presence", {"presence": "available"})
    chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
    await sam.next("chat_offered", chat_id=chat_id)
    await sam.ok("accept_chat", {"chat_id": chat_id})
    await ann.next("chat_accepted", chat_id=chat_id)
    return ann, sam, chat_id


async def test_messages_sent_while_redis_is_away_reach_the_other_node(own_redis, own_servers):
    one = own_servers.start(own_redis.url, node_id="node-one", **FAST)
    two = own_servers.start(own_redis.url, node_id="node-two", auto_migrate=False, **FAST)
    async with Clients() as clients:
        ann, sam, chat_id = await start_chat(one, two, clients)
        ann_sees = Follower(ann, chat_id, "resume_chat")
        sam_sees = Follower(sam, chat_id, "open_chat")
        acked: set[int] = set()

        async def both_send(label: str, count: int) -> None:
            for n in range(count):
                for who, client in (("ann", ann), ("sam", sam)):
                    message = await client.send(chat_id, f"{label} {who} {n}")
                    acked.add(message["seq"])

        await both_send("before", 5)
        own_redis.kill()
        await both_send("during", 10)  # stored and acknowledged; the fan-out is down
        own_redis.start()  # back, empty
        await both_send("after", 5)

        await ann_sees.has(acked, CONVERGE_SECONDS)
        await sam_sees.has(acked, CONVERGE_SECONDS)
    assert len(acked) == 40
    assert sorted(ann_sees.bodies) == sorted(sam_sees.bodies) == list(range(1, 41))
    assert ann_sees.bodies == sam_sees.bodies, "each seq is the same message on both sides"
    assert ann_sees.caught_up_to == sam_sees.caught_up_to == 40


async def test_the_last_message_before_a_quiet_spell_still_arrives(own_redis, own_servers):
    """The last message lost at the fan-out has nothing after it to show the gap: the
    heartbeat from the receiving node does."""
    one = own_servers.start(own_redis.url, node_id="node-one", **FAST)
    two = own_servers.start(own_redis.url, node_id="node-two", auto_migrate=False, **FAST)
    async with Clients() as clients:
        ann, sam, chat_id = await start_chat(one, two, clients)
        sam_sees = Follower(sam, chat_id, "open_chat")
        first = await ann.send(chat_id, "first")
        await sam_sees.has({first["seq"]}, CONVERGE_SECONDS)

        own_redis.kill()
        last = await ann.send(chat_id, "the last word before a pause")
        # Nothing more is sent: only node two's heartbeat can reveal what it missed.
        await sam_sees.has({last["seq"]}, CONVERGE_SECONDS)
    assert sam_sees.bodies[last["seq"]] == "the last word before a pause"
    assert sam_sees.catch_ups >= 1, "it came by a catch-up, not by the fan-out"


async def test_a_lost_publish_is_counted_and_readiness_names_the_fanout(own_redis, own_servers):
    one = own_servers.start(own_redis.url, node_id="node-one", **FAST)
    two = own_servers.start(own_redis.url, node_id="node-two", auto_migrate=False, **FAST)
    watch = one.services.fanout
    assert watch is not None and watch.subscribed
    assert (await one.acall(one.services.check_ready))["fanout"] == "ok"

    def lost() -> float:
        return one.services.metrics.registry.get_sample_value("frontdesk_fanout_lost_total")

    async with Clients() as clients:
        ann, _, chat_id = await start_chat(one, two, clients)
        before = lost()
        own_redis.kill()
        await ann.send(chat_id, "for node two, which cannot hear it now")
        assert lost() > before
        async with asyncio.timeout(CONVERGE_SECONDS):
            # The listener notices the closed connection; nothing to await in its thread.
            while watch.subscribed:  # noqa: ASYNC110
                await asyncio.sleep(0.02)
    ready = await one.acall(one.services.check_ready)
    assert ready["fanout"] == "not subscribed"
