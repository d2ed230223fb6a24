"""Live chat end to end, one person playing every part: the customer, the agents and the
supervisor, each in a browser context of their own, all on the live server at once."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from frontdesk.accounts.models import Role
from frontdesk.cases.models import ActivityKind
from frontdesk.replies.models import ReplyIn
from tests.browser.actions import (
    accept_offer,
    customer_sends,
    open_chat,
    open_console,
    sign_in,
    staff_link,
)
from tests.browser.axe import assert_accessible
from tests.factories import make_user
from tests.unit.test_attachment_rules import SAMPLES

pytestmark = pytest.mark.browser

LIVE_MS = 10_000  # a change pushed over a socket, or made by the server's sweep


@pytest.fixture
def second_agent(live_server: Any) -> Any:
    services = live_server.services
    return live_server.call(
        lambda: make_user(services, Role.AGENT, first_name="Kim", last_name="Second")
    )


# The customer's chat window ------------------------------------------------------------------


def chat_status(page: Page) -> Locator:
    return page.locator("#chat-status")


def chat_messages(page: Page) -> Locator:
    return page.locator("#chat-messages li.chat-message")


# The agent console -----------------------------------------------------------------------------


def open_console_available(page: Page, agent: Any) -> None:
    """Sign in to the agent console and set Available: chats are offered from now on."""
    open_console(page, agent)
    page.get_by_label("Available", exact=True).check()
    expect(page.get_by_role("status").filter(has_text="You are Available.")).to_be_attached()


def agent_sends(panel: Locator, customer: Any, body: str) -> None:
    box = panel.get_by_label(f"Message to {customer.display_name}")
    box.fill(body)
    box.press("Enter")
    expect(box).to_have_value("")


# The supervisor's dashboard ----------------------------------------------------------------------


def open_dashboard(page: Page, supervisor: Any) -> None:
    page.goto("/sign-in")
    sign_in(page, supervisor.username)
    staff_link(page, "Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.locator("#connection-status")).to_have_text(re.compile("Connected: the figures"))


def figure(page: Page, group_name: str, header: str) -> Locator:
    """The cell of the Chat queues table in `group_name`'s row, under the column `header`."""
    table = page.get_by_role("table", name=re.compile("chat queue"))
    headers = [text.strip() for text in table.locator("thead th").all_inner_texts()]
    column = headers.index(header)
    row = table.locator("tbody tr").filter(
        has=page.get_by_role("rowheader", name=group_name, exact=True)
    )
    return row.locator("th, td").nth(column)


# The journeys -----------------------------------------------------------------------------------


def test_a_chat_from_request_to_transcript(
    page,
    contexts,
    live_server,
    customer,
    agent,
    supervisor,
    chat_case,
    fitting_article,
    screenshot,
):
    """The customer, the agent and the supervisor: a chat from the request through the
    agent's tools (a canned reply, an article's link, files both ways) to its transcript
    and the customer's rating on the dashboard."""
    services = live_server.services
    live_server.call(lambda: services.replies.create(agent, ReplyIn(
        shortcut="hello", title="Greeting",
        body="Hello {customer_first_name}, this is {agent_name} about case {case_number}.",
    )))  # fmt: skip
    number = chat_case.number
    dashboard = contexts().new_page()
    open_dashboard(dashboard, supervisor)
    console = contexts().new_page()
    open_console_available(console, agent)
    open_chat(page, customer, number)
    # An agent is free: the chat is being offered to them.
    expect(chat_status(page)).to_have_text("Connecting you to an agent…", timeout=LIVE_MS)
    screenshot(page, "journey-0-customer-offered")

    panel = accept_offer(console, number)
    expect(page.locator("#chat-agent")).to_have_text(f"You are chatting with {agent.display_name}.")
    screenshot(page, "journey-1-customer-joined")

    # The agent writes: "typing" on the customer's page, then the message, once.
    box = panel.get_by_label(f"Message to {customer.display_name}")
    box.fill("Good morning, how can I help?")
    expect(page.locator("#chat-typing")).to_have_text(f"{agent.display_name} is typing…")
    screenshot(page, "journey-2-customer-sees-typing")
    box.press("Enter")
    reply = chat_messages(page).filter(has_text="Good morning, how can I help?")
    expect(reply).to_have_count(1)
    expect(reply.locator(".chat-meta")).to_contain_text(agent.display_name)
    expect(page.locator("#chat-typing")).to_have_text("")

    # The customer writes back: "typing" in the console, then the message, once.
    page.get_by_label("Your message").fill("Our certificates have not arrived")
    expect(panel.get_by_text(f"{customer.display_name} is typing…")).to_be_visible()
    screenshot(console, "journey-3-agent-sees-typing")
    page.get_by_role("button", name="Send").click()
    thread = panel.get_by_role("log")
    expect(thread.locator(".message").filter(has_text="have not arrived")).to_have_count(1)
    expect(thread.locator(".message")).to_have_count(2)
    expect(panel.get_by_text(f"{customer.display_name} is typing…")).to_have_count(0)
    expect(chat_messages(page)).to_have_count(2)
    screenshot(page, "journey-4-customer-chatting")
    screenshot(console, "journey-4-agent-chatting")
    assert_accessible(page)
    assert_accessible(console)

    # Save Chat: a file with both sides.
    with page.expect_download() as saved:
        page.get_by_role("button", name="Save Chat").click()
    text = Path(saved.value.path()).read_text(encoding="utf-8")
    assert f"{agent.display_name} (Agent): Good morning, how can I help?" in text
    assert f"{customer.display_name} (Customer): Our certificates have not arrived" in text

    # The agent's tools: "/" finds a canned reply, filled in for this customer and case.
    box.press_sequentially("/hel")
    box.press("Enter")
    greeting = f"Hello {customer.first_name}, this is {agent.display_name} about case {number}."
    expect(box).to_have_value(greeting)
    box.press("Enter")
    expect(chat_messages(page).filter(has_text=greeting)).to_have_count(1)
    # An article that fits the case, its link put in the box; the customer sees it as ours.
    articles = panel.get_by_role("region", name="Articles for this case")
    articles.get_by_role("button", name="Insert link").first.click()
    link = f"{live_server.url}{fitting_article}"
    expect(box).to_have_value(f"When certificates arrive: {link} ")
    box.press("Enter")
    expect(chat_messages(page).last.locator("a.article-link")).to_have_attribute("href", link)

    # A file each way: each side sees the other's as a link to download.
    page.get_by_label("Attach a file").set_input_files(
        files=[{"name": "report.pdf", "mimeType": "application/pdf", "buffer": SAMPLES[".pdf"]}]
    )
    expect(thread.get_by_role("link", name="report.pdf")).to_be_visible(timeout=LIVE_MS)
    panel.get_by_label(f"File for {customer.display_name}").set_input_files(
        files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"Sent 1 June\n"}]
    )
    expect(page.locator("#chat-messages").get_by_role("link", name="notes.txt")).to_be_visible(
        timeout=LIVE_MS
    )
    screenshot(page, "journey-5-customer-tools")
    screenshot(console, "journey-5-agent-tools")

    # End Chat: both sides hear it; the transcript is on the case.
    page.get_by_role("button", name="End Chat").click()
    expect(page.locator("#chat-ended")).to_contain_text("You ended the chat.")
    expect(panel).to_contain_text(f"{customer.display_name} ended the chat.")
    expect(console.locator("#chat-load")).to_have_text("0 of 3 chats")
    screenshot(page, "journey-6-customer-ended")
    screenshot(console, "journey-6-agent-ended")
    assert_accessible(page)

    # The customer rates the chat; the supervisor's dashboard shows it at once.
    rating = page.get_by_role("region", name="Rate this chat")
    rating.get_by_role("radio", name=re.compile(r"\(5 of 5\)")).check()
    rating.get_by_role("button", name="Send my rating").click()
    expect(page.locator("#chat-rating-done")).to_contain_text("you rated this chat 5 of 5")
    by_agent = dashboard.get_by_role("table", name="By agent")
    expect(by_agent.get_by_role("row", name=re.compile(agent.display_name))).to_contain_text(
        "5.00", timeout=LIVE_MS
    )
    screenshot(dashboard, "journey-7-supervisor-rating")

    feed = live_server.call(lambda: live_server.services.cases.feed(customer, number))
    (transcript,) = [item for item in feed if item.kind is ActivityKind.CHAT_TRANSCRIPT]
    assert "Good morning, how can I help?" in transcript.body
    assert "Our certificates have not arrived" in transcript.body
    assert "report.pdf" in transcript.body and "notes.txt" in transcript.body

    page.get_by_role("link", name="View this case in My Cases").click()
    expect(page).to_have_url(re.compile(f"/my-cases/{number}$"))
    item = page.locator("#feed-items .activity-chat_transcript")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Good morning, how can I help?")
    expect(item).to_contain_text("Our certificates have not arrived")
    screenshot(page, "journey-8-my-case-transcript")


def test_a_second_agent_takes_over_after_the_first_drops(
    page, contexts, live_server, clock, customer, agent, second_agent, chat_case, screenshot
):
    number = chat_case.number
    first_context = contexts()
    first = first_context.new_page()
    open_console_available(first, agent)
    open_chat(page, customer, number)
    panel = accept_offer(first, number)
    expect(page.locator("#chat-agent")).to_have_text(f"You are chatting with {agent.display_name}.")
    customer_sends(page, "Hello, where are our certificates?")
    agent_sends(panel, customer, "Let me check the dispatch records.")
    expect(chat_messages(page)).to_have_count(2)

    # Agent 1's browser goes away: the customer is told the agent is reconnecting.
    first_context.close()
    expect(chat_status(page)).to_have_text("Your agent is reconnecting…", timeout=LIVE_MS)
    expect(
        page.locator(".chat-notice").filter(has_text="Your agent is reconnecting")
    ).to_be_visible()
    screenshot(page, "journey-takeover-1-reconnecting")
    assert_accessible(page)

    # The grace period passes: back in the queue.
    clock.advance(seconds=live_server.services.settings.chat_grace_seconds + 1)
    expect(page.locator(".chat-notice").filter(has_text="you are back in the queue")).to_be_visible(
        timeout=LIVE_MS
    )
    expect(chat_status(page)).to_contain_text("in the queue")
    expect(page.get_by_label("Your message")).to_be_disabled()
    screenshot(page, "journey-takeover-2-requeued")

    # Agent 2 becomes available, is offered the chat and reads what came before.
    second = contexts().new_page()
    open_console_available(second, second_agent)
    panel = accept_offer(second, number)
    thread = panel.get_by_role("log")
    expect(thread).to_contain_text("Hello, where are our certificates?")
    expect(thread).to_contain_text("Let me check the dispatch records.")
    expect(thread.locator(".message")).to_have_count(2)
    expect(page.locator("#chat-agent")).to_have_text(
        f"You are chatting with {second_agent.display_name}."
    )
    agent_sends(panel, customer, "Hello, I am taking over from my colleague.")
    expect(chat_messages(page).filter(has_text="taking over")).to_have_count(1)
    expect(chat_messages(page)).to_have_count(3)
    screenshot(page, "journey-takeover-3-customer")
    screenshot(second, "journey-takeover-3-agent-2")
    assert_accessible(second)


def test_the_supervisor_sees_chats_arrive_and_end(
    page, contexts, live_server, customer, agent, supervisor, chat_case, screenshot
):
    number = chat_case.number
    groups = live_server.services.intake.taxonomy().groups
    group_name = groups[chat_case.customer_group].name
    board = contexts().new_page()
    open_dashboard(board, supervisor)
    expect(figure(board, group_name, "Waiting")).to_have_text("0")
    expect(figure(board, group_name, "Active chats")).to_have_text("0")

    # The customer asks: one waiting.
    open_chat(page, customer, number)
    expect(chat_status(page)).to_contain_text("You are number 1 in the queue")
    expect(figure(board, group_name, "Waiting")).to_have_text("1", timeout=LIVE_MS)
    screenshot(board, "journey-supervisor-1-waiting")
    assert_accessible(board)

    # An agent accepts: one active, none waiting.
    console = contexts().new_page()
    open_console_available(console, agent)
    accept_offer(console, number)
    expect(figure(board, group_name, "Active chats")).to_have_text("1", timeout=LIVE_MS)
    expect(figure(board, group_name, "Waiting")).to_have_text("0")
    screenshot(board, "journey-supervisor-2-active")

    # The customer ends it: none active.
    page.get_by_role("button", name="End Chat").click()
    expect(page.locator("#chat-ended")).to_contain_text("You ended the chat.")
    expect(figure(board, group_name, "Active chats")).to_have_text("0", timeout=LIVE_MS)
    screenshot(board, "journey-supervisor-3-ended")
    assert_accessible(board)


def test_the_agent_sees_the_customer_close_the_tab_come_back_and_leave(
    contexts, live_server, clock, customer, agent, chat_case, screenshot
):
    number = chat_case.number
    console = contexts().new_page()
    open_console_available(console, agent)
    first_visit = contexts()
    window = first_visit.new_page()
    open_chat(window, customer, number)
    panel = accept_offer(console, number)
    expect(window.locator("#chat-agent")).to_contain_text("You are chatting with")
    customer_sends(window, "Sorry, my laptop is about to run out of battery")
    presence = panel.locator(".customer-presence")

    # The customer's tab closes: the agent is told, and until when the chat waits.
    first_visit.close()
    expect(presence).to_contain_text(
        f"{customer.display_name}'s connection dropped", timeout=LIVE_MS
    )
    expect(presence).to_contain_text("The chat stays open until")
    screenshot(console, "presence-1-agent-customer-dropped")
    assert_accessible(console)

    # Back (another browser, say): the agent is told again, and they go on.
    second_visit = contexts()
    window = second_visit.new_page()
    open_chat(window, customer, number)
    expect(presence).to_have_text(f"{customer.display_name} is back.", timeout=LIVE_MS)
    expect(chat_messages(window).filter(has_text="battery")).to_have_count(1)

    # Gone again, past the grace: the chat ends for the agent with the reason, and the
    # seat is free.
    second_visit.close()
    expect(presence).to_contain_text("connection dropped", timeout=LIVE_MS)
    clock.advance(seconds=live_server.services.settings.chat_customer_grace_seconds)
    expect(panel).to_contain_text(
        "The customer's connection was lost and they did not come back.", timeout=LIVE_MS
    )
    expect(console.locator("#chat-load")).to_have_text("0 of 3 chats")
    screenshot(console, "presence-2-agent-chat-ended")
    assert_accessible(console)


def set_hidden(page: Page, hidden: bool) -> None:
    """As the browser does when the person switches to another tab, and back."""
    page.evaluate(
        """(hidden) => {
          const define = (name, value) =>
            Object.defineProperty(document, name, { value, configurable: true });
          define("hidden", hidden);
          define("visibilityState", hidden ? "hidden" : "visible");
          document.dispatchEvent(new Event("visibilitychange"));
        }""",
        hidden,
    )


def test_a_hidden_console_counts_new_messages_in_its_title(
    page, contexts, live_server, customer, agent, chat_case
):
    console = contexts().new_page()
    open_console_available(console, agent)
    open_chat(page, customer, chat_case.number)
    accept_offer(console, chat_case.number)
    title = console.title()
    set_hidden(console, True)
    customer_sends(page, "Are you there?")
    expect(console).to_have_title(f"(1) New chat message · {title}")
    customer_sends(page, "Hello?")
    expect(console).to_have_title(f"(2) New chat messages · {title}")
    set_hidden(console, False)
    expect(console).to_have_title(title)
