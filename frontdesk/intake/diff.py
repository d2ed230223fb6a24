"""What changed between two taxonomies, item by item: "added", "removed" or "changed" at
a path such as `customer_types[Teachers].issue_types`, described for people ("Teachers:
issue types: 'Results' added"). Pure.

Works on the dumped dicts (what the store keeps): lists of named items are matched by
name, other lists by value, so a reordering alone reads as one change of order."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["added", "removed", "changed"]
SEPARATOR = " \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} "  # between an item's names
SUMMARY_CHANGES = 3  # a summary names this many changes, then counts the rest
SUMMARY_LENGTH = 500  # what the store keeps (db/tables.py)


@dataclass(frozen=True)
class Change:
    path: str
    kind: Kind
    before: Any = None
    after: Any = None

    def describe(self) -> str:
        """In words: "Certificates > Certificate Delivery: reply target set to 4" (with
        SEPARATOR for the ">")."""
        where, setting = _words(self.path)
        if setting is None:  # a whole item, or an entry of a list
            verb = {"added": "added", "removed": "removed", "changed": "changed"}[self.kind]
            value = self.after if self.kind == "added" else self.before
            if self.kind == "changed":
                return f"{where}: {shown(self.before)} → {shown(self.after)}"
            named = where.rsplit(SEPARATOR, 1)[-1] == str(value)
            return f"{where} {verb}" if named else f"{where}: {shown(value)} {verb}"
        if self.kind == "changed":
            return f"{where}: {setting} {shown(self.before)} → {shown(self.after)}"
        if self.path.rsplit(".", 1)[-1] in LISTS:  # an entry of a list
            value = self.after if self.kind == "added" else self.before
            return f"{where}: {setting}: {shown(value)} {self.kind}"
        if self.kind == "added":
            return f"{where}: {setting} set to {shown(self.after)}"
        return f"{where}: {setting} no longer set (was {shown(self.before)})"


# How a setting or list reads for people; a key not here reads as itself.
SETTING_WORDS = {
    "owner_queue": "owner queue", "reply_days": "reply target (working days)",
    "phone": "phone number", "phone_hours": "phone hours", "chat": "chat",
    "issue_types": "issue types", "subcategories": "subcategories", "subjects": "subjects",
    "group": "customer group", "name": "name", "hours": "hours", "days": "weekly hours",
    "closures": "closures", "extra_days": "extra opening days",
    "open_on_bank_holidays": "open on bank holidays",
}  # fmt: skip
LISTS = frozenset({"issue_types", "subcategories", "subjects", "closures", "extra_days"})
# Top-level parts, named when a change is to the part itself (not an item in it).
PART_WORDS = {
    "defaults": "Defaults", "groups": "Customer groups", "customer_types": "Customer types",
    "issue_types": "Issue types", "qualifications": "Qualifications",
    "categories": "Categories",
}  # fmt: skip


def _words(path: str) -> tuple[str, str | None]:
    """`issue_types[Certificates].categories[Certificate Delivery].reply_days` as
    ("Certificates > Certificate Delivery", "reply target (working days)"): the item's
    names, and the setting, if the path ends in one."""
    names: list[str] = []
    settings: list[str] = []
    for part in _parts(path):
        key, _, name = part.partition("[")
        if name:
            names.append(name.removesuffix("]"))
        elif not names and key in PART_WORDS:
            names.append(PART_WORDS[key])
        elif names == ["Customer groups"]:  # a group's key
            names.append(key)
        elif key != "hours":  # "hours" only holds the weekly hours, closures and extra days
            settings.append(SETTING_WORDS.get(key, key.replace("_", " ")))
    return SEPARATOR.join(names) or "Taxonomy", " ".join(settings) or None


def _parts(path: str) -> list[str]:
    """A path split at the dots between its parts, never inside a [name]."""
    parts, depth, current = [], 0, ""
    for char in path:
        if char == "." and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += {"[": 1, "]": -1}.get(char, 0)
        current += char
    return [*parts, current] if current else parts


def diff(before: Any, after: Any, path: str = "") -> list[Change]:
    if isinstance(before, dict) and isinstance(after, dict):
        return _diff_mappings(before, after, path)
    if isinstance(before, list) and isinstance(after, list):
        if _named(before) and _named(after):
            return _diff_named(before, after, path)
        return _diff_values(before, after, path)
    return [] if before == after else [Change(path or "top level", "changed", before, after)]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _diff_mappings(before: dict[str, Any], after: dict[str, Any], path: str) -> list[Change]:
    changes: list[Change] = []
    for key in [*before, *(k for k in after if k not in before)]:
        where = _join(path, str(key))
        if key not in after:
            changes.append(Change(where, "removed", before=before[key]))
        elif key not in before:
            changes.append(Change(where, "added", after=after[key]))
        else:
            changes += diff(before[key], after[key], where)
    return changes


def _named(items: list[Any]) -> bool:
    return all(isinstance(item, dict) and isinstance(item.get("name"), str) for item in items)


def _diff_named(before: list[Any], after: list[Any], path: str) -> list[Change]:
    old = {item["name"]: item for item in before}
    new = {item["name"]: item for item in after}
    changes: list[Change] = []
    for name in [*old, *(n for n in new if n not in old)]:
        where = f"{path}[{name}]"
        if name not in new:
            changes.append(Change(where, "removed", before=name))
        elif name not in old:
            changes.append(Change(where, "added", after=name))
        else:
            changes += diff(old[name], new[name], where)
    kept = [name for name in old if name in new]
    if not changes and kept != [name for name in new if name in old]:
        changes.append(Change(f"{path} order", "changed", list(old), list(new)))
    return changes


def _diff_values(before: list[Any], after: list[Any], path: str) -> list[Change]:
    old = [_key(item) for item in before]
    new = [_key(item) for item in after]
    changes = [
        Change(path, "removed", before=b) for b, k in zip(before, old, strict=True) if k not in new
    ]
    changes += [
        Change(path, "added", after=a) for a, k in zip(after, new, strict=True) if k not in old
    ]
    if not changes and old != new:
        changes.append(Change(f"{path} order", "changed", before, after))
    return changes


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def shown(value: Any) -> str:
    """A value in few words: text as it is, a mapping as `key: value` pairs."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {shown(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    return repr(value) if isinstance(value, str) else json.dumps(value)


def summarize(changes: list[Change]) -> str:
    """The first few changes in words, and how many more."""
    if not changes:
        return "No changes"
    words = "; ".join(change.describe() for change in changes[:SUMMARY_CHANGES])
    rest = len(changes) - SUMMARY_CHANGES
    more = f"; and {rest} more" if rest > 0 else ""
    if len(words) + len(more) > SUMMARY_LENGTH:
        words = words[: SUMMARY_LENGTH - len(more) - 1] + "…"
    return words + more
