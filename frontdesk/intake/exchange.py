"""The taxonomy as text: YAML (the file format, for import, export and bulk edits) and
JSON (what the store keeps). Pure."""

from __future__ import annotations

import json
from typing import Any

import yaml

from frontdesk.intake.taxonomy import (
    EXTENDS,
    Taxonomy,
    TaxonomyError,
    _StrictLoader,
    check_taxonomy,
)

HEADER = (
    "# The Contact Us taxonomy, exported from frontdesk (version {version}).\n"
    "# Import it again with `frontdesk taxonomy import FILE`; see taxonomy.yaml for the keys.\n"
)


def dumped(taxonomy: Taxonomy) -> dict[str, Any]:
    """The taxonomy as plain data, in the file's shape: unset settings left out."""
    data: dict[str, Any] = taxonomy.model_dump(mode="json", exclude_none=True)
    for group in data["groups"].values():
        hours = group["hours"]
        for key in ("closures", "extra_days"):
            if not hours[key]:
                del hours[key]
    return data


def as_yaml(taxonomy: Taxonomy, version: int | None = None) -> str:
    header = HEADER.format(version=version) if version is not None else ""
    body = yaml.safe_dump(dumped(taxonomy), sort_keys=False, allow_unicode=True, width=100)
    return header + body


def from_yaml(text: str) -> Taxonomy:
    """A whole taxonomy from YAML text; TaxonomyError saying what and where. The text
    stands alone: it cannot extend a file."""
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader)
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        # ValueError: an integer past Python's 4,300 digits; RecursionError: deep nesting.
        reason = (
            error if isinstance(error, yaml.YAMLError)
            else "a number with too many digits" if isinstance(error, ValueError)
            else "nested too deeply"
        )  # fmt: skip
        raise TaxonomyError(f"not valid YAML: {reason}", where="yaml") from None
    if isinstance(data, dict) and EXTENDS in data:
        raise TaxonomyError(
            f"at {EXTENDS}: a taxonomy edited here is whole; it cannot extend a file",
            where=EXTENDS,
        )
    return check_taxonomy(data)


def as_json(taxonomy: Taxonomy) -> str:
    return json.dumps(taxonomy.model_dump(mode="json"), ensure_ascii=False)


def from_json(text: str) -> Taxonomy:
    return check_taxonomy(json.loads(text))
