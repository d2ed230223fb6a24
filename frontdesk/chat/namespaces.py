"""Socket.IO namespaces: thin transports that admit signed-in users of the right role and
turn each event into one call of the live chat service.

| namespace   | who may connect           | rooms joined                              |
|-------------|---------------------------|-------------------------------------------|
| /customer   | customer                  | user:{id}; chat:{chat_id} once opened     |
| /agent      | agent, supervisor         | user:{id}, agents                         |
| /supervisor | supervisor, admin         | user:{id}, supervisors                    |

A connection without a valid session cookie, or with one of another role, is refused
with {"code": "NOT_SIGNED_IN" | "FORBIDDEN", "message": ...}. Websocket transport only.
A socket lives no longer than its session: once the session ends (signed out, password
reset, account disabled, role changed) the socket is disconnected (chat/sessions.py),
and any event it still sends is answered NOT_SIGNED_IN.

Every client event is acknowledged with {"ok": true, "data": ...} or
{"ok": false, "error": {"code", "message", "fields"}}; its payload is the model named
(chat/protocol.py), validated before anything runs; an event the namespace does not
know is answered with the code UNKNOWN_EVENT. Server events are pushed unasked, each
the model of its name in chat/protocol.py.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import socketio
from pydantic import BaseModel, ValidationError

from frontdesk.accounts.models import Role, User
from frontdesk.accounts.service import SignedIn
from frontdesk.chat import protocol as p
from frontdesk.chat.desk import SupervisorDesk
from frontdesk.chat.lifecycle import LiveChat
from frontdesk.chat.models import MessageIn
from frontdesk.chat.protocol import Ask, ChatOut, MessageOut
from frontdesk.chat.sessions import SocketSessions
from frontdesk.chat.timeouts import ChatTimeouts
from frontdesk.errors import Code, FrontdeskError, Invalid, NotFound, Unauthorized, field_errors
from frontdesk.events import Audience, Push
from frontdesk.metrics import Metrics
from frontdesk.outages import unavailable
from frontdesk.ratings.models import RatingIn

log = logging.getLogger(__name__)

SessionLookup = Callable[[str], Awaitable[SignedIn | None]]
Handler = Callable[[Any, str, User, Any], Awaitable[Any]]


SESSION_ENDED = "Your session has ended: please sign in again"

# Events socket.io raises itself, handled by methods of the same name.
CONNECTION_EVENTS = frozenset({"connect", "disconnect"})


def event(
    ask: Ask, model: type[BaseModel]
) -> Callable[[Handler], Callable[..., Awaitable[dict[str, Any]]]]:
    """Answer `ask`: validate the payload into `model`, run the handler as the connected
    user, and acknowledge with its result or the error, in the one error shape."""

    def wrap(handler: Handler) -> Callable[..., Awaitable[dict[str, Any]]]:
        # socket.io finds a handler by its name; the name and the constant must agree.
        assert handler.__name__ == f"on_{ask}", f"{handler.__name__} cannot answer {ask}"

        @functools.wraps(handler)
        async def on_event(self: RoleNamespace, sid: str, data: Any = None) -> dict[str, Any]:
            try:
                if self.sessions.is_ended(sid):
                    raise Unauthorized(SESSION_ENDED)
                if data is not None and not isinstance(data, dict):
                    raise Invalid("The payload must be an object")
                try:
                    payload = model.model_validate(data or {})
                except ValidationError as error:
                    fields = field_errors(error)
                    raise Invalid("Please correct the fields", fields=fields) from None
                user = (await self.get_session(sid))["user"]
                return {"ok": True, "data": await handler(self, sid, user, payload)}
            except FrontdeskError as error:
                return {"ok": False, **error.to_dict()}
            except Exception as error:
                if (refusal := unavailable(error)) is not None:
                    log.warning("socket event %s refused: %s", handler.__name__, error)
                    return {"ok": False, **refusal.to_dict()}
                log.exception("socket event %s failed", handler.__name__)
                return {"ok": False, **FrontdeskError("Something went wrong").to_dict()}

        on_event.ask = ask  # type: ignore[attr-defined]
        on_event.payload_model = model  # type: ignore[attr-defined]
        return on_event

    return wrap


def _refusal(code: Code, message: str) -> socketio.exceptions.ConnectionRefusedError:
    """The client's connect_error carries {code, message} as its `data`: socket.io turns
    a single argument into a string, so the reason goes as the second."""
    return socketio.exceptions.ConnectionRefusedError(message, {"code": code, "message": message})


class RoleNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    """Every namespace: whoami (Empty) acks {user_id, role}, the connected identity."""

    roles: frozenset[Role] = frozenset()
    room: str | None = None

    def __init__(
        self,
        namespace: str,
        find_session: SessionLookup,
        sessions: SocketSessions,
        metrics: Metrics,
        live: LiveChat,
        timeouts: ChatTimeouts,
    ) -> None:
        super().__init__(namespace)
        self._find_session = find_session
        self.sessions = sessions
        self._connections = metrics.socket_connections.labels(namespace=namespace)
        self.live = live
        self.timeouts = timeouts

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        signed_in = await self._find_session(environ.get("HTTP_COOKIE", ""))
        if signed_in is None:
            raise _refusal(Code.NOT_SIGNED_IN, "Please sign in to continue")
        user = signed_in.user
        if user.role not in self.roles:
            raise _refusal(Code.FORBIDDEN, "Your account cannot use this channel")
        await self.save_session(sid, {"user": user})
        self.sessions.opened(sid, self.namespace, signed_in.session_key)
        await self.enter_room(sid, f"user:{user.id}")
        if self.room:
            await self.enter_room(sid, self.room)
        self._connections.inc()

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        self.sessions.closed(sid, self.namespace)
        self._connections.dec()

    async def _arrive_or_refuse(self, sid: str, arriving: Awaitable[object]) -> None:
        """Record the socket's arrival (in Redis, on a scale-out). With Redis down or
        busy the connection is refused UNAVAILABLE and what it had opened is closed
        again: a refused socket never disconnects, and socket.io never retries a
        refusal, so the page connects again itself a moment later."""
        try:
            await arriving
        except Exception as error:
            if (refusal := unavailable(error)) is None:
                raise
            log.warning("socket connect to %s refused: %s", self.namespace, error)
            self.timeouts.forget_socket(sid)
            await RoleNamespace.on_disconnect(self, sid)
            raise _refusal(Code.UNAVAILABLE, refusal.message) from None

    @classmethod
    @functools.cache
    def asks(cls) -> dict[Ask, type[BaseModel]]:
        """Each event this namespace answers, with the model of its payload."""
        handlers = (getattr(cls, name) for name in dir(cls) if name.startswith("on_"))
        return {h.ask: h.payload_model for h in handlers if hasattr(h, "ask")}

    async def trigger_event(self, event: str, *args: Any) -> Any:
        if event in CONNECTION_EVENTS or event in self.asks():
            return await super().trigger_event(event, *args)
        unknown = NotFound(f"There is no event {event!r} here", code=Code.UNKNOWN_EVENT)
        return {"ok": False, **unknown.to_dict()}

    @event(Ask.WHOAMI, p.Empty)
    async def on_whoami(self, sid: str, user: User, payload: p.Empty) -> dict[str, Any]:
        """Acknowledges with the connected identity; lets a client check its session."""
        return {"user_id": user.id, "role": user.role.value}


class ParticipantNamespace(RoleNamespace):
    """What both sides of a chat do alike: talk, say they are typing, save the chat."""

    @event(Ask.SEND_MESSAGE, p.SendMessage)
    async def on_send_message(self, sid: str, user: User, payload: p.SendMessage) -> Any:
        return await _send(self.live, user, payload)

    @event(Ask.TYPING, p.Typing)
    async def on_typing(self, sid: str, user: User, payload: p.Typing) -> Any:
        await self.live.typing(user, payload.chat_id, payload.typing)
        return {}

    @event(Ask.SAVE_CHAT, p.ChatRef)
    async def on_save_chat(self, sid: str, user: User, payload: p.ChatRef) -> Any:
        return await self.live.save_chat(payload.chat_id, user)


class CustomerNamespace(ParticipantNamespace):
    """Customer events (client -> server, each acknowledged):

    | event          | payload      | ack data                                              |
    |----------------|--------------|-------------------------------------------------------|
    | request_chat   | RequestChat  | chat, messages, position, estimated_wait_seconds,     |
    |                |              | agent_name once an agent has answered                 |
    | resume_chat    | ResumeChat   | the same, messages after last_seq only                |
    | send_message   | SendMessage  | the stored message (same seq again for a retry)       |
    | typing         | Typing       | {}                                                    |
    | end_chat       | ChatRef      | chat (cancels the request while still waiting)        |
    | save_chat      | ChatRef      | filename, text: the transcript so far                 |
    | leave_message  | LeaveMessage | case_number, reply_by: at any time instead of waiting |
    |                |              | (the chat ends), after chat_unavailable, or by        |
    |                |              | case_number while chat is closed                      |
    | email_transcript | ChatRef    | to, sent_at: the transcript so far is emailed to the  |
    |                |              | account's address, during or after the chat; again    |
    |                |              | within 5 minutes is TRANSCRIPT_EMAIL_THROTTLED        |
    | rate_chat      | RateChat     | score, comment, rated_at, changeable_until,           |
    |                |              | changeable: once an answered chat has ended; again    |
    |                |              | to change it within a day (then RATING_LOCKED)        |

    Files are shared over HTTP, not the socket: POST /api/v1/chats/{chat_id}/attachments
    (the raw file, named by ?name=, checked as case attachments are); the message
    carrying it comes as message_created with `attachment` {id, name, size, url}.

    Pushed to room chat:{chat_id}: queue_updated {chat_id, position (0 = being offered),
    estimated_wait_seconds}, chat_accepted {chat_id, agent_name}, message_created
    {chat_id, seq, sender_id, sender_name, sender_role, body, client_msg_id, created_at,
    attachment (a shared file {id, name, size, url} or null)},
    typing {chat_id, name, typing}, agent_disconnected {chat_id, back_by},
    agent_reconnected, chat_requeued {chat_id, position}, chat_transferred {chat_id,
    same_team},
    chat_unavailable {chat_id, reason, message, case_number, reply_by},
    chat_ended {chat, note}, chat_heartbeat {chat_id, last_seq, status, every_seconds}.
    Heartbeats come from the node itself every few seconds: a later seq or another status
    means catch up.
    """

    roles = frozenset({Role.CUSTOMER})

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        await super().on_connect(sid, environ, auth)
        user = (await self.get_session(sid))["user"]
        await self._arrive_or_refuse(sid, self.timeouts.customer_connected(user, sid))

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        await super().on_disconnect(sid, reason)
        await self.timeouts.customer_disconnected((await self.get_session(sid))["user"], sid)

    async def _watch(self, sid: str, chat_id: str) -> None:
        await self.enter_room(sid, f"chat:{chat_id}")

    @event(Ask.REQUEST_CHAT, p.RequestChat)
    async def on_request_chat(self, sid: str, user: User, payload: p.RequestChat) -> Any:
        async def watch(chat_id: str) -> None:
            await self._watch(sid, chat_id)

        # Into the chat's room before it is routed: an agent may accept at once.
        return await self.live.request_chat(user, payload.case_number, watch=watch)

    @event(Ask.RESUME_CHAT, p.ResumeChat)
    async def on_resume_chat(self, sid: str, user: User, payload: p.ResumeChat) -> Any:
        state = await self.live.chat_state(payload.chat_id, user, payload.last_seq)
        await self._watch(sid, payload.chat_id)
        return state

    @event(Ask.END_CHAT, p.ChatRef)
    async def on_end_chat(self, sid: str, user: User, payload: p.ChatRef) -> Any:
        ended = await self.live.end_chat(user, payload.chat_id)
        return {"chat": ChatOut.of(ended).model_dump(mode="json")}

    @event(Ask.EMAIL_TRANSCRIPT, p.ChatRef)
    async def on_email_transcript(self, sid: str, user: User, payload: p.ChatRef) -> Any:
        emailed = await self.live.email_transcript(user, payload.chat_id)
        return emailed.model_dump(mode="json")

    @event(Ask.LEAVE_MESSAGE, p.LeaveMessage)
    async def on_leave_message(self, sid: str, user: User, payload: p.LeaveMessage) -> Any:
        return await self.live.leave_message(
            user, payload.body, chat_id=payload.chat_id, case_number=payload.case_number
        )

    @event(Ask.RATE_CHAT, p.RateChat)
    async def on_rate_chat(self, sid: str, user: User, payload: p.RateChat) -> Any:
        given = RatingIn(score=payload.score, comment=payload.comment)
        rating = await self.live.rate_chat(user, payload.chat_id, given)
        return rating.model_dump(mode="json")


class AgentNamespace(ParticipantNamespace):
    """Agent events (client -> server, each acknowledged):

    | event          | payload      | ack data                                              |
    |----------------|--------------|-------------------------------------------------------|
    | set_presence   | SetPresence  | settings {presence, groups, capacity}, active,        |
    |                |              | reason (away only: one of the desk's away reasons)    |
    | report_activity| Empty        | {} (the console is in use: the agent is not idle)     |
    | my_chats       | Empty        | chats: the agent's active chats (after a reconnect)   |
    | accept_chat    | ChatRef      | chat, case, feed, messages: everything so far         |
    | decline_chat   | ChatRef      | {} (offered to others first; again after a cool-down) |
    | open_chat      | ResumeChat   | chat, case, feed, messages after last_seq             |
    | send_message   | SendMessage  | the stored message                                    |
    | typing         | Typing       | {}                                                    |
    | end_chat       | EndChat      | chat (wrap_up kept with it)                           |
    | transfer_chat  | TransferChat | chat, back in the queue of the new group              |
    | save_chat      | ChatRef      | filename, text                                        |

    The agent holding a chat shares files as its customer does (POST
    /api/v1/chats/{chat_id}/attachments); a shared file's message_created carries
    `attachment`.

    Pushed to room user:{id}: chat_offered {chat_id, group, deadline, waiting_since,
    case}, offer_withdrawn {chat_id, reason: lapsed | cancelled | unanswered |
    customer_away | reassigned}, presence_changed {settings, active, reason,
    closed_note},
    message_created, typing, customer_disconnected {chat_id, back_by},
    customer_reconnected {chat_id}, chat_ended {chat, note}, chat_moved {chat_id, message},
    chat_heartbeat. chat_moved: a supervisor took the chat from the agent.
    presence_changed with reason "idle": the desk set the agent away, as it had no chat
    and reported no console activity (report_activity) for the idle limit.
    An agent whose last socket closes has the grace period to reconnect to its chats; so
    has a customer, whose waiting chat meanwhile steps out of the line, keeping its place.
    """

    roles = frozenset({Role.AGENT, Role.SUPERVISOR})
    room = "agents"

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        await super().on_connect(sid, environ, auth)
        user = (await self.get_session(sid))["user"]
        await self._arrive_or_refuse(sid, self.timeouts.agent_connected(user, sid))

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        await super().on_disconnect(sid, reason)
        await self.timeouts.agent_disconnected((await self.get_session(sid))["user"], sid)

    @event(Ask.SET_PRESENCE, p.SetPresence)
    async def on_set_presence(self, sid: str, user: User, payload: p.SetPresence) -> Any:
        presence = await self.live.set_presence(user.id, payload)
        return presence.model_dump(mode="json")

    @event(Ask.REPORT_ACTIVITY, p.Empty)
    async def on_report_activity(self, sid: str, user: User, payload: p.Empty) -> Any:
        await self.live.note_activity(user.id)
        return {}

    @event(Ask.MY_CHATS, p.Empty)
    async def on_my_chats(self, sid: str, user: User, payload: p.Empty) -> Any:
        return {"chats": await self.live.agent_chats(user)}

    @event(Ask.ACCEPT_CHAT, p.ChatRef)
    async def on_accept_chat(self, sid: str, user: User, payload: p.ChatRef) -> Any:
        return await self.live.accept_chat(user, payload.chat_id)

    @event(Ask.DECLINE_CHAT, p.ChatRef)
    async def on_decline_chat(self, sid: str, user: User, payload: p.ChatRef) -> Any:
        await self.live.decline_chat(user, payload.chat_id)
        return {}

    @event(Ask.OPEN_CHAT, p.ResumeChat)
    async def on_open_chat(self, sid: str, user: User, payload: p.ResumeChat) -> Any:
        return await self.live.agent_view(user, payload.chat_id, payload.last_seq)

    @event(Ask.END_CHAT, p.EndChat)
    async def on_end_chat(self, sid: str, user: User, payload: p.EndChat) -> Any:
        ended = await self.live.end_chat(user, payload.chat_id, payload.wrap_up)
        return {"chat": ChatOut.of(ended).model_dump(mode="json")}

    @event(Ask.TRANSFER_CHAT, p.TransferChat)
    async def on_transfer_chat(self, sid: str, user: User, payload: p.TransferChat) -> Any:
        return await self.live.transfer_chat(user, payload.chat_id, payload.group)


class SupervisorNamespace(RoleNamespace):
    """Supervisor events (client -> server, each acknowledged):

    | event          | payload      | ack data                                              |
    |----------------|--------------|-------------------------------------------------------|
    | watch          | Empty        | groups: [figures], agents: [agent], desk, cases       |
    | history        | History      | points: [{at, waiting, average_wait_seconds}], 5 min  |
    | desk           | Empty        | waiting, active, waiting_total, active_total          |
    | monitor_chat   | ResumeChat   | chat, case, feed, messages: follow it read-only       |
    | unmonitor_chat | ChatRef      | {} (stop following it)                                |
    | assign_chat    | AssignChat   | chat_id, offered_to, deadline: offered to that agent  |
    | move_chat      | MoveChat     | chat: to agent_id (offered), or none: queue's front   |
    | end_chat       | StopChat     | chat, ended with the reason in its transcript         |

    watch's data also has csat {groups, agents}: as csat_changed carries it.

    Pushed to room supervisors, whenever a group changes: queue_changed {group, waiting,
    longest_wait_seconds, offered, agents_available, agents_busy, agents_away, seats,
    chats_active, chats_offered, requested_today, average_wait_seconds,
    average_handle_seconds, abandoned_today}; agents_changed {agents: [{agent_id, name,
    presence, state, reason, since, active, chats, capacity, groups}]}; cases_changed
    {queues: [{queue, open, unassigned, overdue, due_soon}]}; csat_changed {groups:
    [{group, group_name, today, week}], agents: [{agent_id, name, today, week}]};
    desk_changed. csat_changed comes when a rating is given or the figures move, each
    window {asked, rated, average, response_rate}. desk_changed says the
    desk's chats moved, and the dashboard asks desk for them; after messages alone it
    comes at most once a second. cases_changed comes when a queue's case counts move: a
    case opened, moved, assigned or closed, or a reply-by passed (recounted every
    case_figures_seconds on every node); watch's cases are the same rows. Pushed to room
    chat:{chat_id} while following it: message_created, chat_ended. A monitor_chat has
    the messages pushed for two minutes: ask again (with the last seq seen) to go on
    following.
    """

    roles = frozenset({Role.SUPERVISOR, Role.ADMIN})
    room = "supervisors"

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.desk = SupervisorDesk(self.live)

    @event(Ask.WATCH, p.Empty)
    async def on_watch(self, sid: str, user: User, payload: p.Empty) -> Any:
        return await self.live.figures.watch()

    @event(Ask.HISTORY, p.History)
    async def on_history(self, sid: str, user: User, payload: p.History) -> Any:
        if payload.group not in self.live.router.chat_groups():
            raise Invalid("Not a customer group with chat", fields={"group": "Unknown group"})
        return {"points": await self.live.figures.history(payload.group, payload.hours)}

    @event(Ask.DESK, p.Empty)
    async def on_desk(self, sid: str, user: User, payload: p.Empty) -> Any:
        return (await self.live.figures.desk()).model_dump(mode="json")

    @event(Ask.MONITOR_CHAT, p.ResumeChat)
    async def on_monitor_chat(self, sid: str, user: User, payload: p.ResumeChat) -> Any:
        async def watch(chat_id: str) -> None:
            await self.enter_room(sid, f"chat:{chat_id}")

        try:
            return await self.desk.monitor(user, payload.chat_id, payload.last_seq, watch)
        except FrontdeskError:
            await self.leave_room(sid, f"chat:{payload.chat_id}")
            raise

    @event(Ask.UNMONITOR_CHAT, p.ChatRef)
    async def on_unmonitor_chat(self, sid: str, user: User, payload: p.ChatRef) -> Any:
        await self.leave_room(sid, f"chat:{payload.chat_id}")
        return {}

    @event(Ask.ASSIGN_CHAT, p.AssignChat)
    async def on_assign_chat(self, sid: str, user: User, payload: p.AssignChat) -> Any:
        return await self.desk.assign(user, payload.chat_id, payload.agent_id)

    @event(Ask.MOVE_CHAT, p.MoveChat)
    async def on_move_chat(self, sid: str, user: User, payload: p.MoveChat) -> Any:
        return await self.desk.move(user, payload.chat_id, payload.agent_id)

    @event(Ask.END_CHAT, p.StopChat)
    async def on_end_chat(self, sid: str, user: User, payload: p.StopChat) -> Any:
        return await self.desk.stop(user, payload.chat_id, payload.reason)


async def _send(live: LiveChat, user: User, payload: p.SendMessage) -> dict[str, Any]:
    message = MessageIn(client_msg_id=payload.client_msg_id, body=payload.body)
    stored = await live.send_message(user, message, payload.chat_id)
    return MessageOut.of(stored).model_dump(mode="json")


class SocketNotifier:
    """The Notifier over socket.io: an audience is a room of a namespace, on any node."""

    def __init__(self, sio: socketio.AsyncServer) -> None:
        self._sio = sio

    async def publish(self, audience: Audience, push: Push) -> None:
        await self._sio.emit(
            push.event, push.data(), room=audience.room, namespace=audience.namespace
        )

    async def tell_here(self, audience: Audience, push: Push) -> None:
        here = self._sio.manager.get_participants(audience.namespace, audience.room)
        if next(here, None) is None:
            return  # nobody in the room on this node: not even worth encoding
        await self._sio.emit(
            push.event,
            push.data(),
            room=audience.room,
            namespace=audience.namespace,
            ignore_queue=True,
        )


def register_namespaces(
    sio: socketio.AsyncServer,
    find_session: SessionLookup,
    sessions: SocketSessions,
    metrics: Metrics,
    live: LiveChat,
    timeouts: ChatTimeouts,
) -> None:
    for namespace_class, name in (
        (CustomerNamespace, "/customer"),
        (AgentNamespace, "/agent"),
        (SupervisorNamespace, "/supervisor"),
    ):
        namespace = namespace_class(name, find_session, sessions, metrics, live, timeouts)
        sio.register_namespace(namespace)
