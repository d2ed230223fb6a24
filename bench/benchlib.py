"""What both benchmarks need: loopback-only servers and stores, CPU readings, percentiles."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import platform
import re
import secrets
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only, always
POSTGRES_ADMIN = f"postgresql://postgres@{HOST}:5432/postgres"
HEALTH_TRIES = 150  # x 0.2 s: a server must answer /healthz within 30 s


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its threads, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def check_loopback(url: str) -> None:
    if urlsplit(url).hostname != HOST:
        raise SystemExit(f"refusing a non-loopback address: {url!r} (only {HOST})")


@contextlib.contextmanager
def postgres_database(keep: str | None = None) -> Iterator[str]:
    """A fresh PostgreSQL database on loopback, dropped afterwards; yields its URL. With
    `keep`, the database of that name, made if missing and kept afterwards."""
    import asyncpg

    check_loopback(POSTGRES_ADMIN)
    if keep is not None:
        if not re.fullmatch(r"[a-z0-9_]+", keep):
            raise SystemExit(f"a database name of [a-z0-9_] only, please: {keep!r}")

        async def make_if_missing() -> None:
            conn = await asyncpg.connect(POSTGRES_ADMIN, timeout=10)
            try:
                if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", keep):
                    await conn.execute(f'CREATE DATABASE "{keep}"')
            finally:
                await conn.close()

        asyncio.run(make_if_missing())
        yield f"postgresql+asyncpg://postgres@{HOST}:5432/{keep}"
        return
    name = f"frontdesk_bench_{secrets.token_hex(4)}"  # [a-z0-9_] only: safe to splice

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(POSTGRES_ADMIN, timeout=10)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    print(f"  created PostgreSQL database {name}", flush=True)
    try:
        yield f"postgresql+asyncpg://postgres@{HOST}:5432/{name}"
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        print(f"  dropped PostgreSQL database {name}", flush=True)


def wait_healthy(base_url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    import httpx

    for _ in range(HEALTH_TRIES):
        if proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base_url}/healthz", timeout=1.0).is_success:
                return
        time.sleep(0.2)
    raise RuntimeError(f"server did not answer /healthz:\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def loadavg() -> str:
    with contextlib.suppress(OSError):
        return Path("/proc/loadavg").read_text().strip()
    return ""


def git_commit() -> str:
    """The checked-out commit, read from .git without running git ("" if unknown)."""
    with contextlib.suppress(OSError):
        git = ROOT / ".git"
        if git.is_file():  # a worktree: .git names its own directory, refs are shared
            git = Path(git.read_text().split("gitdir:", 1)[1].strip())
        common = (
            git / (git / "commondir").read_text().strip() if (git / "commondir").exists() else git
        )
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head
        ref = head.removeprefix("ref: ")
        if (common / ref).exists():
            return (common / ref).read_text().strip()
        for line in (common / "packed-refs").read_text().splitlines():
            if line.endswith(f" {ref}"):
                return line.split()[0]
    return ""


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def python_loop_ms(rounds: int = 3) -> float:
    """How long this machine takes for a fixed pure-Python loop (best of `rounds`, ms).

    The same kind of machine ran it in 1.6 to 2.7 s a call apart one night: a run's
    latencies compare with another run's only when this figure does too."""
    best = math.inf
    for _ in range(rounds):
        started = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return round(best * 1e3, 1)


async def open_idle_sockets(
    base_url: str,
    count: int,
    headers: dict[str, str],
    namespace: str | None,
    opened_one: Any = None,
) -> tuple[list[Any], list[Any], list[str]]:
    """Open `count` Socket.IO connections that then do nothing but answer pings: Engine.IO
    v4 over websockets spoken directly, so thousands fit in one small process. Each joins
    `namespace` if given. Returns the sockets, the tasks that keep them, and the errors;
    `opened_one(n)` is called after each socket opens."""
    from websockets.asyncio.client import connect

    ws_url = base_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    limit = asyncio.Semaphore(64)
    opened: list[Any] = []
    keepers: list[Any] = []
    errors: list[str] = []

    async def keep(ws: Any) -> None:
        try:
            async for frame in ws:  # nothing arrives but Engine.IO pings
                if frame == "2":
                    await ws.send("3")
        except Exception:  # noqa: S110 (closed at the end of the run)
            pass

    async def one() -> None:
        async with limit:
            try:
                ws = await connect(ws_url, additional_headers=headers, open_timeout=60)
                if not str(await ws.recv()).startswith("0"):  # the Engine.IO open packet
                    raise RuntimeError("no Engine.IO open packet")
                if namespace is not None:
                    await ws.send(f"40{namespace},")
                    answer = str(await ws.recv())
                    if not answer.startswith(f"40{namespace},"):
                        raise RuntimeError(answer[:80])
            except Exception as error:
                errors.append(f"{type(error).__name__}: {error}"[:120])
                return
            opened.append(ws)
            keepers.append(asyncio.ensure_future(keep(ws)))
            if opened_one is not None:
                opened_one(len(opened))

    await asyncio.gather(*(one() for _ in range(count)))
    return opened, keepers, errors


async def sign_in(base_url: str, username: str, password: str) -> str:
    """Sign in over HTTP as the browser does; the session cookie, as a Cookie header."""
    import httpx

    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        csrf = (await http.get("/api/v1/session")).json()["csrf_token"]
        response = await http.post(
            "/api/v1/session",
            json={"username": username, "password": password},
            headers={"X-CSRF-Token": csrf},
        )
        response.raise_for_status()
        return f"frontdesk_session={http.cookies['frontdesk_session']}"


def write_results(
    out: Path, data: dict[str, Any], chart: Callable[[dict[str, Any], Path], None]
) -> None:
    """The run's JSON at `out`.json and its chart at `out`.png; the targets, printed."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(data, indent=2) + "\n")
    chart(data, out.with_suffix(".png"))
    print(json.dumps(data["targets"], indent=1))
    print(f"wrote {out.with_suffix('.json')} and .png")
