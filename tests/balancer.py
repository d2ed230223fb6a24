"""nginx in front of test nodes, configured by the very deploy/nginx.conf that
docker-compose.yml mounts into its load balancer, so the two cannot drift apart."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from tests.nodes import free_port
from tests.services import NGINX

SHARED_CONF = Path(__file__).parents[1] / "deploy" / "nginx.conf"
START_TIMEOUT_SECONDS = 15.0
STOP_TIMEOUT_SECONDS = 10.0
# How often to look again while nginx opens its port: a process has no event to await.
START_POLL_SECONDS = 0.05

# The lines of the shared file that name compose's hosts and port; nothing else changes.
UPSTREAM_SERVER = re.compile(r"^(\s*)server node\d+:8000;$", re.MULTILINE)
LISTEN = re.compile(r"^(\s*)listen 80;$", re.MULTILINE)

# The top of the configuration that nginx's own /etc/nginx/nginx.conf would give the
# shared file: everything nginx writes stays in the test's folder, and it runs as a
# single foreground process (no workers to switch to another user who could not write
# the temp folders, and one process to stop).
MAIN_CONF = """\
daemon off;
master_process off;
pid {folder}/nginx.pid;
error_log {folder}/error.log notice;

events {{
    worker_connections 256;
}}

http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {site};
}}
"""


def render_site(node_urls: list[str], port: int) -> str:
    """deploy/nginx.conf with compose's upstream servers replaced by `node_urls` and its
    port by `port`. Fails if the file no longer has exactly those lines to replace."""
    text = SHARED_CONF.read_text()
    servers = UPSTREAM_SERVER.findall(text)
    if len(servers) != len(node_urls):
        raise AssertionError(
            f"{SHARED_CONF} has {len(servers)} 'server nodeN:8000;' lines, the test "
            f"{len(node_urls)} nodes: change the test along with the file"
        )
    addresses = iter(url.removeprefix("http://") for url in node_urls)
    text = UPSTREAM_SERVER.sub(lambda line: f"{line[1]}server {next(addresses)};", text)
    text, listens = LISTEN.subn(lambda line: f"{line[1]}listen 127.0.0.1:{port};", text)
    if listens != 1:
        raise AssertionError(
            f"{SHARED_CONF} has {listens} 'listen 80;' lines, not one: change the test"
            " along with the file"
        )
    return text


class Balancer:
    def __init__(self, process: asyncio.subprocess.Process, port: int, folder: Path) -> None:
        self.process = process
        self.url = f"http://127.0.0.1:{port}"
        self.error_log = folder / "error.log"

    async def stop(self) -> None:
        """Stop gracefully (SIGQUIT), or kill it if it does not stop in time."""
        if self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGQUIT)
        try:
            async with asyncio.timeout(STOP_TIMEOUT_SECONDS):
                await self.process.wait()
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    async def wait_ready(self) -> None:
        """Until /readyz answers through nginx, failing at once if nginx exits."""
        async with asyncio.timeout(START_TIMEOUT_SECONDS), httpx.AsyncClient() as http:
            while True:
                try:
                    await http.get(f"{self.url}/readyz")
                    return
                except httpx.TransportError:
                    pass  # not listening yet
                try:
                    async with asyncio.timeout(START_POLL_SECONDS):
                        await self.process.wait()
                except TimeoutError:
                    continue  # still running: look again
                raise RuntimeError(f"nginx exited early: {self.error_log.read_text()}")


def configure(node_urls: list[str], port: int, folder: Path) -> list[str]:
    """Write the configuration into `folder`; the arguments that make nginx use it."""
    folder.mkdir(parents=True, exist_ok=True)
    site = folder / "frontdesk.conf"
    site.write_text(render_site(node_urls, port))
    main = folder / "nginx.conf"
    main.write_text(MAIN_CONF.format(folder=folder, site=site))
    return ["-p", str(folder), "-c", str(main), "-e", str(folder / "error.log")]


@contextlib.asynccontextmanager
async def balancer(node_urls: list[str], folder: Path, port: int = 0) -> AsyncIterator[Balancer]:
    """nginx on `port` (a free one if 0) in front of the nodes at `node_urls`, with its
    configuration, logs and temp files in `folder`; stopped at the end."""
    port = port or free_port()
    arguments = configure(node_urls, port, folder)
    # Checked first, so a configuration nginx refuses fails with nginx's own words.
    check = await asyncio.create_subprocess_exec(
        NGINX, "-t", "-q", *arguments, stderr=asyncio.subprocess.PIPE
    )
    _, refusal = await check.communicate()
    if check.returncode != 0:
        raise RuntimeError(f"nginx refused its configuration: {refusal.decode()}")
    started = Balancer(await asyncio.create_subprocess_exec(NGINX, *arguments), port, folder)
    try:
        await started.wait_ready()
        yield started
    finally:
        await started.stop()
