"""Before/after chart of bench/kb_search.py runs on kept stores: medians of p95 and p50.

Reads `<prefix>-<store>-<side>-<n>.json` (as written by `kb_search.py --keep ...
--name <prefix>-<store>-<side>-<n>`), prints the medians and writes `<prefix>.png`.

    .venv/bin/python bench/kb_compare.py bench/results/kb_search-100k
"""

from __future__ import annotations

import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

from kb_search import LABELS, OPERATIONS, STORES, TARGETS

SIDES = ("before", "after")


def load(prefix: Path) -> dict[tuple[str, str, str], list[dict[str, float]]]:
    runs: dict[tuple[str, str, str], list[dict[str, float]]] = defaultdict(list)
    for path in sorted(prefix.parent.glob(f"{prefix.name}-*-*-*.json")):
        store, side = path.stem.removeprefix(f"{prefix.name}-").split("-")[:2]
        for result in json.loads(path.read_text())["results"]:
            runs[store, side, result["operation"]].append(result["latency_ms"])
    return runs


def main() -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    prefix = Path(sys.argv[1])
    runs = load(prefix)
    stores = [s for s in STORES if any(key[0] == s for key in runs)]
    fig, axes = plt.subplots(1, len(stores), figsize=(6.5 * len(stores), 5), squeeze=False,
                             constrained_layout=True)  # fmt: skip
    for axis, store in zip(axes[0], stores, strict=True):
        for n, op in enumerate(OPERATIONS):
            for k, side in enumerate(SIDES):
                latencies = runs.get((store, side, op), [])
                if not latencies:
                    continue
                p95 = statistics.median(r["p95"] for r in latencies)
                p50 = statistics.median(r["p50"] for r in latencies)
                x = n + (k - 0.5) * 0.38
                colour = "#c44e52" if side == "before" else "#4c72b0"
                axis.bar(x, p95, width=0.36, color=colour, label=side if n == 0 else None)
                axis.plot([x - 0.18, x + 0.18], [p50, p50], color="black", linewidth=1)
                axis.scatter([x] * len(latencies), [r["p95"] for r in latencies], s=8,
                             color="black", zorder=3)  # fmt: skip
                axis.annotate(f"{p95:.1f}", (x, p95), textcoords="offset points",
                              xytext=(0, 3), ha="center", fontsize=7)  # fmt: skip
                each = ", ".join(f"{r['p95']:.1f}" for r in latencies)
                print(f"{store:9} {op:8} {side:6} p50 {p50:7.2f}  p95 {p95:7.2f}  ({each})")
        for (target_store, op), limit in TARGETS.items():
            if target_store == store:
                n = OPERATIONS.index(op)
                axis.plot([n - 0.4, n + 0.4], [limit, limit], linestyle="--", color="grey")
        axis.set_xticks(range(len(OPERATIONS)), [LABELS[op] for op in OPERATIONS], fontsize=8)
        axis.set_yscale("log")
        axis.set_title(f"{store}, 100,000 articles")
        axis.grid(axis="y", which="both", alpha=0.3)
    axes[0][0].set_ylabel("ms (log): bar median p95, line median p50, dot each run")
    axes[0][0].legend(fontsize=8)
    fig.suptitle("frontdesk knowledge base before and after, the same stores, runs alternated;"
                 " dashed: the issue's targets (p95)",
                 fontsize=10)  # fmt: skip
    fig.savefig(prefix.with_suffix(".png"), dpi=110)
    print(f"wrote {prefix.with_suffix('.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
