"""Community discussions in Chromium: a visitor reads, a customer asks and replies, an
agent marks the answer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from frontdesk.kb.importer import DEMO_CONTENT, import_folder
from tests.browser.actions import error_summary, field, sign_in
from tests.browser.axe import assert_accessible
from tests.browser.conftest import ACTION_TIMEOUT_MS, DESKTOP, NARROW

pytestmark = pytest.mark.browser

DEMO_TITLE = "Summer 2026 GCSE certificates not arrived yet"
QUESTION = "Where are the summer moderation samples sent?"


@pytest.fixture
def demo_threads(live_server):
    services = live_server.services
    live_server.call(lambda: import_folder(services.kb, services.community, DEMO_CONTENT))


def reply_item(page, text):
    return page.locator(".reply").filter(has_text=text)


def test_a_visitor_reads_a_thread_then_signs_in_to_ask_and_reply(
    page, customer, demo_threads, screenshot
):
    page.goto("/community")
    expect(page.get_by_role("heading", name="Community discussions", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Community", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator(".thread-row")).to_have_count(10)
    expect(page.get_by_role("link", name="Next page")).to_be_visible()
    screenshot(page, "community-list")
    assert_accessible(page)

    page.get_by_role("link", name=DEMO_TITLE).click()
    expect(page.get_by_role("heading", name=DEMO_TITLE, level=1)).to_be_visible()
    page.get_by_role("link", name="Jump to the answer").click()
    expect(page).to_have_url(re.compile(r"#reply-\d+$"))
    answer = page.locator(".reply.is-answer")
    expect(answer).to_contain_text("Northgate Qualification Services")
    expect(answer).to_contain_text("Support staff")
    expect(answer).to_be_in_viewport()
    screenshot(page, "community-thread")
    assert_accessible(page)

    # Signing in to reply comes back to the thread, with the reply form.
    thread_url = page.url.split("#")[0]
    page.get_by_role("link", name="Sign in to reply").click()
    sign_in(page, customer.username)
    expect(page).to_have_url(thread_url)
    expect(field(page, "Your reply")).to_be_visible()

    # Starting a discussion: a mistake keeps what was typed.
    page.goto("/community")
    page.get_by_role("link", name="Start a discussion").click()
    field(page, "Title").fill("Hi")
    field(page, "Your question").fill("We are sending the samples for GCSE Art next week.")
    page.get_by_role("button", name="Post your question").click()
    expect(error_summary(page)).to_contain_text("at least 5 characters")
    expect(field(page, "Your question")).to_have_value(
        "We are sending the samples for GCSE Art next week."
    )
    screenshot(page, "community-new-errors")
    field(page, "Title").fill(QUESTION)
    page.get_by_role("button", name="Post your question").click()
    expect(page.get_by_role("heading", name=QUESTION, level=1)).to_be_visible()
    expect(page.locator(".question")).to_contain_text("Ann Example")

    field(page, "Your reply").fill("Update: the moderator's address is in **Northgate Online**.")
    page.get_by_role("button", name="Post reply").click()
    mine = reply_item(page, "the moderator's address")
    expect(mine).to_contain_text("Ann Example")
    expect(mine.locator("strong", has_text="Northgate Online")).to_be_visible()
    expect(page.get_by_role("heading", name="1 reply")).to_be_visible()


def test_an_agent_marks_the_answer_and_the_badge_shows(
    browser, live_server, page, customer, agent, screenshot
):
    from frontdesk.kb.models import PostIn, ReplyPostIn

    community = live_server.services.community
    thread = live_server.call(
        lambda: community.post_discussion(customer, PostIn(title=QUESTION, body="Which address?"))
    )
    live_server.call(
        lambda: community.reply(customer, thread.slug, ReplyPostIn(body="Still looking for it."))
    )
    answer_text = "Use the address in the moderator's letter."
    live_server.call(lambda: community.reply(agent, thread.slug, ReplyPostIn(body=answer_text)))

    page.goto(f"/sign-in?next=/community/{thread.slug}")
    sign_in(page, agent.username)
    expect(page.get_by_role("heading", name=QUESTION, level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Mark as answer")).to_have_count(2)
    staff_reply = reply_item(page, answer_text)
    expect(staff_reply).to_contain_text("Support staff")
    staff_reply.get_by_role("button", name="Mark as answer").click()
    expect(page.locator(".question-head")).to_contain_text("Answered")
    expect(page.locator(".reply.is-answer")).to_contain_text(answer_text)
    expect(staff_reply.get_by_role("button", name="Unmark")).to_be_visible()
    expect(page.get_by_role("link", name="Jump to the answer")).to_be_visible()
    screenshot(page, "community-answered")
    assert_accessible(page)

    # The customer sees the badge in the list, and no staff buttons on the thread.
    other = browser.new_context(base_url=live_server.url, viewport=NARROW)
    other.set_default_timeout(ACTION_TIMEOUT_MS)
    try:
        narrow = other.new_page()
        narrow.goto("/")
        narrow.get_by_role("banner").get_by_text("More", exact=True).click()
        narrow.get_by_role("banner").get_by_role("link", name="Community", exact=True).click()
        row = narrow.locator(".thread-row").filter(has_text=QUESTION)
        expect(row).to_contain_text("Answered")
        expect(row).to_contain_text("2 replies")
        narrow.get_by_role("link", name=QUESTION).click()
        expect(narrow.get_by_role("button", name="Mark as answer")).to_have_count(0)
        expect(narrow.locator(".reply.is-answer")).to_contain_text(answer_text)
        screenshot(narrow, "community-thread-narrow")
        assert_accessible(narrow)
    finally:
        other.close()

    page.get_by_role("button", name="Unmark").click()
    expect(page.get_by_role("button", name="Mark as answer")).to_have_count(2)
    expect(page.locator(".question-head")).not_to_contain_text("Answered")
    assert page.viewport_size == DESKTOP
