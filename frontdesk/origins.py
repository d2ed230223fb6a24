"""Which page origins may open sockets. A browser sends its page's origin with the
socket handshake, and the session cookie signs the socket in, so a socket from another
site's page must be refused.

Accepted: the public URL's origin and FRONTDESK_ALLOWED_ORIGINS; outside production also
the loopback names of the public URL's port (127.0.0.1, localhost, [::1]), because a
newcomer opens whichever of them they type. A refused origin is logged once, with what
to set, and pages opened from it say so (web/pages.py) instead of retrying forever.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from frontdesk.settings import Settings

log = logging.getLogger(__name__)

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def origin_of(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower()


class SocketOrigins:
    def __init__(self, settings: Settings) -> None:
        public = urlsplit(settings.public_url)
        self.public_origin = origin_of(settings.public_url)
        listed = [o for o in settings.allowed_origins.split(",") if o.strip()]
        allowed = {self.public_origin, *(origin_of(o) for o in listed)}
        if settings.env != "production":
            port = f":{public.port}" if public.port else ""
            allowed |= {f"{public.scheme}://{name}{port}" for name in LOOPBACK_NAMES}
        self.allowed = frozenset(allowed)
        self._logged: set[str] = set()

    def allows(self, origin: str | None) -> bool:
        """A request with no Origin is no browser page's, and the cookie check decides."""
        return origin is None or origin.lower() in self.allowed

    def __call__(self, origin: str | None, environ: object = None) -> bool:
        """engine.io's check of a socket's Origin (its cors_allowed_origins callable)."""
        if self.allows(origin):
            return True
        if origin not in self._logged:  # once per origin, not once per retry
            self._logged.add(str(origin))
            log.warning(
                "socket refused for origin %s: pages must come from %s; set "
                "FRONTDESK_PUBLIC_URL to the address people open, or add the origin to "
                "FRONTDESK_ALLOWED_ORIGINS",
                origin,
                self.public_origin,
            )
        return False
