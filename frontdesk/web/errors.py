"""One way errors leave the web layer: JSON for the API, a page or a redirect for pages."""

from __future__ import annotations

import logging
from urllib.parse import quote

from pydantic import ValidationError
from quart import Quart, ResponseReturnValue, redirect, render_template, request
from quart_schema import RequestSchemaValidationError
from werkzeug.exceptions import HTTPException

from frontdesk.errors import FrontdeskError, Invalid, TooManyRequests, Unauthorized, field_errors

log = logging.getLogger("frontdesk.web")


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def install(app: Quart) -> None:
    app.register_error_handler(FrontdeskError, _domain_error)
    app.register_error_handler(RequestSchemaValidationError, _schema_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


async def render_error(error: FrontdeskError) -> ResponseReturnValue:
    if isinstance(error, Unauthorized) and not wants_json():
        return redirect(f"/sign-in?next={quote(request.full_path.rstrip('?'), safe='/')}")
    headers = {}
    if isinstance(error, TooManyRequests):
        headers["Retry-After"] = str(error.retry_after)
    if wants_json():
        return error.to_dict(), error.status, headers
    page = await render_template("pages/error.html", error=error)
    return page, error.status, headers


async def _domain_error(error: FrontdeskError) -> ResponseReturnValue:
    return await render_error(error)


async def _schema_error(error: RequestSchemaValidationError) -> ResponseReturnValue:
    cause = error.validation_error
    fields = field_errors(cause) if isinstance(cause, ValidationError) else {}
    return await render_error(Invalid("Please correct the highlighted fields", fields=fields))


async def _http_error(error: HTTPException) -> ResponseReturnValue:
    code = (error.name or "error").upper().replace(" ", "_")
    domain = FrontdeskError(error.description or error.name or "Error")
    domain.code = code  # werkzeug's name for it: not one of ours
    domain.status = error.code or 500
    return await render_error(domain)


async def _unexpected_error(error: Exception) -> ResponseReturnValue:
    log.exception("unexpected error on %s %s", request.method, request.path)
    return await render_error(FrontdeskError("Something went wrong on our side; please try again"))
