"""Every socket event handler validates its payload with a model and is documented in
its namespace's table."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from frontdesk.chat.namespaces import AgentNamespace, CustomerNamespace, SupervisorNamespace

LIFECYCLE = {"on_connect", "on_disconnect"}
HANDLERS = [
    (namespace, name)
    for namespace in (CustomerNamespace, AgentNamespace, SupervisorNamespace)
    for name in dir(namespace)
    if name.startswith("on_") and name not in LIFECYCLE
]


def test_the_walk_found_the_handlers():
    names = {name for _, name in HANDLERS}
    assert {"on_request_chat", "on_accept_chat", "on_send_message", "on_watch"} <= names


@pytest.mark.parametrize(("namespace", "name"), HANDLERS, ids=lambda v: getattr(v, "__name__", v))
def test_each_handler_has_a_payload_model(namespace, name):
    model = getattr(getattr(namespace, name), "payload_model", None)
    assert isinstance(model, type) and issubclass(model, BaseModel)
    assert model.model_config.get("extra") == "forbid"


@pytest.mark.parametrize(("namespace", "name"), HANDLERS, ids=lambda v: getattr(v, "__name__", v))
def test_each_handler_is_in_its_namespace_table(namespace, name):
    documented = "".join(klass.__doc__ or "" for klass in namespace.__mro__)
    assert name.removeprefix("on_") in documented
