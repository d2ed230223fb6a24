"""The QueueBackend contract, run against every backend through Protocol methods only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from frontdesk.events import RecordingNotifier
from frontdesk.queue.backend import QueueBackend
from frontdesk.queue.memory_backend import MemoryQueueBackend
from frontdesk.queue.models import Emptied, QueueEntry
from frontdesk.queue.redis_backend import RedisQueueBackend

T0 = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
OFFER = 30


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def entry(chat_id: str, group: str = "billing", seconds: float = 0) -> QueueEntry:
    return QueueEntry(chat_id=chat_id, group=group, enqueued_at=at(seconds))


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def backend_url(request: pytest.FixtureRequest) -> str | None:
    """None for memory, else Redis's URL; synchronous, so the Redis probe (asyncio.run)
    runs outside the test's event loop."""
    if request.param == "memory":
        return None
    url: str = request.getfixturevalue("redis_url")
    return url


@pytest.fixture
async def queue_backend(backend_url: str | None) -> AsyncIterator[QueueBackend]:
    if backend_url is None:
        yield MemoryQueueBackend()
        return
    redis_url = backend_url
    backend = RedisQueueBackend.from_url(redis_url, f"test:{uuid4().hex}:")
    try:
        yield backend
    finally:
        keys = [key async for key in backend.redis.scan_iter(match=backend.keys.pattern())]
        if keys:
            await backend.redis.delete(*keys)
        await backend.aclose()


async def agent(
    backend, agent_id, *groups, capacity=3, seconds=0, presence="available", reason=None
):
    return await backend.set_agent(
        agent_id,
        presence=presence,
        groups=groups or ("billing",),
        capacity=capacity,
        now=at(seconds),
        reason=reason,
    )


async def test_positions_are_first_in_first_out_per_group(queue_backend):
    assert await queue_backend.enqueue(entry("a", seconds=1)) == 1
    assert await queue_backend.enqueue(entry("b", seconds=2)) == 2
    assert await queue_backend.enqueue(entry("x", group="tech", seconds=3)) == 1
    assert await queue_backend.enqueue(entry("early", seconds=0)) == 1
    assert await queue_backend.position("a") == 2
    assert await queue_backend.position("b") == 3
    assert await queue_backend.position("nobody") is None


async def test_enqueue_is_idempotent(queue_backend):
    await queue_backend.enqueue(entry("a", seconds=1))
    await queue_backend.enqueue(entry("b", seconds=2))
    assert await queue_backend.enqueue(entry("b", seconds=0)) == 2
    assert (await queue_backend.snapshot("billing"))["waiting"] == 2


async def test_the_longest_idle_agent_is_offered_the_chat(queue_backend):
    await agent(queue_backend, 1, seconds=5)
    await agent(queue_backend, 2, seconds=1)
    await queue_backend.enqueue(entry("a"))
    offer = await queue_backend.route_request("a", at(10), OFFER)
    assert offer is not None
    assert (offer.agent_id, offer.group, offer.deadline) == (2, "billing", at(10 + OFFER))
    assert offer.enqueued_at == at(0)
    assert await queue_backend.position("a") == 0
    # a reserved seat counts as activity: the other agent is next
    await queue_backend.enqueue(entry("b"))
    second = await queue_backend.route_request("b", at(11), OFFER)
    assert second is not None and second.agent_id == 1


async def test_capacity_is_respected(queue_backend):
    await agent(queue_backend, 1, capacity=1)
    await queue_backend.enqueue(entry("a"))
    await queue_backend.enqueue(entry("b", seconds=1))
    assert await queue_backend.route_request("a", at(2), OFFER) is not None
    assert await queue_backend.route_request("b", at(2), OFFER) is None
    assert await queue_backend.route_agent(1, at(2), OFFER) is None


async def test_fill_seats_offers_the_oldest_fitting_chats_one_per_free_seat(queue_backend):
    await agent(queue_backend, 1, "billing", "tech", capacity=3, presence="away")
    await queue_backend.enqueue(entry("c", seconds=3))
    await queue_backend.enqueue(entry("a", seconds=1))
    await queue_backend.enqueue(entry("t", group="tech", seconds=2))
    await queue_backend.enqueue(entry("d", seconds=4))
    await queue_backend.enqueue(entry("other", group="sales"))
    assert await queue_backend.fill_seats(1, at(5), OFFER) == []  # away: no seat
    await agent(queue_backend, 1, "billing", "tech", capacity=3, seconds=5)
    offers = await queue_backend.fill_seats(1, at(6), OFFER)
    assert [(o.chat_id, o.group, o.agent_id) for o in offers] == [
        ("a", "billing", 1), ("t", "tech", 1), ("c", "billing", 1),
    ]  # fmt: skip
    assert all(o.deadline == at(6 + OFFER) for o in offers)
    assert await queue_backend.fill_seats(1, at(7), OFFER) == []  # full
    assert await queue_backend.position("d") == 1
    assert await queue_backend.position("c") == 0


async def test_only_available_agents_of_the_group_are_offered(queue_backend):
    await agent(queue_backend, 1, "tech")
    await agent(queue_backend, 2, presence="away")
    await queue_backend.enqueue(entry("a"))
    assert await queue_backend.route_request("a", at(1), OFFER) is None
    await agent(queue_backend, 3, "tech", "billing", seconds=1)
    offer = await queue_backend.route_request("a", at(2), OFFER)
    assert offer is not None and offer.agent_id == 3


async def test_a_chat_already_offered_is_not_routed_again(queue_backend):
    await agent(queue_backend, 1)
    await agent(queue_backend, 2)
    await queue_backend.enqueue(entry("a"))
    assert await queue_backend.route_request("a", at(1), OFFER) is not None
    assert await queue_backend.route_request("a", at(1), OFFER) is None


async def test_declining_agent_is_not_offered_the_chat_again(queue_backend):
    await agent(queue_backend, 1)
    await agent(queue_backend, 2, seconds=1)
    await queue_backend.enqueue(entry("a"))
    first = await queue_backend.route_request("a", at(2), OFFER)
    assert first is not None and first.agent_id == 1
    assert await queue_backend.decline("a", 1, at(2)) == entry("a")
    assert await queue_backend.position("a") == 1
    second = await queue_backend.route_request("a", at(3), OFFER)
    assert second is not None and second.agent_id == 2
    assert await queue_backend.decline("a", 2, at(2)) is not None
    assert await queue_backend.route_request("a", at(4), OFFER) is None
    assert await queue_backend.route_agent(1, at(4), OFFER) is None


async def test_an_agent_who_passed_has_the_chat_again_once_the_cool_down_allows(queue_backend):
    await agent(queue_backend, 1)
    await queue_backend.enqueue(entry("a"))
    await queue_backend.route_request("a", at(1), OFFER)
    await queue_backend.decline("a", 1, at(2))
    # Passed at 2: not for a cool-down that allows passes up to 1, yes for one up to 2.
    assert await queue_backend.route_request("a", at(3), OFFER, passed_before=at(1)) is None
    assert await queue_backend.route_agent(1, at(3), OFFER, passed_before=at(1)) is None
    again = await queue_backend.route_request("a", at(12), OFFER, passed_before=at(2))
    assert again is not None and again.agent_id == 1
    assert again.enqueued_at == at(0)  # still its first place in line


async def test_a_lapsed_offer_counts_as_passed_when_it_lapses(queue_backend):
    await agent(queue_backend, 1)
    await queue_backend.enqueue(entry("a"))
    await queue_backend.route_request("a", at(1), OFFER)
    await queue_backend.expire_offers(at(40))
    assert await queue_backend.route_agent(1, at(45), OFFER, passed_before=at(39)) is None
    again = await queue_backend.route_agent(1, at(50), OFFER, passed_before=at(40))
    assert again is not None and again.chat_id == "a"


async def test_an_agent_who_never_passed_comes_before_one_whose_cool_down_is_over(queue_backend):
    await agent(queue_backend, 1)
    await agent(queue_backend, 2, seconds=5)  # idle for less time than agent 1
    await queue_backend.enqueue(entry("a"))
    await queue_backend.route_request("a", at(1), OFFER)
    await queue_backend.decline("a", 1, at(2))
    offer = await queue_backend.route_request("a", at(60), OFFER, passed_before=at(50))
    assert offer is not None and offer.agent_id == 2
    await queue_backend.decline("a", 2, at(61))
    # Both passed: the longest idle of those whose cool-down is over.
    offer = await queue_backend.route_request("a", at(62), OFFER, passed_before=at(61))
    assert offer is not None and offer.agent_id == 1


async def test_who_passed_on_a_chat_is_forgotten_when_it_leaves_the_queue(queue_backend):
    await agent(queue_backend, 1, capacity=5)
    for chat in ("a", "b"):
        await queue_backend.enqueue(entry(chat))
        await queue_backend.route_request(chat, at(1), OFFER)
        await queue_backend.decline(chat, 1, at(2))
    assert await queue_backend.withdraw("a")
    again = await queue_backend.route_request("b", at(3), OFFER, passed_before=at(2))
    assert again is not None and await queue_backend.accept("b", 1)
    for chat in ("a", "b"):  # back in the queue (a transfer, a new request): a clean slate
        await queue_backend.enqueue(entry(chat, seconds=5))
        offer = await queue_backend.route_request(chat, at(6), OFFER)
        assert offer is not None and offer.agent_id == 1


async def test_lapsed_agent_is_not_offered_the_chat_again(queue_backend):
    await agent(queue_backend, 1)
    await queue_backend.enqueue(entry("a"))
    await queue_backend.route_request("a", at(1), OFFER)
    lapsed = await queue_backend.expire_offers(at(1 + OFFER))
    assert [(o.chat_id, o.agent_id) for o in lapsed] == [("a", 1)]
    assert await queue_backend.route_request("a", at(40), OFFER) is None
    assert (await queue_backend.snapshot("billing"))["agents_available"] == 1


async def test_offers_expire_at_the_exact_deadline_not_before(queue_backend):
    await agent(queue_backend, 1)
    await queue_backend.enqueue(entry("a"))
    await queue_backend.route_request("a", at(1), OFFER)
    assert await queue_backend.expire_offers(at(1 + OFFER) - timedelta(milliseconds=1)) == []
    assert len(await queue_backend.expire_offers(at(1 + OFFER))) == 1
    assert await queue_backend.expire_offers(at(100)) == []
    assert await queue_backend.position("a") == 1


async def test_route_agent_takes_the_oldest_entry_across_its_groups(queue_backend):
    await queue_backend.enqueue(entry("b1", seconds=5))
    await queue_backend.enqueue(entry("t1", group="tech", seconds=3))
    await queue_backend.enqueue(entry("s1", group="sales", seconds=1))
    await agent(queue_backend, 1, "billing", "tech")
    offer = await queue_backend.route_agent(1, at(10), OFFER)
    assert offer is not None and offer.chat_id == "t1"
    await queue_backend.decline("t1", 1, at(2))
    offer = await queue_backend.route_agent(1, at(11), OFFER)
    assert offer is not None and offer.chat_id == "b1"


async def test_accept_by_the_wrong_agent_is_refused(queue_backend):
    await agent(queue_backend, 1)
    await agent(queue_backend, 2, seconds=1)
    await queue_backend.enqueue(entry("a"))
    await queue_backend.route_request("a", at(2), OFFER)
    assert await queue_backend.accept("a", 2) is False
    assert await queue_backend.decline("a", 2, at(2)) is None
    assert await queue_backend.accept("a", 1) is True
    assert await queue_backend.position("a") is None
    assert await queue_backend.accept("a", 1) is False
    snapshot = await queue_backend.snapshot("billing")
    assert (snapshot["waiting"], snapshot["offered"]) == (0, 0)


async def test_seat_stays_taken_after_accept_until_release(queue_backend):
    await agent(queue_backend, 1, capacity=1)
    await queue_backend.enqueue(entry("a"))
    await queue_backend.enqueue(entry("b", seconds=1))
    await queue_backend.route_request("a", at(2), OFFER)
    await queue_backend.accept("a", 1)
    assert await queue_backend.route_agent(1, at(3), OFFER) is None
    await queue_backend.release(1, "a", at(50))
    offer = await queue_backend.route_agent(1, at(51), OFFER)
    assert offer is not None and offer.chat_id == "b"


async def test_release_sets_idle_since_when_the_agent_is_free(queue_backend):
    await agent(queue_backend, 1, seconds=0)
    await agent(queue_backend, 2, seconds=1)
    for chat, seconds in (("a", 2), ("b", 3)):
        await queue_backend.enqueue(entry(chat, seconds=seconds))
        offer = await queue_backend.route_request(chat, at(seconds), OFFER)
        await queue_backend.accept(chat, offer.agent_id)
    await queue_backend.release(2, "b", at(10))  # agent 2 free from 10
    await queue_backend.release(1, "a", at(20))  # agent 1 free from 20
    await queue_backend.enqueue(entry("c", seconds=21))
    offer = await queue_backend.route_request("c", at(21), OFFER)
    assert offer is not None and offer.agent_id == 2


async def test_requeue_keeps_the_original_place(queue_backend):
    await agent(queue_backend, 1)
    await queue_backend.enqueue(entry("a", seconds=1))
    await queue_backend.route_request("a", at(2), OFFER)
    await queue_backend.accept("a", 1)
    await queue_backend.enqueue(entry("b", seconds=5))
    assert await queue_backend.requeue_front(entry("a", seconds=1)) == 1
    assert await queue_backend.position("b") == 2


async def test_decline_puts_the_entry_back_in_its_original_place(queue_backend):
    await agent(queue_backend, 1)
    await queue_backend.enqueue(entry("a", seconds=1))
    await queue_backend.enqueue(entry("b", seconds=2))
    await queue_backend.route_request("a", at(3), OFFER)
    assert await queue_backend.position("b") == 1
    await queue_backend.decline("a", 1, at(2))
    assert await queue_backend.position("a") == 1
    assert await queue_backend.position("b") == 2


async def test_withdraw_of_an_offered_entry_frees_the_seat(queue_backend):
    await agent(queue_backend, 1, capacity=1)
    await queue_backend.enqueue(entry("a"))
    await queue_backend.enqueue(entry("b", seconds=1))
    await queue_backend.route_request("a", at(2), OFFER)
    assert await queue_backend.withdraw("a") is True
    assert await queue_backend.withdraw("a") is False
    assert await queue_backend.position("a") is None
    assert await queue_backend.accept("a", 1) is False
    offer = await queue_backend.route_agent(1, at(3), OFFER)
    assert offer is not None and offer.chat_id == "b"
    assert await queue_backend.expire_offers(at(100)) == [offer]


async def test_withdraw_of_a_waiting_entry(queue_backend):
    await queue_backend.enqueue(entry("a"))
    await queue_backend.enqueue(entry("b", seconds=1))
    assert await queue_backend.withdraw("a") is True
    assert await queue_backend.position("b") == 1


async def test_set_agent_keeps_seats_and_reports_state(queue_backend):
    state = await agent(queue_backend, 1, capacity=2, seconds=3)
    assert (state.active, state.idle_since, state.presence) == (0, at(3), "available")
    await queue_backend.enqueue(entry("a"))
    await queue_backend.route_request("a", at(4), OFFER)
    state = await agent(queue_backend, 1, "billing", "tech", capacity=2, seconds=9)
    assert (state.active, state.idle_since) == (1, at(4))
    away = await agent(queue_backend, 1, presence="away", seconds=10)
    assert away.groups == ("billing",)
    back = await agent(queue_backend, 1, seconds=11)
    assert back.idle_since == at(11)


async def test_snapshot_figures(queue_backend):
    empty = await queue_backend.snapshot("billing")
    assert empty["waiting"] == 0 and empty["longest_waiting_since"] is None
    await agent(queue_backend, 1, capacity=1)
    await agent(queue_backend, 2, capacity=2, seconds=1)
    await agent(queue_backend, 3, presence="away")
    await agent(queue_backend, 4, presence="offline")
    await agent(queue_backend, 5, "tech")
    for chat, seconds in (("a", 1), ("b", 2), ("c", 3)):
        await queue_backend.enqueue(entry(chat, seconds=seconds))
    await queue_backend.route_request("a", at(4), OFFER)  # agent 1, now full
    assert await queue_backend.snapshot("billing") == {
        "group": "billing",
        "waiting": 2,
        "longest_waiting_since": at(2),
        "offered": 1,
        "agents_available": 1,
        "agents_busy": 1,
        "agents_away": 1,
        "seats": 3,
    }


async def test_a_node_routes_in_memory_alone_and_through_redis_when_configured(
    tmp_path, sqlite_url, redis_url
):
    from frontdesk.queue.memory_backend import MemoryQueueBackend
    from frontdesk.queue.redis_backend import RedisQueueBackend
    from frontdesk.services import Services
    from tests.conftest import make_settings

    alone = Services.build(make_settings(sqlite_url, tmp_path), notifier=RecordingNotifier())
    shared = Services.build(
        make_settings(sqlite_url, tmp_path, redis_url=redis_url), notifier=RecordingNotifier()
    )
    try:
        assert isinstance(alone.queue, MemoryQueueBackend)
        assert isinstance(shared.queue, RedisQueueBackend)
    finally:
        await alone.aclose()
        await shared.aclose()


# line ------------------------------------------------------------------------------------


async def test_line_is_head_first_by_enqueued_at_then_chat_id(queue_backend):
    await queue_backend.enqueue(entry("c", seconds=2))
    await queue_backend.enqueue(entry("b", seconds=1))
    await queue_backend.enqueue(entry("a", seconds=2))  # ties with "c": chat id decides
    await queue_backend.enqueue(entry("t", group="tech", seconds=0))
    assert await queue_backend.line("billing") == ["b", "a", "c"]
    assert await queue_backend.line("tech") == ["t"]
    assert await queue_backend.line("sales") == []


async def test_line_excludes_offered_chats_and_takes_back_declined_ones_in_place(queue_backend):
    await agent(queue_backend, 1)
    for chat, seconds in (("a", 1), ("b", 2), ("c", 3)):
        await queue_backend.enqueue(entry(chat, seconds=seconds))
    await queue_backend.route_request("b", at(4), OFFER)
    assert await queue_backend.line("billing") == ["a", "c"]
    await queue_backend.decline("b", 1, at(2))
    assert await queue_backend.line("billing") == ["a", "b", "c"]
    await queue_backend.withdraw("a")
    assert await queue_backend.line("billing") == ["b", "c"]


# seats and restored seat counts ------------------------------------------------------------


async def test_snapshot_seats_are_the_total_capacity_of_available_agents_serving_the_group(
    queue_backend,
):
    assert (await queue_backend.snapshot("billing"))["seats"] == 0
    await agent(queue_backend, 1, capacity=2)
    await agent(queue_backend, 2, "billing", "tech", capacity=3)
    await agent(queue_backend, 3, capacity=5, presence="away")
    await agent(queue_backend, 4, capacity=7, presence="offline")
    await agent(queue_backend, 5, "tech", capacity=11)
    await queue_backend.enqueue(entry("a"))
    await queue_backend.route_request("a", at(1), OFFER)  # a taken seat is still a seat
    assert (await queue_backend.snapshot("billing"))["seats"] == 2 + 3
    assert (await queue_backend.snapshot("tech"))["seats"] == 3 + 11
    await agent(queue_backend, 2, "billing", "tech", capacity=3, presence="away")
    assert (await queue_backend.snapshot("billing"))["seats"] == 2
    assert (await queue_backend.snapshot("tech"))["seats"] == 11


async def test_set_agent_with_active_restores_the_seat_count(queue_backend):
    state = await queue_backend.set_agent(
        1, presence="available", groups=("billing",), capacity=2, now=at(0), active=2
    )
    assert state.active == 2
    await queue_backend.enqueue(entry("a", seconds=1))
    assert await queue_backend.route_request("a", at(2), OFFER) is None  # full
    snapshot = await queue_backend.snapshot("billing")
    assert (snapshot["agents_available"], snapshot["agents_busy"]) == (0, 1)
    state = await queue_backend.set_agent(
        1, presence="available", groups=("billing",), capacity=2, now=at(3), active=1
    )
    assert state.active == 1
    offer = await queue_backend.route_request("a", at(4), OFFER)
    assert offer is not None and offer.agent_id == 1


async def test_set_agent_with_active_zero_empties_the_seats_and_none_keeps_them(queue_backend):
    await agent(queue_backend, 1, capacity=1)
    await queue_backend.enqueue(entry("a"))
    await queue_backend.route_request("a", at(1), OFFER)
    kept = await queue_backend.set_agent(
        1, presence="available", groups=("billing",), capacity=1, now=at(2), active=None
    )
    assert kept.active == 1
    await queue_backend.enqueue(entry("b", seconds=2))
    assert await queue_backend.route_agent(1, at(3), OFFER) is None
    emptied = await queue_backend.set_agent(
        1, presence="available", groups=("billing",), capacity=1, now=at(4), active=0
    )
    assert emptied.active == 0
    offer = await queue_backend.route_agent(1, at(5), OFFER)
    assert offer is not None and offer.chat_id == "b"


# offer_of ----------------------------------------------------------------------------------


async def test_offer_of_is_the_live_offer_only_while_the_chat_is_offered(queue_backend):
    await agent(queue_backend, 1)
    await agent(queue_backend, 2, seconds=1)
    assert await queue_backend.offer_of("a") is None  # unknown
    await queue_backend.enqueue(entry("a", seconds=3))
    assert await queue_backend.offer_of("a") is None  # waiting
    offer = await queue_backend.route_request("a", at(4), OFFER)
    assert offer is not None
    found = await queue_backend.offer_of("a")
    assert found == offer
    assert (found.agent_id, found.group, found.enqueued_at, found.deadline) == (
        1,
        "billing",
        at(3),
        at(4 + OFFER),
    )
    await queue_backend.decline("a", 1, at(2))
    assert await queue_backend.offer_of("a") is None  # waiting again
    again = await queue_backend.route_request("a", at(5), OFFER)
    assert again is not None and await queue_backend.offer_of("a") == again
    assert await queue_backend.accept("a", 2) is True
    assert await queue_backend.offer_of("a") is None  # accepted: gone


async def test_offer_of_is_none_after_the_offer_lapses_or_is_withdrawn(queue_backend):
    await agent(queue_backend, 1)
    await agent(queue_backend, 2, seconds=1)
    await queue_backend.enqueue(entry("a"))
    await queue_backend.route_request("a", at(2), OFFER)
    await queue_backend.expire_offers(at(2 + OFFER))
    assert await queue_backend.offer_of("a") is None
    assert await queue_backend.route_request("a", at(40), OFFER) is not None
    await queue_backend.withdraw("a")
    assert await queue_backend.offer_of("a") is None


# deadlines ---------------------------------------------------------------------------------


async def test_take_due_returns_only_due_deadlines_earliest_first(queue_backend):
    await queue_backend.set_deadline("wait", "late", at(30))
    await queue_backend.set_deadline("grace", "7", at(10))
    await queue_backend.set_deadline("wait", "early", at(5))
    await queue_backend.set_deadline("wait", "future", at(31))
    assert await queue_backend.take_due(at(4), 60) == []
    assert await queue_backend.take_due(at(30), 60) == [
        ("wait", "early"),
        ("grace", "7"),
        ("wait", "late"),
    ]


async def test_take_due_includes_a_deadline_exactly_at_now_not_a_millisecond_later(
    queue_backend,
):
    await queue_backend.set_deadline("wait", "a", at(10))
    assert await queue_backend.take_due(at(10) - timedelta(milliseconds=1), 60) == []
    assert await queue_backend.take_due(at(10), 60) == [("wait", "a")]


async def test_take_due_leases_each_deadline_until_the_lease_ends(queue_backend):
    await queue_backend.set_deadline("wait", "a", at(10))
    assert await queue_backend.take_due(at(10), 30) == [("wait", "a")]
    assert await queue_backend.take_due(at(10), 30) == []  # leased
    assert await queue_backend.take_due(at(40) - timedelta(milliseconds=1), 30) == []
    assert await queue_backend.take_due(at(40), 30) == [("wait", "a")]  # the taker died
    assert await queue_backend.take_due(at(69), 30) == []  # leased again


async def test_a_cancelled_deadline_is_not_taken(queue_backend):
    await queue_backend.set_deadline("wait", "a", at(10))
    await queue_backend.set_deadline("wait", "b", at(10))
    assert await queue_backend.cancel_deadline("wait", "a") is True
    assert await queue_backend.take_due(at(10), 30) == [("wait", "b")]
    assert await queue_backend.cancel_deadline("wait", "b") is True  # done after a take
    assert await queue_backend.take_due(at(100), 30) == []


async def test_cancel_deadline_is_false_when_there_is_none(queue_backend):
    assert await queue_backend.cancel_deadline("wait", "a") is False
    await queue_backend.set_deadline("wait", "a", at(10))
    assert await queue_backend.cancel_deadline("grace", "a") is False  # kinds are apart
    assert await queue_backend.cancel_deadline("wait", "a") is True
    assert await queue_backend.cancel_deadline("wait", "a") is False


async def test_enqueue_sets_the_chats_deadline_in_the_same_step(queue_backend):
    assert await queue_backend.enqueue(entry("a"), deadline=("wait", at(10))) == 1
    assert await queue_backend.enqueue(entry("a"), deadline=("wait", at(20))) == 1  # moved
    assert await queue_backend.take_due(at(19), 30) == []
    assert await queue_backend.take_due(at(20), 30) == [("wait", "a")]


async def test_accept_forgets_the_chats_ending_deadlines_only_when_it_accepts(queue_backend):
    await agent(queue_backend, 1)
    await queue_backend.enqueue(entry("a"), deadline=("wait", at(10)))
    await queue_backend.set_deadline("reoffer", "a", at(10))
    await queue_backend.set_deadline("grace", "a", at(10))  # not a kind that ends
    await queue_backend.set_deadline("wait", "b", at(10))  # another chat's
    offer = await queue_backend.route_request("a", at(1), OFFER)
    assert offer is not None and offer.agent_id == 1
    assert await queue_backend.accept("a", 2, ending=("wait", "reoffer")) is False
    assert sorted(await queue_backend.take_due(at(10), 30)) == [
        ("grace", "a"), ("reoffer", "a"), ("wait", "a"), ("wait", "b"),
    ]  # fmt: skip
    assert await queue_backend.accept("a", 1, ending=("wait", "reoffer")) is True
    assert sorted(await queue_backend.take_due(at(40), 30)) == [("grace", "a"), ("wait", "b")]


async def test_withdraw_forgets_the_chats_ending_deadlines_in_the_queue_or_not(queue_backend):
    await queue_backend.enqueue(entry("a"), deadline=("wait", at(10)))
    await queue_backend.set_deadline("reoffer", "gone", at(10))
    assert await queue_backend.withdraw("a", ending=("wait", "reoffer")) is True
    assert await queue_backend.withdraw("gone", ending=("wait", "reoffer")) is False
    assert await queue_backend.take_due(at(10), 30) == []


async def test_set_deadline_moves_an_existing_deadline(queue_backend):
    await queue_backend.set_deadline("wait", "a", at(10))
    await queue_backend.set_deadline("wait", "a", at(20))  # later
    assert await queue_backend.take_due(at(19), 30) == []
    assert await queue_backend.take_due(at(20), 30) == [("wait", "a")]
    await queue_backend.set_deadline("wait", "a", at(25))  # earlier than its lease end
    assert await queue_backend.take_due(at(25), 30) == [("wait", "a")]


async def test_deadlines_of_different_kinds_with_the_same_key_are_separate(queue_backend):
    await queue_backend.set_deadline("wait", "7", at(10))
    await queue_backend.set_deadline("grace", "7", at(5))
    assert await queue_backend.take_due(at(10), 30) == [("grace", "7"), ("wait", "7")]
    assert await queue_backend.cancel_deadline("grace", "7") is True
    assert await queue_backend.take_due(at(40), 30) == [("wait", "7")]


# connections and generations ---------------------------------------------------------------


async def test_connections_count_distinct_sockets_per_agent(queue_backend):
    assert await queue_backend.connections(1) == 0
    assert await queue_backend.agent_connected(1, "node-a:s1") == 1
    assert await queue_backend.agent_connected(1, "node-b:s2") == 2
    assert await queue_backend.agent_connected(1, "node-a:s1") == 2  # idempotent
    assert await queue_backend.agent_connected(2, "node-a:s1") == 1  # per agent
    assert await queue_backend.connections(1) == 2
    assert await queue_backend.agent_disconnected(1, "node-a:s1") == 1
    assert await queue_backend.agent_disconnected(1, "node-a:s1") == 1  # already gone
    assert await queue_backend.agent_disconnected(1, "node-b:s2") == 0
    assert await queue_backend.connections(1) == 0
    assert await queue_backend.connections(2) == 1


async def test_disconnecting_an_unknown_agent_leaves_none(queue_backend):
    assert await queue_backend.agent_disconnected(9, "node-a:s1") == 0
    assert await queue_backend.connections(9) == 0


async def test_generation_is_none_until_claimed_and_claimed_exactly_once(queue_backend):
    assert await queue_backend.generation() is None
    assert await queue_backend.claim_generation("first") is True
    assert await queue_backend.generation() == "first"
    assert await queue_backend.claim_generation("second") is False
    assert await queue_backend.claim_generation("first") is False
    assert await queue_backend.generation() == "first"


async def test_a_node_is_known_once_seen_and_dead_once_its_time_passes(queue_backend):
    assert await queue_backend.node_seen("n1", at(15)) is False  # new
    assert await queue_backend.node_seen("n1", at(20)) is True
    await queue_backend.node_seen("n2", at(10))
    assert await queue_backend.take_dead_nodes(at(9)) == []
    assert await queue_backend.take_dead_nodes(at(10)) == ["n2"]
    assert await queue_backend.take_dead_nodes(at(10)) == []  # taken once
    assert await queue_backend.node_seen("n2", at(30)) is False  # taken for dead meanwhile


async def test_forgetting_a_node_drops_only_its_sockets(queue_backend):
    await queue_backend.agent_connected(1, "n1:a")
    await queue_backend.agent_connected(2, "n1:b")
    await queue_backend.agent_connected(2, "n2:c")
    await queue_backend.agent_connected(3, "n1:d")
    await queue_backend.agent_connected(3, "n1:e")
    await queue_backend.customer_connected(7, "n1:f")
    await queue_backend.customer_connected(8, "n1:g")
    await queue_backend.customer_connected(8, "n2:h")
    assert await queue_backend.forget_node("n1") == Emptied(agents=[1, 3], customers=[7])
    assert [await queue_backend.connections(a) for a in (1, 2, 3)] == [0, 1, 0]
    assert [await queue_backend.customer_connections(c) for c in (7, 8)] == [0, 1]
    assert await queue_backend.forget_node("n1") == Emptied()
    assert await queue_backend.agent_disconnected(2, "n2:c") == 0


async def test_customers_sockets_are_counted_apart_from_agents(queue_backend):
    assert await queue_backend.customer_connected(1, "n1:a") == 1
    assert await queue_backend.customer_connected(1, "n2:b") == 2
    assert await queue_backend.customer_connected(1, "n1:a") == 2  # idempotent
    assert await queue_backend.connections(1) == 0  # agent 1 is someone else
    assert await queue_backend.agent_connected(1, "n1:c") == 1
    assert await queue_backend.customer_disconnected(1, "n1:a") == 1
    assert await queue_backend.customer_disconnected(1, "n2:b") == 0
    assert await queue_backend.customer_connections(1) == 0
    assert await queue_backend.connections(1) == 1
    assert await queue_backend.customer_disconnected(9, "n1:z") == 0


async def test_a_freed_seat_looks_past_a_long_run_of_chats_it_declined(queue_backend):
    await agent(queue_backend, 1, capacity=1)
    for index in range(40):  # more than a page of the line
        chat = f"d{index:02}"
        await queue_backend.enqueue(entry(chat, seconds=index))
        offer = await queue_backend.route_request(chat, at(100), OFFER)
        assert offer is not None and offer.agent_id == 1
        await queue_backend.decline(chat, 1, at(2))
    await queue_backend.enqueue(entry("fresh", seconds=50))
    offer = await queue_backend.route_agent(1, at(101), OFFER)
    assert offer is not None and offer.chat_id == "fresh"


async def test_agents_lists_every_agent_state_by_id(queue_backend):
    assert await queue_backend.agents() == []
    await agent(queue_backend, 7, "billing", "tech", capacity=2, seconds=3)
    await agent(queue_backend, 2, presence="away", seconds=1)
    await queue_backend.enqueue(entry("a"))
    await queue_backend.route_request("a", at(5), OFFER)
    states = await queue_backend.agents()
    assert [(s.agent_id, s.presence, s.groups, s.capacity, s.active) for s in states] == [
        (2, "away", ("billing",), 3, 0),
        (7, "available", ("billing", "tech"), 2, 1),
    ]
    assert states[1].idle_since == at(5)


# A supervisor's hand: offer_to, and agents counted as supervisors see them --------------


async def test_offer_to_gives_a_waiting_chat_to_the_named_agent_whatever_its_groups(
    queue_backend,
):
    await agent(queue_backend, 1, capacity=1)  # idle longest: routing would pick it
    await agent(queue_backend, 2, "tech", presence="away", seconds=1)
    await queue_backend.enqueue(entry("a", seconds=2))
    offer = await queue_backend.offer_to("a", 2, at(3), OFFER)
    assert offer is not None
    assert (offer.agent_id, offer.group, offer.deadline) == (2, "billing", at(3 + OFFER))
    assert await queue_backend.position("a") == 0
    assert (await queue_backend.offer_of("a")) == offer
    assert [a.active for a in await queue_backend.agents()] == [0, 1]
    assert await queue_backend.offer_to("a", 1, at(4), OFFER) is None  # not waiting now
    assert await queue_backend.accept("a", 2)


async def test_offer_to_refuses_an_offline_full_or_unknown_agent(queue_backend):
    await agent(queue_backend, 1, capacity=1)
    await agent(queue_backend, 2, presence="offline")
    await queue_backend.enqueue(entry("a", seconds=1))
    await queue_backend.enqueue(entry("b", seconds=2))
    assert await queue_backend.offer_to("a", 1, at(3), OFFER) is not None
    assert await queue_backend.offer_to("b", 1, at(3), OFFER) is None  # full
    assert await queue_backend.offer_to("b", 2, at(3), OFFER) is None  # offline
    assert await queue_backend.offer_to("b", 99, at(3), OFFER) is None  # unknown
    assert await queue_backend.offer_to("zz", 1, at(3), OFFER) is None  # not queued
    assert await queue_backend.position("b") == 1


async def test_an_agent_who_passed_may_still_be_chosen_by_a_supervisor(queue_backend):
    await agent(queue_backend, 1)
    await queue_backend.enqueue(entry("a"))
    assert await queue_backend.route_request("a", at(1), OFFER) is not None
    assert await queue_backend.decline("a", 1, at(2)) is not None
    assert await queue_backend.route_request("a", at(3), OFFER) is None  # passed, no cool-down
    offer = await queue_backend.offer_to("a", 1, at(4), OFFER)
    assert offer is not None and offer.agent_id == 1


async def test_an_agent_holding_any_chat_counts_as_busy_not_available(queue_backend):
    await agent(queue_backend, 1, capacity=3)
    await agent(queue_backend, 2, capacity=3, seconds=1)
    await agent(queue_backend, 3, presence="away", seconds=2)
    await queue_backend.enqueue(entry("a", seconds=3))
    await queue_backend.route_request("a", at(4), OFFER)  # agent 1: one of three seats
    await queue_backend.accept("a", 1)
    snapshot = await queue_backend.snapshot("billing")
    assert (snapshot["agents_available"], snapshot["agents_busy"]) == (1, 1)
    assert (snapshot["agents_away"], snapshot["seats"]) == (1, 6)
    # Away while still chatting: busy until the chat ends, then away.
    await agent(queue_backend, 1, capacity=3, presence="away", seconds=5)
    snapshot = await queue_backend.snapshot("billing")
    assert (snapshot["agents_busy"], snapshot["agents_away"]) == (1, 1)
    await queue_backend.release(1, "a", at(6))
    snapshot = await queue_backend.snapshot("billing")
    assert (snapshot["agents_busy"], snapshot["agents_away"]) == (0, 2)


async def test_presence_since_moves_only_when_the_presence_changes(queue_backend):
    first = await agent(queue_backend, 1, seconds=0)
    assert first.presence_since == at(0)
    same = await agent(queue_backend, 1, capacity=5, seconds=10)
    assert same.presence_since == at(0)
    away = await agent(queue_backend, 1, presence="away", seconds=20)
    assert away.presence_since == at(20)
    (listed,) = await queue_backend.agents()
    assert listed.presence_since == at(20)


# Away reasons and idle agents -------------------------------------------------------------


async def test_an_away_reason_is_kept_and_a_new_one_restarts_presence_since(queue_backend):
    await agent(queue_backend, 1, seconds=0)
    lunch = await agent(queue_backend, 1, presence="away", reason="Lunch", seconds=10)
    assert (lunch.presence, lunch.reason, lunch.presence_since) == ("away", "Lunch", at(10))
    same = await agent(queue_backend, 1, presence="away", reason="Lunch", capacity=5, seconds=15)
    assert same.presence_since == at(10)
    meeting = await agent(queue_backend, 1, presence="away", reason="Meeting", seconds=20)
    assert (meeting.reason, meeting.presence_since) == ("Meeting", at(20))
    assert await queue_backend.agent(1) == meeting
    back = await agent(queue_backend, 1, seconds=30)
    assert (back.reason, back.presence_since) == (None, at(30))
    assert (await queue_backend.agents())[0].reason is None


async def test_agent_reads_one_state_and_none_for_an_unknown_agent(queue_backend):
    assert await queue_backend.agent(7) is None
    made = await agent(queue_backend, 7, "tech", capacity=2, seconds=3)
    assert await queue_backend.agent(7) == made


async def test_note_activity_keeps_the_latest_and_creates_no_agent(queue_backend):
    await queue_backend.note_activity(9, at(5))
    assert await queue_backend.agent(9) is None
    await agent(queue_backend, 1)
    await queue_backend.note_activity(1, at(20))
    await queue_backend.note_activity(1, at(10))  # late and out of order: ignored
    noted = await queue_backend.agent(1)
    assert noted is not None and noted.last_activity == at(20)
    # Kept across presence changes: the idle check reads it whatever the agent does.
    kept = await agent(queue_backend, 1, presence="away", reason="Break", seconds=25)
    assert kept.last_activity == at(20)


async def test_take_idle_sets_away_those_silent_since_the_limit_exactly(queue_backend):
    await agent(queue_backend, 1, seconds=0)
    await agent(queue_backend, 2, seconds=0)
    await queue_backend.note_activity(1, at(60))  # active exactly at the limit
    await queue_backend.note_activity(2, at(61))  # and a second after it
    assert await queue_backend.take_idle(at(59), at(100), "idle") == []
    assert await queue_backend.take_idle(at(60), at(100), "idle") == [1]
    taken = await queue_backend.agent(1)
    assert taken is not None
    assert (taken.presence, taken.reason, taken.presence_since) == ("away", "idle", at(100))
    assert (await queue_backend.agent(2)).presence == "available"
    # Done once: a second check (another node's) finds nobody left to take.
    assert await queue_backend.take_idle(at(60), at(101), "idle") == []
    assert await queue_backend.route_request("a", at(102), OFFER) is None


async def test_take_idle_leaves_agents_holding_a_chat_or_offer_and_those_away(queue_backend):
    await agent(queue_backend, 1, capacity=1)
    await agent(queue_backend, 2, presence="away", reason="Lunch")
    await agent(queue_backend, 3, presence="offline")
    await queue_backend.enqueue(entry("a", seconds=1))
    offer = await queue_backend.route_request("a", at(2), OFFER)
    assert offer is not None and offer.agent_id == 1
    assert await queue_backend.take_idle(at(500), at(600), "idle") == []
    assert await queue_backend.accept("a", 1)
    assert await queue_backend.take_idle(at(500), at(600), "idle") == []
    # The chat ends: idle from then on, not from before it.
    await queue_backend.release(1, "a", at(700))
    assert await queue_backend.take_idle(at(699), at(800), "idle") == []
    assert await queue_backend.take_idle(at(700), at(800), "idle") == [1]
    assert (await queue_backend.agent(2)).reason == "Lunch"


async def test_concurrent_idle_checks_take_each_agent_once(queue_backend):
    for agent_id in range(1, 6):
        await agent(queue_backend, agent_id)
    taken = await asyncio.gather(
        *(queue_backend.take_idle(at(10), at(20), "idle") for _ in range(4))
    )
    flat = [agent_id for ids in taken for agent_id in ids]
    assert sorted(flat) == [1, 2, 3, 4, 5]


async def test_pass_on_counts_as_a_decline_for_routing(queue_backend):
    await agent(queue_backend, 1)  # idle longest: would be first
    await agent(queue_backend, 2, seconds=1)
    await queue_backend.pass_on("a", 1, at(2))  # before the chat is even back in line
    await queue_backend.enqueue(entry("a", seconds=3))
    offer = await queue_backend.route_request("a", at(4), OFFER, passed_before=at(1))
    assert offer is not None and offer.agent_id == 2
    await queue_backend.decline("a", 2, at(5))
    assert await queue_backend.route_request("a", at(6), OFFER, passed_before=at(1)) is None
    again = await queue_backend.route_request("a", at(7), OFFER, passed_before=at(2))
    assert again is not None and again.agent_id == 1
    assert await queue_backend.accept("a", 1)
    # Forgotten with the chat: a later request on it starts afresh.
    await queue_backend.release(1, "a", at(8))
    await queue_backend.enqueue(entry("a", seconds=9))
    fresh = await queue_backend.route_request("a", at(10), OFFER)
    assert fresh is not None
