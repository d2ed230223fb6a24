"""The agent's tools in the browser: canned replies found with "/" in the console's
message box and filled in for the customer, an article's link put in a message, links
shown safely on both sides of the chat, and the page that manages replies, by keyboard,
at 390 and 1280 pixels wide."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from frontdesk.accounts.models import Role
from frontdesk.replies.models import ReplyIn, Scope
from tests.browser.actions import (
    PHONE,
    accept_offer,
    field,
    fits,
    open_chat,
    open_console,
    sign_in,
    tab_to,
)
from tests.browser.axe import assert_accessible
from tests.browser.conftest import DESKTOP
from tests.factories import make_user

pytestmark = pytest.mark.browser

LIVE_MS = 10_000


@pytest.fixture
def shared_hours(live_server: Any) -> None:
    """A supervisor's reply for every group, with the group's hours."""
    services = live_server.services

    async def write() -> None:
        boss = await make_user(services, Role.SUPERVISOR)
        reply = ReplyIn(
            scope=Scope.SHARED, shortcut="hours", title="Our hours",
            body="We chat {group_hours}.",
        )  # fmt: skip
        await services.replies.create(boss, reply)
        await services.replies.create(
            await make_user(services, Role.AGENT),
            ReplyIn(shortcut="hidden", title="Someone else's", body="Not yours"),
        )

    live_server.call(write)


def test_an_agent_answers_with_a_canned_reply_and_an_article_link(
    page,
    contexts,
    live_server,
    customer,
    agent,
    chat_case,
    shared_hours,
    fitting_article,
    screenshot,
):
    services = live_server.services
    live_server.call(lambda: services.replies.create(agent, ReplyIn(
        shortcut="hello", title="Greeting",
        body="Hello {customer_first_name}, I'm {agent_name}, looking at case {case_number}.",
    )))  # fmt: skip
    number = chat_case.number
    console = contexts().new_page()
    open_console(console, agent)
    console.get_by_label("Available", exact=True).check()
    open_chat(page, customer, number)
    panel = accept_offer(console, number)
    box = panel.get_by_label(f"Message to {customer.display_name}")
    listbox = panel.get_by_role("listbox", name="Canned replies")

    # "/" and letters: the matching replies (never another agent's); Escape closes.
    box.press_sequentially("/h")
    expect(listbox.get_by_role("option")).to_have_text([re.compile("/hello"), re.compile("/hours")])
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_value("/h")
    box.press_sequentially("o")
    expect(listbox.get_by_role("option")).to_have_text([re.compile("/hours")])
    box.press("Backspace")
    box.press("Backspace")
    expect(listbox.get_by_role("option")).to_have_count(2)
    assert_accessible(console)
    screenshot(console, "tools-picker")

    # Arrows move the choice (the box keeps the focus); Enter inserts it, filled in.
    chosen = listbox.get_by_role("option", selected=True)
    box.press("ArrowDown")
    expect(chosen).to_contain_text("/hours")
    expect(box).to_have_attribute("aria-activedescendant", chosen.get_attribute("id") or "")
    box.press("ArrowDown")  # round to the first
    expect(chosen).to_contain_text("/hello")
    box.press("ArrowUp")
    expect(chosen).to_contain_text("/hours")
    box.press("Enter")
    expect(box).to_have_value("We chat Monday - Friday 09:00-17:00 (UK time).")
    expect(listbox).to_be_hidden()
    box.press("Enter")
    expect(page.locator("#chat-messages")).to_contain_text("We chat Monday - Friday 09:00-17:00")

    # From the button, by keyboard: the whole list.
    button = panel.get_by_role("button", name="Canned replies")
    button.focus()
    button.press("Enter")
    expect(box).to_be_focused()
    expect(listbox.get_by_role("option")).to_have_count(2)
    box.press("Enter")
    greeting = f"Hello Ann, I'm {agent.display_name}, looking at case {number}."
    expect(box).to_have_value(greeting)
    box.press("Enter")
    expect(page.locator("#chat-messages")).to_contain_text(greeting)

    # The articles that fit the case; one click puts its title and link in the box.
    articles = panel.get_by_role("region", name="Articles for this case")
    expect(articles.get_by_role("link", name="When certificates arrive")).to_be_visible()
    articles.get_by_label("Search articles").fill("certificates arrive")
    articles.get_by_label("Search articles").press("Enter")
    insert = articles.get_by_role("button", name="Insert link").last
    expect(insert).to_have_accessible_description("When certificates arrive")
    insert.press("Enter")
    link = f"{live_server.url}{fitting_article}"
    expect(box).to_have_value(f"When certificates arrive: {link} ")
    expect(box).to_be_focused()
    box.press_sequentially("or https://example.org/help (not ours)")
    box.press("Enter")

    # The customer sees our article as an article link, the other marked external.
    sent = page.locator("#chat-messages li.chat-message").last
    article_link = sent.locator("a.article-link")
    expect(article_link).to_have_attribute("href", link)
    expect(article_link).to_contain_text(fitting_article)
    external = sent.locator("a.external-link")
    expect(external).to_have_attribute("href", "https://example.org/help")
    expect(external).to_have_attribute("rel", "noopener noreferrer")
    expect(external).to_have_attribute("target", "_blank")
    expect(external).to_contain_text("(external)")
    assert_accessible(page)
    screenshot(page, "tools-customer-links")

    # Whatever the customer writes stays text, but for http(s) links.
    hostile = 'javascript:alert(1) <img src=x onerror=alert(2)> "http://evil.example/x"'
    page.get_by_label("Your message").fill(hostile)
    page.get_by_role("button", name="Send").click()
    mine = panel.get_by_role("log").locator(".message").last
    expect(mine.locator(".message-body")).to_contain_text("javascript:alert(1) <img src=x")
    expect(mine.locator("img")).to_have_count(0)
    expect(mine.locator("a")).to_have_count(1)
    expect(mine.locator("a")).to_have_attribute("href", "http://evil.example/x")
    screenshot(console, "tools-console")

    # The transcript on the case page: the same links, live; the rest text.
    panel.get_by_role("button", name="End chat").click()
    # Ended (and the transcript filed) before the console is left: not while in flight.
    expect(console.locator("#chat-load")).to_have_text("0 of 3 chats")
    console.goto(f"/agent/cases/{number}")
    transcript = console.locator(".activity-chat_transcript .activity-body")
    expect(transcript.locator("a.article-link")).to_have_attribute("href", link)
    expect(transcript.locator("a.external-link")).to_have_count(2)
    expect(transcript.locator("img")).to_have_count(0)
    expect(transcript).to_contain_text("javascript:alert(1) <img src=x")


def test_replies_are_managed_by_keyboard_at_both_widths(page, agent, screenshot):
    page.goto("/sign-in?next=/agent/replies")
    sign_in(page, agent.username)
    expect(page.get_by_role("heading", name="Canned replies", level=1)).to_be_visible()

    shortcut = field(page, "Shortcut")
    tab_to(page, shortcut)
    page.keyboard.type("thanks")
    page.keyboard.press("Tab")
    page.keyboard.type("Thank you")
    page.keyboard.press("Tab")
    page.keyboard.type("Thanks {customer_name}")
    tab_to(page, page.get_by_role("button", name="Save the reply"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Unknown placeholder {customer_name}")
    expect(field(page, "Text")).to_have_attribute("aria-invalid", "true")

    field(page, "Text").fill("Thanks, {customer_first_name}.")
    field(page, "Text").focus()
    tab_to(page, page.get_by_role("button", name="Save the reply"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="/thanks was saved")).to_be_visible()
    mine = page.get_by_role("region", name="Your replies")
    expect(mine).to_contain_text("Thanks, {customer_first_name}.")

    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        assert fits(page), size
        assert_accessible(page)
        screenshot(page, f"tools-replies-{size['width']}")

    tab_to(page, mine.get_by_role("link", name="Edit"), limit=40)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Change /thanks")).to_be_visible()
    field(page, "Title").fill("Thanks a lot")
    field(page, "Title").press("Enter")
    expect(mine).to_contain_text("Thanks a lot")

    tab_to(page, mine.get_by_role("button", name="Delete"), limit=40)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="/thanks was deleted")).to_be_visible()
    expect(page.get_by_text("You have no replies of your own yet.")).to_be_visible()
