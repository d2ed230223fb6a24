"""Live chat benchmark: frontdesk's chat core over real sockets, against a bare relay.

For each mode (embedded: one node, SQLite, in-memory queue; redis: one node, SQLite,
Redis queue and fan-out; two-nodes: two nodes on Redis sharing a PostgreSQL store,
customers on node 1 and agents on node 2) it:

1. makes a fresh store (a SQLite file, or a PostgreSQL database created for the run and
   dropped after) and writes the bench people straight into it with frontdesk's own
   services, in this process: customers, each with a chat case, and agents;
2. starts the real server(s), `frontdesk serve`, on free loopback ports; client processes
   sign every person in over HTTP and connect socket.io (websocket only) with the
   session cookie; agents turn available, customers ask for a chat (paced), agents
   accept every chat_offered;
3. talks: every customer sends at a fixed rate, its agent echoes a reply to each
   message; then a closed-loop phase (each customer sends again as soon as the reply to
   its last message arrived) for the throughput the server sustains; then every chat ends;
4. runs the same message load against bench/relay.py (a bare python-socketio relay under
   the same uvicorn settings; two relay processes on AsyncRedisManager for two-nodes);
5. in redis mode also measures routing with a deep queue (the offer scenario: 1,000
   waiting requests, 200 agents of capacity 5 turning available one after another).

Writes bench/results/chat_flow.json and .png. See bench/README.md for the definitions.

    .venv/bin/python bench/chat_flow.py [--mode embedded|redis|two-nodes|all] [--quick]

Everything stays on 127.0.0.1. Client processes are this file run with --worker.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchlib import (
    HOST,
    check_loopback,
    cpu_model,
    free_port,
    git_commit,
    loadavg,
    machine_busy_seconds,
    open_idle_sockets,
    percentile,
    postgres_database,
    process_cpu_seconds,
    python_loop_ms,
    sign_in,
    stop,
    wait_healthy,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
FRONTDESK = ROOT / ".venv" / "bin" / "frontdesk"
PYTHON = ROOT / ".venv" / "bin" / "python"
REDIS_URL = f"redis://{HOST}:6379/0"
PASSWORD = "Bench1horse-chat"  # noqa: S105 (bench accounts in a throwaway store)
GROUP = "centres"  # the customer group of every bench case (Exams Officers)

CALL_TIMEOUT = 60.0
DRAIN_QUIET = 3.0  # a talk phase ends once nothing arrived for this long...
DRAIN_MAX = 60.0  # ... or this long after the last send: what is missing then is "late"
QUIET_WAIT, QUIET_BUSY = 3.0, 0.5  # wait up to 3 s for others to use < half a core
BODY_PAD = "x" * 60  # message bodies are ~80 characters

MODES = ("embedded", "redis", "two-nodes")
POOL_SETTINGS = (
    "FRONTDESK_REDIS_POOL_SIZE",
    "FRONTDESK_FANOUT_POOL_SIZE",
    "FRONTDESK_REDIS_IDLE_SECONDS",
)
LOGS = Path(tempfile.gettempdir()) / "frontdesk-chat-bench-logs"  # kept after the run


def now_ns() -> int:
    # CLOCK_MONOTONIC is one clock for every process on the machine: a send stamped in
    # one client process and received in another are compared directly.
    return time.monotonic_ns()


def summary_ms(values_ns: list[int]) -> dict[str, float]:
    ordered = sorted(v / 1e6 for v in values_ns)
    if not ordered:
        return {"n": 0}
    return {
        "n": len(ordered),
        "p50": round(percentile(ordered, 50), 2),
        "p95": round(percentile(ordered, 95), 2),
        "p99": round(percentile(ordered, 99), 2),
        "mean": round(sum(ordered) / len(ordered), 2),
        "max": round(ordered[-1], 2),
    }


# The client side: one worker process drives a share of the customers and agents --------


class Worker:
    """Customers and agents in one process, driven phase by phase by JSON lines on stdin;
    each phase is answered with one JSON line on stdout; raw records go to a file."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.frontdesk = spec["target"] == "frontdesk"
        self.customers: list[dict[str, Any]] = spec["customers"]
        self.agents: list[dict[str, Any]] = spec["agents"]
        self.errors: Counter[str] = Counter()
        self.sends: list[tuple[str, int, int, bool]] = []  # id, sent, acked, ok
        self.receipts: list[tuple[str, int, int]] = []  # id, latency, arrival
        self.seqs: dict[str, list[int]] = defaultdict(list)  # chat -> seqs the customer saw
        self.offers: list[tuple[str, int, int]] = []  # case number, agent idx, arrival
        self.accepts: list[int] = []  # accept_chat emitted -> answered (ns), answered ok
        self.requests: dict[str, int] = {}  # case number -> request_chat emitted
        self.presence: dict[int, int] = {}  # agent idx -> set_presence emitted
        self.accepted: set[int] = set()  # customer idx told chat_accepted
        self.cutoffs: dict[str, int] = {}  # talk phase -> end of its drain
        self.attempts: Counter[str] = Counter()  # talk phase -> send_message emitted
        self.waiters: dict[str, asyncio.Future[None]] = {}
        self.tasks: set[asyncio.Task[Any]] = set()
        self.last_activity = now_ns()
        self.accept_offers = True
        self.unexpected_disconnects = 0
        self.closing = False
        self.idle: list[Any] = []  # idle customer sockets (--idle)

    def spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def error(self, kind: str) -> None:
        self.errors[kind] += 1

    async def call(self, sio: Any, ns: str, event: str, data: dict[str, Any]) -> Any:
        """Emit with an ack; the ack's data, or None after counting the error."""
        try:
            ack = await sio.call(event, data, namespace=ns, timeout=CALL_TIMEOUT)
        except Exception as error:
            self.error(f"{event}: {type(error).__name__}")
            return None
        if not isinstance(ack, dict) or not ack.get("ok"):
            code = (ack or {}).get("error", {}).get("code", "?") if isinstance(ack, dict) else "?"
            self.error(f"{event}: {code}")
            return None
        return ack.get("data")

    # Connecting --------------------------------------------------------------------------

    async def connect_one(self, person: dict[str, Any], ns: str, url: str) -> None:
        import socketio

        sio = socketio.AsyncClient(reconnection=False)
        person["sio"] = sio
        if ns == "/customer":
            sio.on("message_created", self._customer_message(person), namespace=ns)
            sio.on("chat_accepted", lambda data: self.accepted.add(person["idx"]), namespace=ns)
        else:
            sio.on("message_created", self._agent_message(person), namespace=ns)
            sio.on("chat_offered", self._offered(person), namespace=ns)

        def gone(*args: Any) -> None:
            if not self.closing:
                self.unexpected_disconnects += 1

        sio.on("disconnect", gone, namespace=ns)
        try:
            if self.frontdesk:
                cookie = await sign_in(url, person["username"], PASSWORD)
                await sio.connect(
                    url,
                    namespaces=[ns],
                    transports=["websocket"],
                    headers={"Cookie": cookie},
                    wait_timeout=CALL_TIMEOUT,
                )
            else:
                await sio.connect(
                    url,
                    namespaces=[ns],
                    transports=["websocket"],
                    auth={"rooms": person["rooms"]},
                    wait_timeout=CALL_TIMEOUT,
                )
        except Exception as error:
            self.error(f"connect {ns}: {type(error).__name__}: {str(error)[:80]}")
            person["sio"] = None

    async def cmd_connect(self, cmd: dict[str, Any]) -> dict[str, Any]:
        limit = asyncio.Semaphore(24)

        async def one(person: dict[str, Any], ns: str, url: str) -> None:
            async with limit:
                await self.connect_one(person, ns, url)

        jobs = [one(a, "/agent", self.spec["agent_url"]) for a in self.agents]
        jobs += [one(c, "/customer", self.spec["customer_url"]) for c in self.customers]
        await asyncio.gather(*jobs)
        connected = sum(1 for p in self.agents + self.customers if p.get("sio"))
        idle = self.spec.get("idle", 0)
        if idle:
            headers = {}
            if self.frontdesk:
                headers["Cookie"] = await sign_in(
                    self.spec["customer_url"], self.spec["idle_username"], PASSWORD
                )
            self.idle, _, errors = await open_idle_sockets(
                self.spec["customer_url"], idle, headers, "/customer"
            )
            for error in errors:
                self.error(f"idle socket: {error[:60]}")
        return {"connected": connected, "idle": len(self.idle)}

    # Routing -----------------------------------------------------------------------------

    def _offered(self, agent: dict[str, Any]) -> Any:
        async def on_offer(data: dict[str, Any]) -> None:
            self.offers.append((data["case"]["number"], agent["idx"], now_ns()))
            self.last_activity = now_ns()
            if self.accept_offers:
                self.spawn(self.accept(agent, data["chat_id"]))

        return on_offer

    async def accept(self, agent: dict[str, Any], chat_id: str) -> None:
        """Accept an offer; time it until the answer (the chat, transcript and case)."""
        emitted = now_ns()
        answer = await self.call(agent["sio"], "/agent", "accept_chat", {"chat_id": chat_id})
        if answer is not None:
            self.accepts.append(now_ns() - emitted)

    async def sleep_until(self, at_ns: int) -> None:
        delay = (at_ns - now_ns()) / 1e9
        if delay > 0:
            await asyncio.sleep(delay)

    async def cmd_presence(self, cmd: dict[str, Any]) -> dict[str, Any]:
        """Each agent turns available at t0 + its index x interval."""
        self.accept_offers = cmd.get("accept", True)

        async def one(agent: dict[str, Any]) -> None:
            if agent.get("sio") is None:
                return
            await self.sleep_until(cmd["t0"] + agent["idx"] * cmd["interval_ns"])
            self.presence[agent["idx"]] = now_ns()
            change = {"presence": "available", "capacity": cmd["capacity"]}
            await self.call(agent["sio"], "/agent", "set_presence", change)

        await asyncio.gather(*(one(a) for a in self.agents))
        return {"agents": len(self.presence)}

    async def cmd_request(self, cmd: dict[str, Any]) -> dict[str, Any]:
        """Each customer asks for its chat at t0 + its index x interval."""

        async def one(customer: dict[str, Any]) -> None:
            if customer.get("sio") is None:
                return
            await self.sleep_until(cmd["t0"] + customer["idx"] * cmd["interval_ns"])
            case = customer["case"]
            self.requests[case] = now_ns()
            state = await self.call(
                customer["sio"], "/customer", "request_chat", {"case_number": case}
            )
            if state is not None:
                customer["chat_id"] = state["chat"]["public_id"]

        await asyncio.gather(*(one(c) for c in self.customers))
        return {"requested": sum(1 for c in self.customers if c.get("chat_id"))}

    async def cmd_wait_accepted(self, cmd: dict[str, Any]) -> dict[str, Any]:
        wanted = {c["idx"] for c in self.customers if c.get("chat_id")}
        deadline = time.monotonic() + cmd["timeout"]
        while not wanted <= self.accepted and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)  # a poll: the events land in a set from many handlers
        missing = len(wanted - self.accepted)
        if missing:
            self.errors["chat_accepted never arrived"] += missing
        return {"accepted": len(wanted & self.accepted)}

    # Talking -----------------------------------------------------------------------------

    def _customer_message(self, customer: dict[str, Any]) -> Any:
        def on_message(data: dict[str, Any]) -> None:
            arrival = now_ns()
            self.last_activity = arrival
            mid = data["client_msg_id"]
            if "seq" in data:
                self.seqs[data["chat_id"]].append(data["seq"])
            if mid.startswith("r:"):  # the agent's reply: delivered to this customer
                sent = int(data["body"].split(" ", 1)[0])
                self.receipts.append((mid, arrival - sent, arrival))
                waiter = self.waiters.pop(mid, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(None)

        return on_message

    def _agent_message(self, agent: dict[str, Any]) -> Any:
        def on_message(data: dict[str, Any]) -> None:
            arrival = now_ns()
            self.last_activity = arrival
            mid = data["client_msg_id"]
            if mid.startswith("c:"):  # a customer's message: delivered; echo a reply
                sent = int(data["body"].split(" ", 1)[0])
                self.receipts.append((mid, arrival - sent, arrival))
                reply = "r:" + mid[2:]
                self.spawn(self.send(agent["sio"], "/agent", data["chat_id"], reply))

        return on_message

    async def send(self, sio: Any, ns: str, chat_id: str, mid: str) -> None:
        self.attempts[mid.split(":")[1]] += 1
        sent = now_ns()
        body = f"{sent} {BODY_PAD}"
        data = {"chat_id": chat_id, "client_msg_id": mid, "body": body}
        ok = await self.call(sio, ns, "send_message", data) is not None
        self.sends.append((mid, sent, now_ns(), ok))

    async def cmd_talk(self, cmd: dict[str, Any]) -> dict[str, Any]:
        label, t0, rate, closed = cmd["label"], cmd["t0"], cmd["rate"], cmd["closed"]
        end = t0 + int(cmd["duration"] * 1e9)
        total = cmd["chats"]

        async def open_loop(customer: dict[str, Any]) -> None:
            period = int(1e9 / rate)
            at = t0 + customer["idx"] * period // total  # spread evenly over one period
            n = 0
            while at < end:
                await self.sleep_until(at)
                mid = f"c:{label}:{customer['idx']}:{n}"
                self.spawn(self.send(customer["sio"], "/customer", customer["chat_id"], mid))
                n += 1
                at += period

        async def closed_loop(customer: dict[str, Any]) -> None:
            await self.sleep_until(t0)
            n = 0
            while now_ns() < end:
                mid = f"c:{label}:{customer['idx']}:{n}"
                waiter = asyncio.get_running_loop().create_future()
                self.waiters["r:" + mid[2:]] = waiter
                await self.send(customer["sio"], "/customer", customer["chat_id"], mid)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waiter, CALL_TIMEOUT)
                n += 1

        talking = [c for c in self.customers if c.get("sio") and c.get("chat_id")]
        await asyncio.gather(*((closed_loop if closed else open_loop)(c) for c in talking))
        # Drain: until nothing has arrived for DRAIN_QUIET, or DRAIN_MAX after the end.
        stop = now_ns() + int(cmd.get("drain", DRAIN_MAX) * 1e9)
        while now_ns() < stop:
            quiet = (now_ns() - self.last_activity) / 1e9 > DRAIN_QUIET
            if quiet and not self.tasks:
                break
            await asyncio.sleep(0.2)
        self.cutoffs[label] = now_ns()
        sent = sum(1 for s in self.sends if s[0].split(":")[1] == label)
        return {"sent": sent, "unanswered": len(self.tasks)}

    async def cmd_end(self, cmd: dict[str, Any]) -> dict[str, Any]:
        if self.frontdesk and cmd.get("end_chats", True):
            limit = asyncio.Semaphore(24)

            async def end(customer: dict[str, Any]) -> None:
                if customer.get("sio") and customer.get("chat_id"):
                    async with limit:
                        ref = {"chat_id": customer["chat_id"]}
                        await self.call(customer["sio"], "/customer", "end_chat", ref)

            await asyncio.gather(*(end(c) for c in self.customers))
        self.closing = True
        limit = asyncio.Semaphore(48)

        async def close(person: dict[str, Any]) -> None:
            if person.get("sio"):
                async with limit:
                    with contextlib.suppress(Exception):
                        await person["sio"].disconnect()

        await asyncio.gather(*(close(p) for p in self.customers + self.agents))
        await asyncio.gather(*(ws.close() for ws in self.idle), return_exceptions=True)
        Path(self.spec["out"]).write_text(  # noqa: ASYNC240 (once, after the run)
            json.dumps(
                {
                    "errors": dict(self.errors),
                    "sends": self.sends,
                    "receipts": self.receipts,
                    "seqs": self.seqs,
                    "offers": self.offers,
                    "accepts": self.accepts,
                    "requests": self.requests,
                    "presence": self.presence,
                    "cutoffs": self.cutoffs,
                    "attempts": self.attempts,
                    "unexpected_disconnects": self.unexpected_disconnects,
                    "cpu_seconds": time.process_time(),
                }
            )
        )
        return {"written": self.spec["out"]}

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                return
            cmd = json.loads(line)
            if cmd["cmd"] == "quit":
                return
            started = now_ns()
            reply = await getattr(self, f"cmd_{cmd['cmd']}")(cmd)
            reply["seconds"] = round((now_ns() - started) / 1e9, 2)
            reply["errors"] = sum(self.errors.values())
            print(json.dumps(reply), flush=True)


def worker_main(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text())
    asyncio.run(Worker(spec).run())
    return 0


class Workers:
    """The client processes of one run, commanded in lock step."""

    def __init__(self, specs: list[dict[str, Any]], workdir: Path) -> None:
        self.procs: list[subprocess.Popen[str]] = []
        self.outs = []
        for i, spec in enumerate(specs):
            path = workdir / f"worker{i}.json"
            spec["out"] = str(workdir / f"worker{i}-out.json")
            self.outs.append(Path(spec["out"]))
            path.write_text(json.dumps(spec))
            log = (workdir / f"worker{i}.log").open("w")
            self.procs.append(
                subprocess.Popen(  # noqa: S603 (our own script)
                    [str(PYTHON), __file__, "--worker", str(path)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    text=True,
                )
            )

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def command(self, cmd: dict[str, Any]) -> list[dict[str, Any]]:
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.write(json.dumps(cmd) + "\n")
            proc.stdin.flush()
        replies = []
        for proc in self.procs:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"client worker {proc.pid} died (see its log)")
            replies.append(json.loads(line))
        return replies

    def results(self) -> list[dict[str, Any]]:
        return [json.loads(out.read_text()) for out in self.outs]

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(OSError):
                    assert proc.stdin is not None
                    proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                    proc.stdin.flush()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


# CPU accounting ------------------------------------------------------------------------


def wait_quiet() -> float:
    """Wait (at most QUIET_WAIT) for the shared machine to be quiet; the busy share of
    the last half second before the phase, in % of one core."""
    deadline = time.perf_counter() + QUIET_WAIT
    while True:
        before = machine_busy_seconds()
        time.sleep(0.5)
        busy = (machine_busy_seconds() - before) / 0.5
        if busy < QUIET_BUSY or time.perf_counter() >= deadline:
            return round(100 * busy, 1)


def pids_matching(predicate: Any) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, UnicodeDecodeError):
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if predicate(title):
                found.append(int(entry.name))
    return found


def with_descendants(pids: list[int]) -> list[int]:
    """The processes and all their children (uvicorn's workers under `serve --workers`)."""
    parents: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                parents[int(stat.rsplit(")", 1)[1].split()[1])].append(int(entry.name))
    found, todo = [], list(pids)
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += parents.get(pid, [])
    return found


class CpuMeter:
    """CPU used by each part during a phase, in % of one core (200 = the whole machine)."""

    def __init__(self, parts: dict[str, list[int]], database: str | None) -> None:
        self.parts = parts
        self.database = database

    def _sample(self) -> dict[str, float]:
        found = {
            name: sum(process_cpu_seconds(p) for p in with_descendants(pids))
            for name, pids in self.parts.items()
        }
        found["redis"] = sum(
            process_cpu_seconds(p) for p in pids_matching(lambda t: t.startswith("redis-server"))
        )
        if self.database:
            db = self.database
            found["postgres"] = sum(
                process_cpu_seconds(p)
                for p in pids_matching(lambda t: t.startswith("postgres:") and f" {db} " in t)
            )
        found["machine"] = machine_busy_seconds()
        return found

    def start(self) -> None:
        self.before = self._sample()
        self.started = time.perf_counter()

    def stop(self) -> dict[str, float]:
        after = self._sample()
        seconds = time.perf_counter() - self.started
        used = {k: max(0.0, after[k] - self.before.get(k, 0.0)) for k in after}
        machine = used.pop("machine")
        out = {k: round(100 * v / seconds, 1) for k, v in used.items()}
        out["other"] = round(100 * max(0.0, machine - sum(used.values())) / seconds, 1)
        out["seconds"] = round(seconds, 2)
        return out


class Profiler:
    """py-spy flame graphs of the frontdesk server(s), one SVG per node and phase
    (--profile NAME): bench/results/profiles/<NAME>-<mode>-<phase>-node<i>.svg.

    py-spy samples from outside the process (--nonblocking: the server is never
    paused), so the figures of a profiled run stay comparable, within a few percent.
    Its stacks are then often cut short; BENCH_PYSPY_BLOCKING=1 pauses the server for
    each sample instead: whole stacks, and figures that are no longer comparable."""

    def __init__(self, name: str | None, out: Path) -> None:
        self.name = name
        self.out = out / "profiles"
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, mode: str, label: str, pids: list[int]) -> None:
        if self.name is None:
            return
        self.out.mkdir(parents=True, exist_ok=True)
        spy = ROOT / ".venv" / "bin" / "py-spy"
        for i, pid in enumerate(pids, start=1):
            kind = os.environ.get("BENCH_PYSPY_FORMAT", "flamegraph")  # raw: collapsed stacks
            suffix = ".svg" if kind == "flamegraph" else ".txt"
            graph = self.out / f"{self.name}-{mode}-{label}-node{i}{suffix}"
            args = [str(spy), "record", "--pid", str(pid), "--rate", "250"]
            if not os.environ.get("BENCH_PYSPY_BLOCKING"):
                args += ["--nonblocking"]
            args += ["--subprocesses"]  # uvicorn's workers under serve --workers
            args += ["--format", kind, "--output", str(graph)]
            self.running.append(
                subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
            )

    def stop(self) -> None:
        for proc in self.running:
            proc.send_signal(signal.SIGINT)  # py-spy writes the flame graph on SIGINT
        for proc in self.running:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.running = []


PROFILER = Profiler(None, RESULTS)


# Stores, people and servers ------------------------------------------------------------


def drop_redis_keys(prefix: str) -> int:
    from redis import Redis

    check_loopback(REDIS_URL)
    client = Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        return len(keys)
    finally:
        client.close()


def bench_taxonomy(workdir: Path) -> Path:
    """The shipped taxonomy with chat open all week, so the bench runs at any hour."""
    import yaml

    from frontdesk.intake.taxonomy import DEFAULT_TAXONOMY

    data = yaml.safe_load(DEFAULT_TAXONOMY.read_text())
    days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    for group in data["groups"].values():
        if group.get("chat"):
            group["hours"] = {
                "days": {day: "00:00-23:59:59" for day in days},
                "open_on_bank_holidays": True,
            }
    path = workdir / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def base_env(store_url: str, workdir: Path, redis_prefix: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    env.update(
        FRONTDESK_ENV="demo",
        FRONTDESK_DATABASE_URL=store_url,
        FRONTDESK_DATA_DIR=str(workdir / "data"),
        FRONTDESK_TAXONOMY_PATH=str(bench_taxonomy(workdir)),
        FRONTDESK_ARGON2_TIME_COST="1",  # cheap hashes for the bench people only
        FRONTDESK_ARGON2_MEMORY_KIB="1024",
    )
    if redis_prefix:
        env.update(FRONTDESK_REDIS_URL=REDIS_URL, FRONTDESK_REDIS_PREFIX=redis_prefix)
    # The Redis pools' settings, when the caller sets them, to compare sizes.
    env.update({k: os.environ[k] for k in POOL_SETTINGS if k in os.environ})
    return env


class RedisConnections:
    """Samples Redis's CLIENT LIST while frontdesk runs: the most connections each
    node's pool held, and how many are left once they have been idle. Connections name
    themselves frontdesk:<node>:<pool> (frontdesk/redis_pool.py)."""

    def __init__(self) -> None:
        import threading

        import redis

        self._redis = redis.Redis.from_url(REDIS_URL, decode_responses=True)
        self.peak: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def now(self) -> Counter[str]:
        names = (client["name"] for client in self._redis.client_list())
        return Counter(n.removeprefix("frontdesk:") for n in names if n.startswith("frontdesk:"))

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            self.peak |= self.now()  # the larger count of each name

    def __enter__(self) -> RedisConnections:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def after_idle(self) -> dict[str, int]:
        """What is left open once every pool had its idle time and a sweep to act."""
        idle = float(os.environ.get("FRONTDESK_REDIS_IDLE_SECONDS", "60"))
        wait = min(idle * 1.5 + 1, 100.0)  # idle time, half of it for the sweep, and a bit
        print(f"  waiting {wait:.0f} s for idle Redis connections to close", flush=True)
        time.sleep(wait)
        return dict(sorted(self.now().items()))


@dataclass
class People:
    customers: list[str]
    flow_cases: list[str]  # case number of customer i for the chat flow
    offer_cases: list[str]  # ... for the offer scenario
    flow_agents: list[str]
    offer_agents: list[str]


def create_people(
    env: dict[str, str], customers: int, flow: int, offer: int, agents: int, offer_agents: int
) -> People:
    """Bench people written straight into the store with frontdesk's own services."""
    import altcha

    from frontdesk.accounts.models import Role
    from frontdesk.cases.models import CaseOpen, Channel
    from frontdesk.db.migrate import migrate
    from frontdesk.events import NobodyListens
    from frontdesk.intake.human_check import HumanCheck
    from frontdesk.intake.taxonomy import Choice
    from frontdesk.services import Services
    from frontdesk.settings import Settings

    settings = Settings(
        **{
            k.removeprefix("FRONTDESK_").lower(): v
            for k, v in env.items()
            if k.startswith("FRONTDESK_")
        }
    )
    # A challenge of the app's own key at the lowest cost: solved in microseconds,
    # accepted like any other (the server checks the signature and the one derivation).
    check = HumanCheck(settings.secret_key, cost=1, max_counter=1)
    choice = Choice(
        customer_type="Exams Officers",
        issue_type="Certificates",
        category="Certificate Delivery",
        subcategory="Certificate Receipt Dates",
        qualification="GCSE",
        qualification_subject="Mathematics",
    )

    def solved() -> str:
        challenge = altcha.Challenge.from_dict(check.challenge(datetime.now(UTC)))
        solution = altcha.solve_challenge(challenge)
        assert solution is not None
        return altcha.Payload(challenge, solution).to_base64()

    async def work() -> People:
        services = Services.build(settings, notifier=NobodyListens())
        people = People([], [], [], [], [])
        try:
            await migrate(services.engine)
            total = customers + agents + offer_agents
            done, step, started = (
                0,
                max(1, (customers + agents + offer_agents) // 5),
                time.perf_counter(),
            )

            def tick() -> None:
                nonlocal done
                done += 1
                if done % step == 0 or done == total:
                    rate = done / (time.perf_counter() - started)
                    print(f"  setup: {done}/{total} people ({rate:.0f}/s)", flush=True)

            async def customer(i: int) -> None:
                email = f"bench.customer{i}@school{i}.sch.uk"
                user = await services.accounts.add_user(
                    email=email,
                    username=email,
                    password=PASSWORD,
                    first_name="Bench",
                    last_name=f"Customer{i}",
                    role=Role.CUSTOMER,
                )
                contact = {
                    "first_name": "Bench",
                    "last_name": f"Customer{i}",
                    "email": email,
                    "phone": "01234 567890",
                    "country": "United Kingdom",
                    "language": "English",
                    "institution": f"Bench School {i}",
                }
                numbers = []
                for _ in range((i < flow) + (i < offer)):
                    data = CaseOpen(
                        choice=choice,
                        description="Our GCSE certificates have not arrived.",
                        contact=contact,
                        channel=Channel.CHAT,
                        human_check=solved(),
                    )
                    numbers.append((await services.cases.open_case(user, data)).number)
                people.customers[i] = email
                if i < flow:
                    people.flow_cases[i] = numbers.pop(0)
                if i < offer:
                    people.offer_cases[i] = numbers.pop(0)
                tick()

            async def agent(name: str, i: int, into: list[str]) -> None:
                email = f"bench.{name}{i}@frontdesk.invalid"
                await services.accounts.add_user(
                    email=email,
                    username=email,
                    password=PASSWORD,
                    first_name="Bench",
                    last_name=f"{name.title()}{i}",
                    role=Role.AGENT,
                )
                into[i] = email
                tick()

            people.customers = [""] * customers
            people.flow_cases = [""] * flow
            people.offer_cases = [""] * offer
            people.flow_agents = [""] * agents
            people.offer_agents = [""] * offer_agents
            jobs = [customer(i) for i in range(customers)]
            jobs += [agent("agent", i, people.flow_agents) for i in range(agents)]
            jobs += [agent("offeragent", i, people.offer_agents) for i in range(offer_agents)]
            for start in range(0, len(jobs), 8):
                await asyncio.gather(*jobs[start : start + 8])
        finally:
            await services.aclose()
            await services.engine.dispose()
            if services.redis is not None:
                await services.redis.aclose()
        return people

    return asyncio.run(work())


@contextlib.contextmanager
def servers(
    kind: str,
    count: int,
    env: dict[str, str],
    workdir: Path,
    redis_channel: str | None,
    serve_workers: int = 1,
) -> Iterator[list[tuple[str, int]]]:
    """`count` frontdesk nodes or relay processes; yields (base URL, pid) of each."""
    procs, started = [], []
    try:
        for i in range(count):
            port = free_port()
            url = f"http://{HOST}:{port}"
            check_loopback(url)
            log = workdir / f"{kind}{i}.log"
            if kind == "frontdesk":
                node_env = {**env, "FRONTDESK_PUBLIC_URL": url, "FRONTDESK_NODE_ID": f"node{i + 1}"}
                args = [str(FRONTDESK), "serve", "--host", HOST, "--port", str(port)]
                args += ["--workers", str(serve_workers)]
            else:
                node_env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
                args = [str(PYTHON), str(ROOT / "bench" / "relay.py"), "--port", str(port)]
                if redis_channel:
                    args += ["--redis-url", REDIS_URL, "--channel", redis_channel]
            with log.open("wb") as out:
                proc = subprocess.Popen(  # noqa: S603 (fixed arguments, our own programs)
                    args, env=node_env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT
                )
            procs.append((proc, log))
            started.append((url, proc.pid))
        for (proc, log), (url, _) in zip(procs, started, strict=True):
            wait_healthy(url, proc, log)
        yield started
    finally:
        for proc, log in procs:
            stop(proc)
            errors = [
                line
                for line in log.read_text().splitlines()
                if " ERROR " in line or "Traceback" in line
            ]
            if errors:
                print(
                    f"  {log.name}: {len(errors)} ERROR lines, e.g. {errors[-1][:200]}", flush=True
                )


# Running the scenarios -----------------------------------------------------------------


@dataclass
class Load:
    chats: int
    agents: int
    capacity: int
    rate: float  # messages per second per chat, from the customer
    duration: float  # seconds of fixed-rate talk
    saturation: float  # seconds of closed-loop talk
    request_rate: float  # chat requests per second
    workers: int
    offer_requests: int
    offer_agents: int
    offer_capacity: int
    offer_interval: float  # seconds between agents turning available
    drain: float = DRAIN_MAX  # seconds a talk phase waits for stragglers after the load
    idle: int = 0  # customer sockets that only stay connected (one customer, many tabs)
    serve_workers: int = 1  # uvicorn worker processes per frontdesk node
    store: str = "sqlite"  # one node's store (two-nodes is always on PostgreSQL)


def split(items: list[Any], parts: int) -> list[list[Any]]:
    return [items[i::parts] for i in range(parts)]


def worker_specs(
    target: str,
    load: Load,
    urls: tuple[str, str],
    customers: list[dict[str, Any]],
    agents: list[dict[str, Any]],
    idle_username: str | None = None,
) -> list[dict[str, Any]]:
    idle = load.idle if target == "relay" or idle_username else 0
    return [
        {
            "target": target,
            "customer_url": urls[0],
            "agent_url": urls[1],
            "customers": cs,
            "agents": ags,
            "idle": idle // load.workers + (1 if i < idle % load.workers else 0),
            "idle_username": idle_username,
        }
        for i, (cs, ags) in enumerate(
            zip(split(customers, load.workers), split(agents, load.workers), strict=True)
        )
    ]


def phase(label: str, replies: list[dict[str, Any]], started: float) -> None:
    merged: Counter[str] = Counter()
    for reply in replies:
        for key, value in reply.items():
            if isinstance(value, int | float) and key != "seconds":
                merged[key] += value
    shown = ", ".join(f"{k} {v}" for k, v in merged.items())
    print(f"  {label}: {shown} ({time.perf_counter() - started:.1f} s)", flush=True)


def run_flow(
    target: str,
    mode: str,
    load: Load,
    urls: tuple[str, str],
    pids: list[int],
    people: People | None,
    workdir: Path,
    database: str | None,
) -> dict[str, Any]:
    """Connect, route every chat (frontdesk), talk at a fixed rate, then closed loop."""
    n = load.chats
    if target == "frontdesk":
        assert people is not None
        customers = [
            {"idx": i, "username": people.customers[i], "case": people.flow_cases[i]}
            for i in range(n)
        ]
        agents = [{"idx": a, "username": people.flow_agents[a]} for a in range(load.agents)]
    else:
        customers = [{"idx": i, "chat_id": str(i), "rooms": [f"chat:{i}"]} for i in range(n)]
        agents = [
            {"idx": a, "rooms": [f"chat:{i}" for i in range(n) if i % load.agents == a]}
            for a in range(load.agents)
        ]
    run_dir = workdir / f"{target}-{mode}"
    run_dir.mkdir(exist_ok=True)
    # The spare customer (the last, in no chat) is every idle socket's person.
    idle_username = people.customers[-1] if people is not None and load.idle else None
    workers = Workers(worker_specs(target, load, urls, customers, agents, idle_username), run_dir)
    meter = CpuMeter({"server": pids, "clients": workers.pids}, database)
    out: dict[str, Any] = {"target": target, "mode": mode, "phases": {}, "cpu_pct": {}}
    try:
        started = time.perf_counter()
        phase(
            f"{target}: connect {n} customers + {load.agents} agents + {load.idle} idle",
            workers.command({"cmd": "connect"}),
            started,
        )
        if target == "frontdesk":
            started = time.perf_counter()
            t0 = now_ns() + 200_000_000
            phase(
                "agents available",
                workers.command(
                    {"cmd": "presence", "t0": t0, "interval_ns": 0, "capacity": load.capacity}
                ),
                started,
            )
            started = time.perf_counter()
            t0 = now_ns() + 200_000_000
            meter.start()
            PROFILER.start(mode, "routing", pids)
            phase(
                f"request {n} chats at {load.request_rate:.0f}/s",
                workers.command(
                    {"cmd": "request", "t0": t0, "interval_ns": int(1e9 / load.request_rate)}
                ),
                started,
            )
            phase("accepted", workers.command({"cmd": "wait_accepted", "timeout": 60}), started)
            out["cpu_pct"]["routing"] = meter.stop()
            PROFILER.stop()
        # Closed loop first: it leaves no backlog behind, where an overloaded fixed rate may.
        drained = True
        for label, closed, seconds in (
            ("saturation", True, load.saturation),
            ("fixed", False, load.duration),
        ):
            if seconds <= 0:
                continue
            busy = wait_quiet()
            started = time.perf_counter()
            t0 = now_ns() + 500_000_000
            meter.start()
            if target == "frontdesk":
                PROFILER.start(mode, label, pids)
            replies = workers.command(
                {
                    "cmd": "talk",
                    "label": label,
                    "t0": t0,
                    "rate": load.rate,
                    "closed": closed,
                    "duration": seconds,
                    "chats": n,
                    "drain": load.drain,
                }
            )
            out["cpu_pct"][label] = meter.stop()
            PROFILER.stop()
            out["phases"][label] = {"t0": t0, "duration": seconds, "machine_busy_before_pct": busy}
            drained = not any(r["unanswered"] for r in replies)
            out["phases"][label]["drained"] = drained
            what = f"{load.rate:g} msg/s per chat" if not closed else "closed loop"
            phase(f"talk {label} ({what}, {seconds:g} s)", replies, started)
        started = time.perf_counter()
        if not drained:
            print("  server backlog left: disconnecting without ending the chats", flush=True)
        out["chats_ended"] = drained
        phase("end and disconnect", workers.command({"cmd": "end", "end_chats": drained}), started)
        raw = workers.results()
    finally:
        workers.close()
    analyse_flow(out, raw, load)
    return out


def analyse_flow(out: dict[str, Any], raw: list[dict[str, Any]], load: Load) -> None:
    errors: Counter[str] = Counter()
    for r in raw:
        errors.update(r["errors"])
    out["errors"] = dict(errors)
    out["unexpected_disconnects"] = sum(r["unexpected_disconnects"] for r in raw)
    out["client_cpu_seconds"] = round(sum(r["cpu_seconds"] for r in raw), 1)
    sends = [s for r in raw for s in r["sends"]]
    receipts = [x for r in raw for x in r["receipts"]]
    for label, info in out["phases"].items():
        mine_s = [s for s in sends if s[0].split(":")[1] == label]
        mine_r = [x for x in receipts if x[0].split(":")[1] == label]
        counts = Counter(x[0] for x in mine_r)
        first: dict[str, int] = {}
        first_at: dict[str, int] = {}
        for mid, latency, arrival in mine_r:
            first.setdefault(mid, latency)
            first_at[mid] = min(arrival, first_at.get(mid, arrival))
        never = 1 << 62
        acked = [s for s in mine_s if s[3]]
        lost = sum(1 for s in acked if s[0] not in counts)
        t0, end = info["t0"], info["t0"] + int(info["duration"] * 1e9)
        in_window = sum(1 for x in mine_r if t0 <= x[2] <= end)
        last = max((x[2] for x in mine_r), default=t0)
        cutoff = max((r["cutoffs"].get(label, 0) for r in raw), default=0)
        cpu = out["cpu_pct"].get(label, {})
        server_ms = cpu.get("server", 0) / 100 * cpu.get("seconds", 0) * 1000
        attempted = sum(r.get("attempts", {}).get(label, 0) for r in raw)
        info.update(
            sent=attempted,
            unacked_at_end=attempted - len(mine_s),  # no ack before the clients left
            send_failed=len(mine_s) - len(acked),
            delivered=len(counts),
            lost=lost,
            duplicated=sum(c - 1 for c in counts.values()),
            delivered_unacked=len(set(counts) - {s[0] for s in acked}),
            offered_per_s=round(attempted / info["duration"], 1),
            throughput_per_s=round(in_window / info["duration"], 1),
            delivered_per_s_overall=round(len(counts) / max(1e-9, (last - t0) / 1e9), 1),
            delivery_ms=summary_ms(list(first.values())),
            delivery_ms_customer_to_agent=summary_ms([v for k, v in first.items() if k[0] == "c"]),
            delivery_ms_agent_to_customer=summary_ms([v for k, v in first.items() if k[0] == "r"]),
            ack_ms=summary_ms([s[2] - s[1] for s in acked]),
            drain_seconds=round(max(0, last - end) / 1e9, 2),
            late=sum(1 for at in first_at.values() if at > cutoff) if cutoff else 0,
            undelivered_at_cutoff=sum(1 for s in acked if first_at.get(s[0], never) > cutoff),
            server_cpu_ms_per_message=round(server_ms / max(1, len(counts)), 3),
        )
    if out["target"] == "frontdesk":
        requests = {k: v for r in raw for k, v in r["requests"].items()}
        offers: dict[str, int] = {}
        for case, _, arrival in sorted((o for r in raw for o in r["offers"]), key=lambda o: o[2]):
            offers.setdefault(case, arrival)
        out["request_to_offer_ms"] = summary_ms(
            [offers[c] - t for c, t in requests.items() if c in offers]
        )
        out["requests_never_offered"] = sum(1 for c in requests if c not in offers)
        out["accept_answered_ms"] = summary_ms([a for r in raw for a in r["accepts"]])
        gaps = dups = 0
        for r in raw:
            for seqs in r["seqs"].values():
                unique = set(seqs)
                dups += len(seqs) - len(unique)
                gaps += max(unique) - len(unique)
        out["seq_check"] = {"gaps": gaps, "duplicates": dups}


def run_offer(
    mode: str,
    load: Load,
    urls: tuple[str, str],
    pids: list[int],
    people: People,
    workdir: Path,
    database: str | None,
) -> dict[str, Any]:
    """1,000 waiting requests, then 200 agents (capacity 5) turning available one by one."""
    customers = [
        {"idx": i, "username": people.customers[i], "case": people.offer_cases[i]}
        for i in range(load.offer_requests)
    ]
    agents = [{"idx": a, "username": people.offer_agents[a]} for a in range(load.offer_agents)]
    run_dir = workdir / "offer"
    run_dir.mkdir(exist_ok=True)
    workers = Workers(worker_specs("frontdesk", load, urls, customers, agents), run_dir)
    meter = CpuMeter({"server": pids, "clients": workers.pids}, database)
    out: dict[str, Any] = {
        "requests": load.offer_requests,
        "agents": load.offer_agents,
        "capacity": load.offer_capacity,
        "interval_ms": load.offer_interval * 1000,
    }
    try:
        started = time.perf_counter()
        phase(
            f"offer scenario: connect {len(customers)} customers + {len(agents)} agents",
            workers.command({"cmd": "connect"}),
            started,
        )
        started = time.perf_counter()
        t0 = now_ns() + 200_000_000
        phase(
            f"{len(customers)} requests waiting, no agent available",
            workers.command(
                {"cmd": "request", "t0": t0, "interval_ns": int(1e9 / load.request_rate)}
            ),
            started,
        )
        started = time.perf_counter()
        t0 = now_ns() + 200_000_000
        meter.start()
        PROFILER.start(mode, "offer", pids)
        phase(
            f"agents turn available one every {load.offer_interval * 1000:g} ms",
            workers.command(
                {
                    "cmd": "presence",
                    "t0": t0,
                    "interval_ns": int(load.offer_interval * 1e9),
                    "capacity": load.offer_capacity,
                }
            ),
            started,
        )
        phase("accepted", workers.command({"cmd": "wait_accepted", "timeout": 60}), started)
        out["cpu_pct"] = meter.stop()
        PROFILER.stop()
        started = time.perf_counter()
        phase("end and disconnect", workers.command({"cmd": "end"}), started)
        raw = workers.results()
    finally:
        workers.close()
    errors: Counter[str] = Counter()
    for r in raw:
        errors.update(r["errors"])
    out["errors"] = dict(errors)
    presence = {int(k): v for r in raw for k, v in r["presence"].items()}
    by_agent: dict[int, list[int]] = defaultdict(list)
    for _, agent, arrival in (o for r in raw for o in r["offers"]):
        by_agent[agent].append(arrival)
    every, first, last = [], [], []
    for agent, emitted in presence.items():
        arrivals = sorted(by_agent.get(agent, []))
        every += [a - emitted for a in arrivals]
        if arrivals:
            first.append(arrivals[0] - emitted)
            last.append(arrivals[-1] - emitted)
    out["offers"] = len(every)
    out["seat_to_offer_ms"] = summary_ms(every)
    out["accept_answered_ms"] = summary_ms([a for r in raw for a in r["accepts"]])
    out["first_offer_ms"] = summary_ms(first)
    out["last_offer_ms"] = summary_ms(last)
    requests = {k: v for r in raw for k, v in r["requests"].items()}
    out["request_ack_ms"] = "see request_to_offer in the flows; here requests only wait"
    out["requests_recorded"] = len(requests)
    return out


def run_mode(mode: str, load: Load, workdir: Path, do_offer: bool) -> list[dict[str, Any]]:
    mode_dir = workdir / mode
    mode_dir.mkdir()
    results = []
    redis = mode != "embedded"
    tag = secrets.token_hex(4)
    prefix = f"frontdesk_bench_{tag}:" if redis else None
    nodes = 2 if mode == "two-nodes" else 1
    on_postgres = mode == "two-nodes" or load.store == "postgres"
    print(
        f"\n== {mode}: {nodes} node(s), "
        f"{'PostgreSQL' if on_postgres else 'SQLite'}"
        f"{', Redis' if redis else ', in-memory queue'}; {load.chats} chats",
        flush=True,
    )

    # The relay first: the same load, no store, no auth.
    with servers(
        "relay", nodes, {}, mode_dir, f"frontdesk_bench_{tag}:relay" if redis else None
    ) as up:
        urls = (up[0][0], up[-1][0])
        results.append(
            run_flow("relay", mode, load, urls, [p for _, p in up], None, mode_dir, None)
        )

    store = (
        postgres_database()
        if on_postgres
        else contextlib.nullcontext(f"sqlite+aiosqlite:///{mode_dir / 'bench.db'}")
    )
    try:
        with store as store_url:
            database = urlsplit(store_url).path.lstrip("/") if on_postgres else None
            env = base_env(store_url, mode_dir, prefix)
            if on_postgres:
                migrated = subprocess.run(  # noqa: S603 (our own executable)
                    [str(FRONTDESK), "migrate"],
                    env=env,
                    cwd=mode_dir,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if migrated.returncode != 0:
                    raise RuntimeError(f"frontdesk migrate failed: {migrated.stderr}")
                print("  frontdesk migrate: done", flush=True)
            offer_n = load.offer_requests if do_offer else 0
            started = time.perf_counter()
            people = create_people(
                env,
                max(load.chats, offer_n) + (1 if load.idle else 0),
                load.chats,
                offer_n,
                load.agents,
                load.offer_agents if do_offer else 0,
            )
            print(f"  setup done in {time.perf_counter() - started:.1f} s", flush=True)
            watch = RedisConnections() if redis else contextlib.nullcontext()
            with (
                servers("frontdesk", nodes, env, mode_dir, None, load.serve_workers) as up,
                watch as connections,
            ):
                urls = (up[0][0], up[-1][0])
                pids = [p for _, p in up]
                if do_offer:  # first: a flow run past capacity may leave a backlog
                    offer = run_offer(mode, load, urls, pids, people, mode_dir, database)
                    offer.update(target="frontdesk", mode=mode, scenario="offer")
                    results.append(offer)
                flow = run_flow("frontdesk", mode, load, urls, pids, people, mode_dir, database)
                if connections is not None:
                    flow["redis_connections"] = {
                        "settings": {k: env[k] for k in POOL_SETTINGS if k in env},
                        "peak": dict(sorted(connections.peak.items())),
                        "after_idle": connections.after_idle(),
                    }
                    print(f"  Redis connections: {flow['redis_connections']}", flush=True)
                results.append(flow)
        logs = LOGS / datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        logs.mkdir(parents=True, exist_ok=True)
        for log in mode_dir.glob("*.log"):
            (logs / f"{mode}-{log.name}").write_bytes(log.read_bytes())
        for r in results:
            if r["target"] == "frontdesk":
                r["server_log_errors"] = {
                    log.name: log_errors(log) for log in sorted(mode_dir.glob("frontdesk*.log"))
                }
        print(f"  server logs kept in {logs}", flush=True)
    finally:
        if prefix:
            dropped = drop_redis_keys(prefix)
            print(f"  dropped {dropped} Redis keys under {prefix}", flush=True)
    return results


# Output --------------------------------------------------------------------------------


def flows(results: list[dict[str, Any]], target: str) -> dict[str, dict[str, Any]]:
    return {r["mode"]: r for r in results if r["target"] == target and "phases" in r}


def kept_up(phase: dict[str, Any], load: Load) -> bool:
    """Whether a fixed-rate phase delivered (nearly) all it was offered while it ran."""
    return phase["throughput_per_s"] >= 0.9 * load.chats * load.rate * 2


NOISY_OTHER = 40.0  # % of a core used by other processes: a ratio is not judged


def busy_other(run: dict[str, Any]) -> float:
    """The most CPU other processes used during any phase of a run, % of one core."""
    return max(
        (run["cpu_pct"].get(label, {}).get("other", 0.0) for label in run["phases"]), default=0.0
    )


def busy_note(*runs: dict[str, Any]) -> str | None:
    """Why a comparison of these runs' phases is not judged: a busy machine."""
    worst = max(r["cpu_pct"].get(label, {}).get("other", 0) for r in runs for label in r["phases"])
    if worst > NOISY_OTHER:
        return f"not judged: other processes used {worst:.0f}% of a core during the runs"
    return None


# Issue 17's targets, each against the bare relay measured in the same run.
DELIVERY_LIMIT = {"embedded": 2.0, "redis": 2.0, "two-nodes": 3.0}  # x the relay's p99
THROUGHPUT_SHARE = 0.75  # closed loop, of the relay's
CPU_PER_MESSAGE_LIMIT = 1.5  # x the relay's server CPU per delivered message
REQUEST_TO_OFFER_MS = 50.0  # p99, free seats, 100 requests/s
SEAT_TO_OFFER_MS = 100.0  # p99, 1,000 waiting, 200 agents turning available
ACCEPT_MS = 50.0  # p99, accept_chat emitted -> answered with the transcript and the case


def judge(results: list[dict[str, Any]], load: Load) -> dict[str, Any]:
    """Each target of the issue, per mode: "met", "missed", or why it cannot be judged."""
    fd, relay = flows(results, "frontdesk"), flows(results, "relay")
    out: dict[str, Any] = {}
    for mode in fd:
        if mode not in relay:
            continue
        f, r = fd[mode]["phases"], relay[mode]["phases"]
        entry: dict[str, Any] = {"chats": load.chats}
        if "fixed" in f and "fixed" in r:
            limit = DELIVERY_LIMIT[mode]
            fp99, rp99 = f["fixed"]["delivery_ms"].get("p99"), r["fixed"]["delivery_ms"].get("p99")
            ratio = round(fp99 / rp99, 2) if fp99 and rp99 else None
            entry["delivery_p99_ratio"] = ratio
            entry["relay_kept_up"] = kept_up(r["fixed"], load)
            entry["frontdesk_kept_up"] = kept_up(f["fixed"], load)
            key = f"delivery_p99_within_{limit:g}x"
            if not entry["relay_kept_up"]:
                entry[key] = (
                    busy_note(relay[mode], fd[mode])
                    or "not comparable: the relay itself fell behind"
                )
            else:
                met = ratio is not None and ratio <= limit and entry["frontdesk_kept_up"]
                entry[key] = "met" if met else "missed"
            entry["fixed_throughput_ratio"] = round(
                f["fixed"]["throughput_per_s"] / max(1e-9, r["fixed"]["throughput_per_s"]), 2
            )
        if "saturation" in f and "saturation" in r:
            fs, rs = f["saturation"], r["saturation"]
            ratio = round(fs["throughput_per_s"] / max(1e-9, rs["throughput_per_s"]), 2)
            entry["saturation_throughput_ratio"] = ratio
            entry[f"throughput_at_least_{THROUGHPUT_SHARE:g}"] = busy_note(
                relay[mode], fd[mode]
            ) or ("met" if ratio >= THROUGHPUT_SHARE else "missed")
            fcpu, rcpu = fs.get("server_cpu_ms_per_message"), rs.get("server_cpu_ms_per_message")
            if fcpu and rcpu:
                cpu_ratio = round(fcpu / rcpu, 2)
                entry["cpu_per_message_ratio"] = cpu_ratio
                entry[f"cpu_per_message_within_{CPU_PER_MESSAGE_LIMIT:g}x"] = (
                    "met" if cpu_ratio <= CPU_PER_MESSAGE_LIMIT else "missed"
                )
        accept_p99 = (fd[mode].get("accept_answered_ms") or {}).get("p99")
        if accept_p99 is not None:
            entry["accept_answered_p99_ms"] = accept_p99
            entry[f"accept_answered_under_{ACCEPT_MS:g}_ms"] = (
                "met" if accept_p99 < ACCEPT_MS else "missed"
            )
        offer_p99 = (fd[mode].get("request_to_offer_ms") or {}).get("p99")
        if offer_p99 is not None:
            entry["request_to_offer_p99_ms"] = offer_p99
            entry[f"request_to_offer_under_{REQUEST_TO_OFFER_MS:g}_ms"] = (
                "met" if offer_p99 < REQUEST_TO_OFFER_MS else "missed"
            )
        bad = sum(p["lost"] + p["duplicated"] for p in f.values())
        bad += fd[mode]["seq_check"]["duplicates"]
        entry["lost_or_duplicated"] = bad
        entry["seq_gaps_seen_by_customers"] = fd[mode]["seq_check"]["gaps"]
        if bad and not all(p.get("drained", True) for p in f.values()):
            # Undelivered when the clients left with a backlog still queued: late or lost.
            entry["zero_lost_or_duplicated"] = "not judged: a backlog was left at the cutoff"
        else:
            entry["zero_lost_or_duplicated"] = "met" if bad == 0 else "missed"
        out[mode] = entry
    for r in results:
        if r.get("scenario") == "offer":
            p99 = r["seat_to_offer_ms"].get("p99")
            accept_p99 = (r.get("accept_answered_ms") or {}).get("p99")
            out["offer"] = {
                "accept_answered_p99_ms": accept_p99,
                f"accept_answered_under_{ACCEPT_MS:g}_ms": "not measured in this run"
                if accept_p99 is None
                else "met"
                if accept_p99 < ACCEPT_MS
                else "missed",
                "seat_to_offer_p99_ms": p99,
                f"under_{SEAT_TO_OFFER_MS:g}_ms": "met"
                if p99 is not None and p99 < SEAT_TO_OFFER_MS
                else "missed",
            }
    out["measured_by_other_runs"] = {
        "memory per idle socket within 1.5x the relay's": "bench/idle_sockets.py",
        "serve --workers 2 at least 1.7x one worker": "bench/workers_scale.py",
        "the realistic desk": "--chats 2000 --agents 300 --rate 0.1 --idle 3000 "
        "--request-rate 25 --saturation 0 --duration 30",
    }
    return out


def log_errors(path: Path) -> dict[str, int]:
    """The ERROR lines of a server log, and the exceptions in its tracebacks, counted."""
    found: Counter[str] = Counter()
    with contextlib.suppress(OSError):
        for line in path.read_text(errors="replace").splitlines():
            if " ERROR " in line:
                found["ERROR " + line.split(" ERROR ", 1)[1][:120]] += 1
            elif line and not line.startswith(" ") and ("Error: " in line or "Exception: " in line):
                found[line[:120]] += 1
    return dict(found.most_common(12))


def chart(data: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = data["results"]
    fd, relay = flows(results, "frontdesk"), flows(results, "relay")
    modes = [m for m in MODES if m in fd or m in relay]
    offer = next((r for r in results if r.get("scenario") == "offer"), None)
    fig, axes = plt.subplots(
        1, 3 if offer else 2, figsize=(17 if offer else 12, 5.5), constrained_layout=True
    )
    colours = {"relay": ("#9bb8d9", "#4c72b0"), "frontdesk": ("#f2b48a", "#dd8452")}

    axis = axes[0]
    width = 0.13
    for i, mode in enumerate(modes):
        for j, (target, runs) in enumerate((("relay", relay), ("frontdesk", fd))):
            phase = runs.get(mode, {}).get("phases", {}).get("fixed")
            if not phase:
                continue
            for k, q in enumerate(("p50", "p95", "p99")):
                x = i + (j * 3 + k - 2.5) * width
                value = phase["delivery_ms"].get(q, float("nan"))
                axis.bar(
                    x,
                    value,
                    width,
                    color=colours[target][1 if q == "p99" else 0],
                    alpha=1.0 if q != "p50" else 0.6,
                    label=f"{target} {q}" if i == 0 else None,
                )
                axis.annotate(
                    f"{value:.0f}" if value >= 10 else f"{value:.1f}",
                    (x, value),
                    ha="center",
                    va="bottom",
                    fontsize=7,
                )
    axis.set_yscale("log")
    low, high = axis.get_ylim()
    axis.set_ylim(low, high * 3)
    axis.set_xticks(range(len(modes)), modes)
    axis.set_ylabel("delivery time, send -> arrival at the other side (ms, log)")
    rate = data["meta"]["load"]["rate"]
    axis.set_title(
        f"Delivery p50/p95/p99, {data['meta']['load']['chats']} chats x {rate:g} msg/s + agent echo"
    )
    axis.legend(fontsize=7, ncol=2)
    axis.grid(axis="y", which="both", alpha=0.3)

    axis = axes[1]
    width = 0.2
    for i, mode in enumerate(modes):
        for j, (target, runs) in enumerate((("relay", relay), ("frontdesk", fd))):
            for k, label in enumerate(("fixed", "saturation")):
                phase = runs.get(mode, {}).get("phases", {}).get(label)
                if not phase:
                    continue
                x = i + (j * 2 + k - 1.5) * width
                value = phase["throughput_per_s"]
                axis.bar(
                    x,
                    value,
                    width,
                    color=colours[target][k],
                    label=f"{target} {label}" if i == 0 else None,
                )
                lost = phase["lost"] + phase["duplicated"]
                late = phase["undelivered_at_cutoff"] + phase["unacked_at_end"] - phase["lost"]
                note = (f"\n{lost} lost/dup" if lost else "") + (
                    f"\n{late} late/unacked" if late else ""
                )
                axis.annotate(
                    f"{value:.0f}" + note,
                    (x, value),
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    color="#b00000" if lost else "black",
                )
    axis.set_xticks(range(len(modes)), modes)
    axis.set_ylabel("messages delivered per second")
    axis.set_title("Throughput: fixed rate, and closed loop (saturation)")
    axis.legend(fontsize=7)
    axis.grid(axis="y", alpha=0.3)

    if offer:
        axis = axes[2]
        names = ["first_offer_ms", "seat_to_offer_ms", "last_offer_ms"]
        labels = ["first offer\nof an agent", "every offer", "last (5th) offer\nof an agent"]
        for i, name in enumerate(names):
            for k, q in enumerate(("p50", "p95", "p99")):
                x = i + (k - 1) * 0.25
                value = offer[name].get(q, float("nan"))
                axis.bar(
                    x,
                    value,
                    0.25,
                    color=["#c6dbb8", "#86b873", "#55a868"][k],
                    label=q if i == 0 else None,
                )
                axis.annotate(f"{value:.1f}", (x, value), ha="center", va="bottom", fontsize=7)
        axis.axhline(
            SEAT_TO_OFFER_MS,
            color="#c44e52",
            linestyle="--",
            linewidth=1,
            label=f"target p99 {SEAT_TO_OFFER_MS:g} ms",
        )
        axis.set_yscale("log")
        axis.set_xticks(range(len(names)), labels)
        axis.set_ylabel("set_presence emitted -> chat_offered arrives (ms)")
        axis.set_title(
            f"Offers from a queue of {offer['requests']} (redis, "
            f"{offer['agents']} agents x {offer['capacity']})"
        )
        axis.legend(fontsize=7)
        axis.grid(axis="y", alpha=0.3)
    meta = data["meta"]
    noise = ", ".join(
        f"{mode} {max(busy_other(runs[mode]) for runs in (fd, relay) if mode in runs):.0f}%"
        for mode in modes
    )
    fig.suptitle(
        f"frontdesk live chat vs a bare python-socketio relay: {meta['cpus']} CPUs, loopback, "
        f"{meta['load']['workers']} client processes on the same machine; {meta['date']}\n"
        f"CPU of other processes (max over a mode's phases, % of one core): {noise}",
        fontsize=11,
    )
    fig.savefig(path, dpi=110)
    plt.close(fig)


def print_table(data: dict[str, Any]) -> None:
    print(
        f"\n{'mode':<10} {'target':<10} {'phase':<11} {'sent':>7} {'deliv/s':>8} "
        f"{'p50':>7} {'p95':>7} {'p99':>8} {'lost':>5} {'dup':>4} {'fail':>5} "
        f"{'srv cpu':>8} {'cli cpu':>8} {'oth':>5}"
    )
    for r in data["results"]:
        if "phases" not in r:
            continue
        for label, p in r["phases"].items():
            d = p["delivery_ms"]
            cpu = r["cpu_pct"].get(label, {})
            print(
                f"{r['mode']:<10} {r['target']:<10} {label:<11} {p['sent']:>7} "
                f"{p['throughput_per_s']:>8.0f} {d.get('p50', 0):>7.1f} {d.get('p95', 0):>7.1f} "
                f"{d.get('p99', 0):>8.1f} {p['lost']:>5} {p['duplicated']:>4} "
                f"{p['send_failed']:>5} {cpu.get('server', 0):>7.0f}% "
                f"{cpu.get('clients', 0):>7.0f}% "
                f"{cpu.get('other', 0):>4.0f}%"
            )
        if r["target"] == "frontdesk":
            print(f"{'':<22}request->offer ms {r['request_to_offer_ms']}; seq {r['seq_check']}")
            print(f"{'':<22}accept answered ms {r.get('accept_answered_ms')}")
            if "redis_connections" in r:
                print(f"{'':<22}Redis connections {r['redis_connections']}")
        if r["errors"]:
            print(f"{'':<22}errors: {r['errors']}")
    for r in data["results"]:
        if r.get("scenario") == "offer":
            print(
                f"\noffer scenario ({r['requests']} waiting, {r['agents']} agents x "
                f"{r['capacity']}): every offer {r['seat_to_offer_ms']}\n  first "
                f"{r['first_offer_ms']}\n  last {r['last_offer_ms']}; errors {r['errors']}"
            )
    print(f"\ntargets: {json.dumps(data['targets'], indent=1)}")


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        return worker_main(sys.argv[2])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=[*MODES, "all"], default="all")
    parser.add_argument("--quick", action="store_true", help="a ~1-minute smoke run")
    parser.add_argument("--chats", type=int, help="concurrent chats (default 500, quick 40)")
    parser.add_argument("--agents", type=int, help="agents in the flow (default chats / 10)")
    parser.add_argument("--rate", type=float, default=1.0, help="customer messages/s per chat")
    parser.add_argument("--duration", type=float, help="seconds of fixed-rate talk")
    parser.add_argument("--saturation", type=float, help="seconds of closed-loop talk")
    parser.add_argument("--workers", type=int, default=2, help="client processes")
    parser.add_argument("--request-rate", type=float, default=100.0, help="chat requests/s")
    parser.add_argument("--idle", type=int, default=0, help="idle customer sockets besides")
    parser.add_argument(
        "--serve-workers", type=int, default=1, help="frontdesk serve --workers (Redis modes)"
    )
    parser.add_argument(
        "--drain",
        type=float,
        default=DRAIN_MAX,
        help="seconds to wait for stragglers after each talk phase",
    )
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help="py-spy flame graphs of frontdesk per phase, under results/profiles/NAME-*",
    )
    parser.add_argument(
        "--store",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="the store of one-node modes (a scale-out install's is PostgreSQL)",
    )
    parser.add_argument("--no-offer", action="store_true", help="skip the offer scenario")
    parser.add_argument("--replot", action="store_true", help="redraw the PNG from the JSON")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--name", default="chat_flow", help="file name of the JSON and PNG")
    args = parser.parse_args()
    out = args.out / args.name
    if args.replot:  # also re-judges the targets from the saved figures
        data = json.loads(out.with_suffix(".json").read_text())
        data["targets"] = judge(data["results"], Load(**data["meta"]["load"]))
        out.with_suffix(".json").write_text(json.dumps(data, indent=2) + "\n")
        chart(data, out.with_suffix(".png"))
        print_table(data)
        return 0
    PROFILER.name, PROFILER.out = args.profile, args.out / "profiles"
    chats = args.chats or (40 if args.quick else 500)
    agents = args.agents or max(1, math.ceil(chats / 10))
    load = Load(
        chats=chats,
        agents=agents,
        capacity=min(20, math.ceil(chats / agents)),
        rate=args.rate,
        duration=args.duration if args.duration is not None else (8 if args.quick else 15),
        saturation=args.saturation if args.saturation is not None else (4 if args.quick else 10),
        request_rate=args.request_rate,
        workers=args.workers,
        offer_requests=100 if args.quick else 1000,
        offer_agents=20 if args.quick else 200,
        offer_capacity=5,
        offer_interval=0.025,
        drain=args.drain,
        idle=args.idle,
        serve_workers=args.serve_workers,
        store=args.store,
    )
    if not FRONTDESK.exists():
        raise SystemExit(
            f"{FRONTDESK} not found: run scripts/setup, then"
            " .venv/bin/pip install --require-hashes -r requirements/bench.txt"
        )
    modes = list(MODES) if args.mode == "all" else [args.mode]
    started = time.perf_counter()
    load_before, loop_before = loadavg(), python_loop_ms()
    commit_before = git_commit()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="frontdesk-chatbench-") as tmp:
        for mode in modes:
            results += run_mode(
                mode, load, Path(tmp), do_offer=mode == "redis" and not args.no_offer
            )
    elapsed = time.perf_counter() - started
    data = {
        "meta": {
            "commit": commit_before,
            "commit_after": git_commit(),  # differs if the tree moved on during the run
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "cpus": os.cpu_count(),
            "cpu_model": cpu_model(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "quick": args.quick,
            "modes": modes,
            "load": load.__dict__,
            "server": "frontdesk serve (uvicorn, 1 worker) per node; relay: bench/relay.py, "
            "uvicorn with the same settings",
            "clients": f"{load.workers} processes of python-socketio AsyncClient, one per person, "
            "websocket transport",
            "loadavg_before": load_before,
            # The machine's pace (benchlib.python_loop_ms) at the start and the end.
            "python_loop_ms": [loop_before, python_loop_ms()],
            "loadavg_after": loadavg(),
            "total_seconds": round(elapsed, 1),
            "latency": "CLOCK_MONOTONIC send stamp in the body -> arrival at the other side; "
            "nearest-rank percentiles over every message of the phase",
            "cpu_pct": "CPU time / wall time of the phase; 100 = one core; other = the rest "
            "of the machine (neighbours, kernel)",
        },
        "results": results,
        "targets": judge(results, load),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(data, indent=2) + "\n")
    chart(data, out.with_suffix(".png"))
    print_table(data)
    print(f"\nrun took {elapsed:.0f} s; wrote {out.with_suffix('.json')} and .png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
