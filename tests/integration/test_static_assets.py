"""Every script and stylesheet a page or a module references is served: the templates'
static files, the modules' relative imports, and the vendored browser libraries (copied
by scripts/vendor, in a checkout and in the image alike)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from frontdesk.web.contact import ALTCHA_SCRIPT
from tests.services import require

WEB = Path(__file__).resolve().parents[2] / "frontdesk" / "web"
STATIC = WEB / "static"
TEMPLATE_REFERENCE = re.compile(r"url_for\('static', filename='([^']+)'\)")
MODULE_IMPORT = re.compile(r"""(?:from\s+|import\s*\(\s*)["'](\.{1,2}/[^"']+)["']""")


def referenced_by_templates() -> set[str]:
    return {
        found
        for template in WEB.joinpath("templates").rglob("*.html")
        for found in TEMPLATE_REFERENCE.findall(template.read_text())
    }


def imported_by_modules() -> set[str]:
    imports = set()
    for module in STATIC.joinpath("js").glob("*.js"):
        for target in MODULE_IMPORT.findall(module.read_text()):
            imports.add(str((module.parent / target).resolve().relative_to(STATIC)))
    return imports


# Named in code rather than in a template: the Contact Us form's human-check widget.
BY_NAME = {ALTCHA_SCRIPT}
ASSETS = sorted(referenced_by_templates() | imported_by_modules() | BY_NAME)


def test_the_scan_finds_the_pages_scripts_and_the_vendored_libraries():
    assert {"js/chat.js", "js/socket.js", "js/sequence.js", "css/site.css"} <= set(ASSETS)
    assert {"vendor/socket.io/socket.io.min.js", "vendor/uplot/uPlot.iife.min.js"} <= set(ASSETS)


@pytest.mark.parametrize("asset", ASSETS)
async def test_each_referenced_asset_is_served(client, asset):
    if asset.startswith("vendor/") and not STATIC.joinpath(asset).exists():
        require(f"{asset} is not vendored: run scripts/setup (needs npm)")
    response = await client.get(f"/static/{asset}")
    assert response.status_code == 200, asset
    assert len(await response.get_data()) > 0, asset
