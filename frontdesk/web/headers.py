"""Security headers on every response: pages, the API, errors, static files, downloads.

The Content-Security-Policy lets a page load scripts, styles, fonts, images, workers and
connections (its socket included: CSP3's 'self' covers ws: and wss: on the same host)
from our own origin only, and nothing inline: our pages have no inline script or style,
and the human check's widget is the external build with its CSS and worker as files
(scripts/vendor). A response that sets a policy of its own keeps it: an attachment's
download is sandboxed tighter still (web/api/attachments.py).
"""

from __future__ import annotations

from quart import Quart, Response

from frontdesk.settings import Settings

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
# Features no page of ours uses, turned off for them and anything they might embed.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
        "geolocation", "gyroscope", "hid", "magnetometer", "microphone", "midi", "payment",
        "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "serial",
        "usb", "xr-spatial-tracking",
    )
)  # fmt: skip
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(settings: Settings) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
        "X-Frame-Options": "DENY",  # frame-ancestors, for browsers that predate it
    }
    if settings.secure_cookies:  # served over https: browsers should never try http
        headers["Strict-Transport-Security"] = HSTS
    return headers


def install(app: Quart, settings: Settings) -> None:
    headers = security_headers(settings)

    @app.after_request
    async def add_security_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
