"""`frontdesk serve` as a newcomer starts it: the banner says where it serves and which
customer groups have live chat now; a bad taxonomy stops it with a message, not a trace."""

from __future__ import annotations

import logging

import pytest

from frontdesk.__main__ import main
from tests.nodes import start_node


@pytest.fixture(autouse=True)
def _restore_logging():
    """main() points the root logger at this test's captured stderr; put it back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


async def test_the_demo_banner_names_the_group_open_around_the_clock(tmp_path):
    env = {
        "FRONTDESK_ENV": "demo",
        "FRONTDESK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'frontdesk.db'}",
        "FRONTDESK_DATA_DIR": str(tmp_path / "data"),
    }
    log = tmp_path / "serve.log"
    node = await start_node(env, log)
    try:
        banner = log.read_text(encoding="utf-8")
    finally:
        await node.stop()
    assert "live chat by customer group, UK time (taxonomy demo_taxonomy.yaml):" in banner
    assert (
        "  open now    Demo centre: chat around the clock (around the clock, every day);"
        " in Contact Us choose Demo centre (chat at any hour)"
    ) in banner
    # The shipped groups keep their hours: open or closed depends on when this runs.
    assert "Schools, colleges and training providers (Monday - Friday 09:00-17:00)" in banner
    assert f"frontdesk serving {node.url}" in banner


def test_a_bad_taxonomy_stops_serve_before_it_starts(monkeypatch, tmp_path, capsys):
    bad = tmp_path / "taxonomy.yaml"
    bad.write_text("groups: {}\n", encoding="utf-8")
    monkeypatch.setenv("FRONTDESK_ENV", "demo")
    monkeypatch.setenv("FRONTDESK_TAXONOMY_PATH", str(bad))
    monkeypatch.setenv("FRONTDESK_PUBLIC_URL", "http://127.0.0.1:8000")
    assert main(["serve", "--port", "1"]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"frontdesk: {bad}: at defaults")
    assert "frontdesk serving" not in captured.out
