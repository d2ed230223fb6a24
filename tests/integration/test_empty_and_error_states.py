"""On a fresh store every list says what to do next, and every error page offers a way
back that its reader may take: read over HTTP, no browser."""

from __future__ import annotations

import re
from typing import Any

import pytest

from frontdesk.accounts.models import Role
from frontdesk.web.errors import ways_back
from tests.factories import make_user
from tests.helpers import login_as

LINK = re.compile(r'<a[^>]*href="([^"]+)"[^>]*>([^<]+)</a>')


async def page(client: Any, path: str, status: int = 200) -> str:
    response = await client.get(path)
    html: str = await response.get_data(as_text=True)
    assert response.status_code == status, html[:400]
    return " ".join(html.split())


def links(html: str) -> dict[str, str]:
    """Each link's words, and where it goes, on the page's main part."""
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return {
        " ".join(label.split()): href.replace("&amp;", "&") for href, label in LINK.findall(main)
    }


async def signed_in(client: Any, services: Any, role: Role) -> Any:
    user = await make_user(services, role, first_name="Pat", last_name=role.value.title())
    await login_as(client, user.username)
    return user


async def test_public_lists_say_what_to_do_when_empty(client):
    html = await page(client, "/articles?q=xyzzy")
    assert "No articles match “xyzzy”." in html and "most viewed first" not in html
    assert "Try fewer words, or" in html
    assert links(html)["Contact Us"] == "/contact-us"
    assert links(html)["Search articles and discussions for “xyzzy”"] == "/search?q=xyzzy"

    html = await page(client, "/articles?topic=Nothing+like+this")
    assert "No articles match with this filter." in html and "Try fewer filters" in html
    assert links(html)["Clear search and filters"] == "/articles#list-title"

    html = await page(client, "/search?q=xyzzy")
    assert "No results for “xyzzy”." in html and links(html)["contact us"] == "/contact-us"

    html = await page(client, "/community")
    assert "No discussions yet" in html and links(html)["start a discussion"] == "/community/new"


async def test_a_customer_s_empty_cases_lead_to_contact_us(client, services):
    await signed_in(client, services, Role.CUSTOMER)
    html = await page(client, "/my-cases")
    assert "You have no cases yet" in html
    assert links(html)["Contact Us"] == "/contact-us"
    assert links(html)["Browse our support articles"] == "/articles"


async def test_an_agent_s_empty_lists_say_where_else_to_look(client, services):
    await signed_in(client, services, Role.AGENT)
    html = await page(client, "/agent")
    assert "No open cases in your queues" in html and "the soonest reply-by first" not in html
    assert links(html)["find a case"] == "/agent/search"
    assert "No chats are being offered to you. Chats are offered while your status" in html

    html = await page(client, "/agent?view=overdue")
    assert "Nothing in “Overdue”" in html and links(html)["Back to my queues"] == "/agent"

    html = await page(client, "/agent/search?q=nothing+like+this")
    assert "No case matches" in html and "0 cases found" not in html
    assert links(html)["Clear the search"] == "/agent/search"

    html = await page(client, "/agent/replies")
    assert "You have no replies of your own yet. Write one under “Write a reply”" in html
    assert "No shared replies yet. A supervisor can write some for every agent." in html


async def test_a_supervisor_s_and_an_admin_s_empty_tables_say_what_fills_them(client, services):
    await signed_in(client, services, Role.ADMIN)
    html = await page(client, "/supervisor")
    assert "No agent has set a chat state yet. Agents appear here once they open" in html

    html = await page(client, "/admin/audit")
    assert "Nothing has been changed yet: changes to people, agents' work" in html

    html = await page(client, "/admin/people?q=nobody+by+this+name")
    assert "0 people match. Try fewer words, or any role" in html
    assert links(html)["show everyone"] == "/admin/people"

    html = await page(client, "/staff/kb/feedback")
    assert "No reader has voted on an article yet: votes appear here" in html
    html = await page(client, "/staff/kb/missed-searches")
    assert "Every search so far has found something: a search that finds nothing" in html


# Error pages -----------------------------------------------------------------------------


async def test_a_missing_page_offers_home_and_signing_in(client):
    html = await page(client, "/no-such-page", 404)
    assert "Page not found" in html and "We could not find that page." in html
    assert links(html) == {"Sign in": "/sign-in?next=/no-such-page", "Back to the home page": "/"}


async def test_a_missing_article_offers_its_list_and_no_sign_in(client):
    html = await page(client, "/articles/no-such-article", 404)
    ways = links(html)
    assert ways["Back to Browse Articles"] == "/articles" and ways["Back to the home page"] == "/"
    assert "Sign in" not in ways


async def test_a_customer_s_missing_case_leads_back_to_my_cases(client, services):
    await signed_in(client, services, Role.CUSTOMER)
    ways = links(await page(client, "/my-cases/99999999", 404))
    assert ways["Back to My Cases"] == "/my-cases"
    # A staff page is 404 to a customer: its error never offers the staff list.
    ways = links(await page(client, "/agent/cases/99999999", 404))
    assert "Back to the Agent console" not in ways and ways["Back to the home page"] == "/"


async def test_an_agent_s_missing_case_leads_back_to_the_console(client, services):
    await signed_in(client, services, Role.AGENT)
    ways = links(await page(client, "/agent/cases/99999999", 404))
    assert ways["Back to the Agent console"] == "/agent"
    assert "Sign in" not in ways


async def test_a_refused_form_offers_home_but_not_the_same_post_again(client, services):
    await signed_in(client, services, Role.CUSTOMER)
    response = await client.post("/sign-out", form={"csrf_token": "forged"})
    html = " ".join((await response.get_data(as_text=True)).split())
    assert response.status_code == 403 and "Not allowed" in html
    assert links(html) == {"Back to the home page": "/"}


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_passing_failure_offers_the_same_page_again(status):
    ways = ways_back(status, "GET", "/articles?q=exam", None)
    assert [(w.label, w.href) for w in ways] == [
        ("Try again", "/articles?q=exam"),
        ("Back to the home page", "/"),
    ]
    # A form's POST sent again by a link would be a GET of something else: not offered.
    ways = ways_back(status, "POST", "/community/a-thread/replies", None)
    assert [w.label for w in ways] == ["Back to the community discussions", "Back to the home page"]
