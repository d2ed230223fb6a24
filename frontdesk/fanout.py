"""The Socket.IO fan-out between nodes over Redis pub/sub, and its watch.

python-socketio delivers an event to this node's own sockets at once and publishes it
for the others. Here the publishes are batched: what a node publishes while one batch is
on its way goes out as the next, one PUBLISH of a list, in order. An emit no longer
waits for Redis, a node skips its own batches unread, and a burst of chat messages costs
a handful of publishes instead of two each. Pub/sub keeps nothing: a publish that
fails, or that succeeds while a node is not subscribed (Redis just restarted, the node
still backing off), is gone for that node's sockets, and python-socketio says nothing
more than a log line. So:

- the watch counts each publish that reached fewer nodes than recently did, or failed
  while other nodes were there, and logs once per outage (frontdesk_fanout_lost_total);
- resubscribing backs off to at most RESUBSCRIBE_MAX_SECONDS (python-socketio: 60 s);
- /readyz reports the subscription (a node that hears nothing from the others is not
  ready), and the heartbeats go out at once when the fan-out comes back, so clients
  learn what they missed without waiting for the next beat (chat/heartbeats.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import socketio
from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from frontdesk.local_emit import DirectEmit
from frontdesk.metrics import Metrics
from frontdesk.redis_pool import ReleasingPool

log = logging.getLogger(__name__)

# How long a publish waits for a free connection of the fan-out's pool.
FANOUT_POOL_WAIT_SECONDS = 5.0
RESUBSCRIBE_FIRST_SECONDS = 0.1
RESUBSCRIBE_MAX_SECONDS = 1.0
# How long the most nodes a publish reached counts as how many should hear one.
PEAK_SECONDS = 30.0
# A pub/sub message of our own on the fan-out channel: a node stopping on purpose says so,
# so the others do not take its absence for lost events. python-socketio's listener
# ignores methods it does not know.
LEAVING = "frontdesk_node_leaving"
# A batch of python-socketio's messages, in the order they were published.
BATCH = "frontdesk_batch"
MAX_BATCH = 500  # messages in one PUBLISH at most


class FanoutWatch:
    """What the fan-out knows of its own health, for /readyz, /metrics and heartbeats.

    How many nodes should hear a publish is the most that one reached within the last
    PEAK_SECONDS (Redis says how many subscribers got each): fewer means a node missed
    it. A node that stops for good is no longer expected once that window passes; one
    that said it was leaving (a planned stop, a rolling upgrade) is not expected from
    then on."""

    def __init__(self, metrics: Metrics, now: Callable[[], float] = time.monotonic) -> None:
        self.subscribed = False
        self.back = asyncio.Event()  # set when the fan-out works again after trouble
        self._metrics = metrics
        self._now = now
        self._peak = 0
        self._peak_at = 0.0
        self._departed = 0  # nodes that said they leave, since the peak was set
        self._outage = False

    def readiness(self) -> str:
        return "ok" if self.subscribed else "not subscribed"

    def now_subscribed(self) -> None:
        self.subscribed = True
        self._metrics.fanout_subscribed.set(1)
        self.back.set()

    def now_unsubscribed(self, error: BaseException) -> None:
        if self.subscribed:
            log.warning("fan-out subscription lost (%s); resubscribing", type(error).__name__)
        self.subscribed = False
        self._metrics.fanout_subscribed.set(0)

    def published(self, receivers: int) -> None:
        now = self._now()
        if receivers >= self._peak or now - self._peak_at > PEAK_SECONDS:
            if now - self._peak_at > PEAK_SECONDS:
                self._departed = 0
            self._peak, self._peak_at = receivers, now
            self._recovered()
        elif receivers < self._peak - self._departed:
            self._lost(f"reached {receivers} of {self._peak - self._departed} nodes")

    def node_left(self) -> None:
        """Another node is stopping on purpose: one subscriber fewer is expected."""
        self._departed += 1

    def publish_failed(self, error: BaseException) -> None:
        # Alone, nothing is lost: this node's own sockets were told before the publish.
        if self._peak > 1:
            self._lost(f"publish failed ({type(error).__name__})")

    def _lost(self, why: str) -> None:
        self._metrics.fanout_lost.inc()
        if not self._outage:
            self._outage = True
            log.error("fan-out losing events: %s; clients catch up on heartbeats", why)

    def _recovered(self) -> None:
        if self._outage:
            self._outage = False
            log.warning("fan-out reaches every node again")
            self.back.set()


class RedisFanout(socketio.AsyncRedisManager, DirectEmit):  # type: ignore[misc]
    """python-socketio's Redis manager, watched, with a capped resubscribe, on a pool
    that makes a publish wait for a free connection. Its own client (redis-py's default
    pool) refuses the 101st publish in flight at once, and the manager then retries once
    and drops the event ("Cannot publish to redis... giving up"): a burst of chat
    messages lost them."""

    def __init__(self, pool: ReleasingPool, channel: str, watch: FanoutWatch) -> None:
        super().__init__("redis://", channel=channel)  # the pool says where Redis is
        self.pool = pool
        self.redis: Redis | None = None
        self.pubsub: PubSub | None = None
        self.watch = watch
        self._outbox: list[Any] = []
        self._sender: asyncio.Task[None] | None = None
        # How this node's own batches begin (json.dumps keeps the keys' order).
        self._own = self.json.dumps({"method": BATCH, "host_id": self.host_id})[:-1].encode()

    async def announce_leaving(self) -> None:
        """Tell the other nodes that this one stops on purpose, while it still listens:
        their publishes reach one node fewer from now on, and that loses nothing."""
        await self._publish({"method": LEAVING, "host_id": self.host_id})
        await self.flush()

    async def flush(self) -> None:
        """Wait until everything published so far has gone out (or failed)."""
        while self._sender is not None and not self._sender.done():
            await asyncio.shield(self._sender)

    async def _listen(self) -> AsyncIterator[Any]:
        async for data in super()._listen():
            if data.startswith(self._own):
                continue  # this node's sockets were told before the batch went out
            try:
                message = self.json.loads(data)
            except ValueError:
                continue
            if not isinstance(message, dict):
                continue
            inner = message.get("messages") if message.get("method") == BATCH else [message]
            for each in inner if isinstance(inner, list) else []:
                if isinstance(each, dict) and each.get("method") == LEAVING:
                    if each.get("host_id") != self.host_id:
                        self.watch.node_left()
                    continue
                yield each  # python-socketio's listener takes a decoded message as is

    def _redis_connect(self) -> None:
        # One client and pool for the node's life: redis-py replaces a broken connection
        # by itself. python-socketio builds new ones on every reconnect, leaving the old
        # connections unclosed, and replaces the listener's pubsub under it.
        self._subscription()

    def _client(self) -> Redis:
        if self.redis is None:
            self.redis = Redis.from_pool(self.pool)
        self.connected = True
        return self.redis

    def _subscription(self) -> PubSub:
        if self.pubsub is None:
            self.pubsub = self._client().pubsub(ignore_subscribe_messages=True)
        return self.pubsub

    async def _publish(self, data: Any) -> None:
        """Queue `data` for the next batch; python-socketio calls this for every emit and
        room change after telling this node's own sockets."""
        self._outbox.append(data)
        if self._sender is None or self._sender.done():
            self._sender = asyncio.create_task(self._send_while_queued(), name="fanout")

    async def _send_while_queued(self) -> None:
        while self._outbox:
            batch, self._outbox = self._outbox[:MAX_BATCH], self._outbox[MAX_BATCH:]
            try:
                await self._publish_batch(batch)
            except Exception:  # a batch that cannot be encoded must not stop the rest
                log.exception("could not publish %d fan-out messages", len(batch))

    async def _publish_batch(self, batch: list[Any]) -> int | None:
        payload = self.json.dumps({"method": BATCH, "host_id": self.host_id, "messages": batch})
        failure: BaseException | None = None
        for _attempt in range(2):
            try:
                receivers = await self._client().publish(self.channel, payload)
            except Exception as error:
                failure = error
                continue
            self.watch.published(int(receivers))
            return int(receivers)
        assert failure is not None
        self.watch.publish_failed(failure)
        return None

    async def _redis_listen_with_retries(self) -> AsyncIterator[Any]:
        delay = RESUBSCRIBE_FIRST_SECONDS
        subscribed = False
        while True:
            try:
                pubsub = self._subscription()
                if not subscribed:
                    await pubsub.subscribe(self.channel)
                    subscribed = True
                    delay = RESUBSCRIBE_FIRST_SECONDS
                    self.watch.now_subscribed()
                async for message in pubsub.listen():
                    yield message
            except Exception as error:
                subscribed = False
                self.watch.now_unsubscribed(error)
                await self._drop_pubsub()
                await asyncio.sleep(delay)
                delay = min(delay * 2, RESUBSCRIBE_MAX_SECONDS)

    async def _drop_pubsub(self) -> None:
        """Close a broken subscription; the next attempt opens a new one."""
        pubsub, self.pubsub = self.pubsub, None
        if pubsub is not None:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
