"""axe-core, from the npm lock (node_modules), run in a page: the accessibility check
every page must pass with no serious or critical violation."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Page, *, include: str | None = None) -> list[dict[str, Any]]:
    """Serious and critical violations on the page as it is now (or inside `include`)."""
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: run scripts/setup --dev (npm installs axe-core)")
    # Evaluated by the browser's devtools protocol, which the page's CSP does not govern:
    # a <script> tag with axe inline would be refused (and fail the test as a violation).
    page.evaluate(_axe_source())
    found: list[dict[str, Any]] = page.evaluate(
        "async (include) => (await axe.run(include ? document.querySelector(include) : document))"
        ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' '))}))",
        include,
    )
    return [v for v in found if v["impact"] in BLOCKING]


def assert_accessible(page: Page, *, include: str | None = None) -> None:
    violations = axe_violations(page, include=include)
    assert violations == [], "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} {v['nodes']}" for v in violations
    )
