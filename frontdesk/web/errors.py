"""One way errors leave the web layer: JSON for the API, a page or a redirect for pages."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import quote

from pydantic import ValidationError
from quart import Quart, ResponseReturnValue, redirect, render_template, request
from quart_schema import RequestSchemaValidationError
from werkzeug.exceptions import HTTPException

from frontdesk.accounts.models import STAFF, Role, User
from frontdesk.errors import FrontdeskError, Invalid, TooManyRequests, Unauthorized, field_errors
from frontdesk.outages import unavailable
from frontdesk.web.auth import current_user

log = logging.getLogger("frontdesk.web")


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


@dataclass(frozen=True)
class WayBack:
    label: str
    href: str


SUPERVISORS = frozenset({Role.SUPERVISOR, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})
SIGNED_IN = frozenset(Role)
# The list a page belongs to, by the start of its path, and who may open that list
# (None: anyone): a failed page offers its list, never one its reader would be refused
# (staff pages are 404 to everyone else). First match wins: longer paths come first.
SECTIONS: tuple[tuple[str, WayBack, frozenset[Role] | None], ...] = (
    ("/my-cases", WayBack("Back to My Cases", "/my-cases"), SIGNED_IN),
    ("/chat/", WayBack("Back to My Cases", "/my-cases"), SIGNED_IN),
    ("/articles", WayBack("Back to Browse Articles", "/articles"), None),
    ("/search", WayBack("Back to Browse Articles", "/articles"), None),
    ("/community", WayBack("Back to the community discussions", "/community"), None),
    ("/agent/search", WayBack("Back to Find a case", "/agent/search"), STAFF),
    ("/agent/replies", WayBack("Back to your canned replies", "/agent/replies"), STAFF),
    ("/agent", WayBack("Back to the Agent console", "/agent"), STAFF),
    ("/staff/kb", WayBack("Back to the knowledge base reports", "/staff/kb/feedback"), STAFF),
    ("/supervisor/agents", WayBack("Back to Agents", "/supervisor/agents"), SUPERVISORS),
    ("/supervisor", WayBack("Back to the Dashboard", "/supervisor"), SUPERVISORS),
    ("/admin/taxonomy", WayBack("Back to the Contact Us taxonomy", "/admin/taxonomy"), ADMINS),
    ("/admin/audit", WayBack("Back to the audit log", "/admin/audit"), ADMINS),
    ("/admin/hours", WayBack("Back to office hours", "/admin/hours"), ADMINS),
    ("/admin", WayBack("Back to People", "/admin/people"), ADMINS),
)
# Worth trying the same page again: the fault was passing (or ours), not the request's.
TRY_AGAIN = frozenset({429, 500, 502, 503, 504})


def ways_back(status: int, method: str, full_path: str, user: User | None) -> list[WayBack]:
    """Where an error page sends its reader: the same page again when that may work,
    the list the page belongs to if they may open it, signing in when that may be what
    is missing, and home."""
    path = full_path.split("?", 1)[0]
    ways = []
    if status in TRY_AGAIN and method == "GET":
        ways.append(WayBack("Try again", full_path))
    section = next(((way, who) for prefix, way, who in SECTIONS if path.startswith(prefix)), None)
    way, readers = section if section else (None, SIGNED_IN)
    if way and way.href != path and (readers is None or (user and user.role in readers)):
        ways.append(way)
    if user is None and readers is not None and status in (403, 404):
        ways.append(WayBack("Sign in", f"/sign-in?next={quote(path, safe='/')}"))
    ways.append(WayBack("Back to the home page", "/"))
    return ways


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
    full_path = request.full_path.rstrip("?")
    ways = ways_back(error.status, request.method, full_path, current_user())
    page = await render_template("pages/error.html", error=error, ways=ways)
    return page, error.status, headers


async def _domain_error(error: FrontdeskError) -> ResponseReturnValue:
    return await render_error(error)


async def _schema_error(error: RequestSchemaValidationError) -> ResponseReturnValue:
    cause = error.validation_error
    fields = field_errors(cause) if isinstance(cause, ValidationError) else {}
    return await render_error(Invalid("Please correct the highlighted fields", fields=fields))


async def _http_error(error: HTTPException) -> ResponseReturnValue:
    code = (error.name or "error").upper().replace(" ", "_")
    # werkzeug's 404 text speaks of URLs and servers; the page adds what to do.
    message = "We could not find that page." if error.code == 404 else error.description
    domain = FrontdeskError(message or error.name or "Error")
    domain.code = code  # werkzeug's name for it: not one of ours
    domain.status = error.code or 500
    return await render_error(domain)


async def _unexpected_error(error: Exception) -> ResponseReturnValue:
    if (refusal := unavailable(error)) is not None:
        log.warning("%s %s refused: %s", request.method, request.path, error)
        return await render_error(refusal)
    log.exception("unexpected error on %s %s", request.method, request.path)
    return await render_error(FrontdeskError("Something went wrong on our side; please try again"))
