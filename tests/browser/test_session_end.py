"""Signing out in one tab ends the live console open in another: the console says so and
offers nothing stale (issue 13: a socket lives no longer than its session)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.actions import LIVE_MS, open_console

pytestmark = pytest.mark.browser


def test_signing_out_in_another_tab_ends_the_console(context, page, agent, screenshot):
    open_console(page, agent)
    presence = page.get_by_role("radio", name="Available")
    expect(presence).to_be_enabled()

    other_tab = context.new_page()
    other_tab.goto("/")
    other_tab.locator(".account-menu summary").click()
    other_tab.get_by_role("button", name="Sign out").click()
    expect(other_tab.get_by_role("link", name="Sign in")).to_be_visible()

    connection = page.locator("#chat-connection")
    expect(connection).to_have_text(
        "Live chat is unavailable: Please sign in to continue", timeout=LIVE_MS
    )
    expect(presence).to_be_disabled()
    screenshot(page, "console-after-sign-out")
