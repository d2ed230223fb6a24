"""Idle agents: one who is available but has not touched the console for a while, and
holds no chat, is set Away with the reason "idle", and told.

The console reports activity over the socket (a key or a pointer, at most every so
often); the queue backend keeps when, with the presence, so every node reads the same.
Every node runs the same check: the backend takes each idle agent in one atomic step
(`take_idle`), so two nodes checking at once never both set an agent away or both tell
it; and nothing is kept in a node's memory between checks.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from frontdesk.chat.agents import AgentSettingsIn, served_groups
from frontdesk.chat.lifecycle import LiveChat
from frontdesk.chat.protocol import PresenceChanged
from frontdesk.events import agent
from frontdesk.settings import IDLE_REASON

log = logging.getLogger(__name__)

# How often each node looks for idle agents: a small share of any limit worth setting
# (minutes), and one backend call each time however many agents there are.
CHECK_SECONDS = 15.0


class IdleAgents:
    def __init__(self, live: LiveChat, idle_minutes: int) -> None:
        self.live = live
        # None: agents are never set away for being idle.
        self.limit = timedelta(minutes=idle_minutes) if idle_minutes > 0 else None

    async def check(self) -> list[int]:
        """Set away every agent idle past the limit, each told once by whichever node
        took it; their ids."""
        if self.limit is None:
            return []
        live = self.live
        taken = await live.router.take_idle(self.limit, live.clock.now(), IDLE_REASON)
        for agent_id in taken:
            try:
                await self._went_idle(agent_id)
            except Exception:  # the backend has it away; the store catches up next time
                log.exception("could not finish setting agent %s away as idle", agent_id)
        return taken

    async def _went_idle(self, agent_id: int) -> None:
        """The backend has the agent away: the store says so too (a reload shows it, a
        rebuilt queue keeps it), supervisors see it, and the agent's console is told."""
        live = self.live
        groups = live.router.chat_groups()
        settings = await live.agents.update(agent_id, AgentSettingsIn(presence="away"), groups)
        live.figures.changed(*served_groups(settings, groups))
        state = await live.router.agent(agent_id)
        active = state.active if state is not None else 0
        told = PresenceChanged(settings=settings, active=active, reason=IDLE_REASON)
        await live.publish(agent(agent_id), told)
