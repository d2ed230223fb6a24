"""Every page fits a 390 px phone without sideways scrolling, as the role that can see it,
and the header stays one row at 1280 px whoever is signed in.

The pages are the app's own GET routes (its url_map), so a new page is visited without
anyone remembering to add it: a route with no sample below fails the test by name. The
data is the demo's (a customer with a case of each channel, its agent's reply and call,
the knowledge base) plus what the demo has none of (a canned reply, a rating link)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from frontdesk.accounts.models import Role, User
from frontdesk.accounts.store import select_user_by_login
from frontdesk.app import create_app
from frontdesk.cases.models import Channel, Status
from frontdesk.demo import DEMO_ACCOUNTS, load_demo_data
from frontdesk.kb.models import BrowseFilters, VoteIn
from frontdesk.replies.models import ReplyIn
from tests.browser.actions import PHONE, banner, tab_to
from tests.browser.axe import assert_accessible, axe_violations
from tests.browser.conftest import ACTION_TIMEOUT_MS, DESKTOP
from tests.factories import PASSWORD, make_user, open_case, outbox_messages

pytestmark = pytest.mark.browser

ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, *(role.value for role in Role))


@dataclass(frozen=True)
class Visit:
    """One look at a page: who looks, at which address (`{name}` filled from the data),
    for a page a script fills in after it loads what shows it is filled, and whether
    axe-core checks it too (the pages whose phone layout differs most from the desk's)."""

    role: str
    path: str
    ready: str | None = None
    axe: bool = False


def everyone(path: str) -> list[Visit]:
    return [Visit(role, path) for role in ROLES]


# Each GET page route and how to see it. A route missing here (and from NOT_PAGES) fails.
SAMPLES: dict[str, list[Visit]] = {
    # Every role's header is checked on the home page; the rest of a page is the same.
    "/": everyone("/"),
    "/sign-in": [Visit(ANONYMOUS, "/sign-in")],
    "/create-account": [Visit(ANONYMOUS, "/create-account")],
    "/verify-email": [Visit(ANONYMOUS, "/verify-email?token=not-a-real-token")],
    "/forgot-username": [Visit(ANONYMOUS, "/forgot-username")],
    "/forgot-password": [Visit(ANONYMOUS, "/forgot-password")],
    "/reset-password": [Visit(ANONYMOUS, "/reset-password?token=not-a-real-token")],
    "/terms": [Visit(ANONYMOUS, "/terms")],
    "/privacy": [Visit(ANONYMOUS, "/privacy")],
    "/account": [Visit("customer", "/account"), Visit("admin", "/account")],
    "/search": [Visit(ANONYMOUS, "/search?q=certificates")],
    "/articles": [Visit(ANONYMOUS, "/articles")],
    "/articles/<slug>": [Visit(ANONYMOUS, "/articles/{article}")],
    "/community": [Visit(ANONYMOUS, "/community")],
    "/community/new": [Visit("customer", "/community/new")],
    "/community/<slug>": [
        Visit("customer", "/community/{thread}"),
        Visit("agent", "/community/{thread}"),
    ],
    "/rate/<token>": [Visit(ANONYMOUS, "/rate/{rating_token}")],
    "/contact-us": [Visit("customer", "/contact-us")],
    # Ready once the human check's script has loaded: leaving the page while it loads
    # would cut its download short.
    "/contact-us/qualification-services": [
        Visit("customer", "/contact-us/qualification-services", ready="#human-check:defined")
    ],
    "/chat/<number>": [Visit("customer", "/chat/{chat_case}")],
    "/my-cases": [Visit("customer", "/my-cases", axe=True)],
    "/my-cases/<number>": [
        Visit("customer", "/my-cases/{message_case}", axe=True),
        Visit("customer", "/my-cases/{call_case}"),
    ],
    "/agent": [Visit("agent", "/agent", ready="#chat-connection[data-state=connected]")],
    "/agent/search": [Visit("agent", "/agent/search?status=open", axe=True)],
    "/agent/cases/<number>": [
        Visit("agent", "/agent/cases/{message_case}", axe=True),
        Visit("agent", "/agent/cases/{call_case}"),
    ],
    "/agent/replies": [Visit("agent", "/agent/replies")],
    "/agent/replies/<int:reply_id>": [Visit("agent", "/agent/replies/{reply}")],
    "/staff/kb/feedback": [Visit("agent", "/staff/kb/feedback")],
    "/staff/kb/feedback/<slug>": [Visit("agent", "/staff/kb/feedback/{article}")],
    "/staff/kb/missed-searches": [Visit("agent", "/staff/kb/missed-searches")],
    "/supervisor": [
        Visit("supervisor", "/supervisor", ready="#connection-status[data-state=connected]")
    ],
    "/supervisor/agents": [Visit("supervisor", "/supervisor/agents")],
    "/admin/people": [Visit("admin", "/admin/people")],
    "/admin/audit": [Visit("admin", "/admin/audit")],
    "/admin/hours": [Visit("admin", "/admin/hours")],
    "/admin/taxonomy": [Visit("admin", "/admin/taxonomy")],
    "/admin/taxonomy/node": [
        Visit("admin", "/admin/taxonomy/node?path=customer_types.0"),
        Visit("admin", "/admin/taxonomy/node?path=issue_types.0.categories.0"),
    ],
    "/admin/taxonomy/yaml": [Visit("admin", "/admin/taxonomy/yaml")],
    "/admin/taxonomy/history": [Visit("admin", "/admin/taxonomy/history")],
    "/admin/taxonomy/history/<int:number>": [
        Visit("admin", "/admin/taxonomy/history/{taxonomy_version}")
    ],
}

# GET routes that are not pages a person reads, and why.
NOT_PAGES = {
    "/healthz": "a probe's plain text",
    "/readyz": "a probe's plain text",
    "/metrics": "Prometheus's text",
    "/openapi.json": "the API's description, JSON",
    "/my-cases/<number>/feed": "a fragment the case page swaps in (the case page is visited)",
    "/agent/cases/<number>/feed": "a fragment the case page swaps in (the case page is visited)",
}


def page_routes(app: Any) -> list[str]:
    """The app's GET routes that answer with a page: not the API, static files,
    downloads or redirects."""
    found = set()
    for rule in app.url_map.iter_rules():
        skipped = (
            rule.rule.startswith(("/api/", "/static/"))
            or rule.endpoint == "static"
            or "GET" not in (rule.methods or ())
            or rule.redirect_to is not None
            or "download" in rule.endpoint
        )
        if not skipped:
            found.add(rule.rule)
    return sorted(found)


# Where the page is wider than the window: the element reaching furthest right that no
# box which scrolls or clips holds in. Such a box holds what it contains, except what is
# positioned against a box outside it (a visually hidden label escapes a scrolling table
# unless the box is positioned).
WIDEST = """(width) => {
  const clipped = element => {
    let position = getComputedStyle(element).position;
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (position === 'fixed') return false;
      if (position === 'absolute' && style.position === 'static') continue;
      if (style.overflowX !== 'visible') return true;
      position = style.position;
    }
    return false;
  };
  let widest = null, right = width;
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.right <= right + 0.5 || clipped(element)) continue;
    widest = element; right = box.right;
  }
  if (!widest) return 'no single element (margins?)';
  const name = widest.tagName.toLowerCase() + (widest.id ? '#' + widest.id : '')
    + [...widest.classList].map(c => '.' + c).join('');
  const text = (widest.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
  return `${name} reaching ${Math.round(right)} px ("${text}")`;
}"""

# The header's parts (brand, menu, search, account) side by side: each one's top is above
# every other's bottom. A part wrapped to a second row starts below the first row's end.
HEADER_ROWS = """() => {
  const parts = [...document.querySelectorAll('.topnav > *')]
    .map(part => part.getBoundingClientRect())
    .filter(box => box.width > 0);
  const lowestTop = Math.max(...parts.map(box => box.top));
  const highestBottom = Math.min(...parts.map(box => box.bottom));
  return lowestTop < highestBottom ? 1 : 2;
}"""


@pytest.fixture
def samples(live_server: Any) -> dict[str, Any]:
    """The demo's data, and the ids and links each sampled page needs."""
    services = live_server.services

    async def make() -> dict[str, Any]:
        await load_demo_data(services, progress=lambda line: None)
        async with services.engine.connect() as conn:
            ann, ben = [await demo_user(conn, role) for role in (Role.CUSTOMER, Role.AGENT)]
        cases = await services.cases.list_my_cases(
            ann, sort="created_at", descending=False, page=1, page_size=10
        )
        by_channel = {case.channel: case.number for case in cases.cases}
        resolved = await open_case(services, ann, Channel.MESSAGE)
        await services.case_work.change_status(ben, resolved.number, Status.RESOLVED)
        reply = await services.replies.create(
            ben,
            ReplyIn(shortcut="thanks", title="Thank you", body="Thank you, {customer_first_name}."),
        )
        mails = await outbox_messages(services, ann.email)
        link = next(re.search(r"/rate/(\S+)", m.body) for m in mails if "/rate/" in m.body)
        articles = await services.kb.browse(BrowseFilters())
        # Something in the staff's knowledge base reports, so their tables are drawn.
        unhelpful = VoteIn(helpful=False, comment="It does not say which form to send back.")
        await services.kb.vote(articles.rows[0].slug, "a reader", unhelpful)
        await services.kb.record_miss("resit fees for private candidates")
        threads, _total, _pages = await services.community.discussions()
        return {
            "message_case": by_channel[Channel.MESSAGE],
            "call_case": by_channel[Channel.CALL],
            "chat_case": by_channel[Channel.CHAT],
            "reply": reply.id,
            "rating_token": link.group(1),
            "article": articles.rows[0].slug,
            "thread": threads[0].slug,
            "taxonomy_version": services.taxonomy.version,
        }

    return live_server.call(make)


async def demo_user(conn: Any, role: Role) -> User:
    account = next(account for account in DEMO_ACCOUNTS if account.role is role)
    found = await select_user_by_login(conn, account.username)
    assert found is not None
    return found[0]


@pytest.fixture
def signed_in(
    browser: Browser, live_server: Any, samples: dict[str, Any]
) -> Iterator[Callable[[str], Page]]:
    """One context and one page per role, signed in once and reused for all its pages."""
    passwords = {a.role.value: (a.username, a.password) for a in DEMO_ACCOUNTS}
    pages: dict[str, Page] = {}

    def page_of(role: str) -> Page:
        if role not in pages:
            context = browser.new_context(base_url=live_server.url, viewport=PHONE)
            context.set_default_timeout(ACTION_TIMEOUT_MS)
            if role != ANONYMOUS:
                sign_in_by_api(context, *passwords[role])
            pages[role] = context.new_page()
        return pages[role]

    yield page_of
    for page in pages.values():
        page.context.close()


def sign_in_by_api(context: BrowserContext, username: str, password: str) -> None:
    """The JSON API's sign-in: the context's cookies are the browser's, and it is quicker
    than filling the form for each role (the form has tests of its own)."""
    token = context.request.get("/api/v1/session").json()["csrf_token"]
    answer = context.request.post(
        "/api/v1/session",
        data={"username": username, "password": password},
        headers={"X-CSRF-Token": token},
    )
    assert answer.ok, answer.text()


def look(page: Page, url: str, visit: Visit) -> str | None:
    """Open the page as `visit` says; what is wrong with it, or None."""
    answer = page.goto(url)
    assert answer is not None
    if answer.status != 200 or not page.url.endswith(url):
        return f"answered {answer.status} at {page.url}: sample or role wrong"
    if visit.ready:
        expect(page.locator(visit.ready)).to_be_attached()
    folder = os.environ.get("FRONTDESK_SCREENSHOTS")
    if folder:
        width = page.viewport_size["width"] if page.viewport_size else 0
        name = re.sub(r"[^a-z0-9]+", "-", visit.path.lower()).strip("-") or "home"
        page.screenshot(path=f"{folder}/fits-{visit.role}-{name}-{width}.png", full_page=True)
    return None


def test_every_page_has_a_sample(settings):
    app = create_app(settings).other_asgi_app
    routes = page_routes(app)
    missing = [r for r in routes if r not in SAMPLES and r not in NOT_PAGES]
    assert missing == [], f"GET pages with no sample in {__name__}.SAMPLES: {missing}"
    gone = [r for r in (*SAMPLES, *NOT_PAGES) if r not in routes]
    assert gone == [], f"samples of routes the app no longer has: {gone}"


def test_every_page_fits_a_phone_and_the_header_one_row_at_1280(signed_in, samples):
    if folder := os.environ.get("FRONTDESK_SCREENSHOTS"):
        os.makedirs(folder, exist_ok=True)
    problems = []
    for route, visits in SAMPLES.items():
        for visit in visits:
            page = signed_in(visit.role)
            url = visit.path.format(**samples)
            wrong = look(page, url, visit) or too_wide(page) or inaccessible(page, visit)
            if wrong:
                problems.append(f"{visit.role} {url} ({route}): {wrong}")
    for role in ROLES:
        page = signed_in(role)
        page.set_viewport_size(DESKTOP)
        wrong = look(page, "/", Visit(role, "/")) or too_wide(page)
        if wrong or page.evaluate(HEADER_ROWS) != 1:
            problems.append(f"{role} at 1280 px: {wrong or 'the header takes two rows'}")
    assert problems == [], "\n".join(problems)


def too_wide(page: Page) -> str | None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    if scrolled <= width:
        return None
    return f"{scrolled} px wide at {width}: {page.evaluate(WIDEST, width)}"


def inaccessible(page: Page, visit: Visit) -> str | None:
    found = axe_violations(page) if visit.axe else []
    return "; ".join(f"{v['id']} ({v['impact']}): {v['help']} {v['nodes']}" for v in found) or None


def test_the_staff_menu_works_by_keyboard(page, live_server):
    """At 1280 px the staff's pages are in one menu: opened, followed and closed by
    keyboard, with no serious axe-core violation while open."""
    services = live_server.services
    admin = live_server.call(lambda: make_user(services, Role.ADMIN))
    sign_in_by_api(page.context, admin.username, PASSWORD)
    page.goto("/")
    staff = banner(page).locator("details", has_text="Staff")
    tab_to(page, staff.get_by_text("Staff", exact=True))
    page.keyboard.press("Enter")
    dashboard = staff.get_by_role("link", name="Dashboard")
    expect(dashboard).to_be_visible()
    assert_accessible(page)
    page.keyboard.press("Escape")  # closes, the focus back on its button
    expect(dashboard).to_be_hidden()
    expect(staff.get_by_text("Staff", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    tab_to(page, dashboard, limit=5)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    summary = banner(page).locator(".staff-menu summary")
    assert summary.evaluate("s => getComputedStyle(s).fontWeight") == "600"  # you are here
    # Tabbing on past the menu's last link closes it: it never stays over the page.
    summary.focus()
    page.keyboard.press("Enter")
    tab_to(page, staff.get_by_role("link", name="Admin"), limit=5)
    page.keyboard.press("Tab")
    expect(staff.get_by_role("link", name="Admin")).to_be_hidden()
