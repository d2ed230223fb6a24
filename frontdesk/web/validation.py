"""Turning untrusted input into pydantic models, or an Invalid error naming each field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from frontdesk.errors import Invalid, field_errors

M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: Mapping[str, Any]) -> M:
    try:
        return model.model_validate(dict(data))
    except ValidationError as error:
        raise Invalid("Please correct the highlighted fields", fields=field_errors(error)) from None
