"""The Agents page in the browser: a supervisor sets what an agent takes by keyboard
alone, sees a wrong choice explained beside it, and the page fits a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from frontdesk.accounts.models import Role
from frontdesk.team import AgentWorkIn
from tests.browser.actions import PHONE, banner, sign_in, staff_link, tab_to
from tests.browser.axe import assert_accessible
from tests.browser.conftest import DESKTOP
from tests.factories import make_user

pytestmark = pytest.mark.browser


def open_team(page: Page, username: str) -> None:
    page.goto("/sign-in")
    sign_in(page, username)
    staff_link(page, "Agents").click()
    expect(page.get_by_role("heading", name="Agents", level=1)).to_be_visible()


def card(page: Page, name: str):
    return page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=name))


def test_a_supervisor_sets_an_agents_work_by_keyboard(
    page, live_server, agent, supervisor, screenshot
):
    services = live_server.services
    open_team(page, supervisor.username)
    sam = card(page, "Sam Agent")
    expect(sam.get_by_label("Every group with chat")).to_be_checked()
    expect(sam.get_by_label("Every queue")).to_be_checked()
    expect(sam.get_by_label("Chats at once")).to_have_value("3")
    assert_accessible(page)
    screenshot(page, "team-agents")

    # "Only the groups ticked below" with none ticked: said beside the choices.
    only = sam.get_by_label("Only the groups ticked below")
    tab_to(page, sam.get_by_label("Every group with chat"), limit=60)
    page.keyboard.press("ArrowDown")  # radios move by arrow keys
    expect(only).to_be_checked()
    capacity = sam.get_by_label("Chats at once")
    tab_to(page, capacity)
    page.keyboard.press("Control+a")
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    sam = card(page, "Sam Agent")
    expect(sam.get_by_role("alert")).to_contain_text("Choose at least one chat group")
    expect(sam.locator("fieldset").first).to_have_attribute("aria-describedby", re.compile("error"))
    assert_accessible(page)
    screenshot(page, "team-agents-error")

    # Tick one group, save: said, and stored.
    group_name = live_server.services.live.router.group_name("centres")
    box = sam.get_by_label(group_name)
    tab_to(page, box)
    page.keyboard.press("Space")
    tab_to(page, sam.get_by_role("button", name=re.compile("^Save")))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Saved what Sam Agent takes")
    settings = live_server.call(lambda: services.live.agents.settings(agent.id))
    assert (settings.groups, settings.capacity) == (("centres",), 5)
    sam = card(page, "Sam Agent")
    expect(sam.get_by_label("Only the groups ticked below")).to_be_checked()
    expect(sam.get_by_label(group_name)).to_be_checked()
    expect(sam.get_by_label("Chats at once")).to_have_value("5")


def test_the_agents_page_fits_a_phone(browser, live_server, agent, supervisor, screenshot):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto("/sign-in?next=/supervisor/agents")
        sign_in(page, supervisor.username)
        expect(page.get_by_role("heading", name="Agents", level=1)).to_be_visible()
        expect(card(page, "Sam Agent")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert_accessible(page)
        screenshot(page, "team-agents-narrow")
    finally:
        context.close()


def test_an_agent_is_shown_no_team_page(page, live_server, agent):
    page.goto("/sign-in")
    sign_in(page, agent.username)
    expect(banner(page)).to_be_visible()
    expect(banner(page).get_by_role("link", name="Agents")).to_have_count(0)
    response = page.goto("/supervisor/agents")
    assert response is not None and response.status == 404


def test_an_admin_reads_and_filters_the_audit_log(browser, live_server, agent, screenshot):
    services = live_server.services
    admin = live_server.call(
        lambda: make_user(services, Role.ADMIN, first_name="Ada", last_name="Admin")
    )
    kim = live_server.call(
        lambda: make_user(services, Role.AGENT, first_name="Kim", last_name="Second")
    )
    for who, capacity in ((agent, 5), (kim, 2)):
        change = AgentWorkIn(groups=None, capacity=capacity)
        live_server.call(lambda: services.team.set_work(admin, who.id, change))  # noqa: B023
    for viewport in (DESKTOP, PHONE):
        context = browser.new_context(base_url=live_server.url, viewport=viewport)
        try:
            page = context.new_page()
            page.goto("/sign-in")
            sign_in(page, admin.username)
            if viewport is PHONE:  # the menu folds what does not fit into "More"
                banner(page).get_by_text("More").click()
                banner(page).get_by_role("link", name="Audit log").click()
            else:
                staff_link(page, "Admin").click()
                admin_nav = page.get_by_role("navigation", name="Administration")
                admin_nav.get_by_role("link", name="Audit log").click()
            expect(page.get_by_role("heading", name="Audit log", level=1)).to_be_visible()
            entries = page.locator(".audit-entry")
            expect(entries).to_have_count(2)
            expect(entries.first).to_contain_text("Kim Second (agent)")
            expect(entries.first).to_contain_text("Chats at once")
            # Filter by keyboard: type, then Enter in the field sends the form.
            target = page.get_by_label("Done to")
            tab_to(page, target, limit=60)
            page.keyboard.type("sam")
            page.keyboard.press("Enter")
            expect(entries).to_have_count(1)
            expect(entries.first).to_contain_text("Sam Agent (agent)")
            expect(page.get_by_role("status")).to_have_text("1 action match.")
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            assert_accessible(page)
            screenshot(page, f"audit-log-{viewport['width']}")
        finally:
            context.close()
