"""Hundreds of chat requests and accepts at once, across two node processes sharing one
store and one Redis: no chat assigned twice, no agent over capacity, nothing lost."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from typing import Any

import pytest
from sqlalchemy import select

from frontdesk.accounts.models import Role
from frontdesk.cases.models import Channel
from frontdesk.clock import FixedClock
from frontdesk.db.tables import chats
from frontdesk.events import RecordingNotifier
from frontdesk.services import Services
from tests.conftest import make_settings
from tests.factories import copy_case, make_user, open_case
from tests.integration.chat_clients import ChatClient
from tests.nodes import node_env, nodes

# On both stores: nodes race through the store's locks and unique keys.
pytestmark = [pytest.mark.redis, pytest.mark.both_stores]

CUSTOMERS, CASES_EACH = 20, 10  # 200 chat requests
AGENTS, CAPACITY = 40, 5  # 200 seats: every request can be answered at once
SETTLE_SECONDS = 60.0


async def seed(settings) -> tuple[list[Any], list[Any], list[str]]:
    """Customers with chat cases, and agents, written in-process before the nodes start."""
    # A Monday morning: chat is open.
    services = Services.build(settings, FixedClock(), notifier=RecordingNotifier())
    try:
        customers = [await make_user(services) for _ in range(CUSTOMERS)]
        agents = [await make_user(services, Role.AGENT) for _ in range(AGENTS)]
        model = await open_case(services, customers[0], Channel.CHAT)
        numbers = [model.number]
        for index in range(1, CUSTOMERS * CASES_EACH):
            numbers.append(await copy_case(services, model, customers[index // CASES_EACH]))
    finally:
        await services.aclose()
    return customers, agents, numbers


class Tally:
    """Accepted chats over every desk; `all_in` is set when the last one is answered."""

    def __init__(self, expected: int) -> None:
        self.accepted: Counter[str] = Counter()
        self.expected = expected
        self.all_in = asyncio.Event()

    def add(self, chat_id: str) -> None:
        self.accepted[chat_id] += 1
        if len(self.accepted) == self.expected:
            self.all_in.set()


class AgentDesk:
    """One agent's console: accepts every offer at once; counts seats as offers arrive."""

    def __init__(self, client: ChatClient, tally: Tally) -> None:
        self.client = client
        self.tally = tally
        self.holding: set[str] = set()
        self.most_held = 0
        self.accepted: list[str] = []
        self.refused: list[str] = []
        self.tasks: list[asyncio.Task[None]] = []
        client.sio.on("chat_offered", self._offered, namespace="/agent")

    async def _offered(self, data: dict[str, Any]) -> None:
        self.holding.add(data["chat_id"])
        self.most_held = max(self.most_held, len(self.holding))
        self.tasks.append(asyncio.create_task(self._accept(data["chat_id"])))

    async def _accept(self, chat_id: str) -> None:
        ack = await self.client.call("accept_chat", {"chat_id": chat_id})
        if ack["ok"]:
            self.accepted.append(chat_id)
            self.tally.add(chat_id)
        else:
            self.refused.append(ack["error"]["code"])
            self.holding.discard(chat_id)


async def test_hundreds_of_requests_across_two_nodes_are_each_answered_once(
    database_url, redis_url, tmp_path
):
    settings = make_settings(database_url, tmp_path)
    customers, agents, numbers = await seed(settings)
    env = node_env(settings, redis_url, tmp_path, FRONTDESK_CHAT_CAPACITY=str(CAPACITY))
    async with nodes(2, env, tmp_path) as (one, two):
        # Customers and agents spread over both nodes: most offers cross between them.
        tally = Tally(len(numbers))
        desks = [
            AgentDesk(await ChatClient.open((one, two)[i % 2].url, "/agent", a.username), tally)
            for i, a in enumerate(agents)
        ]
        buyers = [
            await ChatClient.open((two, one)[i % 2].url, "/customer", c.username)
            for i, c in enumerate(customers)
        ]
        for client in [*(d.client for d in desks), *buyers]:
            client.timeout = SETTLE_SECONDS  # hundreds at once on a shared, loaded machine
        try:
            await asyncio.gather(
                *(d.client.ok("set_presence", {"presence": "available"}) for d in desks)
            )
            requests = [
                buyers[i // CASES_EACH].ok("request_chat", {"case_number": number})
                for i, number in enumerate(numbers)
            ]
            opened = await asyncio.gather(*requests)
            chat_ids = {state["chat"]["public_id"] for state in opened}
            assert len(chat_ids) == len(numbers)

            async with asyncio.timeout(SETTLE_SECONDS):
                await tally.all_in.wait()
        finally:
            for client in [*(d.client for d in desks), *buyers]:
                await client.close()

    accepted = tally.accepted
    assert set(accepted) == chat_ids  # nothing lost
    assert max(accepted.values()) == 1  # none answered twice
    assert [code for d in desks for code in d.refused] == []  # no offer taken from under one
    assert max(d.most_held for d in desks) <= CAPACITY  # nobody offered past capacity

    services = Services.build(settings, FixedClock(), notifier=RecordingNotifier())
    try:
        async with services.engine.connect() as conn:
            rows = (
                await conn.execute(select(chats.c.public_id, chats.c.status, chats.c.agent_id))
            ).all()
    finally:
        await services.aclose()
    by_agent: dict[int, int] = defaultdict(int)
    for row in rows:
        assert row.status == "active"
        by_agent[row.agent_id] += 1
    assert {row.public_id for row in rows} == chat_ids
    assert max(by_agent.values()) <= CAPACITY
