"""Staff search cases by words and filters, on SQLite and PostgreSQL alike: any case of
letters, the input's own wildcards taken literally, hostile input a 4xx in the error
shape; and the saved views with their counts."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest

from frontdesk.accounts.models import Role
from frontdesk.cases.models import Channel, Status
from tests.factories import make_user, open_case
from tests.helpers import login_as
from tests.integration.case_tools import error_of, numbers, set_reply_by, signed_in


@pytest.fixture
async def staff(web_app, agent):
    return await signed_in(web_app, agent)


@pytest.fixture
async def found(services, clock):
    """Three cases: Priya's (a 50%_off description), Tom's (a 5000 off one, by phone),
    and Tom's second, moved to another queue."""
    priya = await make_user(services, first_name="Priya", last_name="Sharma",
                            email="priya.sharma@northfield.sch.uk")  # fmt: skip
    tom = await make_user(services, first_name="Tom", last_name="Okafor")
    first = await open_case(services, priya, description="Results for 50%_OFF students please")
    clock.advance(minutes=1)
    second = await open_case(services, tom, Channel.CALL, description="We are owed 5000 off")
    clock.advance(minutes=1)
    third = await open_case(services, tom, description="Another question about results")
    return {"priya": first, "tom": second, "moved": third}


@pytest.mark.both_stores
async def test_words_match_number_customer_email_subject_and_description_in_any_case(staff, found):
    priya, tom = found["priya"].number, found["tom"].number
    assert await numbers(staff, "q=PRIYA") == [priya]
    assert await numbers(staff, "q=sharma+priya") == [priya]
    assert await numbers(staff, "q=NORTHFIELD.SCH") == [priya]
    assert await numbers(staff, f"q={tom}") == [tom]
    assert len(await numbers(staff, "q=certificate+receipt")) == 3  # the subject
    assert await numbers(staff, "q=owed") == [tom]
    assert await numbers(staff, "q=nobody+here") == []


@pytest.mark.both_stores
async def test_wildcards_in_the_words_are_taken_literally(staff, found):
    assert await numbers(staff, "q=" + quote("50%_off")) == [found["priya"].number]
    assert await numbers(staff, "q=" + quote("%")) == [found["priya"].number]
    assert await numbers(staff, "q=" + quote("_")) == [found["priya"].number]
    assert await numbers(staff, "q=" + quote("\\")) == []


@pytest.mark.both_stores
async def test_each_filter_narrows_the_search(services, staff, agent, found, clock):
    priya, tom, moved = (found[k] for k in ("priya", "tom", "moved"))
    other_queue = next(q for q in services.intake.queues() if q != moved.owner_queue)
    await services.case_work.move_case(agent, moved.number, other_queue)
    await services.case_work.change_status(agent, tom.number, Status.WAITING_ON_CUSTOMER, "ID")
    await services.assignment.take(agent, priya.number)
    assert await numbers(staff, "queue=" + quote(other_queue)) == [moved.number]
    assert await numbers(staff, "status=waiting_on_customer") == [tom.number]
    assert await numbers(staff, "channel=call") == [tom.number]
    assert await numbers(staff, "assigned=me") == [priya.number]
    assert await numbers(staff, f"assigned={agent.id}") == [priya.number]
    assert await numbers(staff, "assigned=none&sort=number") == sorted([tom.number, moved.number])
    await set_reply_by(services, tom, clock.now() - timedelta(seconds=1))
    await set_reply_by(services, moved, clock.now() + timedelta(hours=3))
    assert await numbers(staff, "due=overdue") == [tom.number]
    assert await numbers(staff, "due=due_soon") == [moved.number]
    assert await numbers(staff, "due=due_soon&within_hours=1") == []
    await services.case_work.change_status(agent, tom.number, Status.CLOSED, None)
    assert await numbers(staff, "due=overdue") == []  # a closed case is never overdue


async def test_results_sort_and_page(staff, found):
    everything = [found[k].number for k in ("priya", "tom", "moved")]
    assert await numbers(staff, "sort=created_at&direction=desc") == everything[::-1]
    assert await numbers(staff, "sort=number") == sorted(everything)
    body = await (
        await staff.get("/api/v1/cases/search?sort=created_at&page=2&page_size=2")
    ).get_json()
    assert ([i["number"] for i in body["items"]], body["total"], body["pages"]) == (
        everything[2:],
        3,
        2,
    )


async def test_a_result_shows_the_customer_the_agent_and_the_flag(
    services, staff, agent, found, clock
):
    await services.assignment.take(agent, found["priya"].number)
    await set_reply_by(services, found["priya"], clock.now())  # due now: not yet overdue
    body = await (await staff.get("/api/v1/cases/search?q=priya")).get_json()
    item = body["items"][0]
    assert item["customer_name"] == "Priya Sharma"
    assert item["assigned_agent_name"] == "Sam Agent"
    assert (item["reply_flag"], item["reply_flag_label"], item["breached"]) == (
        "due_soon",
        "Due soon",
        False,
    )
    clock.advance(microseconds=1)
    item = (await (await staff.get("/api/v1/cases/search?q=priya")).get_json())["items"][0]
    assert (item["reply_flag"], item["reply_flag_label"]) == ("overdue", "Overdue")


@pytest.mark.parametrize(
    "query",
    ["q=a%00b", "page=99999999999999999999", "page=0", "page_size=1000", "sort=password",
     "status=lost", "assigned=everyone", "within_hours=-1", "colour=red", "queue=Nowhere",
     "queue=a%00b"],
)  # fmt: skip
async def test_hostile_input_is_a_4xx_in_the_error_shape(staff, query):
    response = await staff.get(f"/api/v1/cases/search?{query}")
    assert 400 <= response.status_code < 500
    await error_of(response, response.status_code)
    page = await staff.get(f"/agent/search?{query}")
    assert 400 <= page.status_code < 500


async def test_customers_are_told_there_is_nothing_there(client, customer, found):
    await login_as(client, customer.username)
    for path in ["/api/v1/cases/search?q=x", "/api/v1/agent/views", "/agent/search?q=x",
                 "/agent?view=mine"]:  # fmt: skip
        assert (await client.get(path)).status_code == 404, path


# Saved views --------------------------------------------------------------------------------


@pytest.mark.both_stores
async def test_views_hold_what_they_say_and_count_it(services, staff, agent, found, clock):
    priya, tom, moved = (found[k] for k in ("priya", "tom", "moved"))
    await services.assignment.take(agent, priya.number)
    await services.case_work.change_status(agent, tom.number, Status.WAITING_ON_CUSTOMER, "ID")
    await set_reply_by(services, moved, clock.now() - timedelta(minutes=1))
    views = (await (await staff.get("/api/v1/agent/views")).get_json())["views"]
    assert {v["view"]: (v["count"], v["url"]) for v in views} == {
        "mine": (1, "/agent?view=mine"),
        "unassigned": (2, "/agent?view=unassigned"),
        "overdue": (1, "/agent?view=overdue"),
        "waiting": (1, "/agent?view=waiting"),
    }
    assert await numbers(staff, "view=mine") == [priya.number]
    assert await numbers(staff, "view=overdue") == [moved.number]
    assert await numbers(staff, "view=waiting") == [tom.number]
    page = await (await staff.get("/agent?view=mine")).get_data(as_text=True)
    assert priya.number in page and tom.number not in page
    assert 'aria-current="page">Mine <span class="view-count">1' in page


async def test_unassigned_is_of_my_queues_but_mine_is_everywhere(services, staff, agent, found):
    priya = found["priya"]
    other = next(q for q in services.intake.queues() if q != priya.owner_queue)
    await services.case_work.set_agent_queues(agent, [other])
    await services.assignment.take(agent, priya.number)
    assert await numbers(staff, "view=unassigned") == []
    assert await numbers(staff, "view=mine") == [priya.number]


async def test_the_search_page_works_without_javascript(staff, found):
    page = await (await staff.get("/agent/search?q=priya&sort=number")).get_data(as_text=True)
    assert found["priya"].number in page and found["tom"].number not in page
    assert "1 case found" in page
    assert 'aria-sort="ascending"' in page  # the number column, sorted by
    assert (await staff.get("/agent/search")).status_code == 200


async def test_supervisors_and_admins_search_too(web_app, services, found):
    for role in (Role.SUPERVISOR, Role.ADMIN):
        person = await make_user(services, role)
        client = await signed_in(web_app, person)
        assert len(await numbers(client, "q=results")) == 2


async def test_the_openapi_description_lists_the_case_tools(client):
    described = await (await client.get("/openapi.json")).get_json()
    paths = described["paths"]
    search = paths["/api/v1/cases/search"]["get"]
    assert {"q", "queue", "status", "assigned", "due", "view", "page"} <= {
        p["name"] for p in search["parameters"]
    }
    assert "put" in paths["/api/v1/cases/{number}/assignee"]
    assert "get" in paths["/api/v1/agent/views"]
