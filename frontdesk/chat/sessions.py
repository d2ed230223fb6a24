"""Which sign-in session each of this node's sockets was opened with, so that a session
that ends (signed out, password reset, account disabled, role changed, expired) ends its
sockets too, on every node.

Every node watches its own sockets: each `check` asks the store, in one query per few
hundred sessions, which of the sessions behind them still hold, and disconnects the
sockets of those that do not. There is no message to lose between nodes: the store that
ended the session is the one every node reads. A socket found ended is also refused any
further event at once (`is_ended`, a look-up in this node's memory), even if its
disconnect never reaches the client.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

# Which of these session keys still hold (not ended, not expired, the user active).
LiveSessions = Callable[[Iterable[str]], Awaitable[set[str]]]
Disconnect = Callable[[str, str], Awaitable[object]]  # (sid, namespace)


@dataclass(frozen=True)
class Socket:
    sid: str
    namespace: str


@dataclass
class SocketSessions:
    live_sessions: LiveSessions
    disconnect: Disconnect
    _sockets: dict[str, set[Socket]] = field(default_factory=dict)  # by session key
    _session_of: dict[str, str] = field(default_factory=dict)  # sid -> session key
    _ended: set[str] = field(default_factory=set)  # sids whose session ended

    def opened(self, sid: str, namespace: str, session_key: str) -> None:
        self._sockets.setdefault(session_key, set()).add(Socket(sid, namespace))
        self._session_of[sid] = session_key

    def closed(self, sid: str, namespace: str) -> None:
        self._ended.discard(sid)
        key = self._session_of.pop(sid, None)
        sockets = self._sockets.get(key, set()) if key is not None else set()
        sockets.discard(Socket(sid, namespace))
        if key is not None and key in self._sockets and not sockets:
            del self._sockets[key]

    def is_ended(self, sid: str) -> bool:
        return sid in self._ended

    async def check(self) -> int:
        """End the sockets of every session that no longer holds; how many were ended."""
        keys = list(self._sockets)
        if not keys:
            return 0
        held = await self.live_sessions(keys)
        # Sockets opened meanwhile under an ended key are ended too: their session is gone.
        ended = [s for key in keys if key not in held for s in self._sockets.pop(key, ())]
        for socket in ended:
            self._ended.add(socket.sid)
        for socket in ended:
            try:
                await self.disconnect(socket.sid, socket.namespace)
            except Exception:  # the socket may be going anyway; its events stay refused
                log.warning("could not disconnect socket %s", socket.sid, exc_info=True)
        return len(ended)
