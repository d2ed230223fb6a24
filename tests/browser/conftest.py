"""Browser fixtures: Chromium (Debian's, never a downloaded one), a context and a page."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from frontdesk.accounts.models import Role
from frontdesk.cases.models import Channel
from tests.browser.sockets import Loop
from tests.factories import make_user, open_case
from tests.kb_factories import make_article
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


@pytest.fixture(scope="session")
def _chromium() -> Iterator[tuple[Browser, asyncio.AbstractEventLoop]]:
    """One Chromium per worker, with the loop Playwright's sync API runs it on.

    Launching costs about a second and a half, so the browser outlives a test; each test
    gets fresh contexts (cookies, storage, pages) instead. While started, the sync API
    marks its own loop as the thread's running loop, which would make every async test
    that runs later in this worker refuse to start its loop. So the mark is taken off
    between browser tests and put back around each (see `browser`)."""
    require(chromium_problem())
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        loop = asyncio.get_running_loop()
        asyncio._set_running_loop(None)
        try:
            yield launched, loop
        finally:
            asyncio._set_running_loop(loop)
            launched.close()


@pytest.fixture
def browser(_chromium: tuple[Browser, asyncio.AbstractEventLoop]) -> Iterator[Browser]:
    """The worker's Chromium for one test; the contexts the test opened are closed after
    it, so nothing it did reaches the next test. Every page of every context it opens is
    watched for Content-Security-Policy violations: any fails the test."""
    shared, loop = _chromium
    asyncio._set_running_loop(loop)
    before = set(shared.contexts)
    violations: list[str] = []
    opened = shared.new_context

    def new_context(**options: Any) -> BrowserContext:
        made = opened(**options)
        made.on("console", lambda message: _note_csp_violation(message, violations))
        return made

    shared.new_context = new_context  # type: ignore[method-assign]
    try:
        yield shared
    finally:
        del shared.new_context
        for context in shared.contexts:
            if context not in before:
                context.close()
        asyncio._set_running_loop(None)
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


def _note_csp_violation(message: ConsoleMessage, violations: list[str]) -> None:
    # Chromium reports each refusal on the console: "Refused to ... because it violates
    # the following Content Security Policy directive: ...".
    if "Content Security Policy" in message.text:
        violations.append(f"{message.page.url if message.page else '?'}: {message.text}")


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
def fitting_article(live_server: Any) -> str:
    """An article on chat_case's subject, so among its "articles just for you": its
    path, as an agent's link to it reads."""
    live_server.call(lambda: make_article(
        live_server.services.kb, "certificate-dates", title="When certificates arrive",
        topics=["Certificate Receipt Dates"],
    ))  # fmt: skip
    return "/articles/certificate-dates"


@pytest.fixture
def supervisor(live_server: Any) -> Any:
    services = live_server.services
    return live_server.call(
        lambda: make_user(services, Role.SUPERVISOR, first_name="Sue", last_name="Visor")
    )


@pytest.fixture
def loop() -> Iterator[Loop]:
    """An event loop of its own for the test's socket.io clients (tests/browser/sockets.py)."""
    running = Loop()
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def contexts(browser: Browser, live_server: Any) -> Iterator[Callable[[], BrowserContext]]:
    """More people at the same browser: `contexts()` is a fresh context (its own cookies)."""
    made: list[BrowserContext] = []

    def make() -> BrowserContext:
        context = browser.new_context(
            base_url=live_server.url, viewport=DESKTOP, accept_downloads=True
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        made.append(context)
        return context

    try:
        yield make
    finally:
        for context in made:
            context.close()  # a no-op for one the test closed itself
