"""Ratings in the browser: a chat ends and its customer rates it by keyboard in the chat
window, and the supervisor's dashboard shows it live; the page an emailed link opens,
by keyboard, at 390 px and 1280 px, with no serious axe-core violation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from frontdesk.accounts.models import Role
from frontdesk.cases.models import Channel, Status
from tests.browser.actions import LIVE_MS, PHONE, fits, open_chat, sign_in, staff_link, tab_to
from tests.browser.axe import assert_accessible
from tests.browser.conftest import DESKTOP
from tests.browser.test_chat_window import Person
from tests.factories import make_user, open_case, outbox_messages

pytestmark = pytest.mark.browser

LINK = re.compile(r"https?://\S+(/rate/\S+)")


@pytest.fixture
def sam(live_server: Any, agent: Any) -> Iterator[Person]:
    driver = Person(live_server.url, agent.username)
    try:
        yield driver
    finally:
        driver.close()


def choose_by_keyboard(page: Page, score: int) -> None:
    """Tab into the scale (its first choice takes the focus), arrow down to `score`."""
    tab_to(page, page.get_by_role("radio", name=re.compile(r"\(1 of 5\)")))
    for _ in range(score - 1):
        page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name=re.compile(rf"\({score} of 5\)"))).to_be_checked()


def test_a_chat_ends_its_customer_rates_it_and_the_dashboard_shows_it(
    page, contexts, live_server, customer, agent, chat_case, supervisor, sam, screenshot
):
    dashboard = contexts().new_page()
    dashboard.goto("/sign-in")
    sign_in(dashboard, supervisor.username)
    staff_link(dashboard, "Dashboard").click()
    expect(dashboard.locator("#connection-status")).to_have_text(re.compile("Connected: the"))

    page.set_viewport_size(PHONE)
    open_chat(page, customer, chat_case.number)
    chat_id = sam.take_the_chat()
    expect(page.locator("#chat-agent")).to_have_text("You are chatting with Sam Agent.")
    rating = page.get_by_role("region", name="Rate this chat")
    expect(rating).to_be_hidden()  # not while the chat goes on
    sam.ok("end_chat", {"chat_id": chat_id})
    expect(rating).to_be_visible(timeout=LIVE_MS)
    expect(rating.get_by_role("group", name="How satisfied were you?")).to_be_visible()

    # Sending with no score says what is missing, beside the question.
    rating.get_by_role("button", name="Send my rating").click()
    expect(page.locator("#rating-score-error")).to_have_text(re.compile("Choose how satisfied"))
    choose_by_keyboard(page, 4)
    page.keyboard.press("Tab")
    expect(page.get_by_label(re.compile("Anything you would like to tell us"))).to_be_focused()
    page.keyboard.type("Quick and kind")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    done = page.locator("#chat-rating-done")
    expect(done).to_have_text(re.compile(r"^Thank you: you rated this chat 4 of 5\. You can"))
    expect(done).to_be_focused()
    expect(page.locator("#rating-score-error")).to_be_hidden()
    assert fits(page)
    assert_accessible(page)
    screenshot(page, "ratings-chat-rated-390")

    groups = dashboard.get_by_role("table", name="By customer group")
    expect(groups.locator('[data-field="today-average"]')).to_have_text("4.00", timeout=LIVE_MS)
    expect(groups.locator('[data-field="today-responses"]')).to_have_text("1 of 1 (100%)")
    agents = dashboard.get_by_role("table", name="By agent")
    expect(agents.get_by_role("row", name=re.compile("Sam Agent"))).to_contain_text("4.00")
    assert_accessible(dashboard)
    screenshot(dashboard, "ratings-dashboard")


def test_the_emailed_link_rates_a_resolved_case_by_keyboard(
    page, live_server, customer, screenshot
):
    services = live_server.services
    ben = live_server.call(lambda: make_user(services, Role.AGENT))
    case = live_server.call(lambda: open_case(services, customer, Channel.MESSAGE))
    live_server.call(lambda: services.case_work.change_status(ben, case.number, Status.RESOLVED))
    (mail,) = [m for m in live_server.call(lambda: outbox_messages(services, customer.email))
               if "is resolved" in m.subject]  # fmt: skip
    path = LINK.search(mail.body).group(1)

    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        page.goto(path)  # no sign-in: the signed link is the key
        expect(page.get_by_role("heading", name="Rate how we did")).to_be_visible()
        assert fits(page), viewport
    assert_accessible(page)
    screenshot(page, "ratings-link-1280")

    page.set_viewport_size(PHONE)
    choose_by_keyboard(page, 5)
    page.keyboard.press("Tab")
    page.keyboard.type("Sorted in a day")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send my rating")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text(re.compile("Thank you: your rating is saved"))
    expect(page.locator("#rating-given")).to_contain_text("5 of 5: Very satisfied")
    expect(page.get_by_role("radio", name=re.compile(r"\(5 of 5\)"))).to_be_checked()
    expect(page.get_by_role("button", name="Change my rating")).to_be_visible()
    assert fits(page)
    assert_accessible(page)
    screenshot(page, "ratings-link-rated-390")
