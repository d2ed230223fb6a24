"""In Chromium: the customer's page on one node and the agent's console on another see
every message, while Redis is killed and started again empty under them, with no reload."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from frontdesk.accounts.models import Role
from frontdesk.cases.models import Channel
from tests.browser.actions import open_chat
from tests.browser.conftest import ACTION_TIMEOUT_MS, DESKTOP
from tests.browser.test_live_chat_journey import (
    accept_offer,
    agent_sends,
    customer_sends,
    open_console_available,
)
from tests.factories import make_user, open_case
from tests.integration.chat_clients import Servers
from tests.live import LiveServer
from tests.own_redis import OwnRedis

pytestmark = [pytest.mark.browser, pytest.mark.redis]

FAST = {"chat_heartbeat_seconds": 0.3, "chat_sweep_seconds": 0.1}
CONVERGE_MS = 10_000


@pytest.fixture
def two_nodes(own_redis: OwnRedis, database_url: str, tmp_path: Any, clock: Any) -> Iterator[Any]:
    servers = Servers(database_url, tmp_path, clock)
    one = servers.start(own_redis.url, node_id="node-one", **FAST)
    two = servers.start(own_redis.url, node_id="node-two", auto_migrate=False, **FAST)
    try:
        yield one, two
    finally:
        servers.stop_servers()


def page_on(browser: Browser, server: LiveServer) -> Page:
    context = browser.new_context(base_url=server.url, viewport=DESKTOP)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    return context.new_page()


def seqs(items: Locator) -> list[int]:
    return [int(seq) for seq in items.evaluate_all("items => items.map(i => i.dataset.seq)")]


def test_both_pages_see_every_message_through_a_redis_restart(
    browser, two_nodes, own_redis, screenshot
):
    one, two = two_nodes
    customer = one.call(lambda: make_user(one.services, first_name="Ann", last_name="Example"))
    agent = one.call(lambda: make_user(one.services, Role.AGENT, first_name="Sam"))
    case = one.call(lambda: open_case(one.services, customer, Channel.CHAT))

    console = page_on(browser, two)
    open_console_available(console, agent)
    chat = page_on(browser, one)
    open_chat(chat, customer, case.number)
    panel = accept_offer(console, case.number)
    expect(chat.locator("#chat-agent")).to_contain_text(agent.display_name, timeout=CONVERGE_MS)

    def both_send(label: str, count: int) -> None:
        for n in range(count):
            customer_sends(chat, f"{label} from Ann {n}")
            expect(chat.locator("#chat-messages li.pending")).to_have_count(0)  # stored
            agent_sends(panel, customer, f"{label} from Sam {n}")

    both_send("before", 2)
    own_redis.kill()
    both_send("during", 3)
    own_redis.start()  # back, and empty
    both_send("after", 2)

    every = list(range(1, 15))
    customer_sees = chat.locator("#chat-messages li.chat-message")
    agent_sees = panel.locator(".thread .message")
    expect(customer_sees).to_have_count(len(every), timeout=CONVERGE_MS)
    expect(agent_sees).to_have_count(len(every), timeout=CONVERGE_MS)
    assert seqs(customer_sees) == seqs(agent_sees) == every, "in order, each once"
    expect(customer_sees.filter(has_text="during from Sam 2")).to_have_count(1)
    expect(agent_sees.filter(has_text="during from Ann 2")).to_have_count(1)
    screenshot(chat, "fanout-loss-customer")
    screenshot(console, "fanout-loss-console")
