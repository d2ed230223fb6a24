"""Routing over real sockets: offers that lapse or are declined, capacity, idle order,
office hours, waits that run out, transfers, and what one customer may not touch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from frontdesk.accounts.models import Role
from frontdesk.business_hours import uk_datetime
from frontdesk.cases.models import ActivityKind, Channel
from tests.factories import outbox_messages
from tests.integration.chat_clients import (
    Clients,
    chat_case,
    error_of,
    offered_to,
    person,
    queue_place,
)
from tests.live import LiveServer

# The clock's day is Monday 15 June 2026 (BST, UTC+1): chat runs 09:00-17:00 UK time.
CLOSING = datetime(2026, 6, 15, 16, 0, tzinfo=UTC)
NEXT_OPENING = datetime(2026, 6, 16, 8, 0, tzinfo=UTC)
SUNDAY_NIGHT = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)  # GMT: UK time is UTC


@pytest.fixture
def fast_server(servers) -> LiveServer:
    """A server whose sweep looks for due deadlines every 50 ms of real time."""
    return servers.start(chat_sweep_seconds=0.05)


def unavailable_reply_by_uk(unavailable: dict) -> str:
    return uk_datetime(datetime.fromisoformat(unavailable["reply_by"]))


async def test_a_lapsed_offer_goes_to_the_next_agent_before_the_one_who_let_it_lapse(
    fast_server, clock
):
    server = fast_server
    customer = await person(server)
    first = await person(server, Role.AGENT)
    second = await person(server, Role.AGENT)
    case = await chat_case(server, customer)
    async with Clients() as clients:
        ann = await clients.open(server, "/customer", customer)
        one = await clients.open(server, "/agent", first)
        two = await clients.open(server, "/agent", second)
        await one.ok("set_presence", {"presence": "available"})
        chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
        await one.next("chat_offered", chat_id=chat_id)
        await two.ok("set_presence", {"presence": "available"})
        assert await offered_to(server, chat_id) == first.id

        clock.advance(seconds=server.services.settings.chat_offer_seconds + 1)
        withdrawn = await one.next("offer_withdrawn", chat_id=chat_id)
        assert withdrawn["reason"] == "lapsed"
        changed = await one.next("presence_changed")
        assert changed["settings"]["presence"] == "away"
        await two.next("chat_offered", chat_id=chat_id)
        assert await offered_to(server, chat_id) == second.id

        # The second declines and steps away; the first, available again within the
        # cool-down, is not offered it yet, and is once the cool-down is over.
        await two.ok("decline_chat", {"chat_id": chat_id})
        await two.ok("set_presence", {"presence": "away"})
        await one.ok("set_presence", {"presence": "available"})
        assert await offered_to(server, chat_id) is None
        assert await queue_place(server, chat_id) == 1
        assert one.events["chat_offered"].empty()
        clock.advance(seconds=server.services.settings.chat_reoffer_seconds)
        await one.next("chat_offered", chat_id=chat_id)
        assert two.events["chat_offered"].empty()


async def test_a_desk_of_one_is_offered_a_lapsed_chat_again_and_the_customer_served(
    fast_server, clock
):
    server = fast_server
    settings = server.services.settings
    customer = await person(server)
    only = await person(server, Role.AGENT)
    case = await chat_case(server, customer)
    async with Clients() as clients:
        ann = await clients.open(server, "/customer", customer)
        ben = await clients.open(server, "/agent", only)
        await ben.ok("set_presence", {"presence": "available"})
        chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
        await ben.next("chat_offered", chat_id=chat_id)
        clock.advance(seconds=settings.chat_offer_seconds)
        assert (await ben.next("offer_withdrawn", chat_id=chat_id))["reason"] == "lapsed"
        assert (await ben.next("presence_changed"))["settings"]["presence"] == "away"

        # Back at once: the cool-down runs first, then the chat is his again.
        await ben.ok("set_presence", {"presence": "available"})
        assert await offered_to(server, chat_id) is None
        clock.advance(seconds=settings.chat_reoffer_seconds - 1)
        assert await offered_to(server, chat_id) is None
        clock.advance(seconds=1)
        await ben.next("chat_offered", chat_id=chat_id)
        await ben.ok("accept_chat", {"chat_id": chat_id})
        await ann.next("chat_accepted", chat_id=chat_id, agent_name=only.display_name)


async def test_an_agent_back_after_the_cool_down_is_offered_the_declined_chat_at_once(
    live_server, clock
):
    server = live_server
    customer = await person(server)
    only = await person(server, Role.AGENT)
    case = await chat_case(server, customer)
    async with Clients() as clients:
        ann = await clients.open(server, "/customer", customer)
        ben = await clients.open(server, "/agent", only)
        await ben.ok("set_presence", {"presence": "available"})
        chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
        await ben.next("chat_offered", chat_id=chat_id)
        await ben.ok("decline_chat", {"chat_id": chat_id})
        await ben.ok("set_presence", {"presence": "away"})
        clock.advance(seconds=server.services.settings.chat_reoffer_seconds)
        await ben.ok("set_presence", {"presence": "available"})
        await ben.next("chat_offered", chat_id=chat_id)


async def test_a_declined_offer_goes_to_the_next_agent_not_back_within_the_cool_down(
    live_server, clock
):
    server = live_server
    customer = await person(server)
    first = await person(server, Role.AGENT)
    second = await person(server, Role.AGENT)
    case = await chat_case(server, customer)
    async with Clients() as clients:
        ann = await clients.open(server, "/customer", customer)
        one = await clients.open(server, "/agent", first)
        two = await clients.open(server, "/agent", second)
        await one.ok("set_presence", {"presence": "available"})
        clock.advance(seconds=1)
        await two.ok("set_presence", {"presence": "available"})
        chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
        await one.next("chat_offered", chat_id=chat_id)  # idle the longest

        assert await one.ok("decline_chat", {"chat_id": chat_id}) == {}
        await two.next("chat_offered", chat_id=chat_id)
        assert await offered_to(server, chat_id) == second.id

        again = await error_of(one, "decline_chat", {"chat_id": chat_id})
        assert again["code"] == "OFFER_GONE"
        await two.ok("decline_chat", {"chat_id": chat_id})
        assert await offered_to(server, chat_id) is None
        assert await queue_place(server, chat_id) == 1
        assert one.events["chat_offered"].empty()
        assert two.events["chat_offered"].empty()


async def test_a_customer_cancelling_withdraws_the_offer(live_server):
    server = live_server
    customer = await person(server)
    agent = await person(server, Role.AGENT)
    case = await chat_case(server, customer)
    async with Clients() as clients:
        ann = await clients.open(server, "/customer", customer)
        sam = await clients.open(server, "/agent", agent)
        await sam.ok("set_presence", {"presence": "available"})
        chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
        await sam.next("chat_offered", chat_id=chat_id)

        ended = await ann.ok("end_chat", {"chat_id": chat_id})
        assert ended["chat"]["status"] == "ended"
        withdrawn = await sam.next("offer_withdrawn", chat_id=chat_id)
        assert withdrawn["reason"] == "cancelled"
        assert await offered_to(server, chat_id) is None
        assert await queue_place(server, chat_id) is None
        gone = await error_of(sam, "accept_chat", {"chat_id": chat_id})
        assert gone["code"] == "OFFER_GONE"


async def test_capacity_limits_offers_and_a_freed_seat_takes_the_oldest(live_server, clock):
    server = live_server
    agent = await person(server, Role.AGENT)
    async with Clients() as clients:
        sam = await clients.open(server, "/agent", agent)
        settings = await sam.ok("set_presence", {"presence": "available", "capacity": 2})
        assert settings["settings"]["capacity"] == 2
        chat_ids = []
        for _ in range(4):
            customer = await person(server)
            case = await chat_case(server, customer)
            client = await clients.open(server, "/customer", customer)
            state = await client.ok("request_chat", {"case_number": case.number})
            chat_ids.append(state["chat"]["public_id"])
            clock.advance(seconds=1)
        await sam.next("chat_offered", chat_id=chat_ids[0])
        await sam.next("chat_offered", chat_id=chat_ids[1])
        assert [await queue_place(server, c) for c in chat_ids] == [0, 0, 1, 2]
        assert sam.events["chat_offered"].empty()

        for chat_id in chat_ids[:2]:
            await sam.ok("accept_chat", {"chat_id": chat_id})
        assert await queue_place(server, chat_ids[2]) == 1  # both seats are still taken
        assert sam.events["chat_offered"].empty()

        await sam.ok("end_chat", {"chat_id": chat_ids[0]})
        await sam.next("chat_offered", chat_id=chat_ids[2])  # the oldest waiting
        assert await offered_to(server, chat_ids[2]) == agent.id
        assert await queue_place(server, chat_ids[3]) == 1
        assert sam.events["chat_offered"].empty()


async def test_the_agent_idle_longest_gets_the_next_request(live_server, clock):
    server = live_server
    first = await person(server, Role.AGENT)
    second = await person(server, Role.AGENT)
    async with Clients() as clients:
        one = await clients.open(server, "/agent", first)
        two = await clients.open(server, "/agent", second)
        await one.ok("set_presence", {"presence": "available"})
        clock.advance(seconds=5)
        await two.ok("set_presence", {"presence": "available"})
        requests = []
        for _ in range(2):
            clock.advance(seconds=5)
            customer = await person(server)
            case = await chat_case(server, customer)
            client = await clients.open(server, "/customer", customer)
            state = await client.ok("request_chat", {"case_number": case.number})
            requests.append(state["chat"]["public_id"])
            # Taking an offer counts as activity: the other agent is next.
        assert await offered_to(server, requests[0]) == first.id
        assert await offered_to(server, requests[1]) == second.id
        await one.next("chat_offered", chat_id=requests[0])
        await two.next("chat_offered", chat_id=requests[1])


async def test_the_demo_group_takes_chats_on_a_sunday_night_and_the_others_wait(servers, clock):
    # The demo environment's taxonomy: a newcomer trying chat at any hour gets an agent
    # in the demo group, while the shipped groups keep their hours and say when they open.
    server = servers.start(env="demo")
    clock.set(SUNDAY_NIGHT)
    customer = await person(server)
    agent = await person(server, Role.AGENT)
    demo_case = await chat_case(server, customer, customer_type="Demo centre (chat at any hour)")
    async with Clients() as clients:
        ann = await clients.open(server, "/customer", customer)
        ben = await clients.open(server, "/agent", agent)
        await ben.ok("set_presence", {"presence": "available"})
        state = await ann.ok("request_chat", {"case_number": demo_case.number})
        offer = await ben.next("chat_offered", chat_id=state["chat"]["public_id"])
        assert offer["group"] == "demo"
        clock.set(SUNDAY_NIGHT - timedelta(days=2, hours=13))  # Friday: chat cases open then
        exams_case = await chat_case(server, customer)
        clock.set(SUNDAY_NIGHT)
        error = await error_of(ann, "request_chat", {"case_number": exams_case.number})
        assert error["code"] == "OUTSIDE_OFFICE_HOURS"
        assert "Chat opens again Monday 07 December at 09:00" in error["message"]


async def test_an_agent_available_while_its_groups_are_closed_is_told_until_when(
    live_server, clock
):
    agent = await person(live_server, Role.AGENT)
    async with Clients() as clients:
        ben = await clients.open(live_server, "/agent", agent)
        clock.set(NEXT_OPENING - timedelta(hours=1))  # Tuesday 08:00 UK time
        closed = await ben.ok("set_presence", {"presence": "available"})
        assert closed["closed_note"] == (
            "Every chat group you serve is closed now, so no chats will be offered until"
            " Tuesday 16 June at 09:00 (UK time)."
        )
        assert (await ben.ok("set_presence", {"presence": "away"}))["closed_note"] is None
        clock.set(NEXT_OPENING)
        assert (await ben.ok("set_presence", {"presence": "available"}))["closed_note"] is None


async def test_a_request_outside_office_hours_is_refused(live_server, clock):
    server = live_server
    customer = await person(server)
    case = await chat_case(server, customer)
    clock.set(CLOSING)  # 17:00 UK time
    async with Clients() as clients:
        ann = await clients.open(server, "/customer", customer)
        error = await error_of(ann, "request_chat", {"case_number": case.number})
        assert error["code"] == "OUTSIDE_OFFICE_HOURS"
        assert datetime.fromisoformat(error["fields"]["next_opening"]) == NEXT_OPENING
    assert (
        await server.acall(lambda: server.services.live.states.open_chat_of_case(case.id)) is None
    )


async def test_asking_again_for_the_same_case_returns_the_open_chat(live_server):
    server = live_server
    customer = await person(server)
    case = await chat_case(server, customer)
    async with Clients() as clients:
        ann = await clients.open(server, "/customer", customer)
        first = await ann.ok("request_chat", {"case_number": case.number})
        again = await ann.ok("request_chat", {"case_number": case.number})
        other_window = await clients.open(server, "/customer", customer)
        third = await other_window.ok("request_chat", {"case_number": case.number})
        # Read while Ann is connected: once her last tab closes, her chat steps out of
        # the line at once (LiveChat.customer_away), and a read after would race it.
        figures = await server.acall(lambda: server.services.queue.snapshot("centres"))
    assert first["chat"]["public_id"] == again["chat"]["public_id"] == third["chat"]["public_id"]
    assert third["position"] == 1
    assert figures["waiting"] == 1


async def test_another_customers_chat_and_case_are_not_found(live_server):
    server = live_server
    owner = await person(server)
    stranger = await person(server)
    case = await chat_case(server, owner)
    async with Clients() as clients:
        ann = await clients.open(server, "/customer", owner)
        eve = await clients.open(server, "/customer", stranger)
        chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
        await ann.send(chat_id, "mine", "m1")

        refused = await error_of(eve, "request_chat", {"case_number": case.number})
        assert refused["code"] == "CASE_NOT_FOUND"
        ref = {"chat_id": chat_id}
        for event, data in [
            ("resume_chat", {"chat_id": chat_id, "last_seq": 0}),
            ("send_message", {"chat_id": chat_id, "body": "hijack", "client_msg_id": "e1"}),
            ("end_chat", ref),
            ("save_chat", ref),
            ("leave_message", {"chat_id": chat_id, "body": "hijack"}),
        ]:
            assert (await error_of(eve, event, data))["code"] == "CHAT_NOT_FOUND", event

        state = await ann.ok("resume_chat", {"chat_id": chat_id, "last_seq": 0})
        assert state["chat"]["status"] == "requested"
        assert [m["body"] for m in state["messages"]] == ["mine"]
        assert state["position"] == 1


async def test_invalid_payloads_are_refused_with_their_fields_and_store_nothing(live_server):
    server = live_server
    customer = await person(server)
    case = await chat_case(server, customer)
    async with Clients() as clients:
        ann = await clients.open(server, "/customer", customer)
        refused = await error_of(ann, "request_chat", {})
        assert refused["code"] == "INVALID"
        assert "case_number" in refused["fields"]
        refused = await error_of(ann, "request_chat", {"case_number": case.number, "x": 1})
        assert refused["code"] == "INVALID"
        assert "x" in refused["fields"]
        open_chat = server.services.live.states.open_chat_of_case
        assert await server.acall(lambda: open_chat(case.id)) is None

        chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
        for data, field in [
            ({"chat_id": chat_id, "body": "   ", "client_msg_id": "m1"}, "body"),
            ({"chat_id": chat_id, "body": "x" * 5001, "client_msg_id": "m1"}, "body"),
            ({"chat_id": chat_id, "body": "hello"}, "client_msg_id"),
            ({"chat_id": "NOT-HEX", "body": "hello", "client_msg_id": "m1"}, "chat_id"),
        ]:
            refused = await error_of(ann, "send_message", data)
            assert refused["code"] == "INVALID", data
            assert field in refused["fields"], refused
        refused = await error_of(ann, "resume_chat", {"chat_id": chat_id, "last_seq": -1})
        assert refused["code"] == "INVALID"
        assert "last_seq" in refused["fields"]

        state = await ann.ok("resume_chat", {"chat_id": chat_id})
        assert state["messages"] == []
        assert state["chat"]["last_seq"] == 0


async def test_a_request_that_waits_too_long_becomes_a_message_case(fast_server, clock):
    server = fast_server
    customer = await person(server)
    case = await chat_case(server, customer)
    async with Clients() as clients:
        ann = await clients.open(server, "/customer", customer)
        chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
        clock.advance(minutes=server.services.settings.chat_max_wait_minutes, seconds=1)
        unavailable = await ann.next("chat_unavailable", chat_id=chat_id)
        assert unavailable["reason"] == "max_wait"
        assert unavailable["case_number"] == case.number
        access = server.services.cases.access_case
        assert (await server.acall(lambda: access(customer, case.number))).channel is (
            Channel.MESSAGE
        )
        state = await ann.ok("resume_chat", {"chat_id": chat_id})
        assert state["chat"]["status"] == "ended"

        # Told by email too, in words that fit: nobody answered in time.
        mails = await server.acall(lambda: outbox_messages(server.services, to=case.contact_email))
        told = [m for m in mails if m.subject == f"Your case {case.number}: we will reply by email"]
        assert len(told) == 1
        assert "No agent could answer in time." in told[0].body
        assert f"by {unavailable_reply_by_uk(unavailable)} (UK time)" in told[0].body
        left = await ann.ok("leave_message", {"chat_id": chat_id, "body": "Please email me"})
        assert left["case_number"] == case.number
        assert left["reply_by"] == unavailable["reply_by"]
    feed = await server.acall(lambda: server.services.cases.feed(customer, case.number))
    left = [item for item in feed if item.kind is ActivityKind.MESSAGE]
    assert [item.body for item in left] == ["Please email me"]


async def test_a_request_still_waiting_when_the_group_closes_ends(fast_server, clock):
    server = fast_server
    customer = await person(server)
    case = await chat_case(server, customer)
    clock.set(datetime(2026, 6, 15, 15, 59, 59, tzinfo=UTC))  # 16:59:59 UK time
    async with Clients() as clients:
        ann = await clients.open(server, "/customer", customer)
        chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
        clock.set(CLOSING)
        unavailable = await ann.next("chat_unavailable", chat_id=chat_id)
        assert unavailable["reason"] == "closed"
        assert unavailable["case_number"] == case.number
    assert await queue_place(server, chat_id) is None


async def test_a_transfer_reaches_an_agent_of_the_other_group_with_the_transcript(live_server):
    server = live_server
    customer = await person(server)
    centres = await person(server, Role.AGENT)
    associates = await person(server, Role.AGENT)
    case = await chat_case(server, customer)
    async with Clients() as clients:
        ann = await clients.open(server, "/customer", customer)
        one = await clients.open(server, "/agent", centres)
        two = await clients.open(server, "/agent", associates)
        await one.ok("set_presence", {"presence": "available", "groups": ["centres"]})
        await two.ok("set_presence", {"presence": "available", "groups": ["associates"]})
        chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
        await one.next("chat_offered", chat_id=chat_id, group="centres")
        await one.ok("accept_chat", {"chat_id": chat_id})
        await ann.send(chat_id, "I mark papers, actually")
        await one.send(chat_id, "Let me pass you to the associates team")

        moved = await one.ok("transfer_chat", {"chat_id": chat_id, "group": "associates"})
        assert moved["chat"]["group_name"] == "associates"
        await ann.next("chat_transferred", chat_id=chat_id)
        offer = await two.next("chat_offered", chat_id=chat_id)
        assert offer["group"] == "associates"
        taken = await two.ok("accept_chat", {"chat_id": chat_id})
        assert [m["body"] for m in taken["messages"]] == [
            "I mark papers, actually",
            "Let me pass you to the associates team",
        ]
        assert taken["chat"]["status"] == "active"
        await ann.next("chat_accepted", chat_id=chat_id, agent_name=centres.display_name)
        await ann.next("chat_accepted", chat_id=chat_id, agent_name=associates.display_name)
        assert ann.events["chat_accepted"].empty()
        refused = await error_of(one, "send_message", {
            "chat_id": chat_id, "body": "still here?", "client_msg_id": "late"})  # fmt: skip
        assert refused["code"] in {"FORBIDDEN", "NOT_YOUR_CHAT"}
        unknown = await error_of(two, "transfer_chat", {"chat_id": chat_id, "group": "learners"})
        assert unknown["code"] == "INVALID"


async def test_save_chat_gives_a_named_transcript(live_server):
    server = live_server
    customer = await person(server)
    agent = await person(server, Role.AGENT)
    case = await chat_case(server, customer)
    async with Clients() as clients:
        ann = await clients.open(server, "/customer", customer)
        sam = await clients.open(server, "/agent", agent)
        await sam.ok("set_presence", {"presence": "available"})
        chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
        await sam.ok("accept_chat", {"chat_id": chat_id})
        await ann.send(chat_id, "Where are my certificates?")
        await sam.send(chat_id, "They were posted on Friday")
        for client in (ann, sam):
            saved = await client.ok("save_chat", {"chat_id": chat_id})
            assert case.number in saved["filename"]
            assert "Where are my certificates?" in saved["text"]
            assert "They were posted on Friday" in saved["text"]
            assert saved["text"].index("Where are") < saved["text"].index("They were posted")


async def test_supervisors_watch_the_chat_groups(live_server):
    server = live_server
    supervisor = await person(server, Role.SUPERVISOR)
    customer = await person(server)
    case = await chat_case(server, customer)
    async with Clients() as clients:
        boss = await clients.open(server, "/supervisor", supervisor)
        watched = await boss.ok("watch")
        groups = {figures["group"]: figures for figures in watched["groups"]}
        assert set(groups) == {"centres", "associates"}
        assert groups["centres"]["waiting"] == 0
        ann = await clients.open(server, "/customer", customer)
        await ann.ok("request_chat", {"case_number": case.number})
        changed = await boss.next("queue_changed", group="centres", waiting=1)
        assert changed["requested_today"] == 1
        watched = await boss.ok("watch")
        groups = {figures["group"]: figures for figures in watched["groups"]}
        assert groups["centres"]["waiting"] == 1
        assert groups["associates"]["waiting"] == 0
