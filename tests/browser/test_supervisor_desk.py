"""The supervisor runs live chat from the dashboard's desk: a customer in the chat window,
agent Ben in the console and supervisor Sue on the dashboard, each in a browser context
of their own, with agent Kim over socket.io, all on the live server at once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from frontdesk.accounts.models import Role
from frontdesk.cases.models import Channel
from frontdesk.chat import figures
from tests.browser.actions import (
    PHONE,
    accept_offer,
    customer_sends,
    open_chat,
    open_console,
    sign_in,
    staff_link,
)
from tests.browser.axe import assert_accessible
from tests.browser.conftest import DESKTOP
from tests.factories import make_user, open_case
from tests.integration.chat_clients import ChatClient

pytestmark = pytest.mark.browser

LIVE_MS = 10_000  # a change pushed over a socket
FITS = "document.documentElement.scrollWidth"
# What sticks out past the right edge, for the message when the page does not fit.
STICKING_OUT = """width => [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > width)
  .filter(e => !e.parentElement.closest(".table-wrap"))
  .slice(0, 5)
  .map(e => `${e.tagName.toLowerCase()}.${e.className} ${e.getBoundingClientRect().right}`)"""


@pytest.fixture
def ben(live_server: Any) -> Any:
    services = live_server.services
    return live_server.call(
        lambda: make_user(services, Role.AGENT, first_name="Ben", last_name="Agent")
    )


@pytest.fixture
def kim(live_server: Any) -> Any:
    services = live_server.services
    return live_server.call(
        lambda: make_user(services, Role.AGENT, first_name="Kim", last_name="Second")
    )


# The dashboard's desk -----------------------------------------------------------------------


def open_desk(page: Page, supervisor: Any) -> None:
    page.goto("/sign-in")
    sign_in(page, supervisor.username)
    staff_link(page, "Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.locator("#connection-status")).to_have_text(re.compile("Connected: the figures"))


def waiting_list(page: Page) -> Locator:
    return page.get_by_role("region", name="Waiting chats")


def active_list(page: Page) -> Locator:
    return page.get_by_role("region", name="Active chats")


def chat_row(table: Locator, number: str) -> Locator:
    return table.get_by_role("row").filter(has_text=number)


def announced(page: Page) -> Locator:
    return page.locator("#desk-announcer")


def agent_row(page: Page, agent: Any) -> Locator:
    return page.locator("#agents tbody tr").filter(has_text=agent.display_name)


def fits(page: Page, width: int) -> None:
    wide = page.evaluate(FITS)
    assert wide <= width, f"the page is {wide} px wide: {page.evaluate(STICKING_OUT, width)}"


# The console and the chat window ----------------------------------------------------------


# The journey --------------------------------------------------------------------------------


def test_a_supervisor_assigns_follows_moves_and_ends_a_chat(
    page, contexts, live_server, loop, customer, ben, kim, supervisor, chat_case, screenshot
):
    number = chat_case.number
    group_name = live_server.services.intake.taxonomy().groups[chat_case.customer_group].name
    board = contexts().new_page()
    open_desk(board, supervisor)
    waiting, active = waiting_list(board), active_list(board)
    expect(waiting).to_contain_text("No chat is waiting.")
    expect(active).to_contain_text("No chat is active")

    # Ben in the console and Kim over socket.io, both Away: nothing is offered by itself.
    console = contexts().new_page()
    open_console(console, ben)
    console.get_by_label("Away", exact=True).check()
    expect(console.get_by_role("status").filter(has_text="You are Away.")).to_be_attached()
    kim_socket = loop.run(lambda: ChatClient.open(live_server.url, "/agent", kim.username))
    try:
        loop.run(lambda: kim_socket.ok("set_presence", {"presence": "away", "capacity": 2}))
        expect(agent_row(board, kim)).to_contain_text("Away", timeout=LIVE_MS)
        expect(agent_row(board, ben)).to_contain_text("Away")
        expect(agent_row(board, ben)).to_contain_text("0 of 3")
        since = agent_row(board, ben).locator("td[data-since]")
        expect(since).to_have_text(re.compile(r"^\d+:\d\d$"))
        shown = since.inner_text()
        expect(since).not_to_have_text(shown)  # ticking

        # The customer asks: Sue sees the chat wait, first in line, the wait ticking.
        open_chat(page, customer, number)
        row = chat_row(waiting, number)
        expect(row).to_contain_text("1st in line", timeout=LIVE_MS)
        expect(row).to_contain_text(customer.display_name)
        expect(row).to_contain_text(group_name)
        waited = row.locator("td.waited")
        expect(waited).to_have_text(re.compile(r"^\d+:\d\d$"))
        shown = waited.inner_text()
        expect(waited).not_to_have_text(shown)

        # Sue offers it to Ben, by the keyboard: the agents signed in, with state and load.
        assign = row.get_by_label(f"Assign case {number} to")
        expect(assign.locator("option")).to_have_text(
            ["Choose an agent", "Ben Agent (Away, 0 of 3)", "Kim Second (Away, 0 of 2)"]
        )
        row.get_by_role("button", name=f"Assign case {number}").click()
        expect(row.get_by_text("Choose the agent to offer the chat to.")).to_be_visible()
        assign.focus()
        assign.select_option(str(ben.id))
        board.keyboard.press("Tab")
        expect(row.get_by_role("button", name=f"Assign case {number}")).to_be_focused()
        board.keyboard.press("Enter")
        expect(announced(board)).to_contain_text(f"Case {number} is offered to {ben.display_name}")
        expect(row).to_contain_text(f"Offered to {ben.display_name}", timeout=LIVE_MS)
        expect(row.get_by_text("Choose the agent to offer the chat to.")).to_be_hidden()
        screenshot(board, "supervisor-desk-0-offered")

        # Ben's console shows the offer; he accepts: the chat is active, with Ben.
        panel = accept_offer(console, number)
        row = chat_row(active, number)
        expect(row).to_contain_text(ben.display_name, timeout=LIVE_MS)
        expect(row).to_contain_text(customer.display_name)
        expect(row).to_contain_text(group_name)
        expect(waiting).to_contain_text("No chat is waiting.")
        expect(agent_row(board, ben)).to_contain_text("Busy")
        expect(agent_row(board, ben)).to_contain_text("1 of 3")
        chat_id = row.get_attribute("data-chat-id")
        assert chat_id

        # Sue opens it read-only: the case, the transcript, no message box.
        row.get_by_role("button", name=f"View the chat of case {number}, read-only").click()
        view = board.get_by_role("region", name=re.compile(f"Case {number}: chat with"))
        expect(view.get_by_role("heading", level=2)).to_be_focused()
        expect(view.get_by_role("heading", level=2)).to_contain_text("Read-only")
        for text in (chat_case.subject, customer.display_name, group_name, ben.display_name):
            expect(view).to_contain_text(text)
        expect(view.get_by_role("textbox")).to_have_count(0)
        transcript = view.get_by_role("log")
        expect(transcript).to_contain_text("No message yet.")

        # The customer writes: live in Sue's view, and unread on the desk until Ben answers.
        customer_sends(page, "Our certificates have not arrived")
        expect(transcript.locator("li").filter(has_text="have not arrived")).to_have_count(
            1, timeout=LIVE_MS
        )
        expect(row.locator(".unread-count")).to_have_text("1", timeout=LIVE_MS)
        expect(row.locator("td time")).to_have_count(2)  # started, last message
        screenshot(board, "supervisor-desk-1-following")
        assert_accessible(board)

        box = panel.get_by_label(f"Message to {customer.display_name}")
        box.fill("Let me check the dispatch records.")
        box.press("Enter")
        expect(transcript.locator("li")).to_have_count(2, timeout=LIVE_MS)
        expect(row.locator(".unread-count")).to_have_count(0, timeout=LIVE_MS)

        # On a phone: the desk fits, its tables scroll in their own regions.
        board.set_viewport_size(PHONE)
        fits(board, PHONE["width"])
        screenshot(board, "supervisor-desk-2-following-narrow")
        assert_accessible(board)
        board.set_viewport_size(DESKTOP)

        # Sue moves it to Kim: Ben's console lets it go, Kim is offered it and accepts.
        move = row.get_by_label(f"Move case {number} to")
        expect(move.locator("option")).to_have_text(
            ["Choose where", "Front of the queue", "Kim Second (Away, 0 of 2)"]
        )
        move.select_option(str(kim.id))
        row.get_by_role("button", name=f"Move case {number}").click()
        expect(announced(board)).to_contain_text(
            f"Case {number} was taken from {ben.display_name} and is offered to {kim.display_name}"
        )
        expect(panel).to_contain_text("It is no longer yours", timeout=LIVE_MS)
        expect(console.locator("#chat-load")).to_have_text("0 of 3 chats")
        # The customer waits for another specialist of the same team, and is told so.
        expect(page.get_by_text("Your chat is being passed to another specialist")).to_be_visible()
        loop.run(lambda: kim_socket.next("chat_offered", chat_id=chat_id))
        expect(chat_row(waiting, number)).to_contain_text(
            f"Offered to {kim.display_name}", timeout=LIVE_MS
        )
        loop.run(lambda: kim_socket.ok("accept_chat", {"chat_id": chat_id}))
        row = chat_row(active, number)
        expect(row).to_contain_text(kim.display_name, timeout=LIVE_MS)
        expect(view).to_contain_text(kim.display_name)
        expect(page.locator("#chat-agent")).to_have_text(
            f"You are chatting with {kim.display_name}.", timeout=LIVE_MS
        )
        screenshot(board, "supervisor-desk-3-moved")

        # Sue ends it with a reason, by the keyboard: the customer's window says so.
        end = row.locator("summary")
        end.focus()
        board.keyboard.press("Enter")
        reason = row.get_by_label(f"Reason for ending the chat of case {number}")
        expect(reason).to_be_focused()
        board.keyboard.press("Enter")
        expect(row.get_by_text("Write why the chat is being ended.")).to_be_visible()
        expect(reason).to_have_attribute("aria-invalid", "true")
        screenshot(board, "supervisor-desk-4-end-reason")
        board.keyboard.type("Answered by phone instead")
        board.keyboard.press("Enter")
        expect(announced(board)).to_contain_text(f"The chat of case {number} has ended.")
        expect(page.locator("#chat-ended")).to_contain_text(
            "ended this chat: Answered by phone instead", timeout=LIVE_MS
        )
        expect(view.locator("#monitor-ended")).to_contain_text("Answered by phone instead")
        expect(active).to_contain_text("No chat is active", timeout=LIVE_MS)
        loop.run(lambda: kim_socket.next("chat_ended"))
        screenshot(board, "supervisor-desk-5-ended")

        # Close: the view goes, the focus back where it was asked for (or its list).
        view.get_by_role("button", name="Close").click()
        expect(view).to_be_hidden()
        expect(active).to_be_focused()
    finally:
        loop.run(kim_socket.close)


def test_the_desk_fits_a_phone_and_shows_errors_beside_the_control(
    page, live_server, loop, customer, kim, supervisor, screenshot
):
    services = live_server.services
    cases = [live_server.call(lambda: open_case(services, customer, Channel.CHAT)) for _ in "ab"]
    ann = loop.run(lambda: ChatClient.open(live_server.url, "/customer", customer.username))
    kim_socket = loop.run(lambda: ChatClient.open(live_server.url, "/agent", kim.username))
    try:
        # Kim takes one chat, which fills her only seat; the other waits.
        loop.run(lambda: kim_socket.ok("set_presence", {"presence": "available", "capacity": 1}))
        first = loop.run(lambda: ann.ok("request_chat", {"case_number": cases[0].number}))
        loop.run(lambda: kim_socket.next("chat_offered", chat_id=first["chat"]["public_id"]))
        loop.run(lambda: kim_socket.ok("accept_chat", {"chat_id": first["chat"]["public_id"]}))
        loop.run(lambda: ann.ok("request_chat", {"case_number": cases[1].number}))

        open_desk(page, supervisor)
        page.set_viewport_size(PHONE)
        row = chat_row(waiting_list(page), cases[1].number)
        expect(row).to_contain_text("1st in line")
        expect(chat_row(active_list(page), cases[0].number)).to_contain_text(kim.display_name)
        fits(page, PHONE["width"])

        # Kim is full: the server's answer is shown beside the control, and said.
        assign = row.get_by_label(f"Assign case {cases[1].number} to")
        assign.select_option(str(kim.id))
        row.get_by_role("button", name=f"Assign case {cases[1].number}").click()
        refusal = f"{kim.display_name} cannot take a chat now"
        expect(row.locator(".assign-form .control-error")).to_contain_text(refusal)
        expect(assign).to_have_accessible_description(re.compile(refusal))
        expect(assign).to_have_attribute("aria-invalid", "true")
        expect(announced(page)).to_contain_text(f"was not assigned: {refusal}")

        # Open too: the end form and the read-only view still fit.
        row.locator("summary").click()
        row.get_by_role(
            "button", name=f"View the chat of case {cases[1].number}, read-only"
        ).click()
        expect(page.get_by_role("region", name=re.compile("chat with"))).to_be_visible()
        fits(page, PHONE["width"])
        screenshot(page, "supervisor-desk-narrow")
        assert_accessible(page)

        # The customer's window closes: their waiting chat steps out of the line.
        loop.run(ann.close)
        expect(row).to_contain_text("Customer away", timeout=LIVE_MS)
        expect(row).to_contain_text("Out of the line until they are back")
    finally:
        loop.run(ann.close)
        loop.run(kim_socket.close)


def test_an_open_view_follows_the_chat_again_after_a_lost_connection(
    page, live_server, loop, customer, kim, supervisor, chat_case
):
    ann = loop.run(lambda: ChatClient.open(live_server.url, "/customer", customer.username))
    kim_socket = loop.run(lambda: ChatClient.open(live_server.url, "/agent", kim.username))
    try:
        loop.run(lambda: kim_socket.ok("set_presence", {"presence": "available"}))
        chat = loop.run(lambda: ann.ok("request_chat", {"case_number": chat_case.number}))
        chat_id = chat["chat"]["public_id"]
        loop.run(lambda: kim_socket.next("chat_offered", chat_id=chat_id))
        loop.run(lambda: kim_socket.ok("accept_chat", {"chat_id": chat_id}))
        loop.run(lambda: ann.send(chat_id, "First message"))

        open_desk(page, supervisor)
        row = chat_row(active_list(page), chat_case.number)
        row.get_by_role("button", name=re.compile("^View")).click()
        transcript = page.get_by_role("region", name=re.compile("chat with")).get_by_role("log")
        expect(transcript.locator("li")).to_have_count(1)

        # Offline while both sides talk on: back again, the view has what was said.
        page.context.set_offline(True)
        expect(page.locator("#connection-status")).to_have_text(
            re.compile("reconnecting"), timeout=LIVE_MS
        )
        loop.run(lambda: ann.send(chat_id, "Second message"))
        loop.run(lambda: kim_socket.send(chat_id, "Third message"))
        page.context.set_offline(False)
        expect(page.locator("#connection-status")).to_have_text(
            re.compile("Connected: the figures"), timeout=LIVE_MS
        )
        expect(transcript.locator("li")).to_have_count(3, timeout=LIVE_MS)

        # And it follows live again.
        loop.run(lambda: ann.send(chat_id, "Fourth message"))
        expect(transcript.locator("li").last).to_contain_text("Fourth message", timeout=LIVE_MS)
    finally:
        loop.run(ann.close)
        loop.run(kim_socket.close)


def test_the_desk_says_what_it_does_not_list(
    page, live_server, loop, customer, kim, supervisor, clock, monkeypatch
):
    monkeypatch.setattr(figures, "DESK_PAGE", 1)
    services = live_server.services
    cases = [live_server.call(lambda: open_case(services, customer, Channel.CHAT)) for _ in "ab"]
    ann = loop.run(lambda: ChatClient.open(live_server.url, "/customer", customer.username))
    kim_socket = loop.run(lambda: ChatClient.open(live_server.url, "/agent", kim.username))
    try:
        loop.run(lambda: kim_socket.ok("set_presence", {"presence": "away"}))
        clock.advance(minutes=65)
        for case in cases:
            loop.run(lambda case=case: ann.ok("request_chat", {"case_number": case.number}))

        open_desk(page, supervisor)
        listed = waiting_list(page).get_by_role("row")
        expect(listed.filter(has_text="1st in line")).to_have_count(1)
        expect(listed.filter(has_text="2nd in line")).to_have_count(0)
        expect(page.locator("#waiting-count")).to_have_text("2 waiting")
        expect(page.locator("#waiting-more")).to_have_text(
            "Showing 1 of the 2 waiting chats: those waiting longest."
        )
        # Away for over an hour: hours and minutes.
        expect(agent_row(page, kim).locator("td[data-since]")).to_have_text("1:05 h")
    finally:
        loop.run(ann.close)
        loop.run(kim_socket.close)
