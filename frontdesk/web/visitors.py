"""Who is reading: the signed-in user, or an anonymous visitor known by a cookie.

Views are counted once per visitor per day and each visitor has one vote per article, so
anonymous readers need a stable name too: a random token in a long-lived cookie. The
knowledge base stores only a hash of whatever name it is given.
"""

from __future__ import annotations

import re
import secrets

from quart import Response, current_app, g, request

from frontdesk.web.auth import current_user

VISITOR_COOKIE = "frontdesk_visitor"
# A year: long enough that a returning reader is the same visitor, short of the 400-day
# cap browsers put on cookie lifetimes.
VISITOR_COOKIE_SECONDS = 365 * 86_400
# What our tokens look like (token_urlsafe(24)); anything else is treated as no cookie.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def visitor() -> str:
    """The reader's name for view counts and votes: "user:<id>" or "visitor:<token>"."""
    user = current_user()
    if user is not None:
        return f"user:{user.id}"
    token = request.cookies.get(VISITOR_COOKIE, "")
    if not _TOKEN.match(token):
        token = g.get("new_visitor_token") or secrets.token_urlsafe(24)
        g.new_visitor_token = token
    return f"visitor:{token}"


def remember_visitor(response: Response) -> Response:
    """After a request that named a new anonymous visitor: give them the cookie."""
    token = g.get("new_visitor_token")
    if token:
        response.set_cookie(
            VISITOR_COOKIE,
            token,
            max_age=VISITOR_COOKIE_SECONDS,
            httponly=True,
            samesite="Lax",
            secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        )
    return response
