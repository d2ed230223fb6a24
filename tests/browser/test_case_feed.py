"""The case feed brought up to date without a reload: the server redraws it (the page's
/feed fragment) and the page swaps it in, by keyboard, narrow, and accessible."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.actions import PHONE, fits, sign_in, tab_to
from tests.browser.axe import assert_accessible
from tests.browser.conftest import DESKTOP
from tests.factories import open_case

pytestmark = pytest.mark.browser


def activity(page, text):
    return page.locator(".activity").filter(has_text=text)


@pytest.fixture
def case(live_server, customer, clock):
    case = live_server.call(lambda: open_case(live_server.services, customer))
    clock.advance(minutes=5)
    return case


def test_an_agent_sees_the_customers_comment_after_a_refresh_by_keyboard(
    page, live_server, agent, customer, case, screenshot
):
    page.goto(f"/sign-in?next=/agent/cases/{case.number}")
    sign_in(page, agent.username)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {case.number}: {case.subject}")
    services = live_server.services
    created = live_server.call(lambda: services.cases.feed(customer, case.number))[-1]
    live_server.call(
        lambda: services.cases.comment(customer, case.number, created.id, "Any news yet?")
    )
    expect(page.get_by_text("Any news yet?")).to_have_count(0)

    refresh = page.get_by_role("link", name="Refresh")
    tab_to(page, refresh, limit=60)
    page.keyboard.press("Enter")
    comments = activity(page, "created this case.").get_by_role("list", name="Comments")
    expect(comments).to_contain_text("Ann Example (Customer) just now")
    expect(comments).to_contain_text("Any news yet?")
    expect(page).to_have_url(re.compile(rf"/agent/cases/{case.number}\?order=newest"))
    expect(page.get_by_role("status").filter(has_text="Activity refreshed")).to_be_attached()
    expect(refresh).to_be_focused()  # the redrawn link, where the person was

    # Like it by keyboard: the feed is redrawn, the focus stays on the button.
    like = activity(page, "created this case.").get_by_role("button", name="Like")
    tab_to(page, like, limit=20)
    page.keyboard.press("Enter")
    expect(activity(page, "created this case.").locator(".like-count")).to_have_text("1 like")
    expect(like).to_be_focused()
    expect(like).to_have_attribute("aria-pressed", "true")
    # The redrawn forms still answer to the agent's page, not the customer's.
    expect(activity(page, "created this case.").locator("form.like-form")).to_have_attribute(
        "action", re.compile(rf"^/agent/cases/{case.number}/activities/\d+/like$")
    )
    assert_accessible(page)
    screenshot(page, "case-feed-agent-refreshed")

    page.set_viewport_size(PHONE)
    assert fits(page)
    screenshot(page, "case-feed-agent-refreshed-390")
    page.set_viewport_size(DESKTOP)


def test_a_customer_resorts_the_feed_on_a_phone(page, customer, case, screenshot):
    page.set_viewport_size(PHONE)
    page.goto(f"/sign-in?next=/my-cases/{case.number}")
    sign_in(page, customer.username)
    expect(page.locator(".activity").first).to_contain_text("routed this case")

    sort = page.get_by_role("link", name=re.compile("^Sort by: Most Recent Activity"))
    tab_to(page, sort, limit=60)
    page.keyboard.press("Enter")
    expect(page.locator(".activity").first).to_contain_text("created this case.")
    oldest = page.get_by_role("link", name=re.compile("^Sort by: Oldest Activity"))
    expect(oldest).to_be_focused()
    expect(oldest).to_contain_text("▲")
    expect(page).to_have_url(re.compile(r"order=oldest"))
    expect(page.get_by_role("status").filter(has_text="oldest activity first")).to_be_attached()

    page.keyboard.press("Enter")  # and back, from the same place
    expect(page.locator(".activity").first).to_contain_text("routed this case")
    expect(page.get_by_role("link", name=re.compile("^Sort by: Most Recent"))).to_be_focused()
    assert fits(page)
    assert_accessible(page)
    screenshot(page, "case-feed-customer-390")
