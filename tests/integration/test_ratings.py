"""Customer satisfaction over real sockets and HTTP: the customer rates an answered chat
once it ends (nobody else can), a resolved message or call case by its emailed link
(signed, one rating, changeable for a day); staff see each rating in the case's activity;
supervisors read the figures per group and per agent, pushed live (across nodes too),
in the API and in /metrics."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from frontdesk.accounts import tokens
from frontdesk.accounts.models import Role
from frontdesk.cases.models import ActivityKind, Channel, Status
from frontdesk.db.tables import ratings
from tests.factories import PASSWORD, open_case, outbox_messages
from tests.integration.chat_clients import ChatClient, Clients, chat_case, error_of, person
from tests.integration.test_ops import sample
from tests.live import LiveServer

GROUP = "centres"  # the customer group of tests.factories' cases (Exams Officers)
RECOUNT_SECONDS = 0.05
LINK = re.compile(r"https?://\S+/rate/(\S+)")


@pytest.fixture
def server(servers) -> LiveServer:
    return servers.start(case_figures_seconds=RECOUNT_SECONDS)


async def csat_where(sue: ChatClient, holds) -> dict[str, Any]:
    """The first pushed figures that `holds` (earlier pushes skipped)."""
    while True:
        figures = await sue.next("csat_changed")
        if holds(figures):
            return figures


def of_group(figures: dict[str, Any], group: str = GROUP) -> dict[str, Any]:
    return next(row for row in figures["groups"] if row["group"] == group)


def of_agent(figures: dict[str, Any], agent_id: int) -> dict[str, Any]:
    return next(row for row in figures["agents"] if row["agent_id"] == agent_id)


async def rating_items(server: LiveServer, viewer, number: str) -> list[str]:
    feed = await server.acall(lambda: server.services.cases.feed(viewer, number))
    return [item.body for item in feed if item.kind is ActivityKind.RATING]


async def rows_of_ratings(server: LiveServer) -> int:
    async def count() -> int:
        async with server.services.engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(ratings))).scalar())

    return await server.acall(count)


async def sign_in(http: httpx.AsyncClient, username: str) -> None:
    token = (await http.get("/api/v1/session")).json()["csrf_token"]
    signed = await http.post(
        "/api/v1/session", json={"username": username, "password": PASSWORD},
        headers={"X-CSRF-Token": token},
    )  # fmt: skip
    assert signed.status_code == 200, signed.text


# The chat window ---------------------------------------------------------------------------


async def test_the_customer_rates_an_ended_chat_and_may_change_it_for_a_day(server, clock):
    ann, bob = await person(server, first_name="Ann"), await person(server, first_name="Bob")
    ben = await person(server, Role.AGENT, first_name="Ben", last_name="Agent")
    supervisor = await person(server, Role.SUPERVISOR)
    case = await chat_case(server, ann)
    async with Clients() as clients:
        sue = await clients.open(server, "/supervisor", supervisor)
        watched = await sue.ok("watch")
        assert watched["csat"] == {"groups": [], "agents": []}
        agent = await clients.open(server, "/agent", ben)
        await agent.ok("set_presence", {"presence": "available"})
        customer = await clients.open(server, "/customer", ann)
        chat_id = (await customer.ok("request_chat", {"case_number": case.number}))["chat"][
            "public_id"
        ]
        await agent.next("chat_offered", chat_id=chat_id)
        await agent.ok("accept_chat", {"chat_id": chat_id})
        rate = {"chat_id": chat_id, "score": 4, "comment": "Quick and kind"}
        assert (await error_of(customer, "rate_chat", rate))["code"] == "NOT_RATABLE"
        await agent.ok("end_chat", {"chat_id": chat_id})
        # Asked as it ended: the response rate counts it before any rating.
        figures = await csat_where(sue, lambda f: f["groups"])
        assert of_group(figures)["today"] == {
            "asked": 1, "rated": 0, "average": None, "response_rate": 0.0
        }  # fmt: skip

        other = await clients.open(server, "/customer", bob)
        assert (await error_of(other, "rate_chat", rate))["code"] == "CHAT_NOT_FOUND"
        assert (await error_of(agent, "rate_chat", rate))["code"] == "UNKNOWN_EVENT"
        for bad in ({"score": 0}, {"score": 6}, {"score": 1.5}, {"comment": "x" * 1001}):
            error = await error_of(customer, "rate_chat", {**rate, **bad})
            assert error["code"] == "INVALID", bad
        assert await rows_of_ratings(server) == 1  # the request, not yet rated

        given = await customer.ok("rate_chat", rate)
        assert (given["score"], given["comment"], given["changeable"]) == (
            4,
            "Quick and kind",
            True,
        )
        figures = await csat_where(sue, lambda f: of_group(f)["today"]["rated"] == 1)
        assert of_group(figures)["today"] == {
            "asked": 1, "rated": 1, "average": 4.0, "response_rate": 1.0
        }  # fmt: skip
        assert of_group(figures)["group_name"] != GROUP  # a name for people
        assert of_agent(figures, ben.id)["name"] == "Ben Agent"
        assert of_agent(figures, ben.id)["week"]["average"] == 4.0

        clock.advance(hours=23, minutes=59)
        changed = await customer.ok("rate_chat", {"chat_id": chat_id, "score": 2})
        assert (changed["score"], changed["comment"]) == (2, None)
        figures = await csat_where(sue, lambda f: of_agent(f, ben.id)["week"]["average"] == 2.0)
        assert of_group(figures)["week"]["rated"] == 1  # one rating per chat, changed
        async with httpx.AsyncClient() as http:
            metrics = (await http.get(f"{server.url}/metrics")).text
        assert sample(metrics, "frontdesk_csat_average", group=GROUP, window="7d") == 2.0
        assert sample(metrics, "frontdesk_csat_responses", group=GROUP, window="7d") == 1.0
        assert sample(metrics, "frontdesk_csat_response_rate", group=GROUP, window="7d") == 1.0
        agent_7d = {"agent_id": str(ben.id), "window": "7d"}
        assert sample(metrics, "frontdesk_csat_agent_average", **agent_7d) == 2.0
        assert sample(metrics, "frontdesk_csat_agent_responses", **agent_7d) == 1.0

        clock.advance(minutes=1)  # a day after the first rating: it stands
        locked = await error_of(customer, "rate_chat", {"chat_id": chat_id, "score": 5})
        assert locked["code"] == "RATING_LOCKED"
    assert await rows_of_ratings(server) == 1

    staff_view = await rating_items(server, ben, case.number)
    assert staff_view == [
        "Changed the rating to 2 of 5 (Dissatisfied) for the chat.",
        "Rated 4 of 5 (Satisfied) for the chat.\nQuick and kind",
    ]
    assert await rating_items(server, ann, case.number) == []  # staff only


async def test_supervisors_read_the_figures_in_the_api(server, clock):
    supervisor = await person(server, Role.SUPERVISOR)
    customer = await person(server)
    async with httpx.AsyncClient(base_url=server.url) as http:
        await sign_in(http, supervisor.username)
        answer = await http.get("/api/v1/csat")
        assert answer.status_code == 200
        assert answer.json() == {"groups": [], "agents": []}
        described = (await http.get("/openapi.json")).json()
        assert "get" in described["paths"]["/api/v1/csat"]
    async with httpx.AsyncClient(base_url=server.url) as http:
        await sign_in(http, customer.username)
        assert (await http.get("/api/v1/csat")).status_code == 404


# The emailed link ---------------------------------------------------------------------------


async def resolve(server: LiveServer, agent, customer, channel: Channel) -> tuple[Any, str | None]:
    """A case of `channel` resolved by `agent`: the case and its emailed rating token."""
    services = server.services
    case = await server.acall(lambda: open_case(services, customer, channel))
    await server.acall(
        lambda: services.case_work.change_status(agent, case.number, Status.RESOLVED)
    )
    mails = await server.acall(lambda: outbox_messages(services, customer.email))
    resolved = [m for m in mails if "is resolved" in m.subject and case.number in m.subject]
    if not resolved:
        return case, None
    found = LINK.search(resolved[-1].body)
    return case, found.group(1) if found else None


async def page(http: httpx.AsyncClient, token: str, **form: Any) -> httpx.Response:
    if not form:
        return await http.get(f"/rate/{token}")
    csrf = (await http.get("/api/v1/session")).json()["csrf_token"]
    return await http.post(f"/rate/{token}", data={"csrf_token": csrf, **form})


@pytest.mark.both_stores  # the case's upsert (ON CONFLICT) and the figures' sums
async def test_a_resolved_case_emails_a_link_that_rates_it_once(server, clock):
    ann = await person(server, first_name="Ann")
    ben = await person(server, Role.AGENT, first_name="Ben", last_name="Agent")
    case, token = await resolve(server, ben, ann, Channel.MESSAGE)
    assert token is not None
    async with Clients() as clients, httpx.AsyncClient(base_url=server.url) as http:
        sue = await clients.open(server, "/supervisor", await person(server, Role.SUPERVISOR))
        await sue.ok("watch")
        shown = await page(http, token)
        assert shown.status_code == 200
        assert case.number in shown.text and "How satisfied were you?" in shown.text
        assert 'type="radio" name="score" value="5"' in shown.text

        no_csrf = await http.post(f"/rate/{token}", data={"score": "5"})
        assert no_csrf.status_code == 403
        assert (await page(http, token, score="9")).status_code == 422
        assert (await page(http, token, comment="x" * 1001, score="3")).status_code == 422
        assert await rating_items(server, ben, case.number) == []

        rated = await page(http, token, score="5", comment="Sorted in a day")
        assert rated.status_code == 200 and "your rating is saved" in rated.text
        figures = await csat_where(sue, lambda f: f["groups"] and of_group(f)["week"]["rated"])
        assert of_agent(figures, ben.id)["week"] == {
            "asked": 1, "rated": 1, "average": 5.0, "response_rate": 1.0
        }  # fmt: skip

        again = await page(http, token)  # used: it shows the rating, still changeable
        assert "5 of 5: Very satisfied" in again.text and "Change my rating" in again.text
        clock.advance(hours=20)
        assert (await page(http, token, score="3")).status_code == 200
        clock.advance(hours=5)
        locked = await page(http, token, score="1")
        assert locked.status_code == 409 and "can no longer be changed" in locked.text
        read_only = await page(http, token)
        assert read_only.status_code == 200 and "3 of 5" in read_only.text
        assert "Change my rating" not in read_only.text

        # Reopened and resolved again: a new link to the same one rating; the old dies.
        work = server.services.case_work
        await server.acall(lambda: work.change_status(ben, case.number, Status.IN_PROGRESS))
        await server.acall(lambda: work.change_status(ben, case.number, Status.RESOLVED))
        mails = await server.acall(lambda: outbox_messages(server.services, ann.email))
        newest = LINK.search(mails[-1].body).group(1)
        assert newest != token and (await page(http, token)).status_code == 404
        assert "3 of 5" in (await page(http, newest)).text
    assert await rating_items(server, ben, case.number) == [
        "Changed the rating to 3 of 5 (Neither satisfied nor dissatisfied) for the case.",
        "Rated 5 of 5 (Very satisfied) for the case.\nSorted in a day",
    ]
    assert await rating_items(server, ann, case.number) == []
    assert await rows_of_ratings(server) == 1


async def test_only_real_fresh_links_open_a_rating(server, clock):
    ann = await person(server)
    ben = await person(server, Role.AGENT)
    call_case, call_token = await resolve(server, ben, ann, Channel.CALL)
    assert call_token is not None  # a call case is asked too
    _, chat_case_token = await resolve(server, ben, ann, Channel.CHAT)
    assert chat_case_token is None  # a chat case's customer is asked in the chat window

    secret = server.services.settings.secret_key
    made_up = tokens.sign(secret, "rating", tokens.new_nonce())  # signed, but never issued
    reset_link = tokens.sign(secret, tokens.RESET, tokens.new_nonce())  # another purpose's
    forged = call_token[:-3] + ("abc" if not call_token.endswith("abc") else "xyz")
    async with httpx.AsyncClient(base_url=server.url) as http:
        for bad in (made_up, reset_link, forged, "nonsense", "x" * 500):
            assert (await page(http, bad)).status_code == 404, bad
            assert (await page(http, bad, score="4")).status_code == 404, bad

        clock.advance(days=server.services.settings.rating_link_days, seconds=1)
        expired = await page(http, call_token)
        assert expired.status_code == 422 and "expired" in expired.text
        assert (await page(http, call_token, score="4")).status_code == 422
    assert await rating_items(server, ben, call_case.number) == []


@pytest.mark.redis
async def test_a_rating_on_one_node_is_pushed_to_supervisors_on_another(servers, redis_url):
    one = servers.start(redis_url, case_figures_seconds=RECOUNT_SECONDS)
    two = servers.start(redis_url, case_figures_seconds=RECOUNT_SECONDS)
    ann = await person(one)
    ben = await person(one, Role.AGENT)
    _, token = await resolve(one, ben, ann, Channel.MESSAGE)
    async with Clients() as clients, httpx.AsyncClient(base_url=one.url) as http:
        sue = await clients.open(two, "/supervisor", await person(one, Role.SUPERVISOR))
        await sue.ok("watch")
        assert (await page(http, token, score="4")).status_code == 200
        figures = await csat_where(
            sue, lambda f: f["agents"] and of_agent(f, ben.id)["week"]["rated"]
        )
        assert of_agent(figures, ben.id)["week"]["average"] == 4.0
