"""Keyboard only: signing in, and the narrow screen's "More" menu."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.actions import assert_readable, banner, field, tab_to
from tests.browser.conftest import NARROW
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser

MENU_ITEMS = ["Contact Us", "My Cases", "Browse Articles"]


def test_sign_in_with_the_keyboard_only(page, live_server, screenshot):
    user = live_server.call(lambda: make_user(live_server.services))
    page.goto("/sign-in")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(field(page, "Username")).to_be_focused()
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    expect(field(page, "Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    tab_to(page, page.get_by_role("button", name="Sign in"))
    page.keyboard.press("Enter")

    expect(banner(page).get_by_text(user.display_name)).to_be_visible()
    page.set_viewport_size(NARROW)
    expect(banner(page).get_by_text(user.display_name)).to_be_visible()
    screenshot(page, "home-narrow-signed-in")


def test_more_menu_opens_with_the_keyboard_on_a_narrow_screen(page, screenshot):
    page.set_viewport_size(NARROW)
    page.goto("/")
    more = banner(page).locator("details", has_text="More")
    for name in MENU_ITEMS:  # folded away: no visible link of that name in the top bar
        expect(banner(page).get_by_role("link", name=name, exact=True)).to_have_count(0)

    tab_to(page, more.get_by_text("More", exact=True))
    page.keyboard.press("Enter")

    for name in MENU_ITEMS:
        item = banner(page).get_by_role("link", name=name, exact=True)
        expect(item).to_be_visible()
        assert_readable(item)
        box = item.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= NARROW["width"]
    screenshot(page, "home-narrow-more-open")

    tab_to(page, more.get_by_role("link", name="Browse Articles"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Browse Articles")).to_be_visible()
