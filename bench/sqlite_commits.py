"""SQLite commits on the event loop: how long a write transaction holds the loop, with
the WAL checkpointed on its own thread (db/checkpoints.py) and with SQLite's automatic
checkpoints in the COMMIT (as before).

On the embedded default a node's writes run on the loop's own thread (db/inline.py), so
a slow COMMIT stops every socket of the node for that long. This runs the shape of a
batch of chat messages through frontdesk's own engine and `transaction` at a fixed rate
(lock a chat row, insert a message, raise the chat's last number), with a probe task
that measures how late the loop wakes it (the loop's lag). The two ways alternate, a
few rounds each, on a fresh store each round.

    .venv/bin/python bench/sqlite_commits.py [--rate 600] [--seconds 10] [--rounds 3]

Writes bench/results/sqlite_commits.json and .png.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchlib import cpu_model, git_commit, loadavg, percentile, python_loop_ms, write_results
from sqlalchemy import text

from frontdesk.db.engine import checkpointer_of, dispose, make_engine, transaction

RESULTS = Path(__file__).resolve().parent / "results"
WAYS = ("automatic", "checkpointer")
CHATS = 500
BODY = "Hello, my certificates have not arrived yet. " * 4
PROBE_SECONDS = 0.001
STALL_MS = 4.0  # a checkpoint in the COMMIT took 5-8 ms here; the rest of the tail, 1-3


async def one_round(way: str, rate: float, seconds: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="fd-commits-") as folder:
        engine = make_engine(f"sqlite+aiosqlite:///{Path(folder) / 'store.db'}")
        checkpointer = checkpointer_of(engine)
        assert checkpointer is not None
        if way == "automatic":
            checkpointer.stop()  # never started: the COMMITs checkpoint, as before
        async with transaction(engine) as conn:
            await conn.execute(text("CREATE TABLE chats (id INTEGER PRIMARY KEY, last_seq INT)"))
            await conn.execute(
                text(
                    "CREATE TABLE messages (id INTEGER PRIMARY KEY, chat_id INT, seq INT,"
                    " client_id TEXT, body TEXT, created_at TEXT, UNIQUE (chat_id, client_id),"
                    " UNIQUE (chat_id, seq))"
                )
            )
            await conn.execute(
                text("INSERT INTO chats (id, last_seq) VALUES (:id, 0)"),
                [{"id": i} for i in range(CHATS)],
            )
        commits_ms: list[float] = []
        lags_ms: list[float] = []
        stop = asyncio.Event()

        async def probe() -> None:
            while not stop.is_set():
                asked = time.perf_counter()
                await asyncio.sleep(PROBE_SECONDS)
                lags_ms.append((time.perf_counter() - asked - PROBE_SECONDS) * 1e3)

        async def write(n: int) -> None:
            chat = n % CHATS
            started = time.perf_counter()
            async with transaction(engine) as conn:
                if way == "automatic":  # the inline writers have it off now
                    await conn.exec_driver_sql("PRAGMA wal_autocheckpoint=1000")
                row = (
                    await conn.execute(
                        text("SELECT last_seq FROM chats WHERE id = :id"), {"id": chat}
                    )
                ).one()
                await conn.execute(
                    text(
                        "INSERT INTO messages (chat_id, seq, client_id, body, created_at)"
                        " VALUES (:chat, :seq, :client, :body, :at)"
                    ),
                    {"chat": chat, "seq": row.last_seq + 1, "client": f"m{n}", "body": BODY,
                     "at": datetime.now(UTC).isoformat()},
                )  # fmt: skip
                await conn.execute(
                    text("UPDATE chats SET last_seq = :seq WHERE id = :id"),
                    {"seq": row.last_seq + 1, "id": chat},
                )
            commits_ms.append((time.perf_counter() - started) * 1e3)

        prober = asyncio.create_task(probe())
        t0, total = time.perf_counter(), int(rate * seconds)
        for n in range(total):
            await asyncio.sleep(max(0.0, t0 + n / rate - time.perf_counter()))
            await write(n)
        stop.set()
        await prober
        checkpoints = checkpointer.checkpoints
        await dispose(engine)
    return {
        "way": way,
        "transactions": len(commits_ms),
        "checkpoints_on_thread": checkpoints,
        "transaction_ms": summary(commits_ms),
        "loop_lag_ms": summary(lags_ms),
        "transactions_over_4_ms": sum(1 for ms in commits_ms if ms > STALL_MS),
        "loop_stalls_over_4_ms": sum(1 for ms in lags_ms if ms > STALL_MS),
    }


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "n": len(ordered),
        **{f"p{q:g}": round(percentile(ordered, q), 3) for q in (50, 99, 99.9)},
        "max": round(ordered[-1], 3),
    }


def chart(data: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    fig, (tx_axis, lag_axis) = plt.subplots(1, 2, figsize=(12, 4.5))
    colours = {"automatic": "tab:red", "checkpointer": "tab:blue"}
    for axis, key, title in (
        (tx_axis, "transaction_ms", "write transaction (ms)"),
        (lag_axis, "loop_lag_ms", "event loop lag (ms)"),
    ):
        for i, r in enumerate(data["rounds"]):
            figures = r[key]
            xs = ["p50", "p99", "p99.9", "max"]
            label = r["way"] if i < len(WAYS) else None
            axis.plot(xs, [figures[x] for x in xs], marker="o", color=colours[r["way"]],
                      alpha=0.7, label=label)  # fmt: skip
        axis.set_yscale("log")
        axis.yaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
        axis.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        axis.set_title(title)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend()
    fig.suptitle(
        f"SQLite writes on the loop at {data['meta']['rate']:.0f}/s: checkpoints in the "
        f"COMMIT (automatic) or on their own thread ({data['meta']['commit'][:7]})"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=600.0, help="transactions per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each way")
    parser.add_argument("--out", type=Path, default=RESULTS / "sqlite_commits")
    args = parser.parse_args()
    meta = {
        "commit": git_commit(), "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_model": cpu_model(), "loadavg_before": loadavg(), "rate": args.rate,
        "python_loop_ms": python_loop_ms(),
        "seconds": args.seconds, "chats": CHATS,
    }  # fmt: skip
    rounds = []
    for i in range(args.rounds):
        for way in WAYS:
            result = asyncio.run(one_round(way, args.rate, args.seconds))
            rounds.append(result)
            print(
                f"round {i + 1}/{args.rounds} {way:12}: transaction p99.9 "
                f"{result['transaction_ms']['p99.9']} ms, over 4 ms "
                f"{result['transactions_over_4_ms']}; loop stalls over 4 ms "
                f"{result['loop_stalls_over_4_ms']}",
                flush=True,
            )
    worst = {
        way: max(r["transactions_over_4_ms"] for r in rounds if r["way"] == way) for way in WAYS
    }
    tails = {way: [r["transaction_ms"]["p99.9"] for r in rounds if r["way"] == way] for way in WAYS}
    data = {
        "meta": meta,
        "rounds": rounds,
        "targets": {
            "transactions_over_4_ms_worst_round": worst,
            "transaction_p99_9_ms_by_round": tails,
            # The machine's own jitter is in both ways' tails: judged on the worst round.
            "fewer_stalls_with_the_checkpointer": (
                "met" if worst["checkpointer"] < worst["automatic"] else "missed"
            ),
        },
    }
    write_results(args.out, data, chart)
    return 0


if __name__ == "__main__":
    sys.exit(main())
