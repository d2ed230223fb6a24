"""A real server for tests: uvicorn on a free loopback port, in a thread of its own."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import uvicorn

T = TypeVar("T")

START_TIMEOUT_SECONDS = 30.0
CALL_TIMEOUT_SECONDS = 10.0


class _Server(uvicorn.Server):
    """uvicorn's server, saying when it listens instead of being polled for it."""

    def __init__(self, config: uvicorn.Config, listening: threading.Event) -> None:
        super().__init__(config)
        self._listening = listening

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self._listening.set()


def bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.contextmanager
def running(server: LiveServer) -> Iterator[LiveServer]:
    """The server started for a block, and stopped after it."""
    server.start()
    try:
        yield server
    finally:
        server.stop()


def serve_at_own_url(make_app: Callable[[str], Any]) -> LiveServer:
    """A live server whose app is made knowing its URL (its public_url), as `frontdesk
    serve` makes it: the port is taken first, then the app built for it."""
    sock = bound_socket()
    return LiveServer(make_app(f"http://127.0.0.1:{sock.getsockname()[1]}"), sock)


class LiveServer:
    def __init__(self, asgi_app: Any, sock: socket.socket | None = None) -> None:
        self.app = asgi_app
        self._sock = sock or bound_socket()
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            asgi_app, log_level="warning", lifespan="on", ws="websockets-sansio"
        )
        self._started = threading.Event()
        self._server = _Server(config, self._started)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, name="live-server", daemon=True)
        self._error: BaseException | None = None

    @property
    def services(self) -> Any:
        return self.app.other_asgi_app.extensions["frontdesk"]

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._server.serve(sockets=[self._sock]))
        except BaseException as error:
            self._error = error
        finally:
            self._started.set()
            self._cancel_leftovers()
            self._loop.close()

    def _cancel_leftovers(self) -> None:
        # engine.io keeps a ping task per socket; end those of sockets still open.
        assert self._loop is not None
        leftovers = asyncio.all_tasks(self._loop)
        for task in leftovers:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))

    def start(self) -> None:
        self._thread.start()
        if not self._started.wait(START_TIMEOUT_SECONDS) or not self._server.started:
            raise RuntimeError(f"live server did not start: {self._error!r}")

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def call(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run a coroutine on the server's loop (where its engine lives), from any thread."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(work(), self._loop).result(CALL_TIMEOUT_SECONDS)

    async def acall(self, work: Callable[[], Awaitable[T]]) -> T:
        """`call` for async tests: awaits without blocking the test's own loop."""
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(work(), self._loop)
        async with asyncio.timeout(CALL_TIMEOUT_SECONDS):
            return await asyncio.wrap_future(future)
