"""Cases API: the customer's cases, the activity feed, comments, likes, staff work."""

from __future__ import annotations

from quart import Blueprint

blueprint = Blueprint("cases_api", __name__, url_prefix="/api/v1")
