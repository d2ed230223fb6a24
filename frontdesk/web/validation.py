"""Turning untrusted input into pydantic models, or an Invalid error naming each field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from frontdesk.errors import Invalid

M = TypeVar("M", bound=BaseModel)


def field_errors(error: ValidationError) -> dict[str, str]:
    """The first message for each field, in words a person can act on."""
    fields: dict[str, str] = {}
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"]) or "form"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "missing":
            message = "This field is required"
        elif item["type"] == "extra_forbidden":
            message = "This field is not expected"
        elif item["type"] == "string_too_short" and _blank(item.get("input")):
            message = "This field is required"
        fields.setdefault(name, message)
    return fields


def _blank(value: Any) -> bool:
    # Inputs strip whitespace before the length check, so "   " is as empty as "".
    return isinstance(value, str) and not value.strip()


def parse(model: type[M], data: Mapping[str, Any]) -> M:
    try:
        return model.model_validate(dict(data))
    except ValidationError as error:
        raise Invalid("Please correct the highlighted fields", fields=field_errors(error)) from None
