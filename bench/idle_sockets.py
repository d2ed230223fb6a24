"""Memory per idle socket: 10,000 sockets on one process, frontdesk against the bare relay.

For each server (bench/relay.py, then `frontdesk serve` on the embedded default) and
each kind of socket, the script starts the server, reads its resident memory (VmRSS in
/proc) once it is idle, connects N websocket sockets from client processes, reads it at
every 1,000 sockets and once more when all are connected and the server has been quiet
for a few seconds. (after - before) / N is what one idle socket costs that server.

Kinds of socket:
- `engineio`: an Engine.IO connection that joins no namespace (a page whose script has
  loaded, before it signs in to a namespace);
- `customer`: joined to /customer. On frontdesk that is a signed-in customer (one bench
  customer, signed in once per client process: many tabs of one person, each socket its
  own Socket.IO session); on the relay, a socket in no room.

The clients speak Engine.IO v4 over websockets directly (open, namespace connect, and a
pong to each ping), so 10,000 of them fit in two small processes.

    .venv/bin/python bench/idle_sockets.py [--sockets 10000] [--clients 2]

Writes bench/results/idle_sockets.json and .png; everything stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchlib import cpu_model, git_commit, loadavg, open_idle_sockets, sign_in, write_results
from chat_flow import (
    PASSWORD,
    PYTHON,
    RESULTS,
    base_env,
    create_people,
    servers,
)

KINDS = ("engineio", "customer")
SETTLE_SECONDS = 3.0  # the server's memory is read once it has been this long connected


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


# Client processes -------------------------------------------------------------------------


async def client_main(url: str, kind: str, count: int, username: str | None) -> None:
    """Open `count` sockets, report progress on stdout, hold them until stdin closes."""
    headers = {}
    if username is not None:
        headers["Cookie"] = await sign_in(url, username, PASSWORD)

    def progress(n: int) -> None:
        if n % 500 == 0:
            print(json.dumps({"opened": n}), flush=True)

    namespace = "/customer" if kind == "customer" else None
    opened, _keepers, errors = await open_idle_sockets(url, count, headers, namespace, progress)
    for error in errors[:5]:
        print(json.dumps({"error": error}), flush=True)
    print(json.dumps({"done": len(opened), "failed": len(errors)}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until closed
    await asyncio.gather(*(ws.close() for ws in opened), return_exceptions=True)


# The run ----------------------------------------------------------------------------------


def measure(
    target: str, pid: int, url: str, kind: str, sockets: int, clients: int, user: str | None
) -> dict[str, Any]:
    time.sleep(SETTLE_SECONDS)
    before = rss_kib(pid)
    share = [sockets // clients + (1 if i < sockets % clients else 0) for i in range(clients)]
    procs = []
    for count in share:
        args = [str(PYTHON), __file__, "--client", url, kind, str(count), user or "-"]
        procs.append(
            subprocess.Popen(  # noqa: S603 (this script)
                args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
            )
        )
    started = time.perf_counter()
    ramp: list[tuple[int, int]] = [(0, before)]
    opened = [0] * clients
    done: list[int | None] = [None] * clients
    errors: list[str] = []
    next_mark = 1000
    while not all(d is not None for d in done):
        for i, proc in enumerate(procs):
            if done[i] is not None:
                continue
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if not line:
                done[i] = opened[i]
                continue
            report = json.loads(line)
            if "opened" in report:
                opened[i] = report["opened"]
            elif "done" in report:
                opened[i], done[i] = report["done"], report["done"]
                if report["failed"]:
                    errors.append(f"client {i}: {report['failed']} failed")
            elif "error" in report and len(errors) < 5:
                errors.append(report["error"])
        total = sum(opened)
        if total >= next_mark:
            ramp.append((total, rss_kib(pid)))
            print(f"  {target} {kind}: {total}/{sockets} sockets open", flush=True)
            next_mark = (total // 1000 + 1) * 1000
    connect_seconds = time.perf_counter() - started
    time.sleep(SETTLE_SECONDS)
    after = rss_kib(pid)
    connected = sum(opened)
    ramp.append((connected, after))
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.close()
    for proc in procs:
        proc.wait(timeout=60)
    per_socket = (after - before) / max(1, connected)
    print(
        f"  {target} {kind}: {connected} sockets, RSS {before / 1024:.0f} -> "
        f"{after / 1024:.0f} MiB, {per_socket:.1f} KiB per socket "
        f"(connected in {connect_seconds:.1f} s)",
        flush=True,
    )
    return {
        "target": target,
        "kind": kind,
        "sockets": connected,
        "failed": sockets - connected,
        "errors": errors,
        "rss_before_kib": before,
        "rss_after_kib": after,
        "kib_per_socket": round(per_socket, 2),
        "connect_seconds": round(connect_seconds, 1),
        "ramp": ramp,
    }


def run(sockets: int, clients: int, workdir: Path) -> list[dict[str, Any]]:
    results = []
    for kind in KINDS:
        with servers("relay", 1, {}, workdir, None) as up:
            ((url, pid),) = up
            results.append(measure("relay", pid, url, kind, sockets, clients, None))
    env = base_env(f"sqlite+aiosqlite:///{workdir / 'bench.db'}", workdir, None)
    people = create_people(env, 1, 1, 0, 0, 0)
    for kind in KINDS:
        with servers("frontdesk", 1, env, workdir, None) as up:
            ((url, pid),) = up
            user = people.customers[0] if kind == "customer" else None
            results.append(measure("frontdesk", pid, url, kind, sockets, clients, user))
    return results


def judge(results: list[dict[str, Any]]) -> dict[str, Any]:
    by = {(r["target"], r["kind"]): r["kib_per_socket"] for r in results}
    out: dict[str, Any] = {}
    for kind in KINDS:
        relay, frontdesk = by.get(("relay", kind)), by.get(("frontdesk", kind))
        if relay and frontdesk:
            ratio = round(frontdesk / relay, 2)
            out[kind] = {
                "ratio": ratio,
                "within_1.5x": "met" if ratio <= 1.5 else "missed",
            }
    return out


def chart(data: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ramp_axis, bar_axis) = plt.subplots(1, 2, figsize=(12, 4.5))
    for r in data["results"]:
        xs = [n for n, _ in r["ramp"]]
        ys = [(kib - r["rss_before_kib"]) / 1024 for _, kib in r["ramp"]]
        style = "-" if r["target"] == "frontdesk" else "--"
        ramp_axis.plot(xs, ys, style, marker="o", ms=3, label=f"{r['target']}, {r['kind']}")
    ramp_axis.set_xlabel("idle sockets connected")
    ramp_axis.set_ylabel("server RSS above idle (MiB)")
    ramp_axis.set_title("Server memory as sockets connect")
    ramp_axis.legend()
    ramp_axis.grid(alpha=0.3)
    labels = [f"{r['target']}\n{r['kind']}" for r in data["results"]]
    values = [r["kib_per_socket"] for r in data["results"]]
    colors = ["#999999" if r["target"] == "relay" else "#2b6cb0" for r in data["results"]]
    bars = bar_axis.bar(labels, values, color=colors)
    bar_axis.bar_label(bars, fmt="%.1f")
    bar_axis.set_ylabel("KiB per idle socket")
    bar_axis.set_title(f"Memory per socket ({data['meta']['sockets']:,} sockets)")
    fig.suptitle(f"idle_sockets.py at {data['meta']['commit'][:7]}, {data['meta']['date']}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> int:
    if len(sys.argv) == 6 and sys.argv[1] == "--client":
        _, _, url, kind, count, user = sys.argv
        asyncio.run(client_main(url, kind, int(count), None if user == "-" else user))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--name", default="idle_sockets")
    parser.add_argument("--replot", action="store_true")
    args = parser.parse_args()
    out = args.out / args.name
    if args.replot:
        data = json.loads(out.with_suffix(".json").read_text())
        chart(data, out.with_suffix(".png"))
        return 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="frontdesk-idle-") as tmp:
        results = run(args.sockets, args.clients, Path(tmp))
    data = {
        "meta": {
            "commit": git_commit(),
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "cpus": os.cpu_count(),
            "cpu_model": cpu_model(),
            "sockets": args.sockets,
            "clients": args.clients,
            "loadavg": loadavg(),
            "seconds": round(time.perf_counter() - started, 1),
            "memory": "VmRSS of the server process, idle before and settled after",
        },
        "results": results,
        "targets": judge(results),
    }
    write_results(out, data, chart)
    return 0


if __name__ == "__main__":
    sys.exit(main())
