"""Prometheus metrics, in a registry of the app's own (tests build many apps)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class CountsConnections(Protocol):
    max_connections: int

    def open_connections(self) -> dict[str, int]: ...


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.http_requests = Counter(
            "frontdesk_http_requests_total",
            "HTTP requests answered, by method, route and status code",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.http_duration = Histogram(
            "frontdesk_http_request_duration_seconds",
            "Time to answer an HTTP request, by route",
            ["route"],
            registry=self.registry,
        )
        self.socket_connections = Gauge(
            "frontdesk_socket_connections",
            "Socket.IO connections open on this node, by namespace",
            ["namespace"],
            registry=self.registry,
        )
        self.fanout_lost = Counter(
            "frontdesk_fanout_lost_total",
            "Events published to the other nodes that some node missed (it was not"
            " subscribed, or the publish failed); clients catch up on heartbeats",
            registry=self.registry,
        )
        self.fanout_subscribed = Gauge(
            "frontdesk_fanout_subscribed",
            "1 while this node is subscribed to the Redis fan-out",
            registry=self.registry,
        )
        self.redis_connections = Gauge(
            "frontdesk_redis_connections",
            "Redis connections this node holds open, by pool (commands, fanout) and state"
            " (in_use, idle); idle ones close after FRONTDESK_REDIS_IDLE_SECONDS",
            ["pool", "state"],
            registry=self.registry,
        )
        self.redis_pool_size = Gauge(
            "frontdesk_redis_pool_size",
            "Redis connections this node's pool may hold (FRONTDESK_*_POOL_SIZE)",
            ["pool"],
            registry=self.registry,
        )
        self._chat_metrics()
        # The store's counts, the same on every node: read one node's, never sum them.
        self.cases_open = Gauge(
            "frontdesk_cases_open", "Open cases, by queue", ["queue"], registry=self.registry
        )
        self.cases_overdue = Gauge(
            "frontdesk_cases_overdue",
            "Open cases past their reply-by time, by queue",
            ["queue"],
            registry=self.registry,
        )
        self._csat_metrics()

    def _csat_metrics(self) -> None:
        """Customer satisfaction per customer group and per agent, today (since midnight,
        UK time) and over the last 7 days (`window` "today" or "7d"): counted from the
        store, the same on every node, so read one node's and never sum them."""
        r = self.registry
        labels = ["group", "window"]
        self.csat_requests = Gauge(
            "frontdesk_csat_requests",
            "Customers asked to rate: chats ended after an agent answered, message and"
            " call cases resolved",
            labels,
            registry=r,
        )
        self.csat_responses = Gauge(
            "frontdesk_csat_responses", "Of those, how many were rated", labels, registry=r
        )
        self.csat_average = Gauge(
            "frontdesk_csat_average",
            "Average rating, 1 (very dissatisfied) to 5 (very satisfied); NaN before any",
            labels,
            registry=r,
        )
        self.csat_response_rate = Gauge(
            "frontdesk_csat_response_rate",
            "Share of those asked who rated, 0 to 1; NaN before anyone was asked",
            labels,
            registry=r,
        )
        # The same per agent (by id: names change, and are the store's to tell), for the
        # agent a chat was answered by or a case was resolved or assigned to.
        by_agent = ["agent_id", "window"]
        self.csat_agent_requests = Gauge(
            "frontdesk_csat_agent_requests", "Customers asked to rate, per agent", by_agent,
            registry=r,
        )  # fmt: skip
        self.csat_agent_responses = Gauge(
            "frontdesk_csat_agent_responses", "Of those, how many were rated, per agent",
            by_agent, registry=r,
        )  # fmt: skip
        self.csat_agent_average = Gauge(
            "frontdesk_csat_agent_average", "Average rating per agent; NaN before any",
            by_agent, registry=r,
        )  # fmt: skip
        self.csat_agent_response_rate = Gauge(
            "frontdesk_csat_agent_response_rate", "Share of those asked who rated, per agent",
            by_agent, registry=r,
        )  # fmt: skip

    def watch_redis_pool(self, name: str, pool: CountsConnections) -> None:
        """Report `pool`'s open connections, read when /metrics is scraped."""

        def count(state: str) -> Callable[[], float]:
            return lambda: pool.open_connections()[state]

        for state in ("in_use", "idle"):
            self.redis_connections.labels(pool=name, state=state).set_function(count(state))
        self.redis_pool_size.labels(pool=name).set(pool.max_connections)

    def _chat_metrics(self) -> None:
        """Live chat: the supervisor feed's figures, per customer group."""
        r = self.registry
        self.chat_waiting = Gauge(
            "frontdesk_chat_waiting", "Chat requests waiting", ["group"], registry=r
        )
        self.chat_longest_wait = Gauge(
            "frontdesk_chat_longest_wait_seconds",
            "Wait of the oldest request",
            ["group"],
            registry=r,
        )
        self.chat_offered = Gauge(
            "frontdesk_chat_offered", "Chats offered, not yet accepted", ["group"], registry=r
        )
        self.chat_active = Gauge(
            "frontdesk_chat_active", "Chats in progress", ["group"], registry=r
        )
        self.chat_agents = Gauge(
            "frontdesk_chat_agents",
            "Agents serving the group, by state",
            ["group", "state"],
            registry=r,
        )
        self.chat_requests = Counter(
            "frontdesk_chat_requests_total",
            "Chat requests accepted into a queue",
            ["group"],
            registry=r,
        )
        self.chat_abandoned = Counter(
            "frontdesk_chat_abandoned_total",
            "Chats ended before an agent answered",
            ["group"],
            registry=r,
        )
        self.chat_offers = Counter(
            "frontdesk_chat_offers_total",
            "Offers made, and how they ended",
            ["group", "outcome"],
            registry=r,
        )
        self.chat_wait = Histogram(
            "frontdesk_chat_wait_seconds",
            "Wait from request to an agent's answer",
            ["group"],
            buckets=(5, 15, 30, 60, 120, 300, 600, 900, 1800),
            registry=r,
        )
        self.chat_handle = Histogram(
            "frontdesk_chat_handle_seconds",
            "Time from answer to end",
            ["group"],
            buckets=(60, 180, 300, 600, 900, 1800, 3600),
            registry=r,
        )
