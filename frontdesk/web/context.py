"""Access to this node's Services from inside a request."""

from __future__ import annotations

from quart import current_app

from frontdesk.services import Services


def services() -> Services:
    found: Services = current_app.extensions["frontdesk"]
    return found
