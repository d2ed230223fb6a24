"""The knowledge base in Chromium: searching from the header, the area filter, an article
and its feedback, title suggestions by keyboard, browse filters, articles just for you on
Contact Us, accessibility, and a narrow screen."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from frontdesk.kb.importer import DEMO_CONTENT, import_folder
from frontdesk.kb.models import ForYouIn
from tests.browser.actions import banner, field, sign_in
from tests.browser.axe import assert_accessible
from tests.browser.conftest import NARROW

pytestmark = pytest.mark.browser

ENTRIES = {
    "customer_type": "Exams Officers",
    "issue_type": "Entries & Registrations",
    "category": "Entries",
    "subcategory": "Entry Codes",
}
LABELS = {
    "customer_type": "What kind of customer are you?",
    "issue_type": "Issue Type",
    "category": "Category Type",
    "subcategory": "Subcategory Type",
}


@pytest.fixture
def demo_kb(live_server):
    """The demo articles and discussions, imported into the live server's store."""
    services = live_server.services
    live_server.call(lambda: import_folder(services.kb, services.community, DEMO_CONTENT))
    return services.kb


def look(page: Page, name: str) -> None:
    """A full-page screenshot for people to look at: /tmp/kb-<name>.png."""
    page.screenshot(path=str(Path(tempfile.gettempdir()) / f"kb-{name}.png"), full_page=True)


def search_from_header(page: Page, words: str) -> None:
    box = banner(page).get_by_role("searchbox", name="Search articles and discussions")
    box.fill(words)
    box.press("Enter")
    expect(page.get_by_role("heading", name="Search results")).to_be_visible()


def test_a_visitor_searches_reads_and_gives_feedback(page, demo_kb, live_server):
    page.goto("/articles")
    search_from_header(page, "certificates")
    expect(page.locator(".hit mark").first).to_be_visible()
    page.goto("/")
    search_from_header(page, "entry codes")
    expect(page.locator(".hit h3 mark").first).to_have_text(re.compile("entry|codes", re.I))
    areas = page.get_by_role("navigation", name="Filter results by area")
    areas.get_by_role("link", name=re.compile(r"^Articles \(\d+\)$")).click()
    expect(areas.get_by_role("link", name=re.compile("^Articles"))).to_have_attribute(
        "aria-current", "true"
    )
    expect(page.locator(".hit-kind").first).to_have_text("Article")
    expect(page.locator(".hit-kind", has_text="Discussion")).to_have_count(0)
    look(page, "search-results")
    assert_accessible(page)

    page.locator(".hit h3 a").first.click()
    expect(
        page.get_by_text(re.compile(r"^Last updated \d+ \w+ \d{4} · [\d,]+ views$"))
    ).to_be_visible()
    slug = page.url.rsplit("/", 1)[1]
    yes = page.get_by_role("button", name="Yes")
    no = page.get_by_role("button", name="No", exact=True)
    expect(page.get_by_label("Tell us more (optional)")).to_be_hidden()
    yes.click()
    expect(yes).to_have_attribute("aria-pressed", "true")
    page.get_by_label("Tell us more (optional)").fill("Clear steps, thank you.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#feedback-status")).to_have_text("Thank you for your comment.")
    look(page, "article-feedback")
    no.click()
    expect(no).to_have_attribute("aria-pressed", "true")
    expect(yes).to_have_attribute("aria-pressed", "false")

    article = live_server.call(lambda: demo_kb.article(slug))
    assert (article.helpful_yes, article.helpful_no) == (0, 1)
    _, comments = live_server.call(lambda: demo_kb.feedback_comments(slug))
    assert [(c.helpful, c.comment) for c in comments] == [(False, "Clear steps, thank you.")]
    page.reload()
    expect(no).to_have_attribute("aria-pressed", "true")
    assert_accessible(page)


def test_print_and_share(page, context, demo_kb):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/articles/finding-entry-codes")
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("#share-status")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == page.url
    email = page.get_by_role("link", name="Email")
    expect(email).to_have_attribute(
        "href", re.compile(r"^mailto:\?subject=Finding%20entry%20codes&body=http")
    )
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    page.emulate_media(media="print")
    expect(banner(page)).to_be_hidden()
    expect(page.get_by_role("heading", name="Was this article helpful?")).to_be_hidden()
    expect(page.locator(".print-only")).to_have_text(page.url)


def test_title_suggestions_by_keyboard_only(page, demo_kb):
    page.goto("/articles")
    box = page.get_by_role("combobox", name="Search the article library")
    box.focus()
    page.keyboard.type("entr")
    listbox = page.get_by_role("listbox", name="Suggested articles")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    first = listbox.get_by_role("option").first
    expect(first).to_contain_text(re.compile(r"Last updated \d+ \w+ \d{4} · [\d,]+ views"))
    expect(first.locator("mark").first).to_have_text(re.compile("^entr", re.I))
    page.keyboard.press("ArrowDown")
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "title-suggestion-0")
    look(page, "browse-suggestions")
    assert_accessible(page)
    title = first.locator(".suggestion-title").inner_text()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert "/articles/" in page.url


def test_escape_closes_the_suggestions(page, demo_kb):
    page.goto("/articles")
    box = page.get_by_role("combobox", name="Search the article library")
    box.fill("cert")
    expect(page.get_by_role("listbox")).to_be_visible()
    box.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("cert")


def test_browse_filters_combine_and_pages_keep_them(page, demo_kb):
    page.goto("/articles")
    expect(
        page.get_by_role("heading", name="Browse Articles — Qualification Services")
    ).to_be_visible()
    rows = page.locator(".article-table tbody tr")
    expect(rows).to_have_count(10)
    views = [int(v.replace(",", "")) for v in page.locator("td.num").all_inner_texts()]
    assert views == sorted(views, reverse=True)
    look(page, "browse")
    assert_accessible(page)
    page.get_by_label("Filter by role").select_option("Exams Officers")
    page.get_by_label("I need information about").select_option("Entries")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"role=Exams\+Officers.*topic=Entries"))
    expect(page.get_by_label("Filter by role")).to_have_value("Exams Officers")
    expect(rows.first).to_contain_text("Entries")
    filtered = rows.count()
    assert 0 < filtered <= 10
    page.get_by_label("Words in the title or summary").fill("late fees")
    page.get_by_role("button", name="Search", exact=True).last.click()
    expect(rows.first.get_by_role("link")).to_have_text("Late entries and late entry fees")
    expect(page.get_by_label("I need information about")).to_have_value("Entries")


def test_articles_just_for_you_follow_the_dropdowns(page, context, demo_kb, live_server, customer):
    def top_title(**choices: str) -> str:
        found = live_server.call(lambda: demo_kb.for_you(ForYouIn(**choices)))
        return found[0].title

    page.goto("/sign-in?next=/contact-us/qualification-services")
    sign_in(page, customer.username)
    expect(page.get_by_role("heading", name="Tell us about your issue")).to_be_visible()
    for name in ("customer_type", "issue_type", "category", "subcategory"):
        field(page, LABELS[name]).select_option(ENTRIES[name])
    articles = page.locator("#articles-list a")
    expect(articles.first).to_have_text(top_title(**ENTRIES))
    expect(articles.first).to_have_attribute("target", "_blank")
    expect(articles.first).to_have_attribute("rel", "noopener")
    late = {**ENTRIES, "subcategory": "Late Entries"}
    field(page, LABELS["subcategory"]).select_option("Late Entries")
    expect(articles.first).to_have_text(top_title(**late))
    assert top_title(**late) != top_title(**ENTRIES)
    with context.expect_page() as opened:
        articles.first.click()
    tab = opened.value
    expect(tab.get_by_role("heading", level=1)).to_have_text(top_title(**late))
    expect(page.get_by_role("heading", name="Tell us about your issue")).to_be_visible()


def test_nothing_scrolls_sideways_on_a_narrow_screen(browser, live_server, demo_kb):
    context = browser.new_context(base_url=live_server.url, viewport=NARROW)
    try:
        page = context.new_page()
        for path in ("/search?q=entry+codes", "/articles", "/articles/finding-entry-codes"):
            page.goto(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= NARROW["width"], f"{path} is {width}px wide"
        look(page, "article-narrow")
        page.goto("/articles")
        look(page, "browse-narrow")
    finally:
        context.close()
