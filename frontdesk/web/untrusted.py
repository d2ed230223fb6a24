"""Input no store can hold is refused at the door, once for every route: a 400, never a 500.

- JSON bodies: strict UTF-8, at most MAX_JSON_DEPTH levels, integers that fit a 64-bit
  column, finite numbers, and no text that PostgreSQL cannot store (StrictJSON).
- Query strings, forms and path variables: no NUL and no lone surrogate (refuse_in).
- `<int:...>` path variables: at most a 64-bit integer, or the route does not match (404).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from flask.json.provider import JSONProvider
from quart import Quart, Request, request
from werkzeug.routing import IntegerConverter, Map

from frontdesk.errors import Unreadable

# The deepest JSON any form of ours sends is a few levels; 64 leaves room for any
# honest client while a body of 100,000 "[" never reaches a recursive parser.
MAX_JSON_DEPTH = 64
# The largest integer both stores hold (BIGINT); a larger one is no id and no count.
MAX_INTEGER = 2**63 - 1
# PostgreSQL text cannot hold U+0000; no encoder can write a lone surrogate.
SURROGATE = re.compile("[\ud800-\udfff]")
UNSTORABLE_MESSAGE = "Text may not contain NUL characters or invalid Unicode"


class StrictJSON(JSONProvider):
    """Reads JSON strictly; writes it as the provider it wraps (quart-schema's) does."""

    def __init__(self, app: Quart, writer: JSONProvider) -> None:
        super().__init__(app)
        self._writer = writer

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return self._writer.dumps(obj, **kwargs)

    def response(self, *args: Any, **kwargs: Any) -> Any:
        return self._writer.response(*args, **kwargs)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Raise ValueError (which Quart turns into on_json_loading_failed) for anything
        but JSON the stores can hold."""
        text = s.decode("utf-8") if isinstance(s, bytes) else s
        kwargs.setdefault("parse_int", _integer)
        kwargs.setdefault("parse_float", _finite)
        kwargs.setdefault("parse_constant", _no_constant)
        try:
            value = json.loads(text, **kwargs)
        except RecursionError:
            raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
        check_json(value)
        return value


def _integer(text: str) -> int:
    value = int(text)  # ValueError past Python's 4300 digits
    if abs(value) > MAX_INTEGER:
        raise ValueError(f"integer out of range: at most {MAX_INTEGER}")
    return value


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _no_constant(text: str) -> float:
    raise ValueError(f"{text} is not JSON")


def check_json(value: Any) -> None:
    """ValueError if `value` nests deeper than MAX_JSON_DEPTH or holds unstorable text.
    Iterative, so no depth of input can exhaust the stack."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if unstorable(item):
                raise ValueError(UNSTORABLE_MESSAGE)
        elif isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def unstorable(text: str) -> bool:
    # Both tests are C loops; the regex runs only on the rare text that is not ASCII.
    return "\x00" in text or (not text.isascii() and SURROGATE.search(text) is not None)


class GuardedRequest(Request):
    """A request whose unreadable JSON body is a 400 in the error shape."""

    async def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        try:
            return await super().get_json(force, silent, cache)
        except UnicodeDecodeError as error:  # Quart decodes before its own try
            if silent:
                return None
            return self.on_json_loading_failed(error)

    async def _load_form_data(self) -> None:
        """Refuse unstorable form values when the form is first read: by the CSRF check
        or the handler, so a handler still decides whether to read a body at all."""
        fresh = self._form is None
        await super()._load_form_data()
        if fresh and self._form is not None:
            refuse_in(list(self._form.items(multi=True)) + [(key, key) for key in self._form])

    def on_json_loading_failed(self, error: Exception) -> Any:
        reason = error.reason if isinstance(error, UnicodeDecodeError) else str(error)
        raise Unreadable(f"The body is not JSON we can read: {reason}"[:300])


class BoundedInteger(IntegerConverter):
    """`<int:...>` up to MAX_INTEGER: a larger one matches no route, so it is a 404
    rather than an overflow in the store."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(map, *args, **kwargs)


async def refuse_unstorable() -> None:
    """Refuse NUL and lone surrogates in any query value or path variable (forms: when
    read, GuardedRequest)."""
    named: list[tuple[str, Any]] = list(request.args.items(multi=True))
    named += [(key, key) for key in request.args]
    refuse_in(named + list((request.view_args or {}).items()))


def refuse_in(named: list[tuple[str, Any]]) -> None:
    for name, value in named:
        if isinstance(value, str) and unstorable(value):
            raise Unreadable(UNSTORABLE_MESSAGE, fields={name[:100]: UNSTORABLE_MESSAGE})


def install(app: Quart) -> None:
    """Before any blueprint is registered (the converter applies to rules as they are
    added) and after QuartSchema (whose JSON writer StrictJSON keeps)."""
    app.url_map.converters["int"] = BoundedInteger
    app.request_class = GuardedRequest
    app.json = StrictJSON(app, app.json)
    app.before_request(refuse_unstorable)
