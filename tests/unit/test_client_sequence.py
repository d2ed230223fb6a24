"""The clients' pure logic (static/js/sequence.js's gaps, links.js's safe links), through
node's own test runner."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

TESTS = Path(__file__).parents[1] / "js"


NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="node is installed by scripts/setup")
def test_the_message_line_passes_its_node_tests():
    assert NODE is not None
    run = subprocess.run(  # noqa: S603 (our own test files)
        [NODE, "--test", *sorted(map(str, TESTS.glob("*.test.mjs")))],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "# fail 0" in run.stdout and "# pass 0" not in run.stdout, run.stdout
