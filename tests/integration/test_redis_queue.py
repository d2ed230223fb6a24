"""Redis-only queue checks: scripts load, state outlives a node, racing nodes stay exact."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from frontdesk.queue.memory_backend import MemoryQueueBackend
from frontdesk.queue.models import QueueEntry
from frontdesk.queue.redis_backend import VERBS, RedisQueueBackend

pytestmark = pytest.mark.redis

T0 = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
OFFER = 30


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def prefix() -> str:
    return f"test:{uuid4().hex}:"


@pytest.fixture
async def make_backend(redis_url, prefix) -> AsyncIterator[Callable[[], RedisQueueBackend]]:
    """Backends ("nodes") on one prefix, each with its own connection pool."""
    made: list[RedisQueueBackend] = []

    def make() -> RedisQueueBackend:
        made.append(RedisQueueBackend.from_url(redis_url, prefix))
        return made[-1]

    yield make
    cleaner = made[0] if made else make()
    keys = [key async for key in cleaner.redis.scan_iter(match=f"{prefix}*")]
    if keys:
        await cleaner.redis.delete(*keys)
    for backend in made:
        await backend.aclose()


async def test_every_script_loads_into_redis(make_backend):
    backend = make_backend()
    assert set(backend.scripts) == set(VERBS)
    for script in backend.scripts.values():
        assert await backend.redis.script_load(script.script) == script.sha
    shas = [script.sha for script in backend.scripts.values()]
    assert await backend.redis.script_exists(*shas) == [True] * len(shas)


async def test_keys_live_under_the_prefix(make_backend, prefix):
    backend = make_backend()
    await backend.set_agent(1, presence="available", groups=("billing",), capacity=3, now=T0)
    await backend.enqueue(QueueEntry(chat_id="a", group="billing", enqueued_at=T0))
    keys = {key async for key in backend.redis.scan_iter(match=f"{prefix}*")}
    assert {backend.keys.entry("a"), backend.keys.waiting("billing")} <= keys
    assert {backend.keys.agent(1), backend.keys.group_agents("billing")} <= keys
    await backend.route_request("a", T0, OFFER)
    await backend.decline("a", 1, T0)
    await backend.enqueue(QueueEntry(chat_id="b", group="billing", enqueued_at=T0))
    await backend.route_request("b", T0, OFFER)
    keys = {key async for key in backend.redis.scan_iter(match=f"{prefix}*")}
    expected = {backend.keys.passed("a"), backend.keys.offers(), backend.keys.offered("billing")}
    assert expected <= keys


async def test_a_second_node_sees_the_same_state(make_backend):
    first = make_backend()
    await first.set_agent(1, presence="available", groups=("billing",), capacity=1, now=T0)
    await first.enqueue(QueueEntry(chat_id="a", group="billing", enqueued_at=at(1)))
    await first.enqueue(QueueEntry(chat_id="b", group="billing", enqueued_at=at(2)))
    offer = await first.route_request("a", at(3), OFFER)
    await first.aclose()  # the node restarts

    second = make_backend()
    assert await second.position("a") == 0
    assert await second.position("b") == 1
    assert await second.route_request("b", at(4), OFFER) is None  # the seat is still taken
    assert await second.expire_offers(at(100)) == [offer]


async def test_racing_nodes_offer_each_entry_once_and_fill_seats_exactly(make_backend):
    nodes = [make_backend(), make_backend()]
    agents = range(1, 21)
    chats = [f"chat-{n:03}" for n in range(200)]
    groups = ("billing", "tech")
    for agent_id in agents:
        served = (groups[agent_id % 2],) if agent_id % 3 else groups
        await nodes[0].set_agent(
            agent_id, presence="available", groups=served, capacity=3, now=at(agent_id)
        )
    for n, chat in enumerate(chats):
        await nodes[n % 2].enqueue(QueueEntry(chat_id=chat, group=groups[n % 2], enqueued_at=at(n)))

    now = at(1000)
    calls = [node.route_request(chat, now, OFFER) for chat in chats for node in nodes]
    calls += [node.route_agent(agent_id, now, OFFER) for agent_id in agents for node in nodes]
    offers = [offer for offer in await asyncio.gather(*calls) if offer is not None]

    assert len({offer.chat_id for offer in offers}) == len(offers)
    per_agent = Counter(offer.agent_id for offer in offers)
    assert max(per_agent.values()) <= 3
    assert len(offers) == 20 * 3  # every seat filled, none twice

    # Expiry races routing: lapsed seats may be re-offered, never a chat to its lapser.
    later = at(1000 + OFFER)
    calls = [node.expire_offers(later) for node in nodes]
    calls += [node.route_request(chat, later, OFFER) for chat in chats for node in nodes]
    results = await asyncio.gather(*calls)
    first, second = ({o.chat_id for o in batch} for batch in results[:2])
    assert not first & second
    assert first | second == {offer.chat_id for offer in offers}
    again = [offer for offer in results[2:] if offer is not None]
    assert len({offer.chat_id for offer in again}) == len(again)
    assert max(Counter(offer.agent_id for offer in again).values()) <= 3
    lapsed_by = {offer.chat_id: offer.agent_id for offer in offers}
    assert all(lapsed_by.get(offer.chat_id) != offer.agent_id for offer in again)

    snapshots = [await nodes[1].snapshot(group) for group in groups]
    waiting = sum(s["waiting"] for s in snapshots)
    assert sum(s["offered"] for s in snapshots) == len(again)
    assert waiting + len(again) == len(chats)  # nothing lost
    both = sum(1 for agent_id in agents if agent_id % 3 == 0)
    counted = sum(s["agents_available"] + s["agents_busy"] for s in snapshots)
    assert counted == 20 + both  # every agent counted once per group it serves


async def test_racing_route_agent_never_overfills_a_seat(make_backend):
    nodes = [make_backend(), make_backend()]
    await nodes[0].set_agent(1, presence="available", groups=("billing",), capacity=2, now=T0)
    for n in range(10):
        entry = QueueEntry(chat_id=f"c{n}", group="billing", enqueued_at=at(n))
        await nodes[0].enqueue(entry)
    offers = await asyncio.gather(*(node.route_agent(1, at(20), OFFER) for node in nodes * 5))
    taken = [offer.chat_id for offer in offers if offer is not None]
    assert sorted(taken) == ["c0", "c1"]


GROUPS = ("billing", "tech", "sales")


def random_call(rng: random.Random, step: int):
    """One Protocol call with random arguments, as a function of the backend."""
    now, chat, agent_id = at(step), f"c{rng.randrange(12)}", rng.randrange(1, 4)
    verb = rng.choice(
        ["enqueue", "enqueue", "withdraw", "position", "set_agent", "route_request",
         "route_agent", "accept", "decline", "expire", "release", "snapshot"]
    )  # fmt: skip
    if verb == "enqueue":
        entry = QueueEntry(chat_id=chat, group=rng.choice(GROUPS), enqueued_at=now)
        return verb, lambda b: b.enqueue(entry)
    if verb == "set_agent":
        presence = rng.choice(["available", "available", "away", "offline"])
        groups = tuple(rng.sample(GROUPS, rng.randrange(1, 3)))
        capacity = rng.randrange(1, 4)
        return verb, lambda b: b.set_agent(
            agent_id, presence=presence, groups=groups, capacity=capacity, now=now
        )
    group = rng.choice(GROUPS)
    # Who passed on a chat may have it again after a cool-down: sometimes, sometimes never.
    passed_before = rng.choice([None, at(step - rng.randrange(0, 8))])
    return verb, {
        "withdraw": lambda b: b.withdraw(chat),
        "position": lambda b: b.position(chat),
        "route_request": lambda b: b.route_request(chat, now, 20, passed_before),
        "route_agent": lambda b: b.route_agent(agent_id, now, 20, passed_before),
        "accept": lambda b: b.accept(chat, agent_id),
        "decline": lambda b: b.decline(chat, agent_id, now),
        "expire": lambda b: b.expire_offers(now),
        "release": lambda b: b.release(agent_id, chat, now),
        "snapshot": lambda b: b.snapshot(group),
    }[verb]


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_redis_and_memory_agree_on_a_random_history(make_backend, seed):
    """Differential check: the same seeded calls give the same answers on both backends."""
    redis_backend, memory = make_backend(), MemoryQueueBackend()
    rng = random.Random(seed)
    for step in range(1000):
        verb, call = random_call(rng, step)
        assert await call(redis_backend) == await call(memory), (step, verb)


async def test_racing_nodes_take_each_due_deadline_once(make_backend):
    nodes = [make_backend(), make_backend()]
    due = {("wait", f"chat-{n:03}") for n in range(60)} | {("grace", str(n)) for n in range(20)}
    for n, (kind, key) in enumerate(sorted(due)):
        await nodes[n % 2].set_deadline(kind, key, at(n % 7))
    await nodes[0].set_deadline("wait", "not-yet", at(161))

    batches = await asyncio.gather(*(node.take_due(at(100), 60) for node in nodes * 5))
    taken = [item for batch in batches for item in batch]
    assert len(taken) == len(set(taken))  # disjoint: no deadline handed out twice
    assert set(taken) == due

    # Every one was leased, so none is due again until the lease ends.
    assert await nodes[1].take_due(at(159), 60) == []
    assert set(await nodes[1].take_due(at(160), 60)) == due


async def test_take_due_takes_at_most_a_sweep_and_leaves_the_rest_for_the_next(make_backend):
    from frontdesk.queue.redis_backend import TAKE_DUE_LIMIT

    backend = make_backend()
    total = TAKE_DUE_LIMIT + 5
    for n in range(total):
        await backend.set_deadline("wait", f"chat-{n:04}", at(n / 1000))
    first = await backend.take_due(at(10), 60)
    assert first == [("wait", f"chat-{n:04}") for n in range(TAKE_DUE_LIMIT)]  # earliest
    second = await backend.take_due(at(10), 60)
    assert second == [("wait", f"chat-{n:04}") for n in range(TAKE_DUE_LIMIT, total)]


async def test_generation_is_shared_by_nodes_and_lost_with_the_keys(make_backend, prefix):
    first, second = make_backend(), make_backend()
    assert await first.claim_generation("life-1") is True
    assert await second.generation() == "life-1"
    assert await second.claim_generation("life-2") is False

    # Redis restarts without its data: every key under the prefix is gone.
    keys = [key async for key in first.redis.scan_iter(match=f"{prefix}*")]
    assert first.keys.generation() in keys
    await first.redis.delete(*keys)

    assert await first.generation() is None
    assert await second.generation() is None
    claims = await asyncio.gather(first.claim_generation("life-2"), second.claim_generation("x"))
    assert sorted(claims) == [False, True]  # exactly one node rebuilds
    assert await first.generation() in {"life-2", "x"}


def random_new_call(rng: random.Random, step: int):
    """One call of the newer Protocol methods (seat restores, line, offers, deadlines,
    sockets), or else an older one, as a function of the backend."""
    now, chat, agent_id = at(step), f"c{rng.randrange(12)}", rng.randrange(1, 4)
    kind, key = rng.choice(["wait", "grace"]), f"k{rng.randrange(6)}"
    connection = f"node-{rng.randrange(2)}:s{rng.randrange(3)}"
    verb = rng.choice(
        ["old", "old", "old", "old", "set_agent_active", "line", "offer_of", "set_deadline",
         "cancel_deadline", "take_due", "agent_connected", "agent_disconnected", "connections"]
    )  # fmt: skip
    if verb == "old":
        return random_call(rng, step)
    if verb == "set_agent_active":
        groups = tuple(rng.sample(GROUPS, rng.randrange(1, 3)))
        capacity, active = rng.randrange(1, 4), rng.randrange(0, 4)
        return verb, lambda b: b.set_agent(
            agent_id, presence="available", groups=groups, capacity=capacity, now=now, active=active
        )
    due, lease = now + timedelta(seconds=rng.randrange(-5, 20)), rng.randrange(1, 10)
    group = rng.choice(GROUPS)
    return verb, {
        "line": lambda b: b.line(group),
        "offer_of": lambda b: b.offer_of(chat),
        "set_deadline": lambda b: b.set_deadline(kind, key, due),
        "cancel_deadline": lambda b: b.cancel_deadline(kind, key),
        "take_due": lambda b: b.take_due(now, lease),
        "agent_connected": lambda b: b.agent_connected(agent_id, connection),
        "agent_disconnected": lambda b: b.agent_disconnected(agent_id, connection),
        "connections": lambda b: b.connections(agent_id),
    }[verb]


@pytest.mark.parametrize("seed", [4, 5, 6])
async def test_redis_and_memory_agree_on_a_random_history_of_the_newer_methods(make_backend, seed):
    redis_backend, memory = make_backend(), MemoryQueueBackend()
    rng = random.Random(seed)
    for step in range(1000):
        verb, call = random_new_call(rng, step)
        assert await call(redis_backend) == await call(memory), (step, verb)
    for group in GROUPS:
        assert await redis_backend.snapshot(group) == await memory.snapshot(group)
