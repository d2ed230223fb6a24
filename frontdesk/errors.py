"""The one error tree of frontdesk.

    FrontdeskError            500 INTERNAL
     +-- Unreadable           400 input no store can hold: broken JSON, NUL bytes
     +-- Invalid              422 bad input, with per-field messages
     +-- Unauthorized         401 not signed in
     +-- Forbidden            403 signed in, but not allowed
     +-- NotFound             404 missing, or someone else's
     +-- Conflict             409 clashes with what exists
     +-- TooManyRequests      429 throttled
     +-- Unavailable          503 a part we need is down or busy (outages.py): try again

The domain raises these; the web and socket layers render them as
{"error": {"code", "message", "fields"}}.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import ValidationError


class Code(StrEnum):
    """Every error code a client may meet, over HTTP or a socket: one list, so a code is
    never spelt two ways. HTTP errors of the framework itself (METHOD_NOT_ALLOWED...)
    keep werkzeug's names."""

    # Each error class's default
    INTERNAL = "INTERNAL"
    UNREADABLE = "UNREADABLE"
    INVALID = "INVALID"
    NOT_SIGNED_IN = "NOT_SIGNED_IN"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS"
    UNAVAILABLE = "UNAVAILABLE"
    # Accounts and sign-in
    BAD_CREDENTIALS = "BAD_CREDENTIALS"
    EMAIL_NOT_VERIFIED = "EMAIL_NOT_VERIFIED"
    USERNAME_TAKEN = "USERNAME_TAKEN"
    THROTTLED = "THROTTLED"
    CSRF_FAILED = "CSRF_FAILED"
    LINK_INVALID = "LINK_INVALID"
    LINK_EXPIRED = "LINK_EXPIRED"
    LINK_USED = "LINK_USED"
    # Contact Us
    INVALID_CHOICE = "INVALID_CHOICE"
    HUMAN_CHECK_FAILED = "HUMAN_CHECK_FAILED"
    HUMAN_CHECK_REQUIRED = "HUMAN_CHECK_REQUIRED"
    CHAT_UNAVAILABLE = "CHAT_UNAVAILABLE"
    # Administration
    TAXONOMY_SAVED_MEANWHILE = "TAXONOMY_SAVED_MEANWHILE"
    INVALID_TAXONOMY = "INVALID_TAXONOMY"
    # Cases
    CASE_NOT_FOUND = "CASE_NOT_FOUND"
    CASE_CLOSED = "CASE_CLOSED"
    ACTIVITY_NOT_FOUND = "ACTIVITY_NOT_FOUND"
    INVALID_STATUS = "INVALID_STATUS"
    REASON_REQUIRED = "REASON_REQUIRED"
    REASON_TOO_LONG = "REASON_TOO_LONG"
    NOT_A_CALL_CASE = "NOT_A_CALL_CASE"
    # Attachments: each refusal says why
    ATTACHMENT_NOT_FOUND = "ATTACHMENT_NOT_FOUND"
    ATTACHMENT_NO_FILES = "ATTACHMENT_NO_FILES"
    ATTACHMENT_FORM_TOO_LARGE = "ATTACHMENT_FORM_TOO_LARGE"
    ATTACHMENT_TOO_LARGE = "ATTACHMENT_TOO_LARGE"
    ATTACHMENT_EMPTY = "ATTACHMENT_EMPTY"
    ATTACHMENT_NAME = "ATTACHMENT_NAME"
    ATTACHMENT_TYPE = "ATTACHMENT_TYPE"
    ATTACHMENT_EXTENSION_CASE = "ATTACHMENT_EXTENSION_CASE"
    ATTACHMENT_CONTENT_MISMATCH = "ATTACHMENT_CONTENT_MISMATCH"
    ATTACHMENT_NOT_TEXT = "ATTACHMENT_NOT_TEXT"
    ATTACHMENT_MARKUP = "ATTACHMENT_MARKUP"
    ATTACHMENT_ZIP_INVALID = "ATTACHMENT_ZIP_INVALID"
    ATTACHMENT_ZIP_ENCRYPTED = "ATTACHMENT_ZIP_ENCRYPTED"
    ATTACHMENT_ZIP_ENTRIES = "ATTACHMENT_ZIP_ENTRIES"
    ATTACHMENT_ZIP_TOO_LARGE = "ATTACHMENT_ZIP_TOO_LARGE"
    ATTACHMENT_ZIP_RATIO = "ATTACHMENT_ZIP_RATIO"
    ATTACHMENT_ZIP_NESTED = "ATTACHMENT_ZIP_NESTED"
    ATTACHMENT_ZIP_PATH = "ATTACHMENT_ZIP_PATH"
    ATTACHMENT_ZIP_LINK = "ATTACHMENT_ZIP_LINK"
    # Live chat
    NOT_A_CHAT_CASE = "NOT_A_CHAT_CASE"
    CHAT_NOT_OFFERED = "CHAT_NOT_OFFERED"
    OUTSIDE_OFFICE_HOURS = "OUTSIDE_OFFICE_HOURS"
    CHAT_NOT_FOUND = "CHAT_NOT_FOUND"
    CHAT_ALREADY_OPEN = "CHAT_ALREADY_OPEN"
    CHAT_ENDED = "CHAT_ENDED"
    CHAT_TAKEN = "CHAT_TAKEN"
    OFFER_GONE = "OFFER_GONE"
    NOT_YOUR_CHAT = "NOT_YOUR_CHAT"
    CHAT_NOT_WAITING = "CHAT_NOT_WAITING"
    CHAT_NOT_ACTIVE = "CHAT_NOT_ACTIVE"
    CUSTOMER_AWAY = "CUSTOMER_AWAY"
    AGENT_UNAVAILABLE = "AGENT_UNAVAILABLE"
    UNKNOWN_AWAY_REASON = "UNKNOWN_AWAY_REASON"
    CLIENT_MSG_ID_IN_USE = "CLIENT_MSG_ID_IN_USE"
    TRANSCRIPT_EMAIL_THROTTLED = "TRANSCRIPT_EMAIL_THROTTLED"
    UNKNOWN_EVENT = "UNKNOWN_EVENT"
    # Agent tools
    REPLY_NOT_FOUND = "REPLY_NOT_FOUND"
    # Ratings
    NOT_RATABLE = "NOT_RATABLE"
    RATING_LOCKED = "RATING_LOCKED"
    RATING_NOT_FOUND = "RATING_NOT_FOUND"


class FrontdeskError(Exception):
    status = 500
    default_code = Code.INTERNAL

    def __init__(
        self, message: str, *, code: Code | None = None, fields: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        # A str: the web layer names framework errors (werkzeug's) by their own names.
        self.code: str = code or self.default_code
        self.fields = fields or {}

    def to_dict(self) -> dict[str, Any]:
        error = {"code": str(self.code), "message": self.message, "fields": self.fields}
        return {"error": error}


class Unreadable(FrontdeskError):
    status = 400
    default_code = Code.UNREADABLE


class Invalid(FrontdeskError):
    status = 422
    default_code = Code.INVALID


class Unauthorized(FrontdeskError):
    status = 401
    default_code = Code.NOT_SIGNED_IN


class Forbidden(FrontdeskError):
    status = 403
    default_code = Code.FORBIDDEN


class NotFound(FrontdeskError):
    status = 404
    default_code = Code.NOT_FOUND


class Conflict(FrontdeskError):
    status = 409
    default_code = Code.CONFLICT


class TooManyRequests(FrontdeskError):
    status = 429
    default_code = Code.TOO_MANY_REQUESTS

    def __init__(self, message: str, *, retry_after: int, code: Code | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class Unavailable(FrontdeskError):
    status = 503
    default_code = Code.UNAVAILABLE


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
