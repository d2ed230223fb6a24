"""The staff's case tools in Chromium: agent Sam finds a case by the customer's name, opens
it, takes it and finds it under "Mine", by the keyboard; once its reply-by has passed,
supervisor Sue's dashboard counts it overdue. Accessible, and usable at 390 px."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.actions import sign_in, staff_link, tab_to
from tests.browser.axe import assert_accessible
from tests.browser.test_supervisor_desk import PHONE, fits
from tests.factories import EXAMS_OFFICERS_QUEUE, make_user, open_case
from tests.integration.case_tools import set_reply_by

pytestmark = pytest.mark.browser


@pytest.fixture
def priyas_case(live_server: Any) -> Any:
    services = live_server.services

    async def make() -> Any:
        priya = await make_user(services, first_name="Priya", last_name="Sharma")
        other = await make_user(services, first_name="Tom", last_name="Okafor")
        toms = await open_case(services, other)
        await set_reply_by(services, toms, toms.reply_by + timedelta(days=30))  # not due
        return await open_case(services, priya)

    return live_server.call(make)


def test_an_agent_finds_takes_and_lists_a_case_and_the_dashboard_counts_it_overdue(
    page: Page, context: BrowserContext, live_server: Any, agent: Any, priyas_case: Any,
    supervisor: Any, clock: Any,
) -> None:  # fmt: skip
    number = priyas_case.number
    page.goto("/sign-in")
    sign_in(page, agent.username)
    staff_link(page, "Find a case").click()
    expect(page.get_by_role("heading", name="Search cases", level=1)).to_be_visible()
    words = page.get_by_label("Words")
    tab_to(page, words, limit=60)
    page.keyboard.type("sharma")
    page.keyboard.press("Enter")
    expect(page.get_by_text("1 case found")).to_be_visible()
    results = page.get_by_role("region", name=re.compile("1 case found"))
    expect(results.get_by_role("row").filter(has_text="Priya Sharma")).to_contain_text("Unassigned")
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    fits(page, PHONE["width"])
    page.set_viewport_size({"width": 1280, "height": 900})

    link = results.get_by_role("link", name=number)
    tab_to(page, link, limit=80)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile(f"Case {number}"))).to_be_visible()
    take = page.get_by_role("button", name="Take this case")
    take.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("You are working this case.")).to_be_visible()
    expect(page.get_by_text("Sam Agent took this case")).to_be_visible()
    assert_accessible(page)

    page.goto("/agent")
    mine = page.get_by_role("navigation", name="Saved views").get_by_role(
        "link", name=re.compile("^Mine")
    )
    expect(mine).to_contain_text("1")
    mine.click()
    expect(page).to_have_url(re.compile(r"/agent\?view=mine$"))
    expect(page.get_by_role("row").filter(has_text=number)).to_contain_text("Sam Agent")
    page.set_viewport_size(PHONE)
    fits(page, PHONE["width"])

    clock.set(priyas_case.reply_by + timedelta(seconds=1))
    board = context.browser.new_context(base_url=live_server.url)  # Sue's own session
    sue = board.new_page()
    sue.goto("/sign-in")
    sign_in(sue, supervisor.username)
    sue.goto("/supervisor")
    counts = sue.get_by_role("region", name="Cases by queue")
    row = counts.get_by_role("row").filter(has_text=EXAMS_OFFICERS_QUEUE)
    expect(row).to_contain_text("1 overdue")  # in words, beside its mark
    expect(sue.locator("#connection-status")).to_have_text(re.compile("Connected: the figures"))
    expect(row).to_contain_text("1 overdue")  # the live figures agree
    assert_accessible(sue, include="#case-queues")
    sue.set_viewport_size(PHONE)
    fits(sue, PHONE["width"])
    board.close()
