"""frontdesk nodes as separate processes (`python -m frontdesk serve`), as production runs
them: for tests of several nodes sharing one store and one Redis."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0
READY_LINE = b"Uvicorn running on"  # logged once the socket listens


def node_env(settings: Any, redis_url: str, folder: Path, **extra: str) -> dict[str, str]:
    """Environment for nodes sharing the test's store and a fresh Redis prefix, with
    every chat group open (nodes run on the real clock)."""
    from tests.taxonomies import always_open_taxonomy

    return {
        "FRONTDESK_ENV": "test",
        "FRONTDESK_DATABASE_URL": settings.database_url,
        "FRONTDESK_REDIS_URL": redis_url,
        "FRONTDESK_REDIS_PREFIX": f"test:{uuid.uuid4().hex}:",
        "FRONTDESK_SECRET_KEY": settings.secret_key,
        "FRONTDESK_TAXONOMY_PATH": str(always_open_taxonomy(folder)),
        "FRONTDESK_DATA_DIR": str(folder / "data"),
        "FRONTDESK_AUTO_MIGRATE": "false",
        # The seeded hashes' cost: a node would otherwise rehash each at sign-in.
        "FRONTDESK_ARGON2_TIME_COST": str(settings.argon2_time_cost),
        "FRONTDESK_ARGON2_MEMORY_KIB": str(settings.argon2_memory_kib),
        **extra,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Node:
    def __init__(self, process: asyncio.subprocess.Process, port: int, log: Path) -> None:
        self.process = process
        self.url = f"http://127.0.0.1:{port}"
        self.log = log

    def kill(self) -> None:
        """Die at once, as a crashed host would: no socket is closed cleanly."""
        self.process.kill()

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                async with asyncio.timeout(STOP_TIMEOUT_SECONDS):
                    await self.process.wait()
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


async def start_node(env: dict[str, str], log: Path) -> Node:
    """Start a node and return once it has said it serves; its output goes to `log`."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "frontdesk", "serve", "--port", str(port),
        env={**os.environ, **env}, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    node = Node(process, port, log)
    assert process.stdout is not None
    with log.open("ab") as out:
        try:
            async with asyncio.timeout(START_TIMEOUT_SECONDS):
                while READY_LINE not in (line := await process.stdout.readline()):
                    out.write(line)
                    if not line:
                        raise RuntimeError(f"node exited early; see {log}")
        except BaseException:
            await node.stop()
            raise
    # Keep draining its output so the pipe never fills and blocks the node.
    asyncio.get_running_loop().create_task(_drain(process, log))
    return node


async def _drain(process: asyncio.subprocess.Process, log: Path) -> None:
    assert process.stdout is not None
    with log.open("ab") as out:
        while line := await process.stdout.readline():
            out.write(line)


@contextlib.asynccontextmanager
async def nodes(count: int, env: dict[str, str], folder: Path) -> AsyncIterator[list[Node]]:
    started: list[Node] = []
    try:
        for index in range(count):
            node_env: dict[str, Any] = {**env, "FRONTDESK_NODE_ID": f"node{index + 1}"}
            started.append(await start_node(node_env, folder / f"node{index + 1}.log"))
        yield started
    finally:
        for node in started:
            await node.stop()
