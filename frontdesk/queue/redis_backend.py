"""RedisQueueBackend: the QueueBackend contract on Redis, one Lua script per transition."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.commands.core import AsyncScript

from frontdesk.queue.keys import QueueKeys
from frontdesk.queue.models import (
    AgentState,
    Emptied,
    Offer,
    Presence,
    QueueEntry,
    emptied,
    from_ms,
    holder,
    to_ms,
)

log = logging.getLogger(__name__)

# Each script runs in well under a millisecond; waiting this long for a pooled
# connection means Redis is in trouble, and the caller should hear about it.
POOL_WAIT_SECONDS = 5
# Deadlines taken per sweep; more wait for the next one, a moment later.
TAKE_DUE_LIMIT = 200

VERBS = (
    "enqueue",
    "position",
    "withdraw",
    "set_agent",
    "route_request",
    "route_agent",
    "fill_seats",
    "offer_to",
    "accept",
    "decline",
    "expire",
    "release",
    "snapshot",
    "note_activity",
    "take_idle",
)


def _source(verb: str) -> str:
    """A verb's script with the shared helpers in front (Lua scripts cannot import)."""
    folder = resources.files("frontdesk.queue") / "lua"
    common = (folder / "common.lua").read_text(encoding="utf-8")
    return common + "\n" + (folder / f"{verb}.lua").read_text(encoding="utf-8")


def _agent_state(agent_id: int, row: dict[str, Any]) -> AgentState:
    last_activity = row.get("last_activity")
    return AgentState(
        agent_id=agent_id,
        presence=row["presence"],
        groups=tuple(json.loads(row["groups"])),
        capacity=int(row["capacity"]),
        active=int(row["active"]),
        idle_since=from_ms(row["idle_since"]),
        # Agents set before presence_since was kept: their idle time is the best guess.
        presence_since=from_ms(row.get("presence_since", row["idle_since"])),
        reason=row.get("reason"),
        last_activity=None if last_activity is None else from_ms(last_activity),
    )


def _routing(
    now: datetime, offer_seconds: int, passed_before: datetime | None
) -> tuple[int, int, int | str]:
    """The routing scripts' time arguments: now, the offer's deadline, and since when a
    pass no longer counts ('' for never), each in epoch ms."""
    deadline = to_ms(now + timedelta(seconds=offer_seconds))
    return to_ms(now), deadline, "" if passed_before is None else to_ms(passed_before)


def _offer(row: list[Any]) -> Offer:
    chat_id, agent_id, group, enqueued, deadline = row
    return Offer(
        chat_id=chat_id,
        agent_id=int(agent_id),
        group=group,
        enqueued_at=from_ms(enqueued),
        deadline=from_ms(deadline),
    )


class RedisQueueBackend:
    """Shared routing state for every node; `redis` must decode responses to str."""

    def __init__(self, redis: Redis, prefix: str, *, owns_client: bool = False) -> None:
        self.redis = redis
        self.keys = QueueKeys(prefix)
        self._owns_client = owns_client
        self.scripts: dict[str, AsyncScript] = {
            verb: redis.register_script(_source(verb)) for verb in VERBS
        }
        folder = resources.files("frontdesk.queue") / "lua"
        self._take_due, self._take_dead, self._forget_node = (
            redis.register_script((folder / f"{name}.lua").read_text(encoding="utf-8"))
            for name in ("take_due", "take_dead_nodes", "forget_node")
        )

    @classmethod
    def from_url(cls, url: str, prefix: str, *, max_connections: int = 50) -> RedisQueueBackend:
        """A backend with its own pool; callers beyond `max_connections` wait their turn
        (up to POOL_WAIT_SECONDS) rather than fail, so a burst of routing queues up."""
        pool = BlockingConnectionPool.from_url(
            url, max_connections=max_connections, timeout=POOL_WAIT_SECONDS, decode_responses=True
        )
        return cls(Redis.from_pool(pool), prefix, owns_client=True)

    async def _run(self, verb: str, *args: str | int) -> Any:
        try:
            return await self.scripts[verb](
                keys=[self.keys.offers()], args=[self.keys.prefix, *args]
            )
        except Exception:
            log.exception("queue script failed", extra={"verb": verb, "prefix": self.keys.prefix})
            raise

    async def enqueue(
        self, entry: QueueEntry, *, deadline: tuple[str, datetime] | None = None
    ) -> int:
        ms = to_ms(entry.enqueued_at)
        kind, at = deadline or ("", None)
        due = "" if at is None else to_ms(at)
        return int(await self._run("enqueue", entry.chat_id, entry.group, ms, kind, due))

    async def requeue_front(self, entry: QueueEntry) -> int:
        return await self.enqueue(entry)

    async def withdraw(self, chat_id: str, *, ending: tuple[str, ...] = ()) -> bool:
        return bool(await self._run("withdraw", chat_id, *ending))

    async def offer_of(self, chat_id: str) -> Offer | None:
        found = await self.redis.hgetall(self.keys.entry(chat_id))
        if found.get("state") != "offered":
            return None
        return _offer(
            [chat_id, found["agent"], found["group"], found["enqueued"], found["deadline"]]
        )

    async def position(self, chat_id: str) -> int | None:
        found = await self._run("position", chat_id)
        return None if found is None else int(found)

    async def set_agent(
        self,
        agent_id: int,
        *,
        presence: Presence,
        groups: tuple[str, ...],
        capacity: int,
        now: datetime,
        active: int | None = None,
        reason: str | None = None,
    ) -> AgentState:
        restore = "" if active is None else active
        groups_json = json.dumps(list(groups))
        active, idle, since, last_activity = await self._run(
            "set_agent", agent_id, presence, groups_json, capacity, to_ms(now), restore,
            reason or "",
        )  # fmt: skip
        return AgentState(
            agent_id=agent_id,
            presence=presence,
            groups=tuple(groups),
            capacity=capacity,
            active=int(active),
            idle_since=from_ms(idle),
            presence_since=from_ms(since),
            reason=reason or None,
            last_activity=from_ms(last_activity) if last_activity != "" else None,
        )

    async def agents(self) -> list[AgentState]:
        ids = sorted(int(agent_id) for agent_id in await self.redis.smembers(self.keys.agent_ids()))
        async with self.redis.pipeline(transaction=False) as pipe:
            for agent_id in ids:
                pipe.hgetall(self.keys.agent(agent_id))
            rows = await pipe.execute()
        return [_agent_state(agent_id, row) for agent_id, row in zip(ids, rows, strict=True) if row]

    async def agent(self, agent_id: int) -> AgentState | None:
        row: dict[str, Any] = await self.redis.hgetall(self.keys.agent(agent_id))  # type: ignore[assignment]
        return _agent_state(agent_id, row) if row else None

    async def note_activity(self, agent_id: int, at: datetime) -> None:
        await self._run("note_activity", agent_id, to_ms(at))

    async def take_idle(self, idle_before: datetime, now: datetime, reason: str) -> list[int]:
        taken = await self._run("take_idle", to_ms(idle_before), to_ms(now), reason)
        return sorted(int(agent_id) for agent_id in taken)

    async def route_request(
        self,
        chat_id: str,
        now: datetime,
        offer_seconds: int,
        passed_before: datetime | None = None,
    ) -> Offer | None:
        row = await self._run(
            "route_request", chat_id, *_routing(now, offer_seconds, passed_before)
        )
        return None if row is None else _offer(row)

    async def route_agent(
        self,
        agent_id: int,
        now: datetime,
        offer_seconds: int,
        passed_before: datetime | None = None,
    ) -> Offer | None:
        row = await self._run("route_agent", agent_id, *_routing(now, offer_seconds, passed_before))
        return None if row is None else _offer(row)

    async def fill_seats(
        self,
        agent_id: int,
        now: datetime,
        offer_seconds: int,
        passed_before: datetime | None = None,
    ) -> list[Offer]:
        rows = await self._run("fill_seats", agent_id, *_routing(now, offer_seconds, passed_before))
        return [_offer(row) for row in rows]

    async def offer_to(
        self, chat_id: str, agent_id: int, now: datetime, offer_seconds: int
    ) -> Offer | None:
        deadline = to_ms(now + timedelta(seconds=offer_seconds))
        row = await self._run("offer_to", chat_id, agent_id, to_ms(now), deadline)
        return None if row is None else _offer(row)

    async def accept(self, chat_id: str, agent_id: int, *, ending: tuple[str, ...] = ()) -> bool:
        return bool(await self._run("accept", chat_id, agent_id, *ending))

    async def decline(self, chat_id: str, agent_id: int, now: datetime) -> QueueEntry | None:
        row = await self._run("decline", chat_id, agent_id, to_ms(now))
        return None if row is None else _offer(row).entry()

    async def pass_on(self, chat_id: str, agent_id: int, now: datetime) -> None:
        await self.redis.zadd(self.keys.passed(chat_id), {str(agent_id): to_ms(now)})

    async def expire_offers(self, now: datetime) -> list[Offer]:
        rows = await self._run("expire", to_ms(now))
        return [_offer(row) for row in rows]

    async def release(self, agent_id: int, chat_id: str, now: datetime) -> None:
        await self._run("release", agent_id, to_ms(now))

    async def line(self, group: str) -> list[str]:
        members: list[str] = await self.redis.zrange(self.keys.waiting(group), 0, -1)  # type: ignore[assignment]
        return members

    async def snapshot(self, group: str) -> dict[str, Any]:
        row = await self._run("snapshot", group)
        waiting, since, offered, available, busy, away, seats = row
        return {
            "group": group,
            "waiting": int(waiting),
            "longest_waiting_since": None if since is None else from_ms(since),
            "offered": int(offered),
            "agents_available": int(available),
            "agents_busy": int(busy),
            "agents_away": int(away),
            "seats": int(seats),
        }

    async def set_deadline(self, kind: str, key: str, at: datetime) -> None:
        await self.redis.zadd(self.keys.deadlines(), {f"{kind}|{key}": to_ms(at)})

    async def cancel_deadline(self, kind: str, key: str) -> bool:
        return bool(await self.redis.zrem(self.keys.deadlines(), f"{kind}|{key}"))

    async def take_due(self, now: datetime, lease_seconds: int) -> list[tuple[str, str]]:
        lease = to_ms(now + timedelta(seconds=lease_seconds))
        members = await self._take_due(
            keys=[self.keys.deadlines()], args=[to_ms(now), lease, TAKE_DUE_LIMIT]
        )
        return [(kind, key) for kind, _, key in (m.partition("|") for m in members)]

    async def _connected(self, who: str, connection: str) -> int:
        key = self.keys.connections(who)
        node_key = self.keys.node_connections(connection.partition(":")[0])
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.sadd(key, connection)
            pipe.sadd(node_key, f"{who}|{connection}")
            pipe.scard(key)
            added = await pipe.execute()
        return int(added[2])

    async def _disconnected(self, who: str, connection: str) -> int:
        key = self.keys.connections(who)
        node_key = self.keys.node_connections(connection.partition(":")[0])
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.srem(key, connection)
            pipe.srem(node_key, f"{who}|{connection}")
            pipe.scard(key)
            removed = await pipe.execute()
        return int(removed[2])

    async def agent_connected(self, agent_id: int, connection: str) -> int:
        return await self._connected(holder("agent", agent_id), connection)

    async def agent_disconnected(self, agent_id: int, connection: str) -> int:
        return await self._disconnected(holder("agent", agent_id), connection)

    async def connections(self, agent_id: int) -> int:
        return int(await self.redis.scard(self.keys.connections(holder("agent", agent_id))))

    async def customer_connected(self, customer_id: int, connection: str) -> int:
        return await self._connected(holder("customer", customer_id), connection)

    async def customer_disconnected(self, customer_id: int, connection: str) -> int:
        return await self._disconnected(holder("customer", customer_id), connection)

    async def customer_connections(self, customer_id: int) -> int:
        key = self.keys.connections(holder("customer", customer_id))
        return int(await self.redis.scard(key))

    async def node_seen(self, node_id: str, until: datetime) -> bool:
        added = await self.redis.zadd(self.keys.nodes(), {node_id: to_ms(until)})
        return not added

    async def take_dead_nodes(self, now: datetime) -> list[str]:
        dead: list[str] = await self._take_dead(keys=[self.keys.nodes()], args=[to_ms(now)])
        return sorted(dead)

    async def forget_node(self, node_id: str) -> Emptied:
        left_with_none = await self._forget_node(
            keys=[self.keys.node_connections(node_id)], args=[self.keys.prefix]
        )
        return emptied([str(who) for who in left_with_none])

    async def generation(self) -> str | None:
        token = await self.redis.get(self.keys.generation())
        return None if token is None else str(token)

    async def claim_generation(self, token: str) -> bool:
        return bool(await self.redis.set(self.keys.generation(), token, nx=True))

    async def aclose(self) -> None:
        if self._owns_client:
            await self.redis.aclose()
