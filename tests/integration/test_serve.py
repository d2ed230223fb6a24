"""`frontdesk serve` as a newcomer starts it: the banner says where it serves and which
customer groups have live chat now; a bad taxonomy stops it with a message, not a trace."""

from __future__ import annotations

import logging

import pytest
import uvicorn
import yaml

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
    # A fresh store: the demo file is its version 1.
    assert "live chat by customer group, UK time (taxonomy version 1):" in banner
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


def test_the_banner_reads_the_version_in_use_from_the_store(monkeypatch, tmp_path, capsys):
    """An admin's saved hours, not the file the store was seeded from."""
    monkeypatch.setenv("FRONTDESK_ENV", "demo")
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'fd.db'}")
    monkeypatch.setenv("FRONTDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FRONTDESK_PUBLIC_URL", "http://127.0.0.1:8000")
    exported = tmp_path / "exported.yaml"
    assert main(["taxonomy", "export", str(exported)]) == 0
    data = yaml.safe_load(exported.read_text(encoding="utf-8"))
    data["groups"]["demo"]["name"] = "Demo centre as saved in the store"
    exported.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["taxonomy", "import", str(exported)]) == 0
    capsys.readouterr()

    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)
    assert main(["serve", "--port", "1"]) == 0
    banner = capsys.readouterr().out
    assert "live chat by customer group, UK time (taxonomy version 2):" in banner
    assert "  open now    Demo centre as saved in the store (around the clock" in banner
    assert "Demo centre: chat around the clock" not in banner
