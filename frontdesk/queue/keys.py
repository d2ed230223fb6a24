"""Every Redis key the queue uses, under one prefix (the Lua scripts mirror these shapes).

Per-group and per-chat keys are found inside the scripts (an agent's groups, a chat's
decliners), so the scripts get the prefix and build them with the same templates as
here: that makes the layout single-node Redis only, which is what we run.
"""

from __future__ import annotations


class QueueKeys:
    """Key builder: `QueueKeys("frontdesk:").waiting("billing")` -> "frontdesk:waiting:billing"."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def entry(self, chat_id: str) -> str:
        """HASH group, enqueued (ms), state (waiting|offered), agent, deadline (ms)."""
        return f"{self.prefix}entry:{chat_id}"

    def waiting(self, group: str) -> str:
        """ZSET of waiting chat ids scored by enqueued_at ms (ties: chat id order)."""
        return f"{self.prefix}waiting:{group}"

    def group_agents(self, group: str) -> str:
        """ZSET of every agent serving the group, scored by idle_since ms."""
        return f"{self.prefix}agents:{group}"

    def agent(self, agent_id: int) -> str:
        """HASH presence, capacity, active, groups (JSON list), idle_since (ms),
        presence_since (ms), reason (absent: none), last_activity (ms, absent: none)."""
        return f"{self.prefix}agent:{agent_id}"

    def agent_ids(self) -> str:
        """SET of every agent id with a routing state."""
        return f"{self.prefix}agent_ids"

    def offers(self) -> str:
        """ZSET of offered chat ids scored by deadline ms."""
        return f"{self.prefix}offers"

    def offered(self, group: str) -> str:
        """SET of chat ids of the group currently offered."""
        return f"{self.prefix}offered:{group}"

    def passed(self, chat_id: str) -> str:
        """ZSET of agent ids that declined or let lapse an offer of this chat, scored by
        when (ms). (Until 0.1 this was the SET "declined:<chat>", without times.)"""
        return f"{self.prefix}passed:{chat_id}"

    def deadlines(self) -> str:
        """ZSET of "kind|key" deadlines (reconnect grace, maximum wait) scored by due ms."""
        return f"{self.prefix}deadlines"

    def connections(self, who: str) -> str:
        """SET of a person's open sockets, as "node:sid"; `who` is models.holder's name
        (an agent's id alone, "customer:<id>")."""
        return f"{self.prefix}connections:{who}"

    def nodes(self) -> str:
        """ZSET of node ids scored by the ms by which each must be seen again."""
        return f"{self.prefix}nodes"

    def node_connections(self, node_id: str) -> str:
        """SET of "who|node:sid" for the sockets one node holds (who as in connections)."""
        return f"{self.prefix}node_connections:{node_id}"

    def generation(self) -> str:
        """STRING token of the state's current life; missing means Redis lost it all."""
        return f"{self.prefix}generation"

    def pattern(self) -> str:
        """Glob matching every key under the prefix (tests clean up with it)."""
        return f"{self.prefix}*"
