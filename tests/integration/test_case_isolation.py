"""A customer only ever sees their own cases: every case route answers another customer's
case, or a number that does not exist, with 404 CASE_NOT_FOUND and changes nothing."""

from __future__ import annotations

import pytest

from frontdesk.accounts.models import Role
from tests.factories import make_user, open_case
from tests.helpers import api, csrf_token, login_as

# Who may reach a case is the services' rule, the same on either store; the list of a
# customer's cases is the store's query, so that one runs on both (both_stores).

UNKNOWN_NUMBERS = ["99999999", "0", "not-a-case"]

# (method, path, JSON body, the owner's answer); {n} is the case number, {a} an activity.
API_ROUTES = [
    ("GET", "/api/v1/cases/{n}", None, 200),
    ("GET", "/api/v1/cases/{n}/feed", None, 200),
    ("GET", "/api/v1/cases/{n}/feed?order=oldest", None, 200),
    ("POST", "/api/v1/cases/{n}/activities/{a}/comments", {"body": "Hello"}, 201),
    ("PUT", "/api/v1/cases/{n}/activities/{a}/like", None, 204),
    ("DELETE", "/api/v1/cases/{n}/activities/{a}/like", None, 204),
]
PAGE_ROUTES = [
    ("GET", "/my-cases/{n}", None, 200),
    ("GET", "/my-cases/{n}/feed", None, 200),
    ("POST", "/my-cases/{n}/activities/{a}/like", {"liked": "true"}, 302),
    ("POST", "/my-cases/{n}/activities/{a}/comments", {"body": "Hello"}, 302),
    # A form with no file in it: the owner is told to choose one.
    ("POST", "/my-cases/{n}/attachments", {"order": "newest"}, 422),
]
# Staff work: a customer may not call these at all, whoever's case it is.
STAFF_ROUTES = [
    ("POST", "/api/v1/cases/{n}/replies", {"body": "Hi"}),
    ("POST", "/api/v1/cases/{n}/status", {"status": "closed"}),
    ("POST", "/api/v1/cases/{n}/calls", {"notes": "Rang"}),
    ("POST", "/api/v1/cases/{n}/queue", {"queue": "Northgate: Finance"}),
    ("POST", "/api/v1/cases/{n}/notes", {"body": "Staff only"}),
    ("GET", "/api/v1/agent/cases", None),
    ("GET", "/api/v1/agent/queues", None),
]
STAFF_PAGES = [
    ("GET", "/agent", None),
    ("GET", "/agent/cases/{n}", None),
    ("GET", "/agent/cases/{n}/feed", None),
    ("POST", "/agent/cases/{n}/reply", {"body": "Hi"}),
    ("POST", "/agent/cases/{n}/status", {"status": "closed"}),
    ("POST", "/agent/cases/{n}/call", {"notes": "Rang"}),
    ("POST", "/agent/cases/{n}/queue", {"queue": "Northgate: Finance"}),
    ("POST", "/agent/cases/{n}/note", {"body": "Staff only"}),
    ("POST", "/agent/cases/{n}/activities/{a}/like", {"liked": "true"}),
    ("POST", "/agent/cases/{n}/activities/{a}/comments", {"body": "Hi"}),
]


def route_id(route):
    return f"{route[0]} {route[1]}"


@pytest.fixture
async def owner(services):
    return await make_user(services)


@pytest.fixture
async def stranger(services):
    return await make_user(services)


@pytest.fixture
async def case(services, owner):
    return await open_case(services, owner)


@pytest.fixture
async def activity_id(services, owner, case):
    return (await services.cases.feed(owner, case.number))[0].id


async def call_api(client, method, path, body):
    if method == "GET":
        return await client.get(path)
    return await api(client, method, path, body)


async def post_form(client, path, fields):
    form = {"csrf_token": await csrf_token(client), **(fields or {})}
    return await client.post(path, form=form)


async def case_state(services, owner, case):
    found = await services.cases.access_case(owner, case.number)
    feed = await services.cases.feed(owner, case.number)
    return found, [(a.id, a.likes, len(a.comments)) for a in feed]


@pytest.mark.parametrize("who", ["owner", "stranger"])
@pytest.mark.parametrize("route", API_ROUTES, ids=route_id)
async def test_case_api_routes_answer_only_the_owner(
    client, services, owner, stranger, case, activity_id, store_counts, who, route
):
    method, path, body, owners_answer = route
    await login_as(client, (owner if who == "owner" else stranger).username)
    before = await store_counts(), await case_state(services, owner, case)

    response = await call_api(client, method, path.format(n=case.number, a=activity_id), body)

    if who == "owner":
        assert response.status_code == owners_answer, await response.get_data(as_text=True)
        return
    assert response.status_code == 404
    assert (await response.get_json())["error"]["code"] == "CASE_NOT_FOUND"
    assert (await store_counts(), await case_state(services, owner, case)) == before


@pytest.mark.parametrize("who", ["owner", "stranger"])
@pytest.mark.parametrize("route", PAGE_ROUTES, ids=route_id)
async def test_case_pages_answer_only_the_owner(
    client, services, owner, stranger, case, activity_id, store_counts, who, route
):
    method, path, fields, owners_answer = route
    await login_as(client, (owner if who == "owner" else stranger).username)
    before = await store_counts(), await case_state(services, owner, case)
    path = path.format(n=case.number, a=activity_id)

    if method == "GET":
        response = await client.get(path)
    else:
        response = await post_form(client, path, fields)

    if who == "owner":
        assert response.status_code == owners_answer
        return
    assert response.status_code == 404
    page = await response.get_data(as_text=True)
    assert "We could not find that case" in page
    assert case.subject not in page and case.number not in page
    assert (await store_counts(), await case_state(services, owner, case)) == before


@pytest.mark.both_stores
async def test_my_cases_lists_none_of_the_strangers_cases(client, services, case, stranger):
    await login_as(client, stranger.username)
    found = await (await client.get("/api/v1/cases")).get_json()
    assert (found["items"], found["total"]) == ([], 0)
    page = await (await client.get("/my-cases")).get_data(as_text=True)
    assert case.number not in page
    assert "You have no cases yet" in page


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.AGENT])
async def test_an_unknown_case_number_is_not_found(client, services, role):
    user = await make_user(services, role)
    await login_as(client, user.username)
    answers = {}
    for number in UNKNOWN_NUMBERS:
        for method, path, body, _ in API_ROUTES:
            response = await call_api(client, method, path.format(n=number, a=1), body)
            answers[f"{method} {path} {number}"] = (
                response.status_code,
                (await response.get_json())["error"]["code"],
            )
    assert set(answers.values()) == {(404, "CASE_NOT_FOUND")}, answers


@pytest.mark.parametrize("route", STAFF_ROUTES[:5], ids=route_id)
async def test_staff_routes_on_an_unknown_case_are_not_found(client, services, route):
    agent = await make_user(services, Role.AGENT)
    await login_as(client, agent.username)
    method, path, body = route
    response = await call_api(client, method, path.format(n="99999999"), body)
    assert response.status_code == 404
    assert (await response.get_json())["error"]["code"] == "CASE_NOT_FOUND"


@pytest.mark.parametrize("who", ["owner", "stranger"])
@pytest.mark.parametrize("route", STAFF_ROUTES, ids=route_id)
async def test_customers_may_not_call_staff_routes(
    client, services, owner, stranger, case, store_counts, who, route
):
    await login_as(client, (owner if who == "owner" else stranger).username)
    before = await store_counts(), await case_state(services, owner, case)
    method, path, body = route
    response = await call_api(client, method, path.format(n=case.number), body)
    # Staff-only: to a customer the route does not exist, whoever's case it names.
    assert response.status_code == 404
    assert (await response.get_json())["error"]["code"] == "NOT_FOUND"
    assert (await store_counts(), await case_state(services, owner, case)) == before


@pytest.mark.parametrize("route", STAFF_PAGES, ids=route_id)
async def test_customers_may_not_open_staff_pages(
    client, services, owner, case, activity_id, store_counts, route
):
    await login_as(client, owner.username)
    before = await store_counts(), await case_state(services, owner, case)
    method, path, fields = route
    path = path.format(n=case.number, a=activity_id)
    if method == "GET":
        response = await client.get(path)
    else:
        response = await post_form(client, path, fields)
    assert response.status_code == 404
    assert (await store_counts(), await case_state(services, owner, case)) == before
