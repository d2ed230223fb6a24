"""The agent's status in the browser: Away with a reason picked by keyboard, seen on the
supervisor's dashboard; set away as idle, and told; the chat panel's customer history
with a link to each case. Keyboard, axe, and 390 px."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from frontdesk.cases.models import Channel
from tests.browser.actions import LIVE_MS, PHONE, open_console, tab_to
from tests.browser.axe import assert_accessible
from tests.browser.conftest import DESKTOP
from tests.browser.test_supervisor_desk import agent_row, open_desk
from tests.conftest import make_settings
from tests.factories import open_case
from tests.integration.chat_clients import ChatClient

pytestmark = pytest.mark.browser

IDLE_MINUTES = 5


@pytest.fixture
def settings(database_url: str, tmp_path: Any) -> Any:
    return make_settings(database_url, tmp_path, agent_idle_minutes=IDLE_MINUTES)


def fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_an_agent_says_why_away_sees_the_customer_history_and_is_set_idle(
    page, contexts, live_server, loop, clock, customer, agent, supervisor, chat_case, screenshot
):
    services = live_server.services
    earlier = live_server.call(lambda: open_case(services, customer, Channel.MESSAGE))
    board = contexts().new_page()
    open_desk(board, supervisor)

    # Available, then Away for lunch: by keyboard alone.
    open_console(page, agent)
    available = page.get_by_label("Available", exact=True)
    tab_to(page, page.locator("#presence-offline"))
    page.keyboard.press("ArrowLeft")  # Away
    reason = page.get_by_label("Reason for Away")
    expect(reason).to_be_visible()
    expect(page.locator("#chat-announcer")).to_contain_text("Choose a reason for Away next")
    page.keyboard.press("Tab")
    expect(reason).to_be_focused()
    page.keyboard.press("ArrowDown")  # the first reason: Lunch
    expect(page.locator("#chat-announcer")).to_contain_text("You are Away: Lunch.")
    row = agent_row(board, agent)
    expect(row).to_contain_text("Away: Lunch", timeout=LIVE_MS)
    expect(row.locator("td[data-since]")).to_have_text(re.compile(r"^\d+:\d\d$"))
    assert_accessible(board)
    screenshot(board, "status-dashboard-lunch")

    # Back to work: a chat, with the customer's history beside it, each case a link.
    page.keyboard.press("Shift+Tab")  # back to the status: one stop, on Away
    expect(page.get_by_label("Away", exact=True)).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(available).to_be_checked()
    expect(reason).to_be_hidden()
    ann = loop.run(lambda: ChatClient.open(live_server.url, "/customer", customer.username))
    try:
        asked = loop.run(lambda: ann.ok("request_chat", {"case_number": chat_case.number}))
        page.get_by_role("button", name="Accept").click(timeout=LIVE_MS)
        panel = page.get_by_role("tabpanel")
        history = panel.locator(".customer-history")
        expect(history).to_contain_text("1 chat in the last 30 days; 2 cases in all")
        link = history.get_by_role("link", name=re.compile(earlier.number))
        expect(link).to_have_attribute("href", f"/agent/cases/{earlier.number}")
        expect(link).to_have_attribute("target", "_blank")
        expect(history).to_contain_text(f"{chat_case.number} (this chat)")
        expect(history).to_contain_text("Message · New")
        expect(panel.locator(".case-activity")).to_contain_text("created this case")
        assert_accessible(page)
        page.set_viewport_size(PHONE)
        fits(page, PHONE["width"])
        screenshot(page, "status-console-history-390")
        page.set_viewport_size(DESKTOP)
        loop.run(lambda: ann.ok("end_chat", {"chat_id": asked["chat"]["public_id"]}))
    finally:
        loop.run(ann.close)

    # Idle past the limit with no chat: Away as idle, told, the control showing it.
    expect(panel).to_contain_text("ended the chat", timeout=LIVE_MS)
    clock.advance(minutes=IDLE_MINUTES)
    assert live_server.call(lambda: services.idle.check()) in ([agent.id], [])
    notice = page.locator("#presence-notice")
    expect(notice).to_contain_text("no activity for 5 minutes", timeout=LIVE_MS)
    expect(page.locator("#chat-announcer")).to_contain_text("no activity for 5 minutes")
    expect(page.get_by_label("Away", exact=True)).to_be_checked()
    expect(reason).to_have_value("")
    expect(agent_row(board, agent)).to_contain_text("Away: idle (no activity)", timeout=LIVE_MS)
    board.set_viewport_size(PHONE)
    fits(board, PHONE["width"])
    screenshot(board, "status-dashboard-idle-390")
    screenshot(page, "status-console-idle")

    # A reload keeps it: the console says why it is away.
    page.reload()
    expect(page.locator("#presence-notice")).to_contain_text("no activity for 5 minutes")
