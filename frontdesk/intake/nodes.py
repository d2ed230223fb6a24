"""One node of the taxonomy (a customer type, issue type, category, qualification, or the
defaults) as a plain form edits it: found, read from a form, put back or removed, on the
dumped taxonomy. Pure; the caller checks the whole result (versions.checked)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from frontdesk.errors import Code, Invalid, NotFound

SETTINGS = ("owner_queue", "reply_days", "phone", "phone_hours", "chat")
# The child list each kind edits as a one-per-line textarea.
LISTS = {"customer_types": "issue_types", "categories": "subcategories",
         "qualifications": "subjects"}  # fmt: skip
TOP_LISTS = ("customer_types", "issue_types", "qualifications")
NEW = "new"


def _is_index(text: str) -> bool:
    """ASCII digits, few: "²".isdigit() is true too, and int() refuses 4,300 digits."""
    return text.isascii() and text.isdigit() and len(text) <= 6


def parse_path(text: str) -> tuple[str | int, ...]:
    """ "customer_types.3", "issue_types.2.categories.0", "defaults"; "....new" adds."""
    parts: list[str | int] = [int(p) if _is_index(p) else p for p in text.split(".") if p]
    shape_ok = (
        parts == ["defaults"]
        or (len(parts) == 2 and parts[0] in TOP_LISTS)
        or (len(parts) == 4 and parts[0] == "issue_types" and isinstance(parts[1], int)
            and parts[2] == "categories")
    )  # fmt: skip
    known = (*TOP_LISTS, "defaults", "categories", NEW)
    if not shape_ok or any(isinstance(p, str) and p not in known for p in parts):
        raise NotFound("There is no such node", code=Code.NOT_FOUND)
    return tuple(parts)


def kind_of(path: tuple[str | int, ...]) -> str:
    return str(path[-2]) if len(path) > 1 else "defaults"


def node_at(data: dict[str, Any], path: tuple[str | int, ...]) -> dict[str, Any]:
    """The node at `path` (a blank one for a path ending in `new`)."""
    if path[-1] == NEW:
        return {}
    found: Any = data
    try:
        for part in path:
            found = found[part]
    except (KeyError, IndexError, TypeError):
        raise NotFound("There is no such node", code=Code.NOT_FOUND) from None
    return dict(found)


def with_node(
    data: dict[str, Any], path: tuple[str | int, ...], node: dict[str, Any] | None
) -> dict[str, Any]:
    """A copy of `data` with the node at `path` replaced, added (`new`) or removed (None)."""
    changed = copy.deepcopy(data)
    node_at(changed, path)  # it must exist
    parent: Any = changed
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if last == NEW:
        parent.append(node)
    elif node is None:
        if path == ("defaults",):
            raise Invalid("The defaults cannot be removed", fields={"path": "defaults"})
        del parent[last]
    else:
        parent[last] = node
    return changed


def node_from_form(kind: str, old: dict[str, Any], form: Mapping[str, str]) -> dict[str, Any]:
    """The node as the form sets it: blank settings unset (the path above decides), a
    list one item per line; what the form does not show (categories) kept."""
    node = {k: v for k, v in old.items() if k not in (*SETTINGS, "name", LISTS.get(kind))}
    if kind != "defaults":
        node["name"] = form.get("name", "").strip()
    if kind == "customer_types":
        node["group"] = form.get("group", "").strip()
    for key in SETTINGS:
        value = form.get(key, "").strip()
        if key == "chat":
            value_bool = {"yes": True, "no": False}.get(value)
            if value_bool is not None:
                node[key] = value_bool
        elif value:
            node[key] = int(value) if key == "reply_days" and _is_index(value) else value
    if kind in LISTS:
        lines = form.get(LISTS[kind], "").splitlines()
        node[LISTS[kind]] = [line.strip() for line in lines if line.strip()]
    if kind == "issue_types" and not node.get("categories"):
        name = form.get("first_category", "").strip() or "General"
        node["categories"] = [{"name": name, "subcategories": ["General"]}]
    return node


def fields_of_node(fields: Mapping[str, str], path: str) -> dict[str, str]:
    """A refusal's fields with those inside the node at `path` named as the node's form
    names them ("issue_types.3.categories.0.reply_days" is "reply_days"), so each shows
    beside its field; the others keep their place in the taxonomy."""
    found = {}
    for where, problem in fields.items():
        inside = where.removeprefix(f"{path}.") if where.startswith(f"{path}.") else None
        found[inside.split(".")[0] if inside else where] = problem
    return found


def node_form(kind: str, node: dict[str, Any]) -> dict[str, str]:
    """The form's fields for `node`."""
    form = {key: "" if node.get(key) is None else str(node[key]) for key in SETTINGS}
    form["chat"] = {True: "yes", False: "no"}.get(node.get("chat"), "")  # type: ignore[arg-type]
    form["name"] = str(node.get("name", ""))
    form["group"] = str(node.get("group", ""))
    if kind in LISTS:
        form[LISTS[kind]] = "\n".join(node.get(LISTS[kind], []))
    return form
