"""frontdesk nodes as separate processes (`python -m frontdesk serve`), as production runs
them: for tests of several nodes sharing one store and one Redis."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0
READY_LINE = b"Application startup complete"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Node:
    def __init__(self, process: asyncio.subprocess.Process, port: int, log: Path) -> None:
        self.process = process
        self.url = f"http://127.0.0.1:{port}"
        self.log = log

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
