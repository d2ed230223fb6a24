"""The one error tree of frontdesk.

    FrontdeskError            500 INTERNAL
     +-- Invalid              422 bad input, with per-field messages
     +-- Unauthorized         401 not signed in
     +-- Forbidden            403 signed in, but not allowed
     +-- NotFound             404 missing, or someone else's
     +-- Conflict             409 clashes with what exists
     +-- TooManyRequests      429 throttled
     +-- Unavailable          503 a part we need is down

The domain raises these; the web and socket layers render them as
{"error": {"code", "message", "fields"}}.
"""

from __future__ import annotations

from typing import Any


class FrontdeskError(Exception):
    status = 500
    default_code = "INTERNAL"

    def __init__(
        self, message: str, *, code: str | None = None, fields: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.fields = fields or {}

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


class Invalid(FrontdeskError):
    status = 422
    default_code = "INVALID"


class Unauthorized(FrontdeskError):
    status = 401
    default_code = "NOT_SIGNED_IN"


class Forbidden(FrontdeskError):
    status = 403
    default_code = "FORBIDDEN"


class NotFound(FrontdeskError):
    status = 404
    default_code = "NOT_FOUND"


class Conflict(FrontdeskError):
    status = 409
    default_code = "CONFLICT"


class TooManyRequests(FrontdeskError):
    status = 429
    default_code = "TOO_MANY_REQUESTS"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class Unavailable(FrontdeskError):
    status = 503
    default_code = "UNAVAILABLE"
