"""What a person does in the browser, and what the tests read back from the live server."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from frontdesk.db.tables import users
from tests.factories import PASSWORD, last_link_token

# The narrowest screen every page must fit without sideways scrolling.
PHONE = {"width": 390, "height": 844}


def field(page: Page, label: str) -> Locator:
    """The input labelled exactly `label`; a required field's label ends in " *" (the
    asterisk is aria-hidden, but Playwright's label matching reads the label's text)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}(?: \*)?$"))


def fill_registration(
    page: Page,
    *,
    email: str,
    email_confirm: str | None = None,
    username: str | None = None,
    password: str = PASSWORD,
    first_name: str = "Ann",
    last_name: str = "Example",
    country: str = "GB",
) -> None:
    """Fill the create-account form by its labels; `username=None` keeps "same as email"."""
    field(page, "Email address").fill(email)
    field(page, "Confirm email address").fill(email if email_confirm is None else email_confirm)
    if username is not None:
        page.get_by_label("Username same as email address").uncheck()
        field(page, "Username").fill(username)
    field(page, "Password").fill(password)
    field(page, "First name").fill(first_name)
    field(page, "Last name").fill(last_name)
    field(page, "Country").select_option(country)
    page.get_by_label("I agree to the Terms of Use").check()


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Fill and send the sign-in form on the current page."""
    field(page, "Username").fill(username)
    field(page, "Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def banner(page: Page) -> Locator:
    return page.get_by_role("banner")


def staff_link(page: Page, name: str) -> Locator:
    """A link of the top bar's Staff menu (Find a case, Dashboard, Agents, Admin), the
    menu opened as a person would to reach it."""
    menu = banner(page).locator(".staff-menu")
    menu.get_by_text("Staff", exact=True).click()
    return menu.get_by_role("link", name=name, exact=True)


def error_summary(page: Page) -> Locator:
    return page.get_by_role("alert")


def tab_to(page: Page, target: Locator, limit: int = 30) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} not reached with {limit} presses of Tab")


def link_token(live_server: Any, email: str) -> str:
    return live_server.call(lambda: last_link_token(live_server.services, email))


def user_emails(live_server: Any) -> list[str]:
    async def query() -> list[str]:
        async with live_server.services.engine.connect() as conn:
            return list((await conn.execute(select(users.c.email))).scalars())

    return live_server.call(query)


# WCAG's contrast ratio of an element's text against the first opaque background behind
# it; a menu item the same colour as its menu is "visible" to Playwright but not to people.
CONTRAST = """element => {
  const rgb = colour => colour.match(/[\\d.]+/g).map(Number);
  const channel = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  let behind = element;
  while (behind && rgb(getComputedStyle(behind).backgroundColor)[3] === 0) {
    behind = behind.parentElement;
  }
  const back = behind ? rgb(getComputedStyle(behind).backgroundColor) : [255, 255, 255];
  const [high, low] = [luminance(rgb(getComputedStyle(element).color)), luminance(back)]
    .sort((a, b) => b - a);
  return (high + 0.05) / (low + 0.05);
}"""


def assert_readable(target: Locator, minimum: float = 4.5) -> None:
    ratio = target.evaluate(CONTRAST)
    assert ratio >= minimum, f"{target} has text contrast {ratio:.2f}, below {minimum}"


def open_chat(page: Page, customer: Any, number: str) -> None:
    """Sign in as the customer straight into the chat window of case `number`."""
    page.goto(f"/sign-in?next=/chat/{number}")
    sign_in(page, customer.username)
    expect(page.get_by_role("heading", name="Chat with an agent")).to_be_visible()


def open_console(page: Page, agent: Any) -> None:
    """Sign in to the agent console and wait for its live chat to connect."""
    page.goto("/sign-in?next=/agent")
    sign_in(page, agent.username)
    expect(page.get_by_role("heading", name="Live chat")).to_be_visible()
    expect(page.locator("#chat-connection")).to_have_text("Connected")


# Live chat ---------------------------------------------------------------------------------

LIVE_MS = 10_000  # a change pushed over a socket, or made by the server's sweep


def customer_sends(page: Page, body: str) -> None:
    page.get_by_label("Your message").fill(body)
    page.get_by_role("button", name="Send").click()


def accept_offer(page: Page, number: str) -> Locator:
    """Accept the offer of case `number` in the console; the chat's tab panel."""
    offer = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=re.compile(f"Chat offer: case {number}"))
    )
    offer.get_by_role("button", name="Accept").click(timeout=LIVE_MS)
    tab = page.get_by_role("tab", name=re.compile(number))
    expect(tab).to_have_attribute("aria-selected", "true")
    return page.get_by_role("tabpanel")


def fits(page: Page) -> bool:
    """Whether the page fits its viewport's width: no sideways scrolling."""
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
