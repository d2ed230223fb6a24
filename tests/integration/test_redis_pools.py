"""A node's Redis connections are bounded, released when idle, and counted: on a real
Redis, whose CLIENT LIST shows what each pool really holds."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from frontdesk.redis_pool import ReleasingPool

pytestmark = pytest.mark.redis

IDLE_SECONDS = 60.0
GONE_SECONDS = 5.0  # how long Redis may take to see a closed socket


class Clock:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


@pytest.fixture
def clock_seconds() -> Clock:
    return Clock()


@pytest.fixture
async def pool(redis_url: str, clock_seconds: Clock) -> AsyncIterator[ReleasingPool]:
    made = ReleasingPool.for_url(
        redis_url,
        size=3,
        idle_seconds=IDLE_SECONDS,
        wait_seconds=5.0,
        name=f"test-pool-{uuid.uuid4().hex[:8]}",
        now=clock_seconds,
    )
    try:
        yield made
    finally:
        await made.aclose()


async def clients_named(redis_url: str, name: str) -> int:
    """How many connections Redis has open under `name`, from a connection of its own."""
    async with Redis.from_url(redis_url, decode_responses=True) as redis:
        return sum(1 for client in await redis.client_list() if client["name"] == name)


async def until_clients_named(redis_url: str, name: str, count: int) -> None:
    """Await Redis seeing `count` connections under `name` (a close reaches it a moment
    after the socket is shut). Redis tells nobody, so this asks it again and again."""
    async with asyncio.timeout(GONE_SECONDS):
        while await clients_named(redis_url, name) != count:  # noqa: ASYNC110
            await asyncio.sleep(0.02)


def name_of(pool: ReleasingPool) -> str:
    return str(pool.connection_kwargs["client_name"])


async def test_a_pool_holds_at_most_its_size_and_a_caller_past_it_waits(pool, redis_url):
    held = [await pool.get_connection() for _ in range(3)]
    assert pool.open_connections() == {"in_use": 3, "idle": 0}
    assert await clients_named(redis_url, name_of(pool)) == 3

    fourth = asyncio.create_task(pool.get_connection())
    await asyncio.sleep(0)  # let it ask: with every connection held it can only wait
    assert not fourth.done()
    await pool.release(held.pop())
    async with asyncio.timeout(5):
        taken = await fourth
    assert taken.is_connected
    assert await clients_named(redis_url, name_of(pool)) == 3  # reused, not a fourth
    for connection in [*held, taken]:
        await pool.release(connection)


async def test_idle_connections_close_after_the_idle_time_and_reopen_when_needed(
    pool, redis_url, clock_seconds
):
    client = Redis(connection_pool=pool)
    # Three commands at once open three connections; then all rest in the pool.
    await asyncio.gather(*(client.ping() for _ in range(3)))
    assert pool.open_connections() == {"in_use": 0, "idle": 3}

    clock_seconds.seconds += IDLE_SECONDS - 1
    assert await pool.close_idle() == 0
    await client.ping()  # one connection is used again: its idle time starts over
    clock_seconds.seconds += 1
    assert await pool.close_idle() == 2
    assert pool.open_connections() == {"in_use": 0, "idle": 1}
    await until_clients_named(redis_url, name_of(pool), 1)

    clock_seconds.seconds += IDLE_SECONDS
    assert await pool.close_idle() == 1
    await until_clients_named(redis_url, name_of(pool), 0)
    assert await client.ping()  # a closed connection reconnects when next taken
    assert pool.open_connections() == {"in_use": 0, "idle": 1}


async def test_a_held_connection_is_never_closed_as_idle(pool, clock_seconds):
    held = await pool.get_connection()  # a subscription holds its connection like this
    clock_seconds.seconds += 10 * IDLE_SECONDS
    assert await pool.close_idle() == 0
    assert held.is_connected
    await pool.release(held)


def connection_counts(metrics: str) -> dict[tuple[str, str], float]:
    counts = {}
    for line in metrics.splitlines():
        if line.startswith("frontdesk_redis_connections{"):
            labels, value = line.removeprefix("frontdesk_redis_connections").rsplit(" ", 1)
            pool = labels.split('pool="')[1].split('"')[0]
            state = labels.split('state="')[1].split('"')[0]
            counts[(pool, state)] = float(value)
    return counts


async def test_a_node_sizes_its_pools_from_settings_and_reports_their_connections(
    servers, redis_url
):
    node_id = f"pools-{uuid.uuid4().hex[:8]}"
    server = servers.start(redis_url, node_id=node_id, redis_pool_size=4, fanout_pool_size=2)
    async with httpx.AsyncClient(base_url=server.url) as http:
        assert (await http.get("/readyz")).status_code == 200
        metrics = (await http.get("/metrics")).text
    counts = connection_counts(metrics)
    # The fan-out's subscription holds one connection for good (a publish in flight may
    # hold another); /readyz pinged over a command connection.
    assert counts[("fanout", "in_use")] >= 1
    assert counts[("commands", "in_use")] + counts[("commands", "idle")] >= 1
    assert 'frontdesk_redis_pool_size{pool="commands"} 4.0' in metrics
    assert 'frontdesk_redis_pool_size{pool="fanout"} 2.0' in metrics
    services = server.services
    assert services.redis_pools["commands"].max_connections == 4
    assert services.redis_pools["fanout"].max_connections == 2
    # The subscription's, and a publish's while one is in flight: never past the size.
    assert 1 <= await clients_named(redis_url, f"frontdesk:{node_id}:fanout") <= 2
    commands = await clients_named(redis_url, f"frontdesk:{node_id}:commands")
    assert 1 <= commands <= 4
