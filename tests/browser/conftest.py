"""Browser fixtures: Chromium (Debian's, never a downloaded one), a context and a page."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from frontdesk.accounts.models import Role
from frontdesk.cases.models import Channel
from tests.factories import make_user, open_case
from tests.services import CHROMIUM, chromium_problem, require

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
NARROW = {"width": 400, "height": 800}
# Generous for a loaded CI machine, short enough that a broken page fails fast.
ACTION_TIMEOUT_MS = 5_000


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """Browser tests run on SQLite only: the stores are covered by the integration tests."""
    return sqlite_url


@pytest.fixture
def browser() -> Iterator[Browser]:
    """A Chromium per test. Playwright's sync API registers its own event loop as the
    thread's running loop while started; stopping it after each test keeps that loop from
    leaking into the async tests that run later in the same session."""
    require(chromium_problem())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def live_server(live_server: Any) -> Any:
    """The live server, its sockets open to pages from its own origin: settings name
    public_url before the server has a port, so socket.io would refuse the browser."""
    sio = live_server.app.other_asgi_app.extensions["sio"]
    sio.eio.cors_allowed_origins = [live_server.url]
    return live_server


@pytest.fixture
def context(browser: Browser, live_server: Any) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def screenshot() -> Callable[[Page, str], None]:
    """Save a full-page PNG under $FRONTDESK_SCREENSHOTS, for people to look at."""
    folder = os.environ.get("FRONTDESK_SCREENSHOTS")

    def save(page: Page, name: str) -> None:
        if not folder:
            return
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

    return save


# Personas, made on the live server; a module may define its own of the same name.


@pytest.fixture
def customer(live_server: Any) -> Any:
    services = live_server.services
    return live_server.call(lambda: make_user(services, first_name="Ann", last_name="Example"))


@pytest.fixture
def agent(live_server: Any) -> Any:
    services = live_server.services
    return live_server.call(
        lambda: make_user(services, Role.AGENT, first_name="Sam", last_name="Agent")
    )


@pytest.fixture
def chat_case(live_server: Any, customer: Any) -> Any:
    services = live_server.services
    return live_server.call(lambda: open_case(services, customer, Channel.CHAT))


@pytest.fixture
def supervisor(live_server: Any) -> Any:
    services = live_server.services
    return live_server.call(
        lambda: make_user(services, Role.SUPERVISOR, first_name="Sue", last_name="Visor")
    )
