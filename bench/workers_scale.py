"""Scale-out across worker processes: `frontdesk serve --workers 1`, then 2, on Redis.

Runs bench/chat_flow.py's closed loop (redis mode, one node, no routing scenario) once
per worker count, alternating, and compares the sustained message rates. On this
2-core machine the load generator shares the cores with the servers, so the plain
ratio cannot reach 2x: two workers get what the clients leave. The run therefore also
reports the rate per core the servers used (messages per server CPU-second), and the
ratio it projects for two workers with a core each: 2 x (two workers' messages per
CPU-second / one worker's). That projection assumes the clients are elsewhere; it is
what the plain ratio would be on a machine where they are. Both are judged.

    .venv/bin/python bench/workers_scale.py [--rounds 2] [--saturation 10] [--chats 500]

Writes bench/results/workers_scale.json and .png (per-round rates and CPU shares).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from statistics import median
from typing import Any

from benchlib import cpu_model, git_commit, loadavg, python_loop_ms, write_results

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
TARGET = 1.7  # issue 17: two workers carry at least 1.7x one worker's rate


def run_once(workers: int, args: argparse.Namespace, out: Path) -> dict[str, Any]:
    """One chat_flow run; the frontdesk closed loop's figures."""
    name = f"workers-{workers}"
    command = [
        sys.executable, str(HERE / "chat_flow.py"), "--mode", "redis", "--no-offer",
        "--serve-workers", str(workers), "--chats", str(args.chats), "--duration", "0",
        "--saturation", str(args.saturation), "--store", args.store, "--out", str(out),
        "--name", name,
    ]  # fmt: skip
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)  # noqa: S603 (our own bench)
    data = json.loads((out / f"{name}.json").read_text())
    result = next(r for r in data["results"] if r["target"] == "frontdesk")
    phase, cpu = result["phases"]["saturation"], result["cpu_pct"]["saturation"]
    server_cpu_seconds = cpu["server"] / 100 * cpu["seconds"]
    return {
        "workers": workers,
        "messages_per_s": phase["throughput_per_s"],
        "delivered": phase["delivered"],
        "lost": phase["lost"],
        "duplicated": phase["duplicated"],
        "server_cpu_pct": cpu["server"],
        "clients_cpu_pct": cpu["clients"],
        "redis_cpu_pct": cpu.get("redis", 0.0),
        "postgres_cpu_pct": cpu.get("postgres", 0.0),
        "other_cpu_pct": cpu.get("other", 0.0),
        "messages_per_server_cpu_s": round(phase["delivered"] / max(1e-9, server_cpu_seconds)),
    }


def judge(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    def mid(workers: int, key: str) -> float:
        return median(r[key] for r in rounds if r["workers"] == workers)

    plain = mid(2, "messages_per_s") / mid(1, "messages_per_s")
    per_core = mid(2, "messages_per_server_cpu_s") / mid(1, "messages_per_server_cpu_s")
    lost = sum(r["lost"] + r["duplicated"] for r in rounds)
    return {
        "plain_ratio": round(plain, 2),
        "plain_at_least_1.7": "met" if plain >= TARGET else "missed",
        "per_core_efficiency": round(per_core, 2),
        "projected_ratio_with_a_core_each": round(2 * per_core, 2),
        "projected_at_least_1.7": "met" if 2 * per_core >= TARGET else "missed",
        "clients_cpu_pct_median": mid(2, "clients_cpu_pct"),
        "lost_or_duplicated": lost,
    }


def chart(data: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rounds = data["rounds"]
    labels = [f"{r['workers']}w #{i // 2 + 1}" for i, r in enumerate(rounds)]
    fig, (rate, cpu) = plt.subplots(1, 2, figsize=(11, 4))
    rate.bar(labels, [r["messages_per_s"] for r in rounds], color="#4472c4")
    rate.set_title("closed loop, messages/s")
    cpu.bar(labels, [r["server_cpu_pct"] for r in rounds], label="servers", color="#4472c4")
    cpu.bar(
        labels,
        [r["clients_cpu_pct"] for r in rounds],
        bottom=[r["server_cpu_pct"] for r in rounds],
        label="clients",
        color="#ed7d31",
    )
    cpu.axhline(200, color="grey", linestyle=":", linewidth=1)
    cpu.set_title("CPU, % of one core (2 cores = 200)")
    cpu.legend(fontsize=8)
    t = data["targets"]
    fig.suptitle(
        f"serve --workers 2 vs 1 (Redis): plain {t['plain_ratio']}x, "
        f"per core {t['per_core_efficiency']}, projected {t['projected_ratio_with_a_core_each']}x"
        f" - {data['meta']['commit'][:7]}",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="alternations of 1 and 2 workers")
    parser.add_argument("--saturation", type=float, default=10, help="closed-loop seconds")
    parser.add_argument("--chats", type=int, default=500)
    parser.add_argument(
        "--store",
        choices=["postgres", "sqlite"],
        default="postgres",
        help="PostgreSQL, a scale-out install's store; on SQLite the workers share one "
        "file's write lock",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--name", default="workers_scale")
    args = parser.parse_args()
    started, rounds = time.perf_counter(), []
    with tempfile.TemporaryDirectory(prefix="frontdesk-workers-") as tmp:
        for i in range(args.rounds):
            for workers in (1, 2):
                print(f"round {i + 1}/{args.rounds}: --workers {workers} ...", flush=True)
                rounds.append(run_once(workers, args, Path(tmp)))
                r = rounds[-1]
                print(
                    f"  {r['messages_per_s']} msg/s, servers {r['server_cpu_pct']}%,"
                    f" clients {r['clients_cpu_pct']}%, {r['messages_per_server_cpu_s']}"
                    " msg per server CPU-s",
                    flush=True,
                )
    data = {
        "meta": {
            "commit": git_commit(),
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "cpu_model": cpu_model(),
            "python_loop_ms": python_loop_ms(),
            "loadavg_after": loadavg(),
            "chats": args.chats,
            "store": args.store,
            "saturation_seconds": args.saturation,
            "total_seconds": round(time.perf_counter() - started, 1),
        },
        "rounds": rounds,
        "targets": judge(rounds),
    }
    write_results(args.out / args.name, data, chart)
    return 0


if __name__ == "__main__":
    sys.exit(main())
