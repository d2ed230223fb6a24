"""A page opened at an address the portal does not know for itself (a PORT that its
public URL does not name) says what to open, instead of retrying its socket forever."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from frontdesk.accounts.models import Role
from frontdesk.app import create_app
from tests.browser.actions import sign_in
from tests.browser.axe import assert_accessible
from tests.browser.conftest import ACTION_TIMEOUT_MS, NARROW
from tests.factories import make_user
from tests.live import LiveServer, running, serve_at_own_url

pytestmark = pytest.mark.browser

ELSEWHERE = "http://127.0.0.1:1"


@pytest.fixture
def misnamed_server(settings: Any, clock: Any) -> Iterator[LiveServer]:
    """A server whose public URL names another port than the one it serves."""
    misnamed = settings.model_copy(update={"public_url": ELSEWHERE})
    with running(serve_at_own_url(lambda _url: create_app(misnamed, clock))) as server:
        yield server


def test_the_console_says_which_address_to_open(browser, misnamed_server, screenshot):
    server = misnamed_server
    agent = server.call(lambda: make_user(server.services, Role.AGENT, first_name="Sam"))
    context = browser.new_context(base_url=server.url, viewport=NARROW)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto("/sign-in?next=/agent")
    sign_in(page, agent.username)
    notice = page.get_by_role("alert").filter(has_text="Live updates cannot connect")
    expect(notice).to_contain_text(f"from {server.url}")
    expect(notice.get_by_role("link", name=ELSEWHERE)).to_have_attribute(
        "href", f"{ELSEWHERE}/agent"
    )
    expect(page.locator("#chat-connection")).to_have_text("Not connected")
    assert sockets == [], "no socket is tried that the server would refuse"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    screenshot(page, "origin-notice-console")
