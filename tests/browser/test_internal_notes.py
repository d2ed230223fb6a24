"""Internal notes in the browser: an agent writes one by keyboard, it is marked staff
only, the page stays accessible and fits a phone; the customer's case page never shows it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.actions import PHONE, error_summary, sign_in, tab_to
from tests.browser.axe import assert_accessible
from tests.browser.conftest import ACTION_TIMEOUT_MS, DESKTOP
from tests.factories import open_case

pytestmark = pytest.mark.browser

NOTE = "Centre warned twice before; check the dispatch log before promising a date."
BADGE = "Internal note · staff only"
FITS = "document.documentElement.scrollWidth"


@pytest.fixture
def case(live_server, customer):
    services = live_server.services
    return live_server.call(lambda: open_case(services, customer))


def test_an_agent_adds_a_note_by_keyboard_that_the_customer_never_sees(
    browser, page, live_server, agent, customer, case, screenshot
):
    page.goto(f"/sign-in?next=/agent/cases/{case.number}")
    sign_in(page, agent.username)
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.number)
    note = page.get_by_label(re.compile(r"^Note for the team \(never shown to the customer\)"))
    add = page.get_by_role("button", name="Add internal note")

    # Sent empty, by keyboard: the error is on the field, and the summary takes the focus.
    tab_to(page, add, limit=80)
    page.keyboard.press("Enter")
    expect(error_summary(page)).to_contain_text("Write a note first")
    expect(error_summary(page)).to_be_focused()
    expect(note).to_have_attribute("aria-invalid", "true")
    expect(note).to_have_accessible_description(re.compile("Write a note first"))

    tab_to(page, note, limit=80)
    page.keyboard.type(NOTE)
    page.keyboard.press("Tab")
    expect(add).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status").filter(has_text="internal note was added")).to_be_visible()
    item = page.locator(".activity").first  # newest first
    expect(item.locator(".internal-badge")).to_have_text(BADGE)
    expect(item).to_contain_text("Sam Agent (Agent) added an internal note.")
    expect(item.locator(".activity-body")).to_have_text(NOTE)
    assert item.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert_accessible(page)
    screenshot(page, "internal-note-agent")

    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator(".activity-note .internal-badge")).to_have_text(BADGE)
    assert page.evaluate(FITS) <= PHONE["width"]
    assert_accessible(page)
    screenshot(page, "internal-note-agent-390")

    customers = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    customers.set_default_timeout(ACTION_TIMEOUT_MS)
    try:
        theirs = customers.new_page()
        theirs.goto(f"/sign-in?next=/my-cases/{case.number}")
        sign_in(theirs, customer.username)
        expect(theirs.locator(".activity").filter(has_text="created this case.")).to_be_visible()
        expect(theirs.get_by_text(NOTE)).to_have_count(0)
        expect(theirs.locator(".internal-badge, .activity-note")).to_have_count(0)
        expect(theirs.locator("main")).not_to_contain_text(re.compile("internal note", re.I))
        # The feed redrawn by the script (Refresh) has no note either.
        theirs.get_by_role("link", name="Refresh").click()
        expect(theirs.locator("#feed-status")).not_to_be_empty()
        expect(theirs.get_by_text(NOTE)).to_have_count(0)
        screenshot(theirs, "internal-note-customer")
    finally:
        customers.close()
