"""The supervisor's dashboard, live: a customer and an agent driven over socket.io while
the supervisor watches the page change without reloading it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from frontdesk.cases.models import Channel
from tests.browser.actions import banner, sign_in, staff_link, tab_to
from tests.browser.axe import assert_accessible
from tests.factories import open_case
from tests.integration.chat_clients import ChatClient

pytestmark = pytest.mark.browser

LIVE_MS = 10_000  # a pushed figure, on a busy machine


def open_dashboard(page: Page, username: str) -> None:
    page.goto("/sign-in")
    sign_in(page, username)
    staff_link(page, "Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.locator("#connection-status")).to_have_text(re.compile("Connected: the figures"))


def cell(page: Page, group: str, field: str) -> Any:
    return page.locator(f'#figures tr[data-group="{group}"] [data-field="{field}"]')


@pytest.mark.parametrize("persona", ["customer", "agent"])
def test_others_are_refused_the_dashboard(page, live_server, persona, request):
    user = request.getfixturevalue(persona)
    page.goto("/sign-in")
    sign_in(page, user.username)
    expect(banner(page)).to_be_visible()
    expect(banner(page).get_by_role("link", name="Dashboard")).to_have_count(0)
    response = page.goto("/supervisor")
    assert response is not None and response.status == 404  # staff only: not there


def test_a_supervisor_watches_a_chat_go_through_the_queue(
    page, live_server, loop, customer, agent, supervisor, clock, screenshot
):
    services = live_server.services
    case = live_server.call(lambda: open_case(services, customer, Channel.CHAT))
    group = case.customer_group
    open_dashboard(page, supervisor.username)

    rows = page.locator("#figures tbody tr")
    expect(rows).to_have_count(len(services.live.router.chat_groups()))
    expect(rows.filter(has_text="Schools, colleges and training providers")).to_have_count(1)
    expect(rows.filter(has_text="Northgate associates and examiners")).to_have_count(1)
    expect(cell(page, group, "waiting")).to_have_text("0")
    expect(page.locator("#agents")).to_contain_text("No agent has set a chat state yet.")
    screenshot(page, "supervisor-dashboard-empty")

    ann = loop.run(lambda: ChatClient.open(live_server.url, "/customer", customer.username))
    sam = loop.run(lambda: ChatClient.open(live_server.url, "/agent", agent.username))
    try:
        # A customer asks: the group's waiting goes to 1, without a reload.
        requested = loop.run(lambda: ann.ok("request_chat", {"case_number": case.number}))
        chat_id = requested["chat"]["public_id"]
        expect(cell(page, group, "waiting")).to_have_text("1", timeout=LIVE_MS)
        expect(cell(page, group, "longest_wait_seconds")).to_have_text(
            re.compile(r"^0:0[1-9]$"), timeout=LIVE_MS
        )  # ticking in the page

        # The agent says they are available: listed, and counted. The waiting chat is
        # offered to them at once, and an agent holding an offer counts as busy.
        loop.run(lambda: sam.ok("set_presence", {"presence": "available", "capacity": 3}))
        agent_row = page.locator("#agents tbody tr").filter(has_text=agent.display_name)
        loop.run(lambda: sam.next("chat_offered", chat_id=chat_id))
        expect(agent_row).to_contain_text("Busy", timeout=LIVE_MS)
        expect(agent_row).to_contain_text("1 of 3")
        expect(cell(page, group, "agents_busy")).to_have_text("1")
        expect(cell(page, group, "agents_available")).to_have_text("0")
        expect(cell(page, group, "chats_offered")).to_have_text("1", timeout=LIVE_MS)
        screenshot(page, "supervisor-dashboard-waiting")

        # Accepted after two minutes: active, the agent's load, and the day's average wait.
        clock.advance(minutes=2)
        loop.run(lambda: sam.ok("accept_chat", {"chat_id": chat_id}))
        expect(cell(page, group, "chats_active")).to_have_text("1", timeout=LIVE_MS)
        expect(cell(page, group, "waiting")).to_have_text("0")
        expect(cell(page, group, "agents_busy")).to_have_text("1")
        expect(cell(page, group, "average_wait_seconds")).to_have_text("2:00")
        expect(agent_row).to_contain_text("Busy")
        expect(agent_row).to_contain_text("1 of 3")

        # The chart has been drawn, and its text alternative lists the points.
        chart = page.locator(f'.chart-card[data-group="{group}"]')
        expect(chart.locator("canvas")).to_have_count(1)
        expect(chart.locator(".chart-summary")).to_contain_text("at most")
        chart.get_by_text("Show the chart's figures as a table").click()
        points = chart.locator(".chart-table tbody tr")
        expect(points).to_have_count(4 * 12)
        expect(points.first.locator("time")).to_have_text(re.compile(r"^1[01]:\d\d$"))  # UK time
        screenshot(page, "supervisor-dashboard-chatting")

        # Three minutes later the chat ends: nothing active, the handle time counted.
        clock.advance(minutes=3)
        loop.run(lambda: sam.ok("end_chat", {"chat_id": chat_id}))
        expect(cell(page, group, "chats_active")).to_have_text("0", timeout=LIVE_MS)
        expect(cell(page, group, "average_handle_seconds")).to_have_text("3:00")
        expect(agent_row).to_contain_text("Available")
        expect(agent_row).to_contain_text("0 of 3")
        expect(cell(page, group, "agents_available")).to_have_text("1")
    finally:
        loop.run(ann.close)
        loop.run(sam.close)


def test_after_a_lost_connection_the_dashboard_catches_up(
    page, live_server, loop, customer, supervisor, screenshot
):
    services = live_server.services
    case = live_server.call(lambda: open_case(services, customer, Channel.CHAT))
    open_dashboard(page, supervisor.username)
    expect(cell(page, case.customer_group, "waiting")).to_have_text("0")

    # The connection drops and, for now, cannot be made again; meanwhile a customer asks.
    page.context.set_offline(True)
    status = page.locator("#connection-status")
    expect(status).to_have_text(re.compile("reconnecting"), timeout=LIVE_MS)
    ann = loop.run(lambda: ChatClient.open(live_server.url, "/customer", customer.username))
    try:
        loop.run(lambda: ann.ok("request_chat", {"case_number": case.number}))
        screenshot(page, "supervisor-dashboard-reconnecting")
        expect(cell(page, case.customer_group, "waiting")).to_have_text("0")

        # Back again: a fresh watch shows what was missed.
        page.context.set_offline(False)
        expect(status).to_have_text(re.compile("Connected: the figures"), timeout=LIVE_MS)
        expect(cell(page, case.customer_group, "waiting")).to_have_text("1")
    finally:
        loop.run(ann.close)


def test_the_chart_shows_the_queue_of_the_last_hours(
    page, live_server, loop, customer, agent, supervisor, clock, screenshot
):
    services = live_server.services
    cases = [live_server.call(lambda: open_case(services, customer, Channel.CHAT)) for _ in "ab"]
    group = cases[0].customer_group
    ann = loop.run(lambda: ChatClient.open(live_server.url, "/customer", customer.username))
    sam = loop.run(lambda: ChatClient.open(live_server.url, "/agent", agent.username))
    try:
        loop.run(lambda: sam.ok("set_presence", {"presence": "away", "capacity": 1}))
        chat_ids = []
        for case in cases:  # both at once, while nobody is available
            chat = loop.run(lambda case=case: ann.ok("request_chat", {"case_number": case.number}))
            chat_ids.append(chat["chat"]["public_id"])
        # The agent comes for each in turn, and is away while the clock moves on, so no
        # offer is left to lapse meanwhile. Both were asked for at the same instant, so
        # either may come first.
        answered = []
        for minutes in (4, 7):
            clock.advance(minutes=minutes)
            loop.run(lambda: sam.ok("set_presence", {"presence": "available"}))
            chat_id = loop.run(lambda: sam.next("chat_offered"))["chat_id"]
            loop.run(lambda chat_id=chat_id: sam.ok("accept_chat", {"chat_id": chat_id}))
            loop.run(lambda: sam.ok("set_presence", {"presence": "away"}))
            loop.run(lambda chat_id=chat_id: sam.ok("end_chat", {"chat_id": chat_id}))
            answered.append(chat_id)
        assert sorted(answered) == sorted(chat_ids)
    finally:
        loop.run(ann.close)
        loop.run(sam.close)
    clock.advance(minutes=20)

    open_dashboard(page, supervisor.username)
    chart = page.locator(f'.chart-card[data-group="{group}"]')
    expect(chart.locator("canvas")).to_have_count(1)
    expect(chart.locator(".chart-summary")).to_contain_text("0 waiting now, at most 2 at once")
    expect(chart.locator(".chart-summary")).to_contain_text("longest average wait was 11:00")
    chart.get_by_text("Show the chart's figures as a table").click()
    rows = chart.locator(".chart-table tbody tr")
    expect(rows).to_have_count(48)
    # Asked for at 10:00 UTC (11:00 in London): both waiting, then one answered after 4
    # minutes, the other after 11; the points are 5 minutes apart, back from 10:31.
    expect(rows.filter(has_text="11:01")).to_have_text(re.compile(r"11:01\s*2\s*none answered"))
    expect(rows.filter(has_text="11:06")).to_have_text(re.compile(r"11:06\s*1\s*4:00"))
    expect(rows.filter(has_text="11:11")).to_have_text(re.compile(r"11:11\s*0\s*11:00"))
    screenshot(page, "supervisor-dashboard-chart")


def test_the_dashboard_is_accessible_and_keyboard_reachable(
    page, live_server, supervisor, screenshot
):
    open_dashboard(page, supervisor.username)
    expect(page.locator(".chart-card canvas")).to_have_count(2)
    page.reload()  # the focus back at the top of the page
    expect(page.locator(".chart-card canvas")).to_have_count(2)
    tab_to(page, banner(page).get_by_text("Staff", exact=True))  # the top bar's last menu
    tab_to(page, page.get_by_role("region", name="Chat queues"))  # the table, if it scrolls
    summary = page.get_by_text("Show the chart's figures as a table").first
    tab_to(page, summary, limit=40)
    page.keyboard.press("Enter")
    expect(page.locator(".chart-data").first).to_have_attribute("open", "")
    expect(page.locator(".chart-table").first.locator("tbody tr")).to_have_count(48)
    assert_accessible(page)
    page.set_viewport_size({"width": 400, "height": 800})
    assert_accessible(page)
    screenshot(page, "supervisor-dashboard-narrow")
