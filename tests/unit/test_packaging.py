"""What installs is what was chosen: the lock in requirements/ pins every dependency that
pyproject.toml asks for, within its range, with hashes and one version everywhere; and the
package (the image installs it without the source tree) carries every file it reads."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# "name==1.2 ; python_full_version < '3.13' \" then "    --hash=sha256:..." lines.
PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>[^\s;\\]+)(?:\s*;\s*(?P<marker>[^\\]+?))?\s*\\?$"
)
LOCKS = {
    "portal": [],
    "dev": ["dev"],
    "bench": ["bench"],
}


def pins(lock: str) -> dict[str, list[tuple[Version, Marker | None, int]]]:
    """Each locked package: its (version, environment marker, number of hashes)."""
    found: dict[str, list[tuple[Version, Marker | None, int]]] = {}
    current: list[tuple[Version, Marker | None, int]] | None = None
    for line in (ROOT / "requirements" / f"{lock}.txt").read_text(encoding="utf-8").splitlines():
        if match := PIN.match(line):
            marker = Marker(match["marker"]) if match["marker"] else None
            current = found.setdefault(canonicalize_name(match["name"]), [])
            current.append((Version(match["version"]), marker, 0))
        elif line.strip().startswith("--hash=sha256:") and current:
            version, marker, hashes = current[-1]
            current[-1] = (version, marker, hashes + 1)
    return found


def asked_for(extras: list[str]) -> list[Requirement]:
    project = PYPROJECT["project"]
    wanted = list(project["dependencies"])
    for extra in extras:
        wanted += project["optional-dependencies"][extra]
    return [Requirement(text) for text in wanted]


@pytest.mark.parametrize("lock", LOCKS)
def test_the_lock_pins_what_pyproject_asks_for_within_its_range(lock):
    locked = pins(lock)
    missing, outside = [], []
    for requirement in asked_for(LOCKS[lock]):
        versions = locked.get(canonicalize_name(requirement.name))
        if not versions:
            missing.append(requirement.name)
            continue
        outside += [
            f"{requirement} locked at {version}"
            for version, _marker, _hashes in versions
            if not requirement.specifier.contains(version, prereleases=True)
        ]
    assert not missing, f"not in requirements/{lock}.txt (run scripts/lock): {missing}"
    assert not outside, f"requirements/{lock}.txt is stale (run scripts/lock): {outside}"


@pytest.mark.parametrize("lock", LOCKS)
def test_every_locked_package_has_an_exact_version_and_hashes(lock):
    unhashed = [
        name for name, versions in pins(lock).items() for _v, _m, hashes in versions if not hashes
    ]
    assert pins(lock) and not unhashed


def test_a_package_has_the_same_version_in_every_lock():
    # The tests run against dev.txt: the portal and the image must install those versions.
    dev = pins("dev")
    differ = [
        f"{name}: {lock} {versions} vs dev {dev[name]}"
        for lock in ("portal", "bench")
        for name, versions in pins(lock).items()
        if name in dev and versions != dev[name]
    ]
    assert not differ


def test_the_package_carries_every_file_the_portal_reads():
    # `pip install .` (the image) copies only .py files and these patterns: a template,
    # taxonomy or licence left out works from a checkout and breaks in the container.
    patterns = [
        pattern.removeprefix("**/")
        for pattern in PYPROJECT["tool"]["setuptools"]["package-data"]["frontdesk"]
    ]
    left_out = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "frontdesk").rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.suffix != ".py"
        and not any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns)
    ]
    assert not left_out, f"add to [tool.setuptools.package-data]: {left_out}"
