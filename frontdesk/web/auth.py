"""Who is asking: the session cookie, the signed-in user, CSRF, and role checks.

The session cookie (signed by Quart, HttpOnly, SameSite=Lax, Secure behind HTTPS) holds a
random session token and the CSRF token. The store holds the session itself, so any
node can check it and a password reset can end all of a user's sessions at once.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from functools import wraps
from http.cookies import SimpleCookie
from typing import Any, ParamSpec, TypeVar

from itsdangerous import BadSignature
from quart import Quart, g, request, session

from frontdesk.accounts.models import Role, User
from frontdesk.accounts.service import SessionGrant, SignedIn
from frontdesk.errors import Code, Forbidden, NotFound, Unauthorized
from frontdesk.web.context import services

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"

P = ParamSpec("P")
R = TypeVar("R")


def install(app: Quart) -> None:
    app.before_request(_load_user)
    app.before_request(_check_csrf)
    app.context_processor(lambda: {"current_user": current_user(), "csrf_token": csrf_token})


def current_user() -> User | None:
    user: User | None = g.get("user")
    return user


def client_address() -> str:
    return request.remote_addr or "unknown"


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


def start_session(grant: SessionGrant) -> None:
    # A fresh cookie on sign-in: nothing from before (a planted CSRF token) carries over.
    session.clear()
    session.permanent = True
    session["sid"] = grant.token
    session["csrf"] = secrets.token_urlsafe(32)
    g.user = grant.user


async def end_session() -> None:
    token = session.get("sid")
    if token:
        await services().accounts.sign_out(token)
    session.clear()
    g.user = None


def require_user(
    *roles: Role, hidden: bool = False
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Refuse the request unless a user is signed in (and has one of `roles`, if given).
    `hidden`: to a signed-in user of another role the page does not exist (404), as for
    administration, whose very addresses are nobody else's business."""

    def decorate(handler: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @wraps(handler)
        async def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            user = current_user()
            if user is None:
                raise Unauthorized("Please sign in to continue")
            if roles and user.role not in roles:
                if hidden:
                    raise NotFound("There is nothing here")
                raise Forbidden("Your account cannot use this page")
            return await handler(*args, **kwargs)

        return guarded

    return decorate


async def _load_user() -> None:
    g.user = None
    token = session.get("sid")
    if request.endpoint == "static" or not token:
        return
    g.user = await services().accounts.session_user(token)
    if g.user is None:  # ended elsewhere (sign-out, password reset) or expired
        session.pop("sid", None)


async def _check_csrf() -> None:
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.mimetype in {
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    }:
        sent = (await request.form).get(CSRF_FIELD)
    expected = session.get("csrf")
    if not sent or not expected or not hmac.compare_digest(str(sent), str(expected)):
        raise Forbidden(
            "This form has expired or did not come from this site; please reload the page "
            "and try again",
            code=Code.CSRF_FAILED,
        )


class SessionReader:
    """Reads who is signed in from a raw Cookie header: for socket.io connections."""

    def __init__(self, app: Quart) -> None:
        self._app = app

    async def signed_in(self, cookie_header: str) -> SignedIn | None:
        cookies = SimpleCookie()
        cookies.load(cookie_header or "")
        morsel = cookies.get(self._app.config["SESSION_COOKIE_NAME"])
        serializer = self._app.session_interface.get_signing_serializer(self._app)
        if morsel is None or serializer is None:
            return None
        max_age = int(self._app.permanent_session_lifetime.total_seconds())
        try:
            data: dict[str, Any] = serializer.loads(morsel.value, max_age=max_age)
        except BadSignature:
            return None
        token = data.get("sid")
        if not token:
            return None
        found: SignedIn | None = await self._app.extensions["frontdesk"].accounts.signed_in(token)
        return found
