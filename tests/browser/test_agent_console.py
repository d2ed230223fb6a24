"""Live chat in the agent console: offers, chats in tabs beside their cases, the end.

The customers are socket.io clients driven from the test, on an event loop of their own
(Playwright's sync API holds this thread's loop)."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Locator, Page, expect

from frontdesk.accounts.models import User
from frontdesk.cases.models import ActivityKind, Case, Channel
from tests.browser.actions import open_console, tab_to
from tests.browser.axe import assert_accessible
from tests.browser.conftest import DESKTOP, NARROW
from tests.factories import make_user, open_case
from tests.integration.chat_clients import ChatClient

pytestmark = pytest.mark.browser

T = TypeVar("T")
WAIT_SECONDS = 15.0


class CustomerSide:
    """A signed-in customer on /customer, called synchronously from the test."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, client: ChatClient, person: User, case: Case
    ) -> None:
        self._loop = loop
        self.person = person
        self.client = client
        self.case = case
        self.chat_id = ""

    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(WAIT_SECONDS)

    def request(self) -> str:
        state = self._run(self.client.ok("request_chat", {"case_number": self.case.number}))
        self.chat_id = state["chat"]["public_id"]
        return self.chat_id

    def send(self, body: str) -> Any:
        return self._run(self.client.send(self.chat_id, body))

    def typing(self, typing: bool = True) -> None:
        self._run(self.client.ok("typing", {"chat_id": self.chat_id, "typing": typing}))

    def next(self, event: str, **matching: Any) -> dict[str, Any]:
        return self._run(self.client.next(event, chat_id=self.chat_id, **matching))

    def end(self) -> None:
        self._run(self.client.ok("end_chat", {"chat_id": self.chat_id}))

    def ended(self) -> dict[str, Any]:
        chat: dict[str, Any] = self._run(self.client.next("chat_ended"))["chat"]
        assert chat["public_id"] == self.chat_id
        return chat


@pytest.fixture
def customers(live_server: Any) -> Iterator[Callable[[str], CustomerSide]]:
    """Make a customer with a chat case, connected: `customers("Bob")`."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="customers", daemon=True)
    thread.start()
    made: list[CustomerSide] = []
    services = live_server.services

    def make(first_name: str) -> CustomerSide:
        person: User = live_server.call(
            lambda: make_user(services, first_name=first_name, last_name="Example")
        )
        case: Case = live_server.call(
            lambda: open_case(
                services, person, Channel.CHAT,
                description=f"{first_name}'s centre has not received its GCSE certificates.",
            )
        )  # fmt: skip
        opened = ChatClient.open(live_server.url, "/customer", person.username)
        client = asyncio.run_coroutine_threadsafe(opened, loop).result(WAIT_SECONDS)
        side = CustomerSide(loop, client, person, case)
        made.append(side)
        return side

    try:
        yield make
    finally:
        for side in made:
            asyncio.run_coroutine_threadsafe(side.client.close(), loop).result(WAIT_SECONDS)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        loop.close()


def offer_of(page: Page, side: CustomerSide) -> Locator:
    return page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=re.compile(f"Chat offer: case {side.case.number}"))
    )


def tab_of(page: Page, side: CustomerSide) -> Locator:
    return page.get_by_role("tab", name=re.compile(f"{side.case.number}"))


def test_an_agent_takes_chats_beside_their_cases_and_ends_them(
    page, live_server, agent, customers, screenshot
):
    open_console(page, agent)
    expect(page.locator("#chat-load")).to_have_text("0 of 3 chats")
    page.get_by_label("Available", exact=True).check()
    expect(page.get_by_role("status").filter(has_text="You are Available.")).to_be_attached()

    # An offer: the case summary and a countdown; the case can be read before answering.
    ann = customers("Ann")
    ann.request()
    offer = offer_of(page, ann)
    expect(offer).to_contain_text(ann.case.subject)
    expect(offer).to_contain_text("Ann Example")
    # Groups by their names for people, never their keys.
    expect(offer).to_contain_text("Schools, colleges and training providers")
    expect(offer).not_to_contain_text("centres")
    expect(offer.locator(".countdown")).to_have_text(re.compile(r"^\d+ s left to answer$"))
    expect(page.locator("#chat-announcer")).to_contain_text(
        f"New chat offer: case {ann.case.number}"
    )
    offer.get_by_role("button", name="Read the case").click()
    reading = offer.get_by_role("region", name=re.compile(f"Case {ann.case.number}"))
    expect(reading).to_contain_text("Ann's centre has not received its GCSE certificates.")
    expect(reading).to_contain_text("Ann Example (Customer) created this case.")  # the feed
    expect(offer.get_by_role("button", name="Hide the case")).to_have_attribute(
        "aria-expanded", "true"
    )
    screenshot(page, "console-offer")
    assert_accessible(page)

    # Declined: gone (and not offered to this agent again).
    offer.get_by_role("button", name="Decline").click()
    expect(offer).to_have_count(0)
    expect(page.get_by_text("No chats are being offered to you.")).to_be_visible()

    # Accepted: a tab, the case panel and its feed beside the conversation.
    bob = customers("Bob")
    bob.request()
    offer_of(page, bob).get_by_role("button", name="Accept").click()
    bob.next("chat_accepted")
    tab = tab_of(page, bob)
    expect(tab).to_have_attribute("aria-selected", "true")
    panel = page.get_by_role("tabpanel")
    case_panel = panel.get_by_role("region", name=re.compile(f"Case {bob.case.number}"))
    expect(case_panel).to_contain_text("Bob's centre has not received its GCSE certificates.")
    expect(case_panel).to_contain_text("Bob Example (Customer) created this case.")
    expect(page.locator("#chat-load")).to_have_text("1 of 3 chats")

    # Both ways: messages with their times, and typing.
    bob.typing()
    expect(panel.get_by_text("Bob Example is typing…")).to_be_visible()
    bob.send("Hello, our certificates are missing")
    thread = panel.get_by_role("log")
    expect(thread).to_contain_text("Hello, our certificates are missing")
    expect(panel.get_by_text("Bob Example is typing…")).to_have_count(0)
    expect(thread.locator(".message").first.locator("time")).to_have_text(
        re.compile(r"^\d\d:\d\d$")
    )
    message_box = panel.get_by_label("Message to Bob Example")
    message_box.fill("Let me look into that")
    assert bob.next("typing")["typing"] is True
    message_box.press("Enter")
    assert bob.next("message_created", seq=2)["body"] == "Let me look into that"
    expect(thread.locator(".message")).to_have_count(2)
    expect(message_box).to_have_value("")

    # A second chat: a second tab; a message on the tab not shown counts as unread.
    cat = customers("Cat")
    cat.request()
    offer_of(page, cat).get_by_role("button", name="Accept").click()
    expect(tab_of(page, cat)).to_have_attribute("aria-selected", "true")
    expect(page.locator("#chat-load")).to_have_text("2 of 3 chats")
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
    cat.send("Are you still there?")
    expect(tab_of(page, cat)).to_have_accessible_name(re.compile("1 unread message"))
    expect(tab_of(page, cat).locator(".unread")).to_be_visible()
    screenshot(page, "console-two-chats")
    assert_accessible(page)
    page.set_viewport_size(NARROW)
    screenshot(page, "console-two-chats-narrow")
    page.set_viewport_size(DESKTOP)
    tab_of(page, cat).click()
    expect(tab_of(page, cat).locator(".unread")).to_be_hidden()
    expect(page.get_by_role("tabpanel").get_by_role("log")).to_contain_text("Are you still there?")

    # Transferred: the tab closes.
    cat_panel = page.get_by_role("tabpanel")
    options = cat_panel.get_by_label("Transfer to group").locator("option")
    expect(options).to_have_text(["Northgate associates and examiners"])
    cat_panel.get_by_label("Transfer to group").select_option("associates")
    cat_panel.get_by_role("button", name="Transfer").click()
    cat.next("chat_transferred")
    expect(tab_of(page, cat)).to_have_count(0)
    expect(tab).to_have_attribute("aria-selected", "true")
    expect(page.locator("#chat-load")).to_have_text("1 of 3 chats")

    # Ended with a wrap-up: the tab closes; the transcript is in the case's activity.
    bob_panel = page.get_by_role("tabpanel")
    bob_panel.get_by_label("Wrap-up note").fill("Sent a reprint of the certificates.")
    bob_panel.get_by_role("button", name="End chat").click()
    assert bob.ended()["status"] == "ended"
    expect(tab).to_have_count(0)
    expect(page.locator("#chat-load")).to_have_text("0 of 3 chats")
    expect(page.locator("#chat-announcer")).to_contain_text(
        f"The transcript is in case {bob.case.number}'s activity."
    )
    services = live_server.services
    feed = live_server.call(lambda: services.cases.feed(bob.person, bob.case.number))
    (transcript,) = [item for item in feed if item.kind is ActivityKind.CHAT_TRANSCRIPT]
    assert "Hello, our certificates are missing" in transcript.body
    assert "Let me look into that" in transcript.body
    ended = live_server.call(lambda: services.live.states.chat(bob.chat_id))
    assert ended.wrap_up == "Sent a reprint of the certificates."
    # The message cases stay on the page.
    expect(page.get_by_role("heading", name="Message cases")).to_be_visible()


def test_keyboard_only_accept_and_send_and_alerts_remembered(
    page, live_server, agent, customers, screenshot
):
    open_console(page, agent)
    alerts = page.get_by_label("Sound and desktop notification for new chat offers")
    expect(alerts).to_be_checked()

    # The status by keyboard: Tab to the chosen one, an arrow to choose Available.
    tab_to(page, page.get_by_label("Offline", exact=True), limit=40)
    page.keyboard.press("ArrowRight")
    expect(page.get_by_label("Available", exact=True)).to_be_checked()
    expect(page.get_by_role("status").filter(has_text="You are Available.")).to_be_attached()

    dan = customers("Dan")
    dan.request()
    accept = offer_of(page, dan).get_by_role("button", name="Accept")
    expect(accept).to_be_visible()
    tab_to(page, accept, limit=40)
    page.keyboard.press("Enter")
    message_box = page.get_by_role("tabpanel").get_by_label("Message to Dan Example")
    expect(message_box).to_be_focused()
    page.keyboard.type("Good morning, how can I help?")
    page.keyboard.press("Enter")
    assert dan.next("message_created", seq=1)["body"] == "Good morning, how can I help?"
    dan.send("Our certificates are late")
    expect(page.get_by_role("tabpanel").get_by_role("log")).to_contain_text(
        "Our certificates are late"
    )
    screenshot(page, "console-keyboard")

    # The alerts switch, by keyboard, is remembered; a reload reopens the chat, once.
    tab_to(page, alerts, limit=40)
    page.keyboard.press("Space")
    expect(alerts).not_to_be_checked()
    page.reload()
    expect(page.locator("#chat-connection")).to_have_text("Connected")
    expect(alerts).not_to_be_checked()
    expect(page.get_by_label("Available", exact=True)).to_be_checked()
    thread = page.get_by_role("tabpanel").get_by_role("log")
    expect(thread.locator(".message")).to_have_count(2)
    dan.send("Thank you")
    expect(thread.locator(".message")).to_have_count(3)
    expect(page.locator("#chat-load")).to_have_text("1 of 3 chats")


def test_a_dropped_connection_catches_up_without_doubles(
    context, page, live_server, agent, customers
):
    open_console(page, agent)
    page.get_by_label("Available", exact=True).check()
    eve = customers("Eve")
    eve.request()
    offer_of(page, eve).get_by_role("button", name="Accept").click()
    eve.next("chat_accepted")
    eve.send("First")
    thread = page.get_by_role("tabpanel").get_by_role("log")
    expect(thread.locator(".message")).to_have_count(1)

    # The network drops; socket.io reconnects by itself once it is back, and the console
    # asks for what it missed meanwhile: the messages after the last one it has.
    context.set_offline(True)
    expect(page.locator("#chat-connection")).to_have_attribute("data-state", "offline")
    eve.send("Sent while you were away")
    expect(thread.locator(".message")).to_have_count(1)
    context.set_offline(False)
    expect(page.locator("#chat-connection")).to_have_text("Connected", timeout=15_000)
    expect(thread.locator(".message")).to_have_count(2)
    expect(thread).to_contain_text("Sent while you were away")
    eve.send("And after")
    expect(thread.locator(".message")).to_have_count(3)
    seqs = thread.locator(".message").evaluate_all("items => items.map(i => i.dataset.seq)")
    assert seqs == ["1", "2", "3"]

    # The customer ends it: the tab says so, and closes when the agent is done reading.
    eve.end()
    panel = page.get_by_role("tabpanel")
    expect(panel).to_contain_text("Eve Example ended the chat.")
    expect(panel.get_by_label("Message to Eve Example")).to_be_hidden()
    expect(page.locator("#chat-load")).to_have_text("0 of 3 chats")
    panel.get_by_role("button", name="Close tab").click()
    expect(page.get_by_role("tab")).to_have_count(0)
    expect(page.get_by_text("You have no active chats.")).to_be_visible()


def test_a_lapsed_offer_is_withdrawn_and_the_agent_set_away(
    page, live_server, agent, customers, clock
):
    open_console(page, agent)
    page.get_by_label("Available", exact=True).check()
    expect(page.get_by_role("status").filter(has_text="You are Available.")).to_be_attached()
    fay = customers("Fay")
    fay.request()
    expect(offer_of(page, fay)).to_be_visible()
    expect(page.locator("#offers-waiting")).to_have_text(" · 1 offer waiting")
    clock.advance(seconds=live_server.services.settings.chat_offer_seconds + 1)
    expect(offer_of(page, fay)).to_have_count(0)
    expect(page.get_by_label("Away", exact=True)).to_be_checked()
    expect(page.locator("#presence-notice")).to_contain_text("You were set to Away")
