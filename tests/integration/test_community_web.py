"""Community discussions as a browser without JavaScript uses them: read, post, reply,
mark the answer; on both stores."""

from __future__ import annotations

import re
from typing import Any

import pytest

from frontdesk.accounts.models import Role
from frontdesk.kb.importer import DEMO_CONTENT, import_folder
from frontdesk.kb.models import PostIn, ReplyPostIn
from frontdesk.web.community_pages import uk_date
from tests.factories import make_user
from tests.helpers import csrf_token, login_as
from tests.integration.test_account_pages import Page, assert_field_error

DEMO_THREAD = "certificates-not-arrived-summer-2026"
QUESTION = {
    "title": "Moderation sample upload keeps failing",
    "body": "Every time we upload the *moderation* sample the page times out. Any ideas?",
}


async def html_of(client: Any, path: str) -> tuple[int, str]:
    response = await client.get(path)
    return response.status_code, await response.get_data(as_text=True)


async def post(client: Any, path: str, form: dict[str, str], *, csrf: bool = True) -> Any:
    data = {"csrf_token": await csrf_token(client), **form} if csrf else dict(form)
    return await client.post(path, form=data)


async def start_thread(services: Any, title: str = "Where do I find the entry codes?") -> Any:
    author = await make_user(services, first_name="Pat", last_name="Poster")
    return await services.community.post_discussion(
        author, PostIn(title=title, body="Please help us.")
    )


async def add_reply(services: Any, slug: str, body: str, role: Role = Role.CUSTOMER) -> Any:
    author = await make_user(services, role, first_name="Rae", last_name="Replier")
    return await services.community.reply(author, slug, ReplyPostIn(body=body))


@pytest.fixture
async def demo(services):
    await import_folder(services.kb, services.community, DEMO_CONTENT)


# Reading -----------------------------------------------------------------------------------


async def test_anyone_reads_the_thread_list_with_badges_dates_and_pages(client, services, demo):
    status, html = await html_of(client, "/community")
    assert status == 200
    rows, page, pages = await services.community.discussions(1)
    assert (page, pages) == (1, 4)  # 36 demo threads, 10 a page
    for row in rows:
        assert f'href="/community/{row.slug}"' in html
        assert uk_date(row.created_at) in html
    assert html.count("Answered</span>") == sum(row.answered for row in rows) > 0
    assert 'href="/community/new"' in html and "Start a discussion" in html
    assert 'href="?page=2" rel="next"' in html

    status, second = await html_of(client, "/community?page=2")
    rows_two, _, _ = await services.community.discussions(2)
    assert status == 200 and f'href="/community/{rows_two[0].slug}"' in second
    assert (await client.get("/community?page=banana")).status_code == 200


async def test_anyone_reads_a_thread_with_its_answer_marked(client, services, demo):
    thread = await services.community.discussion(DEMO_THREAD)
    status, html = await html_of(client, f"/community/{DEMO_THREAD}")
    assert status == 200
    found = Page(html)
    assert "Summer 2026 GCSE certificates not arrived yet" in found.text_by_id["thread-title"]
    assert "Linda Okafor" in html and "(Exams Officers)" in html
    assert "17/11/2026 08:47" in html  # UK time, and November is GMT
    assert f'<a href="#reply-{thread.answer_id}">Jump to the answer</a>' in html
    answer = found.text_by_id[f"reply-{thread.answer_id}"]
    assert "Answer" in answer and "Support staff" in answer and "Northgate Online" in answer
    assert [r.author_name for r in thread.replies][:2] == ["Mark Pemberton", "Linda Okafor"]
    assert html.index("Mark Pemberton") < html.index("Found it")  # replies oldest first
    # Signed out: a link to sign in and come back, no reply form, no staff buttons.
    assert f'href="/sign-in?next=%2Fcommunity%2F{DEMO_THREAD}"' in html
    assert "Sign in to reply" in html
    assert 'action="/community/' not in html and "Mark as answer" not in html


async def test_the_most_recently_active_thread_comes_first(client, services, clock):
    older = await start_thread(services, "The older question here")
    clock.advance(hours=1)
    await start_thread(services, "The newer question here")
    _, html = await html_of(client, "/community")
    assert html.index("The newer question") < html.index("The older question")
    clock.advance(hours=1)
    await add_reply(services, older.slug, "A fresh reply")
    _, html = await html_of(client, "/community")
    assert html.index("The older question") < html.index("The newer question")
    assert "1 reply<" in html


async def test_unknown_threads_are_not_found(client, services):
    status, html = await html_of(client, "/community/no-such-thread")
    assert status == 404 and "Page not found" in html
    await login_as(client, (await make_user(services)).username)
    response = await post(client, "/community/no-such-thread/replies", {"body": "Hello there"})
    assert response.status_code == 404


# Posting -----------------------------------------------------------------------------------


async def test_signed_out_visitors_are_sent_to_sign_in_and_nothing_is_stored(
    client, services, store_counts
):
    thread = await start_thread(services)
    before = await store_counts()
    response = await client.get("/community/new")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=/community/new"
    response = await post(client, "/community/new", QUESTION)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    for action in ("replies", "answer"):
        form = {"body": "Me too, please", "reply_id": ""}
        response = await post(client, f"/community/{thread.slug}/{action}", form)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/sign-in?next=%2Fcommunity%2F{thread.slug}"
    headers = {"Accept": "application/json", "X-CSRF-Token": await csrf_token(client)}
    response = await client.post(f"/community/{thread.slug}/replies", headers=headers, json={})
    assert response.status_code == 401
    assert await store_counts() == before


async def test_a_customer_posts_a_thread_and_replies(client, services):
    customer = await make_user(services, first_name="Ann", last_name="Example")
    await login_as(client, customer.username)
    status, html = await html_of(client, "/community/new")
    assert status == 200 and Page(html).by_id("title") and 'name="csrf_token"' in html

    response = await post(client, "/community/new", QUESTION)
    assert response.status_code == 302
    slug = response.headers["Location"].removeprefix("/community/")
    assert re.fullmatch(r"moderation-sample-upload-keeps-failing-[0-9a-f]{6}", slug)
    status, html = await html_of(client, f"/community/{slug}")
    assert status == 200
    assert QUESTION["title"] in html and "<em>moderation</em>" in html and "Ann Example" in html
    assert 'action="/community/' + slug + '/replies"' in html and "Mark as answer" not in html

    response = await post(
        client, f"/community/{slug}/replies", {"body": "It works now, **thanks**."}
    )
    assert response.status_code == 302
    thread = await services.community.discussion(slug)
    [reply] = thread.replies
    assert response.headers["Location"] == f"/community/{slug}#reply-{reply.id}"
    assert thread.reply_count == 1 and reply.author_name == "Ann Example" and not reply.is_staff
    _, html = await html_of(client, f"/community/{slug}")
    assert "<strong>thanks</strong>" in html and "Support staff</span>" not in html
    _, listing = await html_of(client, "/community")
    assert QUESTION["title"] in listing and "1 reply<" in listing


async def test_bad_posts_show_errors_keep_the_text_and_change_nothing(
    client, services, store_counts
):
    thread = await start_thread(services)
    await login_as(client, (await make_user(services)).username)
    before = await store_counts()

    response = await post(client, "/community/new", {"title": "Hi", "body": "Short <b>"})
    assert response.status_code == 422
    found = Page(await response.get_data(as_text=True))
    assert_field_error(found, "title", "The title needs at least 5 characters")
    assert_field_error(found, "body", "Your question needs at least 10 characters")
    assert found.by_id("title")["value"] == "Hi"
    assert found.text_by_id["body"] == "Short <b>"
    response = await post(client, "/community/new", {"title": "A fine title", "body": "x" * 20_001})
    assert response.status_code == 422
    assert_field_error(
        Page(await response.get_data(as_text=True)), "body", "at most 20,000 characters"
    )

    refusals = {"": "Write your reply", "   ": "Write your reply", "---": "Write a reply first"}
    for body, words in refusals.items():
        response = await post(client, f"/community/{thread.slug}/replies", {"body": body})
        assert response.status_code == 422
        found = Page(await response.get_data(as_text=True))
        assert_field_error(found, "body", words)
        assert found.text_by_id["body"] == body
    assert await store_counts() == before


async def test_markup_in_posts_is_shown_as_text(client, services):
    await login_as(client, (await make_user(services)).username)
    title = "<b>Bold</b> claims & <script>alert('t')</script>"
    body = "<script>alert('x')</script>\n\n<img src=x onerror=alert(1)> [link](javascript:alert(2))"
    response = await post(client, "/community/new", {"title": title, "body": body})
    slug = response.headers["Location"].removeprefix("/community/")
    await post(client, f"/community/{slug}/replies", {"body": "<iframe src=//evil.test></iframe>"})
    _, html = await html_of(client, f"/community/{slug}")
    for markup in ("<script>alert", "<img src=x", "<b>Bold", 'href="javascript:', "<iframe"):
        assert markup not in html
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in html
    assert "&lt;b&gt;Bold&lt;/b&gt; claims &amp; " in html
    assert "&lt;iframe src=//evil.test&gt;&lt;/iframe&gt;" in html
    _, listing = await html_of(client, "/community")
    assert "<b>Bold" not in listing and "&lt;b&gt;Bold" in listing


# Marking the answer ------------------------------------------------------------------------


async def test_staff_mark_an_answer_and_unmark_it(client, services):
    thread = await start_thread(services)
    first = await add_reply(services, thread.slug, "Try the Downloads page")
    second = await add_reply(services, thread.slug, "They are under Entries > Codes", Role.AGENT)
    agent = await make_user(services, Role.AGENT, first_name="Sam", last_name="Agent")
    await login_as(client, agent.username)
    _, html = await html_of(client, f"/community/{thread.slug}")
    assert html.count("Mark as answer") == 2 and "Jump to the answer" not in html
    assert html.count("Support staff</span>") == 1  # the agent's reply, not the customer's

    response = await post(client, f"/community/{thread.slug}/answer", {"reply_id": str(second.id)})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/community/{thread.slug}#reply-{second.id}"
    assert (await services.community.discussion(thread.slug)).answer_id == second.id
    _, html = await html_of(client, f"/community/{thread.slug}")
    found = Page(html)
    assert f'<a href="#reply-{second.id}">Jump to the answer</a>' in html
    assert "Unmark" in found.text_by_id[f"reply-{second.id}"]
    assert "Mark as answer" in found.text_by_id[f"reply-{first.id}"]
    assert "Answered</span>" in html
    _, listing = await html_of(client, "/community")
    assert "Answered</span>" in listing

    response = await post(client, f"/community/{thread.slug}/answer", {"reply_id": ""})
    assert response.status_code == 302
    assert (await services.community.discussion(thread.slug)).answer_id is None
    _, listing = await html_of(client, "/community")
    assert "Answered</span>" not in listing


async def test_a_customer_cannot_mark_an_answer(client, services, store_counts):
    thread = await start_thread(services)
    reply = await add_reply(services, thread.slug, "Try the Downloads page")
    await login_as(client, (await make_user(services)).username)
    before = await store_counts()
    response = await post(client, f"/community/{thread.slug}/answer", {"reply_id": str(reply.id)})
    assert response.status_code == 403
    assert (await services.community.discussion(thread.slug)).answer_id is None
    assert await store_counts() == before


async def test_staff_cannot_mark_a_reply_from_elsewhere_or_nonsense(client, services):
    thread = await start_thread(services)
    other = await start_thread(services, "Another question entirely")
    stray = await add_reply(services, other.slug, "An answer to the other question")
    await login_as(client, (await make_user(services, Role.SUPERVISOR)).username)
    path = f"/community/{thread.slug}/answer"
    assert (await post(client, path, {"reply_id": str(stray.id)})).status_code == 404
    assert (await post(client, path, {"reply_id": "abc"})).status_code == 422
    assert (await post(client, "/community/nope/answer", {"reply_id": ""})).status_code == 404
    assert (await services.community.discussion(thread.slug)).answer_id is None
    assert (await services.community.discussion(other.slug)).answer_id is None


async def test_forms_without_the_csrf_token_are_refused(client, services, store_counts):
    thread = await start_thread(services)
    reply = await add_reply(services, thread.slug, "Try the Downloads page")
    await login_as(client, (await make_user(services, Role.AGENT)).username)
    before = await store_counts()
    attempts = {
        "/community/new": QUESTION,
        f"/community/{thread.slug}/replies": {"body": "A forged reply"},
        f"/community/{thread.slug}/answer": {"reply_id": str(reply.id)},
    }
    for path, form in attempts.items():
        response = await post(client, path, form, csrf=False)
        assert response.status_code == 403
        response = await post(client, path, {**form, "csrf_token": "forged"}, csrf=False)
        assert response.status_code == 403
    assert await store_counts() == before
    assert (await services.community.discussion(thread.slug)).answer_id is None


# Search ------------------------------------------------------------------------------------


@pytest.mark.both_stores
async def test_a_new_thread_and_its_replies_are_found_by_search(client, services):
    await login_as(client, (await make_user(services)).username)
    response = await post(client, "/community/new", QUESTION)
    slug = response.headers["Location"].removeprefix("/community/")
    await post(
        client, f"/community/{slug}/replies", {"body": "Clearing the browser cache fixed it"}
    )
    for words in ("moderation sample upload", "browser cache"):
        found = await services.kb.search(words)
        assert [hit.slug for hit in found.hits] == [slug], words
