"""Taxonomy files for tests whose servers run on the real clock (node processes): the
shipped taxonomy with every chat group open all day, every day, bank holidays too."""

from __future__ import annotations

from pathlib import Path

import yaml

from frontdesk.intake.taxonomy import DEFAULT_TAXONOMY

ALL_DAY = "00:00-24:00"
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def always_open_taxonomy(folder: Path) -> Path:
    data = yaml.safe_load(Path(DEFAULT_TAXONOMY).read_text(encoding="utf-8"))
    for group in data["groups"].values():
        if group.get("chat"):
            group["hours"] = {
                "days": dict.fromkeys(DAYS, ALL_DAY),
                "open_on_bank_holidays": True,
            }
    path = folder / "taxonomy-always-open.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path
