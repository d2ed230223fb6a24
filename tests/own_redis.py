"""A redis-server of a test's own, to kill (as a crash) and start again empty."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

START_SECONDS = 10.0


class OwnRedis:
    """redis-server on a free loopback port, keeping nothing on disk. Synchronous, so
    browser tests use it too; starting takes a few milliseconds."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is needed for this test"
        arguments = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        self._process = subprocess.Popen(  # noqa: S603 (our own arguments)
            [binary, *arguments, "--appendonly", "no"], stdout=subprocess.DEVNULL
        )
        client = Redis.from_url(self.url)
        deadline = time.monotonic() + START_SECONDS
        try:
            while True:
                try:
                    client.ping()
                    return
                except RedisConnectionError:
                    if time.monotonic() > deadline:
                        self.kill()  # never left running behind a failed start
                        raise
                    time.sleep(0.01)  # still starting: a process has no event to await
        finally:
            client.close()

    def kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=10)
            self._process = None
