"""My Cases through the API and the pages: listing, sorting, paging, detail, the activity
feed, likes and comments."""

from __future__ import annotations

from datetime import datetime

import pytest

from frontdesk.cases.models import Channel, Status
from tests.factories import (
    EXAMS_OFFICERS_QUEUE,
    ORGANISATION,
    make_user,
    open_case,
)
from tests.helpers import api, csrf_token, login_as


@pytest.fixture
async def signed_in(client, customer):
    await login_as(client, customer.username)
    return client


@pytest.fixture
async def agent_client(web_app, agent):
    client = web_app.test_client()
    await login_as(client, agent.username)
    return client


async def get_json(client, path, status=200):
    response = await client.get(path)
    body = await response.get_json()
    assert response.status_code == status, body
    return body


# Three cases whose columns sort differently from each other and from the opening order.
THREE = {
    "A": {
        "channel": Channel.MESSAGE,
        "issue_type": "Special Considerations",  # reply in 5 working days
        "category": "Special Consideration Requests",
        "subcategory": "Outcomes",
    },
    "B": {
        "channel": Channel.CALL,
        "issue_type": "Complaints",  # 10 working days
        "category": "Complaint",
        "subcategory": "Service Complaint",
    },
    "C": {
        "channel": Channel.CHAT,
        "subcategory": "Returned Certificates",  # Certificates: 2 working days
    },
}


@pytest.fixture
async def three_cases(services, clock, customer, agent):
    """A, B and C opened a minute apart, then worked so that every column differs."""
    opened = {}
    for name, fields in THREE.items():
        opened[name] = await open_case(services, customer, **fields)
        clock.advance(minutes=1)
    cases = services.cases
    await services.case_work.change_status(
        agent, opened["B"].number, Status.WAITING_ON_CUSTOMER, "Dates"
    )
    clock.advance(minutes=1)
    await services.case_work.change_status(agent, opened["A"].number, Status.IN_PROGRESS)
    clock.advance(minutes=1)
    created = (await cases.feed(agent, opened["C"].number))[-1]
    await cases.comment(agent, opened["C"].number, created.id, "Looking into it")
    return {name: case.number for name, case in opened.items()}


SORTS = {
    # column: the order of A, B and C ascending
    "subject": "ACB",  # Outcomes, Returned Certificates, Service Complaint
    "channel": "BCA",  # call, chat, message
    "status": "ACB",  # in_progress, new, waiting_on_customer
    "created_at": "ABC",
    "updated_at": "BAC",  # B's status, A's status, C's comment
    "reply_by": "CAB",  # 2, 5 and 10 working days
}


@pytest.mark.both_stores
@pytest.mark.parametrize("column", [*SORTS, "number"])
async def test_my_cases_sort_by_each_column_both_ways(signed_in, three_cases, column):
    if column == "number":  # numbers are drawn at random
        ascending = sorted(three_cases.values())
    else:
        ascending = [three_cases[name] for name in SORTS[column]]
    for direction, expected in (("asc", ascending), ("desc", ascending[::-1])):
        found = await get_json(signed_in, f"/api/v1/cases?sort={column}&direction={direction}")
        assert [item["number"] for item in found["items"]] == expected, direction
        assert found["total"] == 3


@pytest.mark.both_stores
async def test_my_cases_default_to_the_newest_first(signed_in, three_cases):
    found = await get_json(signed_in, "/api/v1/cases")
    assert [item["number"] for item in found["items"]] == [three_cases[n] for n in "CBA"]


@pytest.mark.both_stores
async def test_my_cases_pages_through_the_list(signed_in, three_cases):
    query = "/api/v1/cases?sort=created_at&direction=asc&page_size=2"
    first = await get_json(signed_in, query)
    second = await get_json(signed_in, query + "&page=2")
    assert [i["number"] for i in first["items"] + second["items"]] == [
        three_cases[n] for n in "ABC"
    ]
    assert (first["total"], first["pages"], first["page"], len(first["items"])) == (3, 2, 1, 2)
    assert (second["page"], len(second["items"])) == (2, 1)
    beyond = await get_json(signed_in, query + "&page=3")
    assert (beyond["items"], beyond["total"]) == ([], 3)


@pytest.mark.parametrize(
    "query",
    ["sort=password", "direction=up", "page=0", "page_size=1000", "page=two", "colour=red"],
)
async def test_a_bad_list_query_is_refused_with_the_field(signed_in, query):
    response = await signed_in.get(f"/api/v1/cases?{query}")
    assert response.status_code == 422
    body = await response.get_json()
    assert body["error"]["code"] == "INVALID"
    assert set(body["error"]["fields"]) == {query.split("=")[0]}


async def test_my_cases_lists_only_my_own(services, signed_in, three_cases):
    other = await make_user(services)
    await open_case(services, other)
    found = await get_json(signed_in, "/api/v1/cases")
    assert {item["number"] for item in found["items"]} == set(three_cases.values())


async def test_case_detail_has_the_description_block_and_uk_times(
    services, signed_in, customer, clock
):
    case = await open_case(services, customer, description="Example case")
    detail = await get_json(signed_in, f"/api/v1/cases/{case.number}")
    assert detail["number"] == case.number
    assert detail["subject"] == "Certificate Receipt Dates (GCSE Mathematics)"
    assert detail["status"] == "new" and detail["status_label"] == "New"
    assert detail["description_block"].startswith("Description : Example case;\nFirst Name : Ann;")
    assert "Email Address : " + customer.email in detail["description_block"]
    # 10:00 UTC on 15 June is 11:00 in London (BST).
    assert datetime.fromisoformat(detail["created_at"]) == clock.now()
    assert detail["created_uk"] == "15/06/2026 11:00"
    assert (detail["closed_at"], detail["closed_uk"], detail["waiting_reason"]) == (None, "", None)
    assert detail["reply_by_uk"] == "17/06/2026 11:00"  # two working days


# The activity feed ---------------------------------------------------------------------------


@pytest.fixture
async def case(services, customer):
    return await open_case(services, customer)


async def test_a_new_case_feed_reads_as_the_guide(signed_in, case, clock):
    clock.advance(minutes=11)
    feed = await get_json(signed_in, f"/api/v1/cases/{case.number}/feed")
    assert feed["order"] == "newest"
    owner, created = feed["items"]
    assert (created["actor_name"], created["actor_role"], created["summary"]) == (
        "Ann Example",
        "Customer",
        "created this case.",
    )
    assert created["created_ago"] == "11m ago"
    assert created["created_uk"] == "15/06/2026 11:00"
    # The routing is the system's, said in words; the reply-by is in the words too.
    assert (owner["actor_name"], owner["actor_role"], owner["system"]) == (
        "frontdesk",
        "System",
        True,
    )
    assert owner["summary"] == (
        f"routed this case to the {EXAMS_OFFICERS_QUEUE} queue; a reply by email is due"
        " by 17/06/2026 11:00 (UK time)."
    )
    assert owner["change"] == {
        "field": "Case Owner",
        "old": ORGANISATION,
        "new": EXAMS_OFFICERS_QUEUE,
    }
    assert created["system"] is False


@pytest.mark.both_stores
@pytest.mark.parametrize("order", ["newest", "oldest"])
async def test_the_feed_sorts_both_ways(services, signed_in, case, agent, clock, order):
    clock.advance(minutes=5)
    await services.case_work.reply(agent, case.number, "First answer")
    clock.advance(minutes=5)
    await services.case_work.reply(agent, case.number, "Second answer")
    feed = await get_json(signed_in, f"/api/v1/cases/{case.number}/feed?order={order}")
    kinds = [(item["kind"], item["body"]) for item in feed["items"]]
    oldest_first = [
        ("created", ""),
        ("field_changed", ""),  # Case Owner, in the same instant as created
        ("reply", "First answer"),
        ("field_changed", ""),  # New to In Progress, with the first reply
        ("reply", "Second answer"),
    ]
    assert kinds == (oldest_first if order == "oldest" else oldest_first[::-1])
    assert feed["order"] == order


async def test_a_bad_feed_order_is_refused(signed_in, case):
    response = await signed_in.get(f"/api/v1/cases/{case.number}/feed?order=random")
    assert response.status_code == 422


async def feed_item(client, number, index=-1):
    return (await get_json(client, f"/api/v1/cases/{number}/feed"))["items"][index]


async def test_likes_toggle_and_count_once_per_user(signed_in, agent_client, case):
    created = await feed_item(signed_in, case.number)
    like = f"/api/v1/cases/{case.number}/activities/{created['id']}/like"
    assert (created["likes"], created["liked_by_me"]) == (0, False)

    for _ in range(2):  # liking twice counts once
        assert (await api(signed_in, "PUT", like)).status_code == 204
    mine = await feed_item(signed_in, case.number)
    assert (mine["likes"], mine["liked_by_me"]) == (1, True)
    theirs = await feed_item(agent_client, case.number)
    assert (theirs["likes"], theirs["liked_by_me"]) == (1, False)

    assert (await api(agent_client, "PUT", like)).status_code == 204
    assert (await feed_item(signed_in, case.number))["likes"] == 2

    for _ in range(2):  # unliking twice is the same as once
        assert (await api(signed_in, "DELETE", like)).status_code == 204
    mine = await feed_item(signed_in, case.number)
    assert (mine["likes"], mine["liked_by_me"]) == (1, False)
    assert (await feed_item(agent_client, case.number))["liked_by_me"] is True


async def test_comments_are_listed_under_their_activity(signed_in, agent_client, case, clock):
    created = await feed_item(signed_in, case.number)
    path = f"/api/v1/cases/{case.number}/activities/{created['id']}/comments"
    response = await api(signed_in, "POST", path, {"body": "  Any news?  "})
    assert response.status_code == 201
    assert [c["body"] for c in (await response.get_json())["comments"]] == ["Any news?"]
    clock.advance(minutes=3)
    assert (await api(agent_client, "POST", path, {"body": "On it"})).status_code == 201

    clock.advance(minutes=2)
    comments = (await feed_item(signed_in, case.number))["comments"]
    assert [
        (c["author_name"], c["author_role"], c["body"], c["created_ago"]) for c in comments
    ] == [
        ("Ann Example", "Customer", "Any news?", "5m ago"),
        ("Sam Agent", "Agent", "On it", "2m ago"),
    ]
    # Only that activity has them.
    assert (await feed_item(signed_in, case.number, 0))["comments"] == []


@pytest.mark.parametrize("body", ["", "   ", "x" * 10_001])
async def test_an_empty_or_huge_comment_is_refused_and_changes_nothing(
    signed_in, case, store_counts, body
):
    created = await feed_item(signed_in, case.number)
    before = await store_counts()
    path = f"/api/v1/cases/{case.number}/activities/{created['id']}/comments"
    response = await api(signed_in, "POST", path, {"body": body})
    assert response.status_code == 422
    assert "body" in (await response.get_json())["error"]["fields"]
    assert await store_counts() == before


async def test_an_activity_of_another_case_is_not_found_on_this_one(
    services, signed_in, customer, case, store_counts
):
    mine_too = await open_case(services, customer)
    other_activity = await feed_item(signed_in, mine_too.number)
    before = await store_counts()
    base = f"/api/v1/cases/{case.number}/activities/{other_activity['id']}"
    for method, path, body in [("PUT", "/like", None), ("POST", "/comments", {"body": "Hi"})]:
        response = await api(signed_in, method, base + path, body)
        assert response.status_code == 404
        assert (await response.get_json())["error"]["code"] == "ACTIVITY_NOT_FOUND"
    assert await store_counts() == before


async def test_a_customer_comment_answers_waiting_on_customer(
    services, signed_in, case, agent, clock
):
    await services.case_work.change_status(
        agent, case.number, Status.WAITING_ON_CUSTOMER, "Which centre?"
    )
    waiting = await get_json(signed_in, f"/api/v1/cases/{case.number}")
    assert (waiting["status"], waiting["waiting_reason"]) == (
        "waiting_on_customer",
        "Which centre?",
    )

    clock.advance(minutes=1)
    created = await feed_item(signed_in, case.number)
    path = f"/api/v1/cases/{case.number}/activities/{created['id']}/comments"
    assert (await api(signed_in, "POST", path, {"body": "Centre 12345"})).status_code == 201

    detail = await get_json(signed_in, f"/api/v1/cases/{case.number}")
    assert (detail["status"], detail["waiting_reason"]) == ("in_progress", None)
    # The desk moved the case on when the customer answered: the system did, not Ann.
    newest = await feed_item(signed_in, case.number, 0)
    assert (newest["actor_name"], newest["summary"], newest["change"]) == (
        "frontdesk",
        "set the status to In Progress.",
        {"field": "Status", "old": "Waiting on Customer", "new": "In Progress"},
    )


async def test_a_staff_comment_leaves_waiting_on_customer(services, agent_client, case, agent):
    await services.case_work.change_status(agent, case.number, Status.WAITING_ON_CUSTOMER, "Why?")
    created = await feed_item(agent_client, case.number)
    path = f"/api/v1/cases/{case.number}/activities/{created['id']}/comments"
    assert (await api(agent_client, "POST", path, {"body": "Chased"})).status_code == 201
    detail = await get_json(agent_client, f"/api/v1/cases/{case.number}")
    assert detail["status"] == "waiting_on_customer"


# The pages, without JavaScript ---------------------------------------------------------------


async def page_text(client, path, status=200):
    response = await client.get(path)
    assert response.status_code == status
    return await response.get_data(as_text=True)


async def post_form(client, path, **fields):
    return await client.post(path, form={"csrf_token": await csrf_token(client), **fields})


async def test_my_cases_page_sorts_by_links_with_arrows(signed_in, three_cases):
    page = await page_text(signed_in, "/my-cases?sort=subject&direction=asc")
    positions = [page.index(f'href="/my-cases/{three_cases[name]}"') for name in "ACB"]
    assert positions == sorted(positions)
    assert '<th scope="col" class="col-subject" aria-sort="ascending" role="columnheader">' in page
    # The sorted column's link reverses it; the others sort ascending.
    assert 'href="?sort=subject&amp;direction=desc&amp;page_size=20"' in page
    assert 'href="?sort=status&amp;direction=asc&amp;page_size=20"' in page
    assert "▲" in page and "▼" not in page
    page = await page_text(signed_in, "/my-cases?sort=subject&direction=desc")
    assert '<th scope="col" class="col-subject" aria-sort="descending" role="columnheader">' in page
    assert "▼" in page and "▲" not in page


async def test_my_cases_page_previews_each_subject(signed_in, services, customer):
    case = await open_case(services, customer, description="Certificates missing for 3 pupils")
    page = await page_text(signed_in, "/my-cases")
    assert f'aria-describedby="preview-{case.number}"' in page
    assert (
        f'<span class="preview-tip" role="tooltip" id="preview-{case.number}">'
        "Certificates missing for 3 pupils</span>"
    ) in page


async def test_my_cases_page_pages(signed_in, three_cases):
    page = await page_text(signed_in, "/my-cases?sort=created_at&direction=asc&page_size=2")
    assert "Page 1 of 2" in page
    assert 'href="?sort=created_at&amp;direction=asc&amp;page_size=2&amp;page=2" rel="next"' in page
    assert three_cases["C"] not in page
    page = await page_text(signed_in, "/my-cases?sort=created_at&direction=asc&page_size=2&page=2")
    assert three_cases["C"] in page and three_cases["A"] not in page


async def test_my_cases_page_without_cases_points_to_contact_us(signed_in):
    page = await page_text(signed_in, "/my-cases")
    assert "You have no cases yet" in page
    assert '<a href="/contact-us">Contact Us</a>' in page


async def test_my_cases_needs_sign_in(client):
    response = await client.get("/my-cases")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=/my-cases"


async def test_the_case_page_shows_feed_and_detail(signed_in, case, clock):
    clock.advance(minutes=11)
    page = await page_text(signed_in, f"/my-cases/{case.number}")
    assert "<strong>Ann Example</strong> (Customer) created this case." in page
    stamp = f'<time datetime="{case.created_at.isoformat()}" title="15/06/2026 11:00 (UK time)">'
    assert stamp + "11m ago</time>" in page
    routed = f"<strong>frontdesk</strong> (System) routed this case to the {EXAMS_OFFICERS_QUEUE}"
    assert routed in page
    assert "updated this record." not in page  # never said of the system's doing
    assert "<dt>Case Owner</dt>" not in page  # the words say it; no box repeats them
    assert page.index("routed this case") < page.index("created this case.")
    assert "Description : Our GCSE certificates have not arrived yet.;" in page
    assert "Date/Time Opened" in page and ">15/06/2026 11:00</time>" in page
    oldest = await page_text(signed_in, f"/my-cases/{case.number}?order=oldest")
    assert oldest.index("created this case.") < oldest.index("routed this case")
    assert "Oldest Activity" in oldest


async def test_the_like_form_toggles_and_keeps_the_order(signed_in, customer, services, case):
    created = (await services.cases.feed(customer, case.number))[-1]
    path = f"/my-cases/{case.number}/activities/{created.id}/like"
    response = await post_form(signed_in, path, liked="true", order="oldest")
    assert response.status_code == 302
    assert (
        response.headers["Location"]
        == f"/my-cases/{case.number}?order=oldest#activity-{created.id}"
    )
    page = await page_text(signed_in, f"/my-cases/{case.number}")
    assert 'aria-pressed="true"' in page and f'id="likes-{created.id}">1 like<' in page
    await post_form(signed_in, path, liked="false")
    assert f'id="likes-{created.id}">0 likes<' in await page_text(
        signed_in, f"/my-cases/{case.number}"
    )


async def test_the_comment_form_error_is_tied_to_its_field(signed_in, customer, services, case):
    created = (await services.cases.feed(customer, case.number))[-1]
    path = f"/my-cases/{case.number}/activities/{created.id}/comments"
    response = await post_form(signed_in, path, body="  ")
    assert response.status_code == 422
    page = await response.get_data(as_text=True)
    cid = f"comment-{created.id}"
    assert f'id="{cid}-error"' in page
    assert f'aria-invalid="true" aria-describedby="{cid}-error"' in page
    assert f'href="#{cid}"' in page
    response = await post_form(signed_in, path, body="Thanks")
    assert response.status_code == 302
    assert "Thanks" in await page_text(signed_in, f"/my-cases/{case.number}")


async def test_an_attachment_in_the_feed_links_to_its_download(signed_in, services, customer, case):
    async def chunks():
        yield b"candidate list"

    attachment = await services.attachments.add_attachment(
        customer, case.number, "list.txt", chunks()
    )
    item = await feed_item(signed_in, case.number, 0)
    url = f"/api/v1/cases/{case.number}/attachments/{attachment.id}"
    assert (item["kind"], item["summary"]) == ("attachment", "added an attachment.")
    assert item["attachment"] == {"id": attachment.id, "name": "list.txt", "size": 14, "url": url}
    page = await page_text(signed_in, f"/my-cases/{case.number}")
    assert f'<a href="{url}" download>list.txt</a>' in page
