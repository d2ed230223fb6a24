"""The customer's live chat window, with the agent's side driven over a real socket."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Page, expect

from frontdesk.accounts.models import Role
from frontdesk.cases.models import Channel
from tests.browser.actions import open_chat, tab_to
from tests.browser.axe import assert_accessible
from tests.browser.conftest import NARROW
from tests.factories import make_user, open_case
from tests.integration.chat_clients import ChatClient

pytestmark = pytest.mark.browser

T = TypeVar("T")
SATURDAY = datetime(2026, 6, 20, 10, 0, tzinfo=UTC)
WAIT_SECONDS = 15.0


class Person:
    """A signed-in socket (the agent's, or another customer's) on an event loop of its
    own, so a sync Playwright test can drive it."""

    def __init__(self, base_url: str, username: str, namespace: str = "/agent") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.client: ChatClient = self._run(lambda: ChatClient.open(base_url, namespace, username))

    def _run(self, work: Callable[[], Awaitable[T]]) -> T:
        future = asyncio.run_coroutine_threadsafe(_coro(work), self._loop)
        return future.result(WAIT_SECONDS)

    def ok(self, event: str, data: dict[str, Any] | None = None) -> Any:
        return self._run(lambda: self.client.ok(event, data))

    def next(self, event: str, **matching: Any) -> dict[str, Any]:
        return self._run(lambda: self.client.next(event, **matching))

    def send(self, chat_id: str, body: str) -> Any:
        return self._run(lambda: self.client.send(chat_id, body))

    def take_the_chat(self) -> str:
        """Turn available, take the chat offered; its id."""
        self.ok("set_presence", {"presence": "available"})
        chat_id: str = self.next("chat_offered")["chat_id"]
        self.ok("accept_chat", {"chat_id": chat_id})
        return chat_id

    def drop(self) -> None:
        self._run(self.client.close)

    def close(self) -> None:
        if self.client.sio.connected:
            self.drop()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()


async def _coro(work: Callable[[], Awaitable[T]]) -> T:
    return await work()


@pytest.fixture
def sam(live_server: Any, agent: Any) -> Iterator[Person]:
    driver = Person(live_server.url, agent.username)
    try:
        yield driver
    finally:
        driver.close()


def status(page: Page) -> Any:
    return page.locator("#chat-status")


def notice(page: Page, text: str) -> Any:
    return page.locator("#chat-messages li.chat-notice").filter(has_text=text)


def messages(page: Page) -> Any:
    return page.locator("#chat-messages li.chat-message")


def test_a_customer_waits_chats_saves_and_ends(
    page, live_server, customer, agent, chat_case, sam, screenshot
):
    open_chat(page, customer, chat_case.number)
    expect(status(page)).to_have_text(
        "You are number 1 in the queue. No agent is available right now; we will connect "
        "you as soon as one is."
    )
    expect(page).to_have_title(re.compile("^Waiting for an agent · Chat"))
    expect(page.get_by_label("Your message")).to_be_disabled()
    expect(page.get_by_role("button", name="End Chat")).to_be_enabled()
    screenshot(page, "chat-waiting")
    assert_accessible(page)

    chat_id = sam.take_the_chat()
    expect(page.locator("#chat-agent")).to_have_text("You are chatting with Sam Agent.")
    expect(page).to_have_title(re.compile("^Chatting with Sam Agent · Chat"))
    text = page.get_by_label("Your message")
    expect(text).to_be_enabled()

    # Keyboard only: the box has the focus once the agent joins; Shift+Enter for a new
    # line, Enter sends.
    expect(text).to_be_focused()
    page.keyboard.type("Hello, my certificates")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("have not arrived")
    assert sam.next("typing", chat_id=chat_id)["typing"] is True
    page.keyboard.press("Enter")
    got = sam.next("message_created", chat_id=chat_id)
    assert got["body"] == "Hello, my certificates\nhave not arrived"
    mine = messages(page).filter(has_text="have not arrived")
    expect(mine).to_have_count(1)
    expect(mine).to_have_class(re.compile(r"\bown\b"))
    expect(mine.locator(".chat-meta")).to_have_text("You 11:00")  # 10:00 UTC is 11:00 BST
    expect(text).to_have_value("")
    expect(text).to_be_focused()

    sam.ok("typing", {"chat_id": chat_id, "typing": True})
    expect(page.locator("#chat-typing")).to_have_text("Sam Agent is typing…")
    sam.send(chat_id, "Let me look into that for you.")
    reply = messages(page).filter(has_text="Let me look into that")
    expect(reply).to_have_count(1)
    expect(reply.locator(".chat-meta")).to_have_text("Sam Agent 11:00")
    expect(page.locator("#chat-typing")).to_have_text("")
    expect(messages(page)).to_have_count(2)
    screenshot(page, "chat-active")
    assert_accessible(page)

    with page.expect_download() as saved:
        page.get_by_role("button", name="Save Chat").click()
    download = saved.value
    assert download.suggested_filename == f"chat-{chat_case.number}-20260615-1100.txt"
    transcript = Path(download.path()).read_text(encoding="utf-8")
    assert f"Chat transcript for case {chat_case.number}" in transcript
    assert "Ann Example (Customer): Hello, my certificates" in transcript
    assert "Sam Agent (Agent): Let me look into that for you." in transcript

    tab_to(page, page.get_by_role("button", name="End Chat"))
    page.keyboard.press("Enter")
    ended = page.locator("#chat-ended")
    expect(ended).to_contain_text("You ended the chat.")
    expect(ended).to_be_focused()
    expect(ended.get_by_role("link", name="View this case in My Cases")).to_have_attribute(
        "href", f"/my-cases/{chat_case.number}"
    )
    expect(text).to_be_disabled()
    expect(page.get_by_role("button", name="End Chat")).to_be_disabled()
    expect(page).to_have_title(re.compile("^Chat ended"))
    assert sam.next("chat_ended")["chat"]["status"] == "ended"
    screenshot(page, "chat-ended")


def test_a_busy_agent_gives_an_estimated_wait(
    page, live_server, customer, agent, chat_case, sam, screenshot
):
    services = live_server.services
    other = live_server.call(lambda: make_user(services, first_name="Bea"))
    first = live_server.call(lambda: open_case(services, other, Channel.CHAT))
    sam.ok("set_presence", {"presence": "available", "capacity": 1})
    bea = Person(live_server.url, other.username, "/customer")
    try:
        chat_id = bea.ok("request_chat", {"case_number": first.number})["chat"]["public_id"]
        sam.next("chat_offered", chat_id=chat_id)
        sam.ok("accept_chat", {"chat_id": chat_id})

        page.set_viewport_size(NARROW)
        open_chat(page, customer, chat_case.number)
        expect(status(page)).to_have_text(
            "You are number 1 in the queue. Estimated wait: about 6 minutes."
        )
        screenshot(page, "chat-waiting-narrow")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= NARROW["width"], f"the page scrolls sideways ({width}px)"
    finally:
        bea.close()


def test_a_dropped_connection_resumes_without_gaps_or_repeats(
    page, live_server, customer, agent, chat_case, sam, screenshot
):
    open_chat(page, customer, chat_case.number)
    expect(status(page)).to_contain_text("You are number 1 in the queue.")
    chat_id = sam.take_the_chat()
    expect(page.locator("#chat-agent")).to_have_text("You are chatting with Sam Agent.")
    sam.send(chat_id, "First from Sam")
    expect(messages(page).filter(has_text="First from Sam")).to_have_count(1)

    # The socket drops; socket.io reconnects by itself (after half a second at least).
    page.evaluate("window.frontdeskChat.socket.io.engine.close()")
    sam.send(chat_id, "Sent while you were away")
    expect(status(page)).to_have_text("Reconnected. You are chatting with Sam Agent.")
    expect(messages(page).filter(has_text="Sent while you were away")).to_have_count(1)
    sam.send(chat_id, "And after you came back")
    expect(messages(page).filter(has_text="And after you came back")).to_have_count(1)
    expect(messages(page)).to_have_count(3)
    seqs = messages(page).evaluate_all("items => items.map(item => item.dataset.seq)")
    assert seqs == ["1", "2", "3"]

    page.get_by_label("Your message").fill("Still here")
    page.get_by_role("button", name="Send").click()
    expect(messages(page).filter(has_text="Still here")).to_have_count(1)
    assert sam.next("message_created", chat_id=chat_id, seq=4)["body"] == "Still here"

    sam.drop()  # the agent's socket closes: the customer hears it will be back
    expect(
        page.locator(".chat-notice").filter(has_text="Your agent is reconnecting")
    ).to_be_visible()
    expect(status(page)).to_have_text("Your agent is reconnecting…")
    screenshot(page, "chat-agent-reconnecting")
    back = Person(live_server.url, agent.username)
    try:
        expect(notice(page, "Your agent is back.")).to_be_visible()
        expect(status(page)).to_have_text("Sam Agent is back.")
        back.send(chat_id, "Sorry, my connection dropped")
        expect(messages(page).filter(has_text="my connection dropped")).to_have_count(1)
    finally:
        back.close()


def test_outside_office_hours_says_when_chat_opens(
    page, live_server, customer, chat_case, clock, screenshot
):
    clock.set(SATURDAY)
    open_chat(page, customer, chat_case.number)
    error = page.get_by_role("alert")
    expect(error).to_contain_text("Our chat team is away now.")
    expect(error).to_contain_text("Chat opens again Monday 22 June at 09:00 (UK time).")
    expect(page).to_have_title(re.compile("^Chat closed"))
    expect(page.get_by_label("Your message")).to_be_disabled()
    expect(page.get_by_role("link", name="View this case in My Cases")).to_be_visible()
    screenshot(page, "chat-closed")
    assert_accessible(page)

    # Closed, the window still takes a message: the case becomes a message case.
    leave = page.locator("#chat-leave")
    expect(leave).to_contain_text("You can leave us a message now instead")
    leave.get_by_label("Message for our team").fill("Could you email me on Monday?")
    page.get_by_role("button", name="Send message").click()
    done = page.locator("#chat-leave-done")
    expect(done).to_contain_text(f"Your message was added to case {chat_case.number}.")
    expect(done).to_contain_text("We will reply by email by")
    found = live_server.call(
        lambda: live_server.services.cases.access_case(customer, chat_case.number)
    )
    assert found.channel is Channel.MESSAGE


def test_a_waiting_customer_can_leave_a_message_instead_by_keyboard(
    page, live_server, customer, chat_case, screenshot
):
    page.set_viewport_size(NARROW)
    open_chat(page, customer, chat_case.number)
    expect(status(page)).to_contain_text("You are number 1 in the queue.")
    instead = page.get_by_role("button", name="Leave a message instead")
    tab_to(page, instead)
    page.keyboard.press("Enter")
    box = page.get_by_label("Message for our team")
    expect(box).to_be_focused()
    expect(page.locator("#chat-leave")).to_contain_text("Your chat request for case")
    page.keyboard.type("I cannot wait today; please email me the dispatch date.")
    tab_to(page, page.get_by_role("button", name="Send message"))
    page.keyboard.press("Enter")
    done = page.locator("#chat-leave-done")
    expect(done).to_contain_text(f"Your message was added to case {chat_case.number}.")
    expect(done).to_contain_text("We will reply by email by")
    expect(status(page)).to_have_text("Your chat request has ended: you left a message instead.")
    expect(page.get_by_role("button", name="Leave a message instead")).to_be_hidden()
    expect(page).to_have_title(re.compile("^Message sent"))
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    screenshot(page, "chat-left-a-message-instead")
    assert_accessible(page)


def test_an_unanswered_chat_offers_to_leave_a_message(
    page, live_server, customer, chat_case, clock, screenshot
):
    open_chat(page, customer, chat_case.number)
    expect(status(page)).to_contain_text("You are number 1 in the queue.")
    clock.advance(minutes=16)  # past the longest wait: the sweep gives up on the request
    leave = page.locator("#chat-leave")
    expect(leave).to_contain_text("No agent could answer in time.", timeout=10_000)
    expect(page).to_have_title(re.compile("^Chat unavailable"))
    page.get_by_role("button", name="Send message").click()
    expect(leave.locator("#chat-leave-text-error")).to_have_text("Error: Write your message")
    leave.get_by_label("Message for our team").fill(
        "Please email me the certificates' tracking number."
    )
    page.get_by_role("button", name="Send message").click()
    done = page.locator("#chat-leave-done")
    expect(done).to_contain_text(f"Your message was added to case {chat_case.number}.")
    expect(done).to_be_focused()
    screenshot(page, "chat-unavailable")
    assert_accessible(page)
    feed = live_server.call(lambda: live_server.services.cases.feed(customer, chat_case.number))
    assert any("tracking number" in (item.body or "") for item in feed)


def test_staff_are_told_to_use_the_console(page, live_server, customer, chat_case):
    services = live_server.services
    supervisor = live_server.call(lambda: make_user(services, Role.SUPERVISOR))
    open_chat(page, supervisor, chat_case.number)
    expect(
        page.get_by_text("Only the customer who opened this case can chat here.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="End Chat")).to_be_disabled()
