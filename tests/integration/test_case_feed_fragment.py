"""The case feed as a fragment (GET <case page>/feed): the case page's own markup, for
cases.js and console.js to swap in, answered to exactly whom the case page answers."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from frontdesk.accounts.models import Role
from tests.factories import make_user, open_case
from tests.helpers import login_as

# Each case page and its fragment; {n} is the case number.
PAGES = [
    ("/my-cases/{n}", "/my-cases/{n}/feed"),
    ("/my-cases/{n}", "/my-cases/{n}/feed?view=summary"),
    ("/agent/cases/{n}", "/agent/cases/{n}/feed"),
    ("/agent/cases/{n}", "/agent/cases/{n}/feed?view=summary"),
]
PEOPLE = ["owner", "stranger", "agent", "supervisor", "nobody"]


@pytest.fixture
async def owner(services):
    return await make_user(services, first_name="Ann", last_name="Example")


@pytest.fixture
async def case(services, owner):
    return await open_case(services, owner)


async def sign_in_as(client, services, owner, who):
    people = {
        "owner": owner,
        "stranger": await make_user(services),
        "agent": await make_user(services, Role.AGENT),
        "supervisor": await make_user(services, Role.SUPERVISOR),
    }
    if who != "nobody":
        await login_as(client, people[who].username)


async def text(response):
    return await response.get_data(as_text=True)


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize(("page", "fragment"), PAGES, ids=[f for _, f in PAGES])
async def test_the_fragment_answers_whom_its_case_page_answers(
    client, services, owner, case, who, page, fragment
):
    await sign_in_as(client, services, owner, who)

    whole = await client.get(page.format(n=case.number))
    part = await client.get(fragment.format(n=case.number))

    assert part.status_code == whole.status_code
    if whole.status_code == 302:  # nobody: sign in first, then back to what was asked
        for response, path in ((whole, page), (part, fragment)):
            back = quote(path.format(n=case.number), safe="/")
            assert response.headers["Location"] == f"/sign-in?next={back}"
    elif whole.status_code != 200:
        body = await text(part)
        assert case.subject not in body and "created this case." not in body


@pytest.mark.parametrize("base", ["/my-cases/{n}", "/agent/cases/{n}"])
async def test_another_customers_case_is_the_one_not_found(client, services, case, base):
    stranger = await make_user(services)
    await login_as(client, stranger.username)
    path = f"{base.format(n=case.number)}/feed"

    page = await client.get(path)
    answer = await client.get(path, headers={"Accept": "application/json"})

    # Staff pages do not exist for customers; their own pages know no other's case.
    assert (page.status_code, answer.status_code) == (404, 404)
    error = (await answer.get_json())["error"]
    assert error["code"] == ("CASE_NOT_FOUND" if base.startswith("/my-cases") else "NOT_FOUND")
    assert set(error) == {"code", "message", "fields"}
    assert case.number not in await text(page)
    if base.startswith("/my-cases"):
        assert "We could not find that case" in await text(page)


async def test_the_owner_gets_the_feed_as_the_case_page_draws_it(client, services, owner, case):
    await login_as(client, owner.username)
    page = await text(await client.get(f"/my-cases/{case.number}"))

    response = await client.get(f"/my-cases/{case.number}/feed")

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    fragment = await text(response)
    assert fragment.lstrip().startswith('<section class="feed card"')
    assert "<html" not in fragment and "Skip to content" not in fragment
    assert "Case Detail" not in fragment  # the feed only
    start = page.index('<section class="feed card"')
    feed = page[start : page.index("</section>", start) + 10]
    assert fragment.strip() == feed.strip()


async def test_the_fragment_follows_the_order_asked(client, services, owner, case):
    await login_as(client, owner.username)
    newest = await text(await client.get(f"/my-cases/{case.number}/feed"))
    oldest = await text(await client.get(f"/my-cases/{case.number}/feed?order=oldest"))
    unknown = await text(await client.get(f"/my-cases/{case.number}/feed?order=sideways"))

    assert 'data-order="newest"' in newest and 'data-order="oldest"' in oldest
    assert 'data-order="newest"' in unknown  # as the page: anything else is newest first
    kinds = re.findall(r'class="activity activity-(\w+)"', newest)
    assert kinds == ["field_changed", "created"]
    assert re.findall(r'class="activity activity-(\w+)"', oldest) == kinds[::-1]


async def test_the_agents_fragment_posts_to_the_agents_case_page(client, services, case):
    agent = await make_user(services, Role.AGENT)
    await login_as(client, agent.username)

    fragment = await text(await client.get(f"/agent/cases/{case.number}/feed"))

    assert f'data-base="/agent/cases/{case.number}"' in fragment
    assert f'action="/agent/cases/{case.number}/activities/' in fragment
    assert "/my-cases/" not in fragment


async def test_the_summary_is_read_only_with_dates_and_no_ids(client, services, case):
    agent = await make_user(services, Role.AGENT)
    await login_as(client, agent.username)
    await services.cases.comment(
        agent, case.number, (await services.cases.feed(agent, case.number))[0].id, "Seen"
    )

    summary = await text(await client.get(f"/agent/cases/{case.number}/feed?view=summary"))

    assert summary.lstrip().startswith('<ol class="feed-items">')
    assert "Ann Example</strong> (Customer) created this case." in summary
    assert "<form" not in summary and " id=" not in summary  # shown twice in a console
    assert "View more details" not in summary and "Seen" not in summary
    times = re.findall(r"<time [^>]*>([^<]*)</time>", summary)
    assert times and all(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", t) for t in times)
