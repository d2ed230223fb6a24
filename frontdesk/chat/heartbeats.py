"""Heartbeats: every node tells its own sockets, every few seconds, where each open chat
stands (its last seq and status).

A push can be lost between nodes (the Redis fan-out down, or up with nobody subscribed
yet) while both sockets stay connected, so nothing else would prompt a client to look.
The last message before a quiet spell has nothing after it to reveal the gap; the
heartbeat does. Each node reads the store and tells only its own sockets, never through
the fan-out, so heartbeats reach people while the fan-out is what failed. A chat that
ends stops beating: clients that hear nothing for a few beats ask for themselves.
"""

from __future__ import annotations

import asyncio

from frontdesk.chat.lifecycle import LiveChat
from frontdesk.chat.protocol import ChatHeartbeat
from frontdesk.events import agent, chat_customer


class ChatHeartbeats:
    """`beat` runs every `every_seconds` (Services runs it, frontdesk/loops.py), and at
    once when the fan-out works again: this node's sockets may have missed pushes."""

    def __init__(self, live: LiveChat, every_seconds: float) -> None:
        self.live = live
        self.every_seconds = every_seconds

    async def beat(self) -> int:
        """Tell this node's participants of every open chat where it stands; how many
        chats were told of."""
        open_chats = await self.live.states.open_chat_beats()
        notifier = self.live.notifier
        for chat in open_chats:
            beat = ChatHeartbeat(
                chat_id=chat.public_id,
                last_seq=chat.last_seq,
                status=chat.status,
                every_seconds=self.every_seconds,
            )
            await notifier.tell_here(chat_customer(chat.public_id), beat)
            if chat.agent_id is not None:
                await notifier.tell_here(agent(chat.agent_id), beat)
            await asyncio.sleep(0)  # a beat of thousands of chats must not hold messages up
        return len(open_chats)
