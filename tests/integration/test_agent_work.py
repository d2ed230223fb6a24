"""The agent's side of case work: the queue list, replies, status, calls and queues,
through the API and through the pages' plain forms."""

from __future__ import annotations

from datetime import datetime

import pytest

from frontdesk.accounts.models import Role
from frontdesk.cases.models import Channel, Status
from tests.factories import EXAMS_OFFICERS_QUEUE, make_user, open_case, outbox_messages
from tests.helpers import api, csrf_token, login_as


@pytest.fixture
async def staff(client, agent):
    await login_as(client, agent.username)
    return client


@pytest.fixture
async def case(services, customer):
    # The contact email given in Contact Us, not the account's: replies go there.
    return await open_case(services, customer, email="exams@northfield.sch.uk")


async def detail(client, number):
    response = await client.get(f"/api/v1/cases/{number}")
    assert response.status_code == 200
    return await response.get_json()


async def newest(client, number):
    response = await client.get(f"/api/v1/cases/{number}/feed")
    return (await response.get_json())["items"][0]


async def error_of(response, status):
    body = await response.get_json()
    assert response.status_code == status, body
    return body["error"]


# Replies -------------------------------------------------------------------------------------


async def test_a_reply_goes_into_the_feed_and_by_email_to_the_contact(
    services, staff, case, customer
):
    response = await api(staff, "POST", f"/api/v1/cases/{case.number}/replies", {"body": "Sent"})
    assert response.status_code == 201
    assert (await response.get_json())["status"] == "in_progress"  # New moves on
    feed = (await (await staff.get(f"/api/v1/cases/{case.number}/feed")).get_json())["items"]
    reply = next(item for item in feed if item["kind"] == "reply")
    assert (reply["actor_name"], reply["actor_role"], reply["body"]) == (
        "Sam Agent",
        "Agent",
        "Sent",
    )
    [mail] = [
        m for m in await outbox_messages(services, "exams@northfield.sch.uk") if "Re:" in m.subject
    ]
    assert case.number in mail.subject and "Sent" in mail.body
    assert [m for m in await outbox_messages(services, customer.email) if "Re:" in m.subject] == []


async def test_an_empty_reply_is_refused_and_changes_nothing(staff, case, store_counts):
    before = await store_counts()
    response = await api(staff, "POST", f"/api/v1/cases/{case.number}/replies", {"body": " "})
    assert (await error_of(response, 422))["fields"] == {"body": "Write a reply first"}
    assert await store_counts() == before


@pytest.mark.parametrize("status", [Status.CLOSED, Status.RESOLVED])
async def test_closed_and_resolved_cases_refuse_replies(
    services, staff, case, agent, store_counts, status
):
    await services.case_work.change_status(agent, case.number, status)
    before = await store_counts()
    response = await api(staff, "POST", f"/api/v1/cases/{case.number}/replies", {"body": "Hi"})
    assert (await error_of(response, 409))["code"] == "CASE_CLOSED"
    assert await store_counts() == before


# Status ---------------------------------------------------------------------------------------


async def test_waiting_on_customer_needs_a_reason(staff, case, store_counts):
    before = await store_counts()
    path = f"/api/v1/cases/{case.number}/status"
    for reason in (None, "", "   "):
        response = await api(
            staff, "POST", path, {"status": "waiting_on_customer", "reason": reason}
        )
        error = await error_of(response, 422)
        assert (error["code"], list(error["fields"])) == ("REASON_REQUIRED", ["reason"])
    assert await store_counts() == before
    assert (await detail(staff, case.number))["status"] == "new"


async def test_waiting_on_customer_shows_the_reason_in_the_case_and_feed(staff, case):
    path = f"/api/v1/cases/{case.number}/status"
    body = {"status": "waiting_on_customer", "reason": "Send the candidate numbers"}
    response = await api(staff, "POST", path, body)
    assert response.status_code == 200
    found = await response.get_json()
    assert (found["status_label"], found["waiting_reason"]) == (
        "Waiting on Customer",
        "Send the candidate numbers",
    )
    item = await newest(staff, case.number)
    assert item["change"] == {"field": "Status", "old": "New", "new": "Waiting on Customer"}
    assert item["reason"] == "Send the candidate numbers"
    # Leaving Waiting on Customer clears the reason.
    await api(staff, "POST", path, {"status": "in_progress"})
    assert (await detail(staff, case.number))["waiting_reason"] is None


async def test_closing_sets_the_closed_time(staff, case, clock):
    clock.advance(hours=26)
    response = await api(staff, "POST", f"/api/v1/cases/{case.number}/status", {"status": "closed"})
    found = await response.get_json()
    assert datetime.fromisoformat(found["closed_at"]) == clock.now()
    assert found["closed_uk"] == "16/06/2026 13:00"
    # A closed case stays closed.
    again = await api(
        staff, "POST", f"/api/v1/cases/{case.number}/status", {"status": "in_progress"}
    )
    assert (await error_of(again, 409))["code"] == "CASE_CLOSED"


@pytest.mark.parametrize("status", ["new", "lost", ""])
async def test_a_case_cannot_be_set_to_new_or_a_made_up_status(staff, case, status, store_counts):
    before = await store_counts()
    response = await api(staff, "POST", f"/api/v1/cases/{case.number}/status", {"status": status})
    assert "status" in (await error_of(response, 422))["fields"]
    assert await store_counts() == before


# Calls and queues -----------------------------------------------------------------------------


async def test_a_call_is_logged_on_a_call_case(services, staff, customer):
    case = await open_case(services, customer, channel=Channel.CALL)
    response = await api(staff, "POST", f"/api/v1/cases/{case.number}/calls", {"notes": "Rang"})
    assert response.status_code == 201
    assert (await response.get_json())["status"] == "in_progress"
    item = (await (await staff.get(f"/api/v1/cases/{case.number}/feed")).get_json())["items"][1]
    assert (item["kind"], item["summary"], item["body"]) == (
        "call_logged",
        "logged a call.",
        "Rang",
    )
    found = await services.cases.access_case(customer, case.number)
    assert found.call_logged_at is not None


async def test_calls_are_logged_on_call_cases_only(staff, case, store_counts):
    before = await store_counts()
    response = await api(staff, "POST", f"/api/v1/cases/{case.number}/calls", {"notes": "Rang"})
    assert (await error_of(response, 409))["code"] == "NOT_A_CALL_CASE"
    assert await store_counts() == before


async def test_empty_call_notes_are_refused_on_their_field(services, staff, customer):
    case = await open_case(services, customer, channel=Channel.CALL)
    response = await api(staff, "POST", f"/api/v1/cases/{case.number}/calls", {"notes": ""})
    assert list((await error_of(response, 422))["fields"]) == ["notes"]


async def test_moving_a_case_changes_its_owner_in_the_feed(staff, case):
    path = f"/api/v1/cases/{case.number}/queue"
    response = await api(staff, "POST", path, {"queue": "Northgate: Finance"})
    assert (await response.get_json())["owner_queue"] == "Northgate: Finance"
    assert (await newest(staff, case.number))["change"] == {
        "field": "Case Owner",
        "old": EXAMS_OFFICERS_QUEUE,
        "new": "Northgate: Finance",
    }
    unknown = await api(staff, "POST", path, {"queue": "Nowhere"})
    assert list((await error_of(unknown, 422))["fields"]) == ["queue"]


async def test_queues_lists_every_queue_and_mine(services, staff, agent):
    await services.case_work.set_agent_queues(agent, ["Northgate: Finance"])
    found = await (await staff.get("/api/v1/agent/queues")).get_json()
    assert found["mine"] == ["Northgate: Finance"]
    assert {"Northgate: Finance", EXAMS_OFFICERS_QUEUE} <= set(found["queues"])
    assert found["queues"] == sorted(found["queues"])


# The queue list --------------------------------------------------------------------------------


@pytest.fixture
async def queue_cases(services, customer, clock):
    """Reply in 10, 2 and 5 working days, opened in that order."""
    complaint = await open_case(
        services, customer, issue_type="Complaints", category="Complaint",
        subcategory="Service Complaint",
    )  # fmt: skip
    clock.advance(minutes=1)
    certificates = await open_case(services, customer)
    clock.advance(minutes=1)
    special = await open_case(
        services, customer, issue_type="Special Considerations",
        category="Special Consideration Requests", subcategory="Outcomes",
    )  # fmt: skip
    return [certificates.number, special.number, complaint.number]


async def test_the_queue_lists_the_soonest_reply_by_first_and_flags_breaches(
    services, staff, queue_cases, clock
):
    found = await (await staff.get("/api/v1/agent/cases")).get_json()
    assert [item["number"] for item in found["items"]] == queue_cases
    assert [item["breached"] for item in found["items"]] == [False, False, False]

    first_due = datetime.fromisoformat(found["items"][0]["reply_by"])
    clock.set(first_due)  # due, not yet past
    found = await (await staff.get("/api/v1/agent/cases")).get_json()
    assert [item["breached"] for item in found["items"]] == [False, False, False]
    clock.advance(minutes=1)
    found = await (await staff.get("/api/v1/agent/cases")).get_json()
    assert [item["breached"] for item in found["items"]] == [True, False, False]


@pytest.mark.both_stores
async def test_the_queue_leaves_out_closed_cases_and_pages(services, staff, agent, queue_cases):
    await services.case_work.change_status(agent, queue_cases[1], Status.CLOSED)
    first = await (await staff.get("/api/v1/agent/cases?page_size=1")).get_json()
    second = await (await staff.get("/api/v1/agent/cases?page_size=1&page=2")).get_json()
    assert (first["total"], first["pages"]) == (2, 2)
    assert [first["items"][0]["number"], second["items"][0]["number"]] == [
        queue_cases[0],
        queue_cases[2],
    ]


async def test_the_queue_shows_the_queues_i_serve_or_the_one_chosen(
    services, staff, agent, queue_cases
):
    complaint = queue_cases[2]
    await services.case_work.set_agent_queues(agent, ["Northgate: Customer Complaints"])
    mine = await (await staff.get("/api/v1/agent/cases")).get_json()
    assert [item["number"] for item in mine["items"]] == [complaint]
    chosen = await (await staff.get(f"/api/v1/agent/cases?queue={EXAMS_OFFICERS_QUEUE}")).get_json()
    assert [item["number"] for item in chosen["items"]] == queue_cases[:1]
    unknown = await staff.get("/api/v1/agent/cases?queue=Nowhere")
    assert list((await error_of(unknown, 422))["fields"]) == ["queue"]


# The pages, without JavaScript ---------------------------------------------------------------


async def post_form(client, path, **fields):
    return await client.post(path, form={"csrf_token": await csrf_token(client), **fields})


async def page_text(client, path, status=200):
    response = await client.get(path)
    assert response.status_code == status
    return await response.get_data(as_text=True)


async def test_the_agent_console_marks_breaches_in_words(services, staff, queue_cases, clock):
    page = await page_text(staff, "/agent")
    assert page.index(queue_cases[0]) < page.index(queue_cases[1]) < page.index(queue_cases[2])
    flag = '<span aria-hidden="true">⚠</span> Overdue</strong>'  # the row's mark, not a tab
    assert flag not in page
    clock.advance(days=3)  # past the first reply-by (two working days)
    page = await page_text(staff, "/agent")
    assert page.count(flag) == 1
    assert "1 past its reply-by time" in page


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
async def test_staff_see_the_agent_console_in_the_menu(client, services, role):
    user = await make_user(services, role)
    await login_as(client, user.username)
    page = await page_text(client, "/")
    assert page.count('href="/agent"') == 2  # the top menu and More
    assert (await client.get("/agent")).status_code == 200


async def test_customers_do_not_see_the_agent_console(client, customer):
    await login_as(client, customer.username)
    assert 'href="/agent"' not in await page_text(client, "/")


async def test_a_reply_form_posts_and_redirects_with_a_notice(services, staff, case):
    response = await post_form(staff, f"/agent/cases/{case.number}/reply", body="All sent today")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/agent/cases/{case.number}"
    page = await page_text(staff, f"/agent/cases/{case.number}")
    assert "Your reply was added and emailed to the customer" in page
    assert "All sent today" in page


async def test_a_status_form_error_is_tied_to_its_field(staff, case, store_counts):
    before = await store_counts()
    response = await post_form(
        staff, f"/agent/cases/{case.number}/status", status="waiting_on_customer", reason=""
    )
    assert response.status_code == 422
    page = await response.get_data(as_text=True)
    assert 'id="status-reason-error"' in page
    assert 'aria-invalid="true" aria-describedby="status-reason-error' in page
    assert 'href="#status-reason"' in page  # the summary links to the field
    assert '<option value="waiting_on_customer" selected>' in page  # the choice is kept
    assert await store_counts() == before


async def test_status_and_queue_forms_change_the_case(services, staff, case, customer):
    path = f"/agent/cases/{case.number}"
    response = await post_form(
        staff, f"{path}/status", status="waiting_on_customer", reason="Need the centre number"
    )
    assert response.status_code == 302
    assert (await post_form(staff, f"{path}/queue", queue="Northgate: Finance")).status_code == 302
    found = await services.cases.access_case(customer, case.number)
    assert (found.status, found.waiting_reason, found.owner_queue) == (
        Status.WAITING_ON_CUSTOMER,
        "Need the centre number",
        "Northgate: Finance",
    )


async def test_the_call_form_shows_only_on_call_cases(services, staff, case, customer):
    assert "Log a call" not in await page_text(staff, f"/agent/cases/{case.number}")
    call = await open_case(services, customer, channel=Channel.CALL)
    assert "Log a call" in await page_text(staff, f"/agent/cases/{call.number}")
    response = await post_form(staff, f"/agent/cases/{call.number}/call", notes="")
    assert response.status_code == 422
    assert 'id="call-notes-error"' in await response.get_data(as_text=True)
    assert (
        await post_form(staff, f"/agent/cases/{call.number}/call", notes="Rang")
    ).status_code == 302


async def test_a_reply_form_on_a_closed_case_shows_why(services, staff, case, agent):
    await services.case_work.change_status(agent, case.number, Status.CLOSED)
    response = await post_form(staff, f"/agent/cases/{case.number}/reply", body="Hello")
    assert response.status_code == 409
    assert "This case is closed" in await response.get_data(as_text=True)
