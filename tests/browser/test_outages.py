"""In Chromium: a customer opens the chat window while the node's Redis is down. The
page says we are busy and keeps trying, then joins the queue once Redis is back, with
no reload. The agent console, which reads Redis to draw itself, says try again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from frontdesk.accounts.models import Role
from frontdesk.cases.models import Channel
from tests.browser.actions import open_chat, sign_in
from tests.browser.test_chat_window import status
from tests.browser.test_fanout_loss import page_on
from tests.factories import make_user, open_case
from tests.integration.chat_clients import Servers
from tests.live import LiveServer
from tests.own_redis import OwnRedis

pytestmark = [pytest.mark.browser, pytest.mark.redis]

BUSY = "We are very busy just now. We will keep trying to connect you…"
RETRY_MS = 10_000  # the page tries again every 3 s


@pytest.fixture
def node(own_redis: OwnRedis, database_url: str, tmp_path: Any, clock: Any) -> Iterator[LiveServer]:
    servers = Servers(database_url, tmp_path, clock)
    try:
        yield servers.start(own_redis.url)
    finally:
        servers.stop_servers()


def test_the_chat_window_waits_out_a_redis_outage(browser, node, own_redis, screenshot):
    customer = node.call(lambda: make_user(node.services, first_name="Ann"))
    case = node.call(lambda: open_case(node.services, customer, Channel.CHAT))
    chat = page_on(browser, node)
    own_redis.kill()
    open_chat(chat, customer, case.number)
    expect(status(chat)).to_have_text(BUSY, timeout=RETRY_MS)
    expect(chat.locator("#chat-error")).to_be_hidden()  # a wait, not a dead end
    screenshot(chat, "chat-redis-down")

    own_redis.start()  # back, and empty
    expect(status(chat)).to_contain_text("You are number 1 in the queue", timeout=RETRY_MS)


def test_the_console_says_try_again_while_redis_is_down(browser, node, own_redis, screenshot):
    agent = node.call(lambda: make_user(node.services, Role.AGENT, first_name="Sam"))
    console = page_on(browser, node)
    own_redis.kill()
    console.goto("/sign-in?next=/agent")
    sign_in(console, agent.username)
    expect(console.get_by_text("Please try again in a moment")).to_be_visible()
    screenshot(console, "console-redis-down")

    own_redis.start()
    console.get_by_role("link", name="Try again").click()
    expect(console.get_by_role("heading", name="Live chat")).to_be_visible()
    expect(console.locator("#chat-connection")).to_have_text("Connected")
