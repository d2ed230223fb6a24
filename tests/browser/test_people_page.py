"""The People page in the browser: an admin invites a member of staff and disables an
account by keyboard alone; the page has no serious axe violation and fits a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from frontdesk.accounts.models import Role
from tests.browser.actions import PHONE, sign_in, tab_to
from tests.browser.axe import assert_accessible
from tests.browser.conftest import DESKTOP
from tests.factories import make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def admin(live_server):
    services = live_server.services
    return live_server.call(
        lambda: make_user(services, Role.ADMIN, first_name="Ada", last_name="Admin")
    )


def test_an_admin_invites_and_disables_by_keyboard(page, live_server, admin, agent, screenshot):
    page.goto("/sign-in?next=/admin/people")
    sign_in(page, admin.username)
    expect(page.get_by_role("heading", name="People", level=1)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "people")

    email = page.get_by_label(re.compile("^Email address"))
    tab_to(page, email, limit=60)
    page.keyboard.type("kim@frontdesk.test")
    page.keyboard.press("Tab")
    page.keyboard.type("Kim")
    page.keyboard.press("Tab")
    page.keyboard.type("New")
    page.keyboard.press("Tab")  # the role: agent by default
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Kim New is invited")
    expect(page.get_by_role("heading", name="Kim New")).to_be_visible()

    sam = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Sam Agent"))
    disable = sam.get_by_role("button", name="Disable Sam Agent")
    tab_to(page, disable, limit=80)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_have_text("Sam Agent is disabled")
    sam = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Sam Agent"))
    expect(sam).to_contain_text("Disabled")
    expect(sam.get_by_role("button", name="Enable Sam Agent")).to_be_visible()
    user = live_server.call(lambda: live_server.services.accounts.user(agent.id))
    assert user is not None and not user.is_active
    screenshot(page, "people-disabled")


def test_the_people_page_fits_a_phone(browser, live_server, admin, agent, screenshot):
    for viewport in (PHONE, DESKTOP):
        context = browser.new_context(base_url=live_server.url, viewport=viewport)
        try:
            page = context.new_page()
            page.goto("/sign-in?next=/admin/people")
            sign_in(page, admin.username)
            expect(page.get_by_role("heading", name="Sam Agent")).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            assert_accessible(page)
            screenshot(page, f"people-{viewport['width']}")
        finally:
            context.close()
