"""The knowledge base over HTTP, on both stores: the search page, Browse Articles, an
article with its views and votes, the kb API, and the staff reports."""

from __future__ import annotations

import re

import pytest

from frontdesk.accounts.models import Role
from frontdesk.kb.importer import import_folder
from tests.factories import make_user
from tests.helpers import api, csrf_token, login_as

BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
AS_BROWSER = {"User-Agent": BROWSER}
CRAWLER = {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"}

ARTICLES = {
    "finding-entry-codes": """---
title: "Finding entry codes"
summary: "Where to find entry codes for GCSE and how option codes work."
roles: [Exams Officers]
qualifications: [GCSE]
subjects: [Mathematics]
topics: [Entries & Registrations, Entries, Entry Codes]
updated: 2022-06-21
views: 500
---
Entry codes are published every series in the entry codes document.
""",
    "late-entries": """---
title: "Late entries and late fees"
summary: "What late entries cost and when fees apply."
roles: [Exams Officers]
qualifications: [GCSE, A Level]
topics: [Entries & Registrations, Entries, Late Entries]
updated: 2022-01-14
views: 900
---
Entries made after the deadline are late entries and carry a late fee.
""",
    "missing-certificates": """---
title: "Missing certificates"
summary: "What to do when certificates have not arrived."
roles: [Exams Officers, Teachers]
topics: [Certificates, Certificate Delivery, Certificate Receipt Dates]
updated: 2022-03-31
views: 300
---
Certificates are dispatched in November.
""",
    "entry-tips": """---
title: "Entry tips <script>alert(1)</script>"
summary: "Tips for <b>entries</b>."
roles: [Exams Officers]
topics: [Entries]
updated: 2022-02-01
views: 10
---
Useful entry tips. <script>alert(2)</script> <img src=x onerror="alert(3)">
""",
}
# Enough articles sharing two filters for a second page of browse results.
GUIDES = 12
for n in range(1, GUIDES + 1):
    ARTICLES[f"results-guide-{n}"] = f"""---
title: "Results guide {n}"
summary: "Results day guide number {n}."
roles: [Teachers]
qualifications: [A Level]
topics: [Results]
updated: 2022-05-{n:02d}
views: {n}
---
How results day works, part {n}.
"""
THREAD = """---
title: "Entry codes for resits"
author: "Ruth Kingsley"
created: 2022-06-01T09:00:00
topics: [Entries]
replies:
  - author: "Peter Vaughan"
    created: 2022-06-01T10:00:00
    body: |
      Use the same entry codes as the first sitting.
---
Which entry codes do resitting candidates need?
"""


@pytest.fixture
async def kb_content(services, tmp_path):
    folder = tmp_path / "kb"
    (folder / "articles").mkdir(parents=True)
    (folder / "discussions").mkdir()
    for slug, text in ARTICLES.items():
        (folder / "articles" / f"{slug}.md").write_text(text)
    (folder / "discussions" / "entry-codes-for-resits.md").write_text(THREAD)
    await import_folder(services.kb, services.community, folder)
    return folder


@pytest.fixture
def browser_client(web_app):
    """A client that looks like a person's browser, cookies kept between requests."""
    return web_app.test_client()


async def page_text(client, path, status=200, headers=AS_BROWSER):
    response = await client.get(path, headers=headers)
    body = await response.get_data(as_text=True)
    assert response.status_code == status, body[:500]
    return body


async def get_json(client, path, status=200):
    response = await client.get(path, headers=AS_BROWSER)
    body = await response.get_json()
    assert response.status_code == status, body
    return body


async def views(services, slug):
    return (await services.kb.article(slug)).views


# The search page ---------------------------------------------------------------------


async def test_search_page_marks_the_terms_and_links_each_hit(client, kb_content):
    html = await page_text(client, "/search?q=entry+codes")
    assert '<a href="/articles/finding-entry-codes">Finding <mark>entry</mark> <mark>codes' in html
    assert "<mark>Entry</mark> <mark>codes</mark> are published" in html
    assert 'href="/community/entry-codes-for-resits"' in html
    assert "21 June 2022" in html
    assert "500 views" in html and "1 reply" in html


async def test_search_page_escapes_the_query_and_article_markup(client, kb_content):
    html = await page_text(client, "/search?q=%3Cscript%3Ealert(1)%3C/script%3E")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    html = await page_text(client, "/search?q=tips")
    assert "<script>alert" not in html and "onerror" not in html
    assert "&lt;script&gt;" in html  # the title's text, shown as text


async def test_area_filter_links_keep_the_query_and_show_counts(client, kb_content):
    found = await get_json(client, "/api/v1/kb/search?q=entry+codes")
    assert found["counts"] == {"all": 2, "articles": 1, "discussions": 1}
    html = await page_text(client, "/search?q=entry+codes&area=discussions")
    assert 'href="/search?q=entry+codes&amp;area=articles"' in html
    assert re.search(r'aria-current="true">Discussions <span class="count">\(1\)', html)
    assert "/articles/finding-entry-codes" not in html.split('id="results-title"')[1]


async def test_a_corrected_spelling_and_an_empty_result_are_explained(client, kb_content):
    html = await page_text(client, "/search?q=certficates")
    assert "Showing results for <strong>certificates</strong>" in html
    html = await page_text(client, "/search?q=zzyzx")
    assert "No results for “zzyzx”" in html
    assert 'href="/articles"' in html and 'href="/contact-us"' in html


async def test_a_bad_area_or_page_falls_back_instead_of_failing(client, kb_content):
    html = await page_text(client, "/search?q=entry&area=nonsense&page=abc&extra=1")
    assert re.search(r'aria-current="true">All ', html)
    assert "Traceback" not in html


# Browse Articles ------------------------------------------------------------------------


async def test_suggestions_match_title_words_most_viewed_first(client, kb_content):
    found = await get_json(client, "/api/v1/kb/suggestions?q=ent")
    slugs = [item["slug"] for item in found["items"]]
    assert slugs == ["late-entries", "finding-entry-codes", "entry-tips"]
    first = found["items"][0]
    assert first["title_html"] == "Late <mark>entries</mark> and late fees"
    assert first["url"] == "/articles/late-entries"
    assert (first["views"], first["updated"]) == (900, "14 January 2022")
    tips = found["items"][2]["title_html"]
    assert "<script>" not in tips and "&lt;script&gt;" in tips
    assert (await get_json(client, "/api/v1/kb/suggestions?q=e"))["items"] == []


async def test_browse_lists_by_views_with_filters_combined_and_paged(client, kb_content):
    html = await page_text(client, "/articles")
    assert "Browse Articles — Qualification Services" in html
    assert html.index("/articles/late-entries") < html.index("/articles/finding-entry-codes")
    assert '<option value="Exams Officers"' in html  # the role filter's choices
    path = "/articles?role=Teachers&qualification=A+Level"
    html = await page_text(client, path)
    assert f"{GUIDES} articles match" in html
    assert "/articles/missing-certificates" not in html  # Teachers, but no A Level
    assert "Page 1 of 2" in html
    assert 'href="/articles?page=2&amp;role=Teachers&amp;qualification=A+Level"' in html
    html = await page_text(client, path + "&page=2")
    assert "Page 2 of 2" in html and "/articles/results-guide-1" in html
    html = await page_text(client, "/articles?q=late+fees&role=Exams+Officers")
    assert "1 article matches" in html and "/articles/late-entries" in html


async def test_for_you_follows_the_contact_us_choices(client, kb_content):
    base = (
        "/api/v1/kb/for-you?customer_type=Exams+Officers&issue_type=Entries+%26+Registrations"
        "&category=Entries"
    )
    codes = await get_json(client, base + "&subcategory=Entry+Codes")
    assert codes["items"][0]["slug"] == "finding-entry-codes"
    assert codes["items"][0]["updated"] == "21 June 2022"
    late = await get_json(client, base + "&subcategory=Late+Entries")
    assert late["items"][0]["slug"] == "late-entries"
    certificates = await get_json(
        client, "/api/v1/kb/for-you?issue_type=Certificates&category=Certificate+Delivery"
    )
    assert certificates["items"][0]["slug"] == "missing-certificates"
    assert len((await get_json(client, "/api/v1/kb/for-you"))["items"]) == 4


# An article: views and votes -------------------------------------------------------------


async def test_the_article_page_renders_sanitised_markup(client, kb_content):
    html = await page_text(client, "/articles/entry-tips")
    assert "<script>alert" not in html and "onerror" not in html
    assert "Last updated 1 February 2022 · 11 views" in html
    assert "Was this article helpful?" in html
    assert 'href="mailto:?subject=' in html


async def test_a_view_counts_once_per_visitor_per_uk_day(web_app, services, clock, kb_content):
    reader = web_app.test_client()
    slug = "finding-entry-codes"
    response = await reader.get(f"/articles/{slug}", headers=AS_BROWSER)
    cookie = response.headers["Set-Cookie"]
    assert "frontdesk_visitor=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert await views(services, slug) == 501
    await page_text(reader, f"/articles/{slug}")
    assert await views(services, slug) == 501
    clock.advance(days=1)
    await page_text(reader, f"/articles/{slug}")
    assert await views(services, slug) == 502
    await page_text(web_app.test_client(), f"/articles/{slug}", headers=CRAWLER)
    await page_text(web_app.test_client(), f"/articles/{slug}", headers={"User-Agent": ""})
    assert await views(services, slug) == 502


async def test_a_signed_in_reader_is_one_visitor_on_every_device(web_app, services, kb_content):
    user = await make_user(services)
    for _ in range(2):
        device = web_app.test_client()
        await login_as(device, user.username)
        await page_text(device, "/articles/late-entries")
    assert await views(services, "late-entries") == 901


async def put_vote(client, slug, body):
    headers = {"X-CSRF-Token": await csrf_token(client), **AS_BROWSER}
    return await client.put(f"/api/v1/kb/articles/{slug}/vote", json=body, headers=headers)


async def test_a_visitor_votes_changes_the_vote_and_comments(web_app, services, kb_content):
    reader, other = web_app.test_client(), web_app.test_client()
    slug = "late-entries"
    await page_text(reader, f"/articles/{slug}")
    before = await get_json(reader, f"/api/v1/kb/articles/{slug}/vote")
    assert before == {"helpful": None, "comment": None, "helpful_yes": 0, "helpful_no": 0}
    assert (await (await put_vote(reader, slug, {"helpful": True})).get_json())["helpful_yes"] == 1
    changed = await (
        await put_vote(reader, slug, {"helpful": False, "comment": "Too short"})
    ).get_json()
    assert changed == {"helpful": False, "comment": "Too short", "helpful_yes": 0, "helpful_no": 1}
    tallies = await (await put_vote(other, slug, {"helpful": True})).get_json()
    assert (tallies["helpful_yes"], tallies["helpful_no"]) == (1, 1)
    html = await page_text(reader, f"/articles/{slug}")
    assert re.search(r'value="no" class="thumb" aria-pressed="true"', html)
    assert ">Too short</textarea>" in html
    _, comments = await services.kb.feedback_comments(slug)
    assert [(c.helpful, c.comment) for c in comments] == [(False, "Too short")]


async def test_the_feedback_form_works_without_javascript(client, services, kb_content):
    slug = "missing-certificates"
    await page_text(client, f"/articles/{slug}")
    form = {"csrf_token": await csrf_token(client), "helpful": "yes"}
    response = await client.post(f"/articles/{slug}/feedback", form=form, headers=AS_BROWSER)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/articles/{slug}#feedback"
    form |= {"helpful": "no", "comment": "Needs dates"}
    await client.post(f"/articles/{slug}/feedback", form=form, headers=AS_BROWSER)
    html = await page_text(client, f"/articles/{slug}")
    assert "Thank you for your comment." in html
    article = await services.kb.article(slug)
    assert (article.helpful_yes, article.helpful_no) == (0, 1)


# Refusals --------------------------------------------------------------------------------


async def test_unknown_articles_are_404_and_change_nothing(client, kb_content, store_counts):
    before = await store_counts()
    html = await page_text(client, "/articles/no-such-article", status=404)
    assert "Page not found" in html
    assert (await get_json(client, "/api/v1/kb/articles/nope/vote", 404))["error"]["code"]
    response = await put_vote(client, "nope", {"helpful": True})
    assert response.status_code == 404
    assert await store_counts() == before


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("PUT", "/api/v1/kb/articles/late-entries/vote", {"helpful": "maybe"}, "helpful"),
        ("PUT", "/api/v1/kb/articles/late-entries/vote", {"helpful": True, "x": 1}, "x"),
        (
            "PUT",
            "/api/v1/kb/articles/late-entries/vote",
            {"helpful": True, "comment": "x" * 2001},
            "comment",
        ),
        ("GET", "/api/v1/kb/search?q=entry&page=0", None, "page"),
        ("GET", "/api/v1/kb/search?q=entry&area=everywhere", None, "area"),
        ("GET", "/api/v1/kb/for-you?colour=blue", None, "colour"),
        ("GET", "/api/v1/kb/suggestions?q=" + "a" * 201, None, "q"),
    ],
)
async def test_bad_input_is_422_naming_the_field(
    client, kb_content, store_counts, method, path, body, field
):
    before = await store_counts()
    response = await api(client, method, path, body)
    error = (await response.get_json())["error"]
    assert response.status_code == 422, error
    assert field in error["fields"]
    assert await store_counts() == before


async def test_a_vote_without_the_csrf_token_is_refused(client, kb_content):
    response = await client.put(
        "/api/v1/kb/articles/late-entries/vote", json={"helpful": True}, headers=AS_BROWSER
    )
    assert response.status_code == 403


# Staff reports ---------------------------------------------------------------------------

REPORTS = ["/staff/kb/feedback", "/staff/kb/feedback/late-entries", "/staff/kb/missed-searches"]


@pytest.mark.parametrize("path", REPORTS)
async def test_reports_are_for_staff_only(web_app, services, kb_content, path):
    anonymous = web_app.test_client()
    response = await anonymous.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")
    customer = web_app.test_client()
    await login_as(customer, (await make_user(services)).username)
    assert (await customer.get(path)).status_code == 404


async def test_staff_see_votes_comments_and_missed_searches(web_app, services, kb_content):
    reader = web_app.test_client()
    await put_vote(reader, "late-entries", {"helpful": True, "comment": "Clear <b>fees</b>"})
    await put_vote(web_app.test_client(), "late-entries", {"helpful": False})
    await page_text(reader, "/search?q=zzyzx+quux")
    staff = web_app.test_client()
    await login_as(staff, (await make_user(services, Role.AGENT)).username)
    html = await page_text(staff, "/staff/kb/feedback")
    assert 'href="/staff/kb/feedback/late-entries"' in html
    assert re.search(r">1</td>\s*<td class=\"num\">1</td>\s*<td class=\"num\">50%</td>", html)
    assert 'href="/staff/kb/feedback">Knowledge base reports' in html
    html = await page_text(staff, "/staff/kb/feedback/late-entries")
    assert "Clear &lt;b&gt;fees&lt;/b&gt;" in html and "Helpful" in html
    html = await page_text(staff, "/staff/kb/missed-searches")
    assert "zzyzx quux" in html
