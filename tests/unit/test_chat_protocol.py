"""The chat protocol's three descriptions agree: the constants, the models, and the
tables of the namespace docstrings that people read."""

from __future__ import annotations

import re

import pytest
from pydantic import BaseModel

from frontdesk.chat import protocol
from frontdesk.chat.namespaces import (
    AgentNamespace,
    CustomerNamespace,
    RoleNamespace,
    SupervisorNamespace,
)
from frontdesk.chat.protocol import Ask, Told
from frontdesk.events import Push

NAMESPACES = [CustomerNamespace, AgentNamespace, SupervisorNamespace]
TABLE_ROW = re.compile(r"^\s*\|\s*(\w+)\s*\|\s*(\w+)\s*\|", re.MULTILINE)


def documented_asks(namespace: type[RoleNamespace]) -> dict[str, str]:
    """Event -> payload model name, from the namespace's table (and whoami, for all)."""
    rows = {event: model for event, model in TABLE_ROW.findall(namespace.__doc__ or "")}
    rows.pop("event", None)  # the header
    whoami = re.search(r"whoami \((\w+)\)", RoleNamespace.__doc__ or "")
    assert whoami is not None
    return {**rows, "whoami": whoami.group(1)}


def documented_pushes(namespace: type[RoleNamespace]) -> dict[str, set[str] | None]:
    """Event -> its top-level fields as the "Pushed to ...: a {x, y}, b." sentence names
    them, or None where it names the event without its fields."""
    doc = namespace.__doc__ or ""
    text = " ".join(doc[doc.index("Pushed to") :].split())
    text = text[text.index(": ") + 2 :]  # past "Pushed to room chat:{chat_id}: "
    items, depth, item = [], 0, ""
    for char in text:
        depth += {"{": 1, "[": 1, "}": -1, "]": -1}.get(char, 0)
        if depth == 0 and char in ",.;":
            items.append(item.strip())
            item = ""
            if char == ".":
                break
        else:
            item += char
    pushes: dict[str, set[str] | None] = {}
    for entry in filter(None, items):
        name, _, body = entry.partition("{")
        if not body:
            pushes.setdefault(name.strip(), None)
            continue
        pushes[name.strip()] = {
            re.split(r"[\s:(]", part.strip())[0]
            for part in _top_level(body.removesuffix("}")).split(",")
        }
    return pushes


def _top_level(body: str) -> str:
    """The body with anything nested ([...] and {...}) taken out."""
    while True:
        flat = re.sub(r"\[[^\[\]]*\]|\{[^{}]*\}", "", body)
        if flat == body:
            return flat
        body = flat


PUSH_MODELS = [
    model
    for model in vars(protocol).values()
    if isinstance(model, type) and issubclass(model, Push) and model is not Push
]


def test_the_walk_found_the_push_models():
    assert {protocol.ChatOffered, protocol.QueueChanged, protocol.BeingOffered} <= set(PUSH_MODELS)


@pytest.mark.parametrize("namespace", NAMESPACES, ids=lambda n: n.__name__)
def test_each_namespace_answers_exactly_what_its_table_says(namespace):
    answered = {str(ask): model.__name__ for ask, model in namespace.asks().items()}
    assert answered == documented_asks(namespace)


def test_every_ask_is_answered_somewhere():
    answered = {ask for namespace in NAMESPACES for ask in namespace.asks()}
    assert answered == set(Ask)


def test_every_push_has_a_model_and_every_model_a_name():
    assert {model.event for model in PUSH_MODELS} == set(Told)


def test_every_push_is_documented_where_it_is_heard():
    documented = {event for ns in NAMESPACES for event in documented_pushes(ns)}
    assert documented == set(Told)


@pytest.mark.parametrize("told", list(Told), ids=str)
def test_documented_fields_are_the_models_fields(told):
    models: list[type[BaseModel]] = [m for m in PUSH_MODELS if m.event == told]
    fields = set().union(*(set(model.model_fields) for model in models))
    for namespace in NAMESPACES:
        documented = documented_pushes(namespace).get(told)
        if documented is not None:
            assert documented == fields, f"{namespace.__name__} documents {told} as {documented}"


def test_the_parser_reads_nested_fields_and_bare_names():
    pushes = documented_pushes(SupervisorNamespace)
    assert pushes["agents_changed"] == {"agents"}
    assert documented_pushes(CustomerNamespace)["agent_reconnected"] is None
