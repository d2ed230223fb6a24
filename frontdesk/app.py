"""create_app: the ASGI app of one node, socket.io wrapped around Quart. Wiring only."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import timedelta

import socketio
from quart import Quart, Response, g, request
from quart_schema import QuartSchema
from werkzeug.exceptions import LengthRequired

from frontdesk import __version__, web
from frontdesk.cases.attachments import MAX_BYTES as MAX_ATTACHMENT_BYTES
from frontdesk.chat.namespaces import SocketNotifier, register_namespaces
from frontdesk.chat.sessions import SocketSessions
from frontdesk.clock import Clock
from frontdesk.fanout import FANOUT_POOL_WAIT_SECONDS, FanoutWatch, RedisFanout
from frontdesk.local_emit import DirectEmit
from frontdesk.metrics import Metrics
from frontdesk.origins import SocketOrigins
from frontdesk.redis_pool import ReleasingPool
from frontdesk.services import Services
from frontdesk.settings import Settings
from frontdesk.web import headers, untrusted
from frontdesk.web.auth import SessionReader

# Quart refuses a body whose Content-Length passes this, or once this much waits unread.
# Attachments stream through in chunks under their own 10 MB limit, so this never stops
# a valid one; the room above 10 MB is for a form's boundaries, headers and CSRF field.
MAX_REQUEST_BYTES = MAX_ATTACHMENT_BYTES + 2 * 1024 * 1024


def create_app(settings: Settings, clock: Clock | None = None) -> socketio.ASGIApp:
    metrics = Metrics()
    manager = _sio_manager(settings, metrics)
    fanout = manager if isinstance(manager, RedisFanout) else None
    origins = SocketOrigins(settings)
    sio = socketio.AsyncServer(
        async_mode="asgi",
        client_manager=manager,
        # The portal's own origins only: the session cookie must not open sockets for
        # other sites' pages (origins.py).
        cors_allowed_origins=origins,
        # Websocket only: no long-polling, so nodes need no sticky sessions.
        transports=["websocket"],
    )
    services = Services.build(
        settings,
        clock,
        notifier=SocketNotifier(sio),
        metrics=metrics,
        fanout=fanout.watch if fanout else None,
        redis_pools={"fanout": fanout.pool} if fanout else None,
    )
    web_app = create_web_app(settings, services, origins)
    sessions = SocketSessions(services.accounts.live_sessions, sio.disconnect)
    register_namespaces(
        sio,
        SessionReader(web_app).signed_in,
        sessions,
        services.metrics,
        services.live,
        services.timeouts,
    )
    web_app.extensions["sio"] = sio

    @web_app.before_serving
    async def start_socketio() -> None:
        await _start_socketio(sio)
        services.run_every("socket-sessions", settings.session_check_seconds, sessions.check)

    @web_app.after_serving
    async def stop_socketio() -> None:
        await _stop_socketio(sio)

    # Lifespan events pass through to Quart, which starts and stops the services.
    return socketio.ASGIApp(sio, other_asgi_app=web_app)


def _sio_manager(settings: Settings, metrics: Metrics) -> socketio.AsyncManager:
    """Socket.IO fan-out: in-process alone, through Redis when nodes must share it."""
    if settings.redis_url is None:
        return DirectEmit()
    channel = f"{settings.redis_prefix}socketio"
    pool = ReleasingPool.for_url(
        settings.redis_url,
        size=settings.fanout_pool_size,
        idle_seconds=settings.redis_idle_seconds,
        wait_seconds=FANOUT_POOL_WAIT_SECONDS,
        name=f"frontdesk:{settings.node_id}:fanout",
    )
    return RedisFanout(pool, channel, FanoutWatch(metrics))


# How long a starting node waits for its Redis fan-out subscription before serving.
FANOUT_READY_SECONDS = 10.0


async def _start_socketio(sio: socketio.AsyncServer) -> None:
    """Subscribe to the Redis fan-out before taking connections, so an event another
    node emits to a client of this one is never published before this node listens.
    python-socketio would otherwise start its listener only at the first connection."""
    if sio.manager_initialized:
        return
    sio.manager_initialized = True
    sio.manager.initialize()
    if not isinstance(sio.manager, socketio.AsyncRedisManager):
        return
    async with asyncio.timeout(FANOUT_READY_SECONDS):
        # The listener subscribes in its own task; there is no event to await for it.
        while sio.manager.pubsub is None or not sio.manager.pubsub.subscribed:  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def _stop_socketio(sio: socketio.AsyncServer) -> None:
    """Stop engine.io's tasks, and the Redis listener and connections of the fan-out."""
    if isinstance(sio.manager, RedisFanout):
        with contextlib.suppress(Exception):  # Redis may be gone: then nobody expects us
            await sio.manager.announce_leaving()
    await sio.shutdown()
    listener = getattr(sio.manager, "thread", None)
    if isinstance(listener, asyncio.Task):
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
    if getattr(sio.manager, "pubsub", None) is not None:
        await sio.manager.pubsub.aclose()
    if getattr(sio.manager, "redis", None) is not None:
        await sio.manager.redis.aclose()


def create_web_app(settings: Settings, services: Services, origins: SocketOrigins) -> Quart:
    web_app = Quart("frontdesk.web")
    web_app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME="frontdesk_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(days=settings.session_days),
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        QUART_SCHEMA_CONVERT_CASING=False,
    )
    web_app.extensions["frontdesk"] = services

    # Pages that open sockets check their own origin against these (static/js/socket.js),
    # the public URL's first, so one opened elsewhere says what to open.
    socket_origins = " ".join(
        [origins.public_origin, *sorted(origins.allowed - {origins.public_origin})]
    )
    web_app.context_processor(lambda: {"socket_origins": socket_origins})
    # Every page names the portal and who runs it from settings, never from a template.
    web_app.context_processor(
        lambda: {
            "product_name": settings.product_name,
            "organisation_name": settings.organisation_name,
        }
    )

    # Before the CSRF check, which may parse a form: see _require_form_length.
    web_app.before_request(_require_form_length)
    QuartSchema(
        web_app,
        openapi_path="/openapi.json",
        redoc_ui_path=None,
        swagger_ui_path=None,  # its page loads scripts from a CDN; /openapi.json suffices
        scalar_ui_path=None,
        info={"title": settings.product_name, "version": __version__},
    )
    untrusted.install(web_app)
    web.register_blueprints(web_app)
    headers.install(web_app, settings)
    _measure_requests(web_app, services)
    web_app.before_serving(services.start)
    web_app.after_serving(services.aclose)
    return web_app


async def _require_form_length() -> None:
    """Quart parses a multipart form as it streams, into temporary files; only its
    Content-Length (held to MAX_CONTENT_LENGTH) bounds it, so a form must declare one.
    Browsers always do."""
    if request.mimetype == "multipart/form-data" and request.content_length is None:
        raise LengthRequired()


def _measure_requests(web_app: Quart, services: Services) -> None:
    metrics = services.metrics

    @web_app.before_request
    async def start_timer() -> None:
        g.request_started = time.perf_counter()

    @web_app.after_request
    async def record(response: Response) -> Response:
        route = request.url_rule.rule if request.url_rule else "unmatched"
        started: float | None = g.get("request_started")
        if started is not None:
            metrics.http_duration.labels(route=route).observe(time.perf_counter() - started)
        metrics.http_requests.labels(request.method, route, str(response.status_code)).inc()
        return response
